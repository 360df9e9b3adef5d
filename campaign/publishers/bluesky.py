"""Bluesky through atproto: ``send_image`` with alt text, ``langs``, and hashtag and link facets
(without facets neither is clickable; their offsets are UTF-8 bytes, which TextBuilder counts).

Credential: ``app_password`` (an app password, never the account password), or a single
reference; the login identifier is ``handle``; ``base_url`` names the PDS (default bsky.social).
The card must be at most 1,000,000 bytes (older PDSs refuse more with BlobTooLarge): the
platform's row in campaign/platforms.py tells the pipeline to render it that small. Errors::

    429 (RateLimitExceededError)          RateLimited (ratelimit-reset)
    401/403 (UnauthorizedError)           AuthFailed; a 400 at login too (bad handle, takedown)
    400 (BadRequestError), 413            Rejected
    5xx, 502, 409, connect failures       Transient
    timeout or dropped connection while
    creating the record                   OutcomeUnknown (Transient during login or blob upload)
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from functools import cached_property
from typing import ClassVar, TypeVar

import httpx
from atproto import Client, client_utils, models
from atproto_client.exceptions import (BadRequestError, LoginRequiredError, NetworkError,
                                       RateLimitExceededError, RequestErrorBase, UnauthorizedError)
from atproto_client.request import Request
from atproto_core.exceptions import AtProtocolError

from ..definition import Account
from .base import (AuthFailed, Context, OutcomeUnknown, Post, Published, PublishError, RateLimited, Rejected,
                   Transient, register)
from .common import BasePublisher, same_text
from .http import RateLimitInfo, network_error, reset_after, status_error

T = TypeVar("T")
_LINK_RE = re.compile(r"https?://[^\s<>\"]+")
_TRAILING = ".,;:!?)]}'\"។៕"
_POSTING_PATH = "com.atproto.repo.createRecord"


def _tags(text: str) -> list[tuple[int, int, str]]:
    """Each hashtag as (start, end, tag), by Bluesky's own rule (atproto's ``detect_facets``, a port
    of @atproto/api's TAG_REGEX): a tag starts with # after a space or the start, ends at a space
    (U+200B, which Khmer puts between words, included) and drops its trailing punctuation; one of
    only digits and punctuation, or of more than 64 graphemes, is no tag (it stays text)."""
    data = text.encode()
    out = []
    for facet in client_utils.detect_facets(text):
        for feature in facet.features:
            if isinstance(feature, models.AppBskyRichtextFacet.Tag) and not feature.tag.startswith("$"):
                start = len(data[:facet.index.byte_start].decode())
                out.append((start, len(data[:facet.index.byte_end].decode()), feature.tag))
    return out


def rich_text(text: str) -> client_utils.TextBuilder:
    """``text`` as a TextBuilder with a tag facet per hashtag (:func:`_tags`) and a link facet per URL."""
    spans: list[tuple[int, int, str | None]] = [(start, end, tag) for start, end, tag in _tags(text)]
    for match in _LINK_RE.finditer(text):
        token = match.group().rstrip(_TRAILING)
        if token not in ("http://", "https://"):
            spans.append((match.start(), match.start() + len(token), None))
    builder = client_utils.TextBuilder()
    pos = 0
    for start, end, tag in sorted(spans):
        if start < pos:
            continue  # inside the span before (a # in a link)
        builder.text(text[pos:start])
        if tag is None:
            builder.link(text[start:end], text[start:end])
        else:
            builder.tag(text[start:end], tag)
        pos = end
    builder.text(text[pos:])
    return builder


def aspect_ratio(image: bytes) -> models.AppBskyEmbedDefs.AspectRatio | None:
    """The card's width and height, so clients reserve the right space before it loads."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(image)) as img:
            return models.AppBskyEmbedDefs.AspectRatio(width=img.width, height=img.height)
    except Exception:  # an unreadable image is the platform's to refuse; the ratio is optional
        return None


class BlueskyPublisher(BasePublisher):
    """Posts a card with alt text to one Bluesky account."""

    platform: ClassVar[str] = "bluesky"
    default_base_url: ClassVar[str | None] = "https://bsky.social"

    def __init__(self, account: Account, context: Context):
        super().__init__(account, context)
        self._last_path = ""

    @cached_property
    def client(self) -> Client:
        """A logged-in client (one createSession per publisher: the PDS limits them per handle)."""
        if not self.account.handle:
            raise AuthFailed(f"{self.account.id}: a bluesky account needs 'handle' (e.g. licadho.bsky.social)")
        request = Request(timeout=self.timeout, event_hooks={"request": [self._on_request],
                                                             "response": [self._on_response]})
        client = Client(base_url=self.base_url, request=request)
        self._do("login", lambda: client.login(self.account.handle, self.secret("app_password")))
        return client

    def _on_request(self, request: httpx.Request) -> None:
        self._last_path = request.url.path

    def _on_response(self, response: httpx.Response) -> None:
        self.note_rate_limit(RateLimitInfo.from_headers(response.headers, "ratelimit-"))

    # ---- the Protocol ----------------------------------------------------------------------

    def publish(self, post: Post) -> Published:
        self.check(post)
        client = self.client
        builder = rich_text(post.text)
        response = self._do("post", lambda: client.send_image(
            text=builder.build_text(), image=post.image, image_alt=self.alt_text(post), langs=[post.language],
            facets=builder.build_facets() or None, image_aspect_ratio=aspect_ratio(post.image)))
        return Published(remote_id=response.uri, url=self._url(response.uri), extra={"cid": response.cid})

    def lookup(self, post: Post) -> Published | None:
        """Find the post among the account's 50 most recent posts by its text."""
        client = self.client
        feed = self._do("lookup", lambda: client.get_author_feed(
            actor=client.me.did if client.me else self.account.handle, limit=50, filter="posts_no_replies"))
        for item in feed.feed:
            text = getattr(item.post.record, "text", "")
            if same_text(post.text, text):
                return Published(remote_id=item.post.uri, url=self._url(item.post.uri))
        return None

    def whoami(self) -> str:
        client = self.client
        return f"@{client.me.handle}" if client.me else f"@{self.account.handle}"

    def _url(self, uri: str) -> str:
        return f"https://bsky.app/profile/{self.account.handle}/post/{uri.rsplit('/', 1)[-1]}"

    # ---- errors --------------------------------------------------------------------------

    def _do(self, step: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except (AtProtocolError, httpx.HTTPError) as exc:
            self.fail(self._error(exc, step), exc)

    def _error(self, exc: BaseException, step: str) -> PublishError:
        what = self.what(step)
        posting = self._last_path.endswith(_POSTING_PATH)
        if isinstance(exc, RateLimitExceededError):
            reset = exc.reset_at or reset_after(exc.retry_after, timedelta(minutes=5))
            return RateLimited(reset, f"{what}: rate limited")
        if isinstance(exc, (UnauthorizedError, LoginRequiredError)):
            return AuthFailed(f"{what}: Bluesky refused the credentials or session ({exc}); check handle and app password")
        if isinstance(exc, BadRequestError):
            if step == "login":
                return AuthFailed(f"{what}: Bluesky refused the login ({exc}); check handle and app password")
            return Rejected(f"{what}: Bluesky refused it ({exc})")
        response = exc.response if isinstance(exc, RequestErrorBase) else None
        if response is not None:
            return status_error(response.status_code, what, str(exc))
        if isinstance(exc, (NetworkError, httpx.HTTPError)):
            return network_error(exc, posting=posting, what=what)
        if posting:  # the record may exist though its answer could not be read
            return OutcomeUnknown(f"{what}: unreadable answer ({type(exc).__name__})")
        return Transient(f"{what}: {type(exc).__name__}")


@register("bluesky")
def _factory(account: Account, context: Context) -> BlueskyPublisher:
    return BlueskyPublisher(account, context)
