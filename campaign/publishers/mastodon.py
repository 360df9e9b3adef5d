"""Mastodon through Mastodon.py: the card with its description, then the status with its
language and an ``Idempotency-Key`` derived from the post id, so a retried post never doubles.

Credential: ``token`` (an access token with ``write:media`` and ``write:statuses``), or a single
reference. ``base_url`` names the instance. Errors::

    429 (MastodonRatelimitError)         RateLimited (X-RateLimit-Reset)
    401 (MastodonUnauthorizedError), 403 AuthFailed
    422 and other 4xx                    Rejected
    5xx                                  Transient
    network (MastodonNetworkError)       Transient before sending; OutcomeUnknown for the status
                                         after sending (a retry with the same key is still safe)
"""

from __future__ import annotations

import hashlib
import html
import re
import time
from datetime import timedelta
from functools import cached_property
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from mastodon import (Mastodon, MastodonAPIError, MastodonError, MastodonNetworkError,
                      MastodonRatelimitError, MastodonServerError, MastodonUnauthorizedError)

from ..definition import Account
from .base import AuthFailed, Context, Post, Published, PublishError, RateLimited, Rejected, Transient, register
from .common import BasePublisher, same_text
from .http import RateLimitInfo, http_session, network_error, parse_reset, reset_after

T = TypeVar("T")
API_VERSION = "4.4.0"  # stated, so Mastodon.py never probes /api/v1/instance and uses /api/v2/media


def idempotency_key(post: Post) -> str:
    """The same key for every attempt of one post (Mastodon keeps keys for about an hour)."""
    return "campaign-" + hashlib.sha256(post.id.encode()).hexdigest()[:40]


class MastodonPublisher(BasePublisher):
    """Posts a card with alt text to one Mastodon account."""

    platform: ClassVar[str] = "mastodon"
    media_wait: ClassVar[float] = 60.0  # how long to wait for the instance to process the card
    poll_interval: ClassVar[float] = 0.1

    @cached_property
    def api(self) -> Mastodon:
        return Mastodon(
            access_token=self.secret("token"), api_base_url=self.base_url,
            # the stated version only counts with a check mode other than "none" (the default):
            # without it Mastodon.py assumes 1.0.0 and uploads to the retired /api/v1/media
            mastodon_version=API_VERSION, version_check_mode="created",
            request_timeout=self.timeout, ratelimit_method="throw",  # never sleep inside a worker
            session=http_session(self.timeout, user_agent=None),
        )

    def publish(self, post: Post) -> Published:
        self.check(post)
        media = self._do("media upload", lambda: self.api.media_post(
            post.image, mime_type=post.image_type, description=self.alt_text(post) or None,
            file_name=post.card_name))
        media = self._processed(media)
        status = self._do("post", lambda: self.api.status_post(
            post.text, media_ids=[media], language=post.language, visibility="public",
            idempotency_key=idempotency_key(post)), posting=True)
        return Published(remote_id=str(status["id"]), url=status.get("url") or status.get("uri"),
                         extra={"media_id": str(media["id"])})

    def _processed(self, media: Any) -> Any:
        """Wait for a 202 upload to finish processing (a status cannot carry unprocessed media)."""
        deadline, interval = time.monotonic() + self.media_wait, self.poll_interval
        while media.get("url") is None:
            if time.monotonic() > deadline:
                raise Transient(self.what("media upload") + f": still processing after {self.media_wait:.0f}s")
            time.sleep(interval)
            interval = min(interval * 2, 2.0)
            media = self._do("media processing", lambda: self.api.media(media["id"]))
        return media

    def lookup(self, post: Post) -> Published | None:
        """Find the post among the account's 40 most recent statuses by its text."""
        me = self._do("lookup", self.api.me)
        statuses = self._do("lookup", lambda: self.api.account_statuses(
            me["id"], limit=40, exclude_replies=True, exclude_reblogs=True))
        for status in statuses:
            if same_text(post.text, html_text(status.get("content") or "")):
                return Published(remote_id=str(status["id"]), url=status.get("url") or status.get("uri"))
        return None

    def whoami(self) -> str:
        me = self._do("who-am-I", self.api.me)
        return f"@{me['acct']}"

    # ---- errors --------------------------------------------------------------------------

    def _do(self, step: str, call: Callable[[], T], posting: bool = False) -> T:
        """Run one Mastodon.py call, keep its rate-limit reading, map its errors."""
        try:
            return call()
        except MastodonError as exc:
            self.fail(self._error(exc, step, posting), exc)
        finally:
            if "api" in self.__dict__:
                api = self.api
                self.note_rate_limit(RateLimitInfo(
                    api.ratelimit_limit, api.ratelimit_remaining,
                    parse_reset(api.ratelimit_reset) if api.ratelimit_reset else None))

    def _error(self, exc: MastodonError, step: str, posting: bool) -> PublishError:
        what = self.what(step)
        if isinstance(exc, MastodonRatelimitError):
            reset = parse_reset(self.api.ratelimit_reset) if self.api.ratelimit_reset else None
            return RateLimited(reset or reset_after(None, timedelta(minutes=5)), f"{what}: rate limited")
        if isinstance(exc, MastodonNetworkError):
            return network_error(exc, posting=posting, what=what)
        if isinstance(exc, MastodonUnauthorizedError):
            return AuthFailed(f"{what}: the instance refused the token (401); make a new access token")
        if isinstance(exc, MastodonServerError):
            return Transient(f"{what}: server error {_status(exc)}")
        if isinstance(exc, MastodonAPIError):
            status, detail = _status(exc), _message(exc)
            if status == 403:
                return AuthFailed(f"{what}: forbidden ({detail}); the token needs write:media and write:statuses")
            if status == 404 and step == "who-am-I":
                return AuthFailed(f"{what}: no Mastodon API at this address; check base_url")
            if isinstance(status, int) and status >= 500:
                return Transient(f"{what}: server error {status}")
            return Rejected(f"{what}: the instance refused it ({status}: {detail})")
        return Rejected(f"{what}: {type(exc).__name__}")


def _status(exc: MastodonError) -> int | str:
    return exc.args[1] if len(exc.args) > 1 else "?"


def _message(exc: MastodonError) -> str:
    return str(exc.args[3]) if len(exc.args) > 3 and exc.args[3] else str(exc.args[2] if len(exc.args) > 2 else "")


def html_text(content: str) -> str:
    """The plain text of a status's HTML ``content`` (paragraphs and line breaks as spaces)."""
    content = re.sub(r"<br\s*/?>|</p>\s*<p>", " ", content)
    return html.unescape(re.sub(r"<[^>]+>", "", content))


@register("mastodon")
def _factory(account: Account, context: Context) -> MastodonPublisher:
    return MastodonPublisher(account, context)
