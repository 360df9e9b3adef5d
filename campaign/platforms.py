"""Every platform the scheduler posts to, in one table: one row per platform, one fact per column.

A row says how long a caption may be and how the platform counts it, how many bytes a card may
have and in which formats, how long its alt text may be, whether a post can be looked up on the
platform (how an in-doubt post is settled), which credentials an account gives and which account
fields it needs (each written as :data:`ACCOUNT_FIELDS` says), and which module publishes to it. Everything else reads these facts from here:
``definition`` (the platform names an account may use), ``captions`` (counting and fitting),
``credentials`` (what ``accounts check`` looks for), the render step (card size and format), the
publishers (pre-flight checks, alt text) and the reconciliation of in-doubt posts.

**A new platform is one row here and one module**: ``campaign/publishers/<name>.py`` that
registers its publisher under ``<name>`` (see :mod:`campaign.publishers.base`) and reads the
credentials its row names. ``tests/test_platforms.py`` checks that every row has such a module
and that no other module states these facts again.

Pure: imports neither the publishers (they are imported by name, when first used) nor anything
above this module, so ``definition`` can derive its types from the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from wcwidth import iter_graphemes

from . import xtext

URL_WEIGHT = 23  # X and Mastodon count any link as 23, whatever its length
_URL_RE = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'។៕]")


# ---- how platforms count a caption -----------------------------------------------------------

def grapheme_count(text: str) -> int:
    """User-perceived characters (Unicode extended grapheme clusters): Mastodon and Bluesky."""
    return sum(1 for _ in iter_graphemes(text))


def mastodon_length(text: str) -> int:
    """Graphemes, with every link counted as :data:`URL_WEIGHT`."""
    return grapheme_count(_URL_RE.sub("x" * URL_WEIGHT, text))


def utf16_units(text: str) -> int:
    """UTF-16 code units: what Telegram counts (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Limit:
    """How long a caption may be on one platform, and in what unit it is counted."""

    size: int
    unit: str  # "weighted characters", "graphemes", "characters"
    max_bytes: int | None = None  # a second limit on the UTF-8 bytes (Bluesky)
    count: Callable[[str], int] = len  # the caption's length in ``unit``
    blank: bool = True  # whether a blank caption is taken (X refuses one)


# ---- one row per platform --------------------------------------------------------------------

@dataclass(frozen=True)
class PlatformSpec:
    """One platform's facts (a row of :data:`TABLE`)."""

    name: str
    caption: Limit | None  # None: no limit worth checking (outbox)
    max_image_bytes: int  # the card is encoded to fit
    alt_text_max: int | None  # characters; None: no limit of the platform's; 0: takes no alt text
    lookup: bool  # whether a post can be found on the platform after an unknown outcome
    credentials: tuple[str, ...]  # the names its publisher reads (``self.secret(name)``)
    max_side_sum: int | None = None  # width + height of the card at most this (Telegram), None: no bound
    max_ratio: float | None = None  # the longer side over the shorter at most this (Telegram)
    account_fields: tuple[str, ...] = ()  # account fields it cannot do without
    card_formats: tuple[str, ...] = ("jpeg", "png")  # the card formats it takes; the first is rendered
    publisher: str = ""  # the module: a short name in campaign.publishers, or a dotted path (default: name)

    @property
    def module(self) -> str:
        """The importable name of the publisher module."""
        short = self.publisher or self.name
        return short if "." in short else f"campaign.publishers.{short}"

    def dimension_problem(self, width: int, height: int) -> str | None:
        """Why a card of ``width`` x ``height`` pixels is refused here (None: it is taken)."""
        if self.max_side_sum is not None and width + height > self.max_side_sum:
            return f"width + height is {width + height}; {self.name} takes at most {self.max_side_sum}"
        if self.max_ratio is not None and max(width, height) > self.max_ratio * max(1, min(width, height)):
            return f"the sides' ratio is {max(width, height) / max(1, min(width, height)):.1f}; {self.name} takes at most {self.max_ratio:g}"
        return None

    @property
    def image_types(self) -> tuple[str, ...]:
        """The card formats as media types (``image/jpeg``)."""
        return tuple(f"image/{fmt}" for fmt in self.card_formats)


TABLE: dict[str, PlatformSpec] = {spec.name: spec for spec in (
    PlatformSpec(
        "x", Limit(xtext.MAX_WEIGHTED_LENGTH, "weighted characters", count=xtext.weighted_length, blank=False),
        max_image_bytes=5_000_000, alt_text_max=1000, lookup=True,
        credentials=("api_key", "api_secret", "access_token", "access_secret")),
    PlatformSpec(  # 500: the default configuration.statuses.max_characters
        "mastodon", Limit(500, "graphemes", count=mastodon_length),
        max_image_bytes=10_000_000,  # 16 MB on 4.x; older instances take 10 MB
        alt_text_max=1500,  # the default description_limit; instances may allow more, none less
        lookup=True, credentials=("token",), account_fields=("base_url",)),
    PlatformSpec(
        "bluesky", Limit(300, "graphemes", max_bytes=3000, count=grapheme_count),
        max_image_bytes=1_000_000,  # older PDSs refuse more with BlobTooLarge
        alt_text_max=None, lookup=True, credentials=("app_password",)),
    PlatformSpec(  # a photo caption; a text message may be 4096
        "telegram", Limit(1024, "characters", count=utf16_units),
        max_image_bytes=10_000_000, alt_text_max=0, max_side_sum=10_000, max_ratio=20,
        lookup=False,  # the Bot API cannot read a channel's past messages
        credentials=("token",), account_fields=("channel",)),
    PlatformSpec(
        "facebook", Limit(63206, "characters"),
        max_image_bytes=10_000_000, alt_text_max=None, lookup=True, credentials=("token",),
        account_fields=("page_id",)),
    PlatformSpec(  # dry runs: JSON + card files in a folder
        "outbox", None, max_image_bytes=10_000_000, alt_text_max=None, lookup=True, credentials=()),
)}

# ---- how the account fields a row names are written --------------------------------------------

def _web_address(text: str) -> str | None:
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return "is not a web address"
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in text):
        return "is not a web address"
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        return "may not carry a user, password, query or fragment (its value is not shown)"
    return None


_HANDLE_RE = re.compile(r"^(did:[a-z]+:[A-Za-z0-9._:%-]+|[^\s@]+@[^\s@]+\.[^\s@]+"
                        r"|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)$")


@dataclass(frozen=True)
class AccountField:
    """How an account field is written: what is wrong with a value (None: nothing), and an example."""

    wrong: Callable[[str], str | None]
    example: str


#: Every account field a row's ``account_fields`` may name, and the address-like ones any account
#: may give (``base_url`` overrides a platform's default API address): one rule each.
ACCOUNT_FIELDS: dict[str, AccountField] = {
    "base_url": AccountField(_web_address, "https://mastodon.social (the instance or server's address)"),
    "handle": AccountField(lambda t: None if _HANDLE_RE.match(t.removeprefix("@")) else "is not a Bluesky handle",
                           "licadho.bsky.social (or the account's DID, or its e-mail address)"),
    "channel": AccountField(lambda t: None if re.fullmatch(r"@[A-Za-z0-9_]{1,32}|-?\d{1,20}", t)
                            else "is not a Telegram chat",
                            "@channel_name, or the chat's number such as -1001234567890"),
    "page_id": AccountField(lambda t: None if re.fullmatch(r"\d{1,25}", t) else "is not a Facebook Page id",
                            "104000000000001 (the Page's number, in its settings under Page ID)"),
}


def check_account_field(name: str, value: object) -> str:
    """``value`` of account field ``name`` as text (a number is taken: YAML reads a bare id as one),
    or a ValueError saying how it is written (its value is not echoed: an address may hold a token)."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    rule = ACCOUNT_FIELDS[name]
    problem = "is empty" if text == "" else "is not text" if text is None else rule.wrong(text)
    if problem:
        raise ValueError(f"{problem}; write it like {rule.example}")
    assert text is not None
    return text.rstrip("/") if name == "base_url" else text


NAMES: tuple[str, ...] = tuple(TABLE)


# ---- what each platform charges (beside the table: one row per platform) ---------------------

@dataclass(frozen=True)
class Costs:
    """What one platform's API charges per call, in US dollars (0: nothing), and what a coalition
    must set up before its first post (``accounts check`` and the README say it)."""

    post: float = 0.0  # creating a post
    post_with_link: float | None = None  # instead of ``post`` when the text carries a URL (None: the same)
    media: float = 0.0  # uploading one image
    alt_text: float = 0.0  # setting one image's alt text (a call of its own on X)
    read: float = 0.0  # reading one of the account's own posts (in-doubt look-ups)
    lookup_reads: int = 0  # posts one in-doubt look-up reads (its publisher's ``lookup``), plus one for "who am I"
    needs: str = ""  # what the coalition must have before the first post

    def of_post(self, has_link: bool) -> float:
        return self.post_with_link if has_link and self.post_with_link is not None else self.post

    @property
    def lookup(self) -> float:
        """One in-doubt look-up: "who am I" and the account's most recent posts."""
        return self.read * (self.lookup_reads + 1) if self.lookup_reads else 0.0


COSTS: dict[str, Costs] = {name: Costs() for name in NAMES} | {
    # X's pay-per-use API (since February 2026; docs.x.com/x-api/getting-started/pricing): a post
    # $0.015, $0.20 when it carries a URL; alt text is a Media Metadata call ($0.005); the upload
    # itself is not billed; the account's own posts are Owned Reads ($0.001 each).
    "x": Costs(post=0.015, post_with_link=0.20, alt_text=0.005, read=0.001, lookup_reads=50,
               needs="an X developer app with read and write permission and funded pay-per-use credits "
                     "(an app without credits fails every call); OAuth 1.0a keys and the account's access token"),
    "mastodon": Costs(needs="an access token with write:statuses and write:media from the instance's "
                            "Preferences > Development; base_url the instance"),
    "bluesky": Costs(needs="an app password (Settings > Privacy and security > App passwords), never the "
                           "account password; handle the login; sessions are kept between posts "
                           "(createSession is limited to 30 per 5 minutes and 300 a day)"),
    "telegram": Costs(needs="a bot from @BotFather, added to the channel as an administrator allowed to post "
                            "messages"),
    "facebook": Costs(needs="a Page access token (GET /{user-id}/accounts) with pages_manage_posts and "
                            "pages_read_engagement; App Review with Advanced Access unless every admin "
                            "who grants them has a role on the app"),
}


def costs(name: str) -> Costs:
    """What platform ``name`` charges (its row of :data:`COSTS`)."""
    spec(name)  # the KeyError naming the known platforms
    return COSTS[name]
Name = Literal[NAMES]  # type: ignore[valid-type]  # the platform an account names (pydantic checks it)


def spec(name: str) -> PlatformSpec:
    """The row of platform ``name``; a KeyError naming the known platforms if there is none."""
    try:
        return TABLE[name]
    except KeyError:
        raise KeyError(f"no platform {name!r}; known: {', '.join(NAMES)}") from None


__all__ = ["ACCOUNT_FIELDS", "COSTS", "NAMES", "TABLE", "URL_WEIGHT", "AccountField", "Costs", "Limit", "Name",
           "PlatformSpec", "check_account_field", "costs", "grapheme_count", "mastodon_length", "spec", "utf16_units"]
