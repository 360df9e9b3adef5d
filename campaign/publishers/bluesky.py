"""Bluesky through atproto: ``send_image`` with alt text, ``langs``, and hashtag and link facets
(without facets neither is clickable; their offsets are UTF-8 bytes, which TextBuilder counts).

Credential: ``app_password`` (an app password, never the account password), or a single
reference; the login identifier is ``handle``; ``base_url`` names the PDS (default bsky.social).

Sessions: ``createSession`` is limited to 30 per 5 minutes and 300 a day per handle, so a login
is kept for the life of the process (:data:`SESSIONS`, per PDS and handle, shared by every
publisher of the account, also after the campaign is applied again); atproto refreshes the access
token with ``refreshSession`` before it expires. The app password is used again only when the
PDS says the session expired (``ExpiredToken``) or a kept session is refused: once, and the call
is made again (the PDS refused it before doing anything).
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

import re
import threading
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
from ..skytext import tags_in
from .base import (AuthFailed, Context, OutcomeUnknown, Post, Published, PublishError, RateLimited, Rejected,
                   Transient, register)
from .common import BasePublisher, image_size, same_text
from .http import RateLimitInfo, network_error, reset_after, status_error

T = TypeVar("T")
_LINK_RE = re.compile(r"https?://[^\s<>\"]+")
_TRAILING = ".,;:!?)]}'\"។៕"
_POSTING_PATH = "com.atproto.repo.createRecord"


class Sessions:
    """Logged-in sessions kept per process, by PDS and handle (atproto session strings)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[tuple[str, str], str] = {}

    def get(self, key: tuple[str, str]) -> str | None:
        with self._lock:
            return self._kept.get(key)

    def keep(self, key: tuple[str, str], session: str) -> None:
        with self._lock:
            self._kept[key] = session

    def forget(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._kept.pop(key, None)


#: This process's Bluesky sessions: a publisher built again (a new definition) logs in no more.
SESSIONS = Sessions()


def rich_text(text: str) -> client_utils.TextBuilder:
    """``text`` as a TextBuilder with a tag facet per hashtag (:func:`tags_in`) and a link facet per URL."""
    spans: list[tuple[int, int, str | None]] = [(start, end, tag) for start, end, tag in tags_in(text)]
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
    width, height = image_size(image)
    return models.AppBskyEmbedDefs.AspectRatio(width=width, height=height) if width and height else None


def session_expired(exc: BaseException) -> bool:
    """Whether the PDS refused a call because the session's token expired (``ExpiredToken``)."""
    response = exc.response if isinstance(exc, RequestErrorBase) else None
    content = getattr(response, "content", None) if response is not None else None
    return getattr(content, "error", None) == "ExpiredToken"


class BlueskyPublisher(BasePublisher):
    """Posts a card with alt text to one Bluesky account."""

    platform: ClassVar[str] = "bluesky"
    default_base_url: ClassVar[str | None] = "https://bsky.social"

    def __init__(self, account: Account, context: Context):
        super().__init__(account, context)
        self._last_path = ""

    @cached_property
    def client(self) -> Client:
        """A logged-in client: the session this process keeps for the handle, else a new login."""
        if not self.account.handle:
            raise AuthFailed(f"{self.account.id}: a bluesky account needs 'handle' (e.g. licadho.bsky.social)")
        request = Request(timeout=self.timeout, event_hooks={"request": [self._on_request],
                                                             "response": [self._on_response]})
        client = Client(base_url=self.base_url, request=request)
        client.on_session_change(lambda _event, session: SESSIONS.keep(self._key, session.encode()))
        kept = SESSIONS.get(self._key)
        if kept is not None:
            try:
                client.login(session_string=kept)
                return client
            except (UnauthorizedError, BadRequestError, LoginRequiredError):
                SESSIONS.forget(self._key)  # expired or revoked: log in with the app password
            except (AtProtocolError, httpx.HTTPError) as exc:
                self.fail(self._error(exc, "login"), exc)
        self._login(client)
        return client

    @property
    def _key(self) -> tuple[str, str]:
        return self.base_url, str(self.account.handle)

    def _login(self, client: Client) -> None:
        """``createSession`` with the app password (limited per handle: only when no session holds)."""
        self._do("login", lambda: client.login(self.account.handle, self.secret("app_password")), relogin=False)

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

    def _do(self, step: str, call: Callable[[], T], relogin: bool = True) -> T:
        try:
            return call()
        except (AtProtocolError, httpx.HTTPError) as exc:
            if not (relogin and session_expired(exc)):
                self.fail(self._error(exc, step), exc)
        SESSIONS.forget(self._key)  # the session expired: one new login, and the call once more
        self._login(self.client)
        return self._do(step, call, relogin=False)

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
