"""The one seam between the pipeline and the platforms.

A publisher takes a :class:`Post` (caption, card, alt text) and returns :class:`Published`, or
raises one of these, so the task decides retry / wait / stop from the type alone::

    PublishError                     anything that stopped a post
    ├── RateLimited(reset_at)        wait until reset_at, then try again; other accounts go on
    ├── Transient                    try again soon, with backoff (5xx, connection refused)
    ├── AuthFailed                   stop this account; a person must fix credentials
    ├── Rejected(reason)             stop this post; the platform will never take it as is
    └── OutcomeUnknown               the request may have been accepted (timeout after sending):
                                     the post becomes in_doubt and is never retried blindly

Library errors (tweepy, Mastodon.py, atproto, requests) are mapped onto this tree with
``raise ... from exc`` in each platform's module. Messages never contain a secret.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, ClassVar, NoReturn, Protocol

import requests
from requests.adapters import HTTPAdapter

from ..credentials import CredentialError, Secret, resolve
from ..definition import Account


class PublishError(Exception):
    """A post did not go out. Subclasses say what to do about it."""

    retryable: ClassVar[bool] = False


class RateLimited(PublishError):
    """The account's budget is spent until ``reset_at`` (aware UTC datetime)."""

    retryable = True

    def __init__(self, reset_at: datetime, message: str = "rate limited"):
        self.reset_at = reset_at
        super().__init__(f"{message}; resets at {reset_at.isoformat()}")


class Transient(PublishError):
    """A passing fault (5xx, connection refused before sending): retry with backoff."""

    retryable = True


class AuthFailed(PublishError):
    """Credentials missing, wrong, expired or lacking permission: stop the account."""


class Rejected(PublishError):
    """The platform refused this post for good (duplicate, too long, bad media)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class OutcomeUnknown(PublishError):
    """The request was sent and no answer came back: it may have been posted."""


@dataclass(frozen=True)
class Post:
    """Everything a publisher needs for one post."""

    id: str  # the ledger's post id, <campaign>:<date>:<account>
    account: Account
    text: str
    image: bytes
    alt: str
    language: str
    image_type: str = "image/jpeg"
    card_name: str = "card.jpg"
    at: datetime | None = None  # the pipeline's "now" (simulated or real), for records like the outbox's


@dataclass(frozen=True)
class Published:
    """Where the post now lives."""

    remote_id: str
    url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class Publisher(Protocol):
    """What every platform module provides."""

    platform: ClassVar[str]
    max_image_bytes: ClassVar[int]

    def publish(self, post: Post) -> Published: ...

    def lookup(self, post: Post) -> Published | None:
        """Find ``post`` on the platform if it went out (for in-doubt reconciliation).
        Returns None if it certainly did not; raises NotImplementedError where the API cannot tell."""
        ...

    def whoami(self) -> str:
        """A harmless authenticated call: the account's name as the platform knows it."""
        ...


@dataclass
class Context:
    """What a publisher may need from outside: where relative paths resolve, the environment
    for secrets, HTTP timeouts, and an optional override of the platform's base URL (tests)."""

    base_dir: Path = Path(".")
    environ: dict[str, str] | None = None
    timeout: float = 20.0
    outbox_dir: Path | None = None
    base_urls: dict[str, str] = field(default_factory=dict)
    secrets_dir: Path | None = None  # where relative file: credentials resolve (default: base_dir)

    def secret(self, account: Account, name: str | None = None) -> Secret:
        """Resolve one credential of ``account``; raises AuthFailed naming the reference only."""
        creds = account.credentials
        ref = creds if isinstance(creds, str) else (creds or {}).get(name or "token")
        if ref is None:
            raise AuthFailed(f"{account.id}: credentials.{name} is missing")
        try:
            return resolve(ref, self.secrets_dir or self.base_dir, self.environ)
        except CredentialError as exc:
            raise AuthFailed(f"{account.id}: {exc}") from None


Factory = Callable[[Account, Context], Publisher]
_REGISTRY: dict[str, Factory] = {}


def register(platform: str) -> Callable[[Factory], Factory]:
    def deco(factory: Factory) -> Factory:
        _REGISTRY[platform] = factory
        return factory

    return deco


def get_publisher(account: Account, context: Context | None = None) -> Publisher:
    """The publisher for ``account``'s platform, looked up by short name."""
    import importlib

    if account.platform not in _REGISTRY:
        importlib.import_module(f"{__package__}.{account.platform}")
    return _REGISTRY[account.platform](account, context or Context())


# --------------------------------------------------------------------------------------------
# What the platform modules share: rate-limit headers, a well-kept HTTP session, the mapping of
# transport errors, secret redaction, and a small base class tying them together.
# --------------------------------------------------------------------------------------------

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateLimitInfo:
    """One account's budget as the platform last reported it (for the pipeline to store)."""

    limit: int | None
    remaining: int | None
    reset_at: datetime | None  # aware UTC

    @property
    def exhausted(self) -> bool:
        return self.remaining is not None and self.remaining <= 0

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], prefix: str) -> RateLimitInfo | None:
        """Read ``<prefix>limit``, ``<prefix>remaining``, ``<prefix>reset`` (case-insensitive);
        None when the response carried none of them."""
        lower = {k.lower(): v for k, v in headers.items()}
        limit, remaining, reset = (lower.get(prefix.lower() + name) for name in ("limit", "remaining", "reset"))
        if limit is None and remaining is None and reset is None:
            return None
        return cls(_int(limit), _int(remaining), parse_reset(reset))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def now_utc() -> datetime:
    return datetime.now(UTC)


def parse_reset(value: str | float | None) -> datetime | None:
    """A reset time as platforms send it: epoch seconds, ISO 8601, or an HTTP date."""
    if value is None or value == "":
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        pass
    text = str(value).strip()
    for parse in (lambda t: datetime.fromisoformat(t.replace("Z", "+00:00")), parsedate_to_datetime):
        try:
            when = parse(text)
        except (TypeError, ValueError):
            continue
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return None


def reset_after(seconds: float | None, default: timedelta) -> datetime:
    """``now + seconds`` (a Retry-After), or ``now + default`` when the platform said nothing."""
    return now_utc() + (timedelta(seconds=float(seconds)) if seconds is not None else default)


class TimeoutAdapter(HTTPAdapter):
    """A requests transport with a default timeout and no retries of its own: retrying is the
    pipeline's decision (a blind retry of a POST could post twice)."""

    def __init__(self, timeout: float, pool_maxsize: int = 10):
        self.timeout = timeout
        super().__init__(max_retries=0, pool_connections=4, pool_maxsize=pool_maxsize)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


class RedirectAdapter(TimeoutAdapter):
    """Forwards requests for one URL prefix to another base URL: how a library with a hard-coded
    host (tweepy's ``https://api.twitter.com``) is pointed at a proxy or a test server."""

    def __init__(self, prefix: str, target: str, timeout: float):
        super().__init__(timeout)
        self.prefix, self.target = prefix.rstrip("/"), target.rstrip("/")

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if request.url and request.url.startswith(self.prefix):
            request.url = self.target + request.url[len(self.prefix):]
        return super().send(request, **kwargs)


def http_session(timeout: float, user_agent: str | None = "campaign-scheduler") -> requests.Session:
    """A ``requests.Session`` that reuses connections, times out after ``timeout`` seconds and
    never retries on its own. Share one per publisher; it is safe across one thread at a time."""
    session = requests.Session()
    keep_session_tidy(session, timeout)
    if user_agent:
        session.headers["User-Agent"] = user_agent
    return session


def keep_session_tidy(session: requests.Session, timeout: float) -> None:
    """Give a library's own session (tweepy, Mastodon.py) our timeout and no-retry transport."""
    adapter = TimeoutAdapter(timeout)
    session.mount("https://", adapter)
    session.mount("http://", adapter)


# Exceptions that mean the request never left this machine (or never reached the server).
_NOT_SENT_NAMES = {
    "ConnectTimeout", "ConnectTimeoutError", "NewConnectionError", "NameResolutionError",
    "ConnectError", "PoolTimeout", "WriteTimeout", "gaierror", "ConnectionRefusedError",
    "EmptyPoolError", "ClosedPoolError", "LocationParseError",
}
# Exceptions after which the server may have acted on the request.
_MAYBE_SENT_NAMES = {
    "ReadTimeout", "ReadTimeoutError", "ReadError", "RemoteProtocolError", "RemoteDisconnected",
    "ProtocolError", "ChunkedEncodingError", "IncompleteRead", "ConnectionResetError",
    "ConnectionAbortedError", "BrokenPipeError",
}


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, its causes and contexts, and the reasons urllib3/requests keep in ``args``."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        item = todo.pop(0)
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        for nxt in (item.__cause__, item.__context__, getattr(item, "reason", None), *item.args):
            if isinstance(nxt, BaseException):
                todo.append(nxt)


def network_error(exc: BaseException, *, posting: bool, what: str) -> PublishError:
    """Map a transport failure (requests, urllib3, httpx) onto the error tree.

    A failure before the request was sent (refused, DNS, connect timeout) is ``Transient``.
    A failure after it was sent (read timeout, dropped connection) is ``OutcomeUnknown`` when the
    request creates the post (``posting``), else ``Transient``: an orphan media upload is harmless.
    """
    names = [type(e).__name__ for e in exception_chain(exc)]
    if any(isinstance(e, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                          requests.exceptions.InvalidSchema)) for e in exception_chain(exc)):
        return AuthFailed(f"{what}: the API address is not a usable URL; check base_url")
    if any(n in _NOT_SENT_NAMES for n in names) and not any(n in {"ReadTimeout", "ReadTimeoutError"} for n in names):
        return Transient(f"{what}: could not reach the server ({_first_known(names)}); will retry")
    if posting:
        return OutcomeUnknown(f"{what}: no answer after the request was sent ({_first_known(names)});"
                              " it may have been posted")
    return Transient(f"{what}: no answer from the server ({_first_known(names)}); will retry")


def _first_known(names: list[str]) -> str:
    for name in names:
        if name in _NOT_SENT_NAMES or name in _MAYBE_SENT_NAMES:
            return name
    return names[0] if names else "error"


def status_error(status: int, what: str, detail: str = "", reset_at: datetime | None = None) -> PublishError:
    """The usual meaning of an HTTP error status, for platforms without finer error codes."""
    text = f"{what}: HTTP {status}{f' ({detail})' if detail else ''}"
    if status == 429:
        return RateLimited(reset_at or reset_after(None, timedelta(minutes=15)), text)
    if status in (401, 403):
        return AuthFailed(f"{text}; check the account's credentials and permissions")
    if status >= 500 or status in (408, 409, 425):
        return Transient(text)
    return Rejected(text)


# ---- secrets: never in logs, exception messages or exception chains ------------------------

REDACTED = "[secret]"
# Loggers that libraries use to print URLs, headers and signed parameters at DEBUG level.
LIBRARY_LOGGERS = (
    "urllib3.connectionpool", "requests_oauthlib.oauth1_auth", "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature", "tweepy.client", "httpx", "httpcore.http11",
    "httpcore.connection",
)


def redact(text: str, secrets: set[str] | list[str] | tuple[str, ...]) -> str:
    """``text`` with every secret value (and its URL-encoded form) replaced."""
    from urllib.parse import quote, quote_plus

    for value in sorted(secrets, key=len, reverse=True):
        if len(value) >= 4:
            for form in (value, quote(value, safe=""), quote(value), quote_plus(value)):
                text = text.replace(form, REDACTED)
    return text


class _Redactor(logging.Filter):
    """Rewrites log records that would show a secret the publishers have revealed."""

    def __init__(self) -> None:
        super().__init__("campaign-redactor")
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            try:
                message = record.getMessage()
            except Exception:  # a broken record is the logging module's problem, not ours
                return True
            cleaned = redact(message, self.secrets)
            if cleaned != message:
                record.msg, record.args = cleaned, ()
        return True


_REDACTOR = _Redactor()
for _name in LIBRARY_LOGGERS + (__package__ or "campaign.publishers",):
    logging.getLogger(_name).addFilter(_REDACTOR)


def safe_cause(exc: BaseException | None, secrets: set[str]) -> BaseException | None:
    """``exc`` if nothing in its chain shows a secret, else None (the chain is then dropped)."""
    if exc is None:
        return None
    for item in exception_chain(exc):
        try:
            text = f"{item!s} {item!r}"
        except Exception:
            return None
        if redact(text, secrets) != text:
            return None
    return exc


class BasePublisher:
    """What every platform publisher shares: its account, secrets (revealed once, redacted
    everywhere), base URL, timeout, pre-flight checks and the last rate-limit reading."""

    platform: ClassVar[str]
    max_image_bytes: ClassVar[int] = 5_000_000
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
            _REDACTOR.secrets.add(value)
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
        """Refuse what the platform would refuse, before sending anything."""
        if not post.image:
            raise Rejected(f"{self.account.id}: the card is empty")
        if len(post.image) > self.max_image_bytes:
            raise Rejected(f"{self.account.id}: the card is {len(post.image):,} bytes; "
                           f"{self.platform} takes at most {self.max_image_bytes:,} (render it smaller)")
        from ..captions import caption_length, limit_of

        limit = limit_of(self.platform)
        if limit is not None:
            length = caption_length(post.text, self.platform)
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
