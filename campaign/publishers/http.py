"""HTTP as the platform modules speak it: well-kept sessions, transport failures mapped onto the
error tree, and the rate-limit headers platforms send.

Sessions time out and never retry on their own (a blind retry of a POST could post twice: retrying
is the pipeline's decision). A failure before the request left is ``Transient``; after it left,
``OutcomeUnknown`` when the request creates the post (:func:`network_error`). An HTTP status
without a platform's finer error code means what :func:`status_error` says. A rate-limit reading
(:class:`RateLimitInfo`) is what the pipeline stores per account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from .base import AuthFailed, OutcomeUnknown, PublishError, RateLimited, Rejected, Transient, exception_chain


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


# What a monitor reads for each transport failure: words, not the transport libraries' class names.
_SAID = {
    "NameResolutionError": "its address was not found", "gaierror": "its address was not found",
    "ConnectTimeout": "connecting took too long", "ConnectTimeoutError": "connecting took too long",
    "PoolTimeout": "connecting took too long", "NewConnectionError": "the connection was refused",
    "ConnectError": "the connection was refused", "ConnectionRefusedError": "the connection was refused",
    "WriteTimeout": "sending took too long", "ReadTimeout": "it did not answer in time",
    "ReadTimeoutError": "it did not answer in time", "LocationParseError": "its address is not usable",
}


def _first_known(names: list[str]) -> str:
    """The first known transport failure of the chain, in words (``the connection was dropped``)."""
    for name in names:
        if name in _NOT_SENT_NAMES or name in _MAYBE_SENT_NAMES:
            return _SAID.get(name, "the connection was dropped" if name in _MAYBE_SENT_NAMES else "a network error")
    return "a network error"


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


__all__ = ["RateLimitInfo", "RedirectAdapter", "TimeoutAdapter", "http_session", "keep_session_tidy", "network_error",
           "now_utc", "parse_reset", "reset_after", "status_error"]
