"""What the platform modules share: :class:`BasePublisher` (the account, its secrets revealed once
and redacted everywhere, the API address, the pre-flight checks of the platform's row, the last
rate-limit reading, one HTTP session) and two text helpers (:func:`clip`, :func:`same_text`).

A platform module subclasses :class:`BasePublisher`, sets ``platform`` to its row's name in
:mod:`campaign.platforms`, and reads every platform fact (card bytes, caption limit, alt-text
length) from that row through :attr:`BasePublisher.spec`, never states one of its own.
"""

from __future__ import annotations

import io
import re
from typing import Any, ClassVar, NoReturn

import requests

from ..definition import Account
from ..platforms import PlatformSpec, spec
from .base import AuthFailed, Context, Post, PublishError, Rejected
from .http import RateLimitInfo, http_session, network_error
from .redaction import redact, remember, safe_cause


def image_size(image: bytes) -> tuple[int, int]:
    """A card's width and height in pixels, read from its header; (0, 0) if it cannot be read
    (the platform then refuses it, and says why)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(image)) as img:
            return img.size
    except (UnidentifiedImageError, OSError, ValueError):
        return 0, 0


class BasePublisher:
    """What every platform publisher shares: its account, secrets (revealed once, redacted
    everywhere), base URL, timeout, pre-flight checks and the last rate-limit reading."""

    platform: ClassVar[str]
    default_base_url: ClassVar[str | None] = None

    def __init__(self, account: Account, context: Context):
        self.account = account
        self.context = context
        self.timeout = context.timeout
        self.last_rate_limit: RateLimitInfo | None = None
        self._secrets: set[str] = set()
        self._revealed: dict[str | None, str] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(account={self.account.id!r})"

    @property
    def spec(self) -> PlatformSpec:
        """The platform's row: every fact about it (limits, formats, credentials)."""
        return spec(self.platform)

    @property
    def max_image_bytes(self) -> int:
        return self.spec.max_image_bytes

    def alt_text(self, post: Post) -> str:
        """The post's alt text, clipped to what the platform takes (nothing where it takes none)."""
        size = self.spec.alt_text_max
        if size is None:
            return post.alt
        return clip(post.alt, size) if size else ""

    @property
    def base_url(self) -> str:
        """The API address: ``Context.base_urls[platform]``, else ``account.base_url``, else the platform's."""
        url = self.context.base_urls.get(self.platform) or self.account.base_url or self.default_base_url
        if not url:
            raise AuthFailed(f"{self.account.id}: no API address; set base_url on the account")
        return url.rstrip("/")

    def secret(self, name: str | None = None) -> str:
        """Reveal one credential for a library call, resolving it once per publisher (not per
        request); it is redacted from logs and errors from now on."""
        value = self._revealed.get(name)
        if value is None:
            value = self._revealed[name] = self.context.secret(self.account, name).reveal()
            self._secrets.add(value)
            remember(value)
        return value

    def fail(self, error: PublishError, cause: BaseException | None = None) -> NoReturn:
        """Raise ``error`` (message redacted) from ``cause`` unless the cause's chain shows a secret."""
        message = str(error)
        cleaned = redact(message, self._secrets)
        if cleaned != message:
            error.args = (cleaned,)
            if isinstance(error, Rejected):
                error.reason = redact(error.reason, self._secrets)
        raise error from safe_cause(cause, self._secrets)

    def what(self, step: str) -> str:
        """A short label for messages: ``<account> <platform> <step>``."""
        return f"{self.account.id}: {self.platform} {step}"

    def check(self, post: Post) -> None:
        """Refuse what the platform would refuse (its row's limits), before sending anything."""
        row = self.spec
        if not post.image:
            raise Rejected(f"{self.account.id}: the card is empty")
        if len(post.image) > row.max_image_bytes:
            raise Rejected(f"{self.account.id}: the card is {len(post.image):,} bytes; "
                           f"{self.platform} takes at most {row.max_image_bytes:,} (render it smaller)")
        if post.image_type not in row.image_types:
            raise Rejected(f"{self.account.id}: the card is {post.image_type}; {self.platform} takes "
                           f"{', '.join(row.image_types)}")
        if row.max_side_sum is not None or row.max_ratio is not None:
            problem = row.dimension_problem(*image_size(post.image))
            if problem:
                raise Rejected(f"{self.account.id}: the card's {problem} (use a smaller or squarer canvas)")
        limit = row.caption
        if limit is not None:
            length = limit.count(post.text)
            if length > limit.size:
                raise Rejected(f"{self.account.id}: the caption is {length} {limit.unit}; "
                               f"{self.platform} takes at most {limit.size} (shorten it with fit_caption)")
            if limit.max_bytes and len(post.text.encode()) > limit.max_bytes:
                raise Rejected(f"{self.account.id}: the caption is {len(post.text.encode())} bytes; "
                               f"{self.platform} takes at most {limit.max_bytes}")

    def note_rate_limit(self, info: RateLimitInfo | None) -> None:
        """Remember the latest rate-limit reading (the pipeline stores it per account)."""
        if info is not None:
            self.last_rate_limit = info

    @property
    def http(self) -> requests.Session:
        """This publisher's own well-kept session (for platforms spoken to in plain HTTP)."""
        session = self.__dict__.get("_http")
        if session is None:
            session = self.__dict__["_http"] = http_session(self.timeout)
        return session

    def request(self, method: str, url: str, *, step: str, posting: bool = False, **kwargs: Any) -> requests.Response:
        """One HTTP call on :attr:`http`; transport failures become Transient / OutcomeUnknown."""
        try:
            return self.http.request(method, url, **kwargs)
        except requests.RequestException as exc:
            self.fail(network_error(exc, posting=posting, what=self.what(step)), exc)


def clip(text: str, size: int) -> str:
    """``text`` cut to at most ``size`` characters without splitting a grapheme cluster."""
    if len(text) <= size:
        return text
    from ..captions import graphemes

    out, used = [], 0
    for cluster in graphemes(text):
        if used + len(cluster) > size - 1:
            break
        out.append(cluster)
        used += len(cluster)
    return "".join(out) + "…"


_URL_RE = re.compile(r"https?://\S+")


def same_text(ours: str, theirs: str) -> bool:
    """Whether a post found on the platform carries our caption (for in-doubt lookups): compared
    without URLs (platforms shorten them) and without whitespace (platforms reflow it)."""
    import unicodedata

    def norm(text: str) -> str:
        text = unicodedata.normalize("NFC", _URL_RE.sub("", text))
        return "".join(text.split()).rstrip("…")

    a = norm(ours)
    return bool(a) and a == norm(theirs)


__all__ = ["BasePublisher", "clip", "same_text"]
