"""Facebook Pages through the Graph API: ``POST /{page-id}/photos`` with the card as ``source``,
the caption, and ``alt_text_custom``. Plain HTTP (the facebook-sdk package is unmaintained).

Credential: ``token``, a Page access token (from ``GET /{user-id}/accounts``) with
``pages_manage_posts`` and ``pages_read_engagement``, or a single reference; ``page_id`` names
the Page. Errors (Graph ``error.code``)::

    4, 17, 32, 613, 80001 and other 800xx    RateLimited (X-Business-Use-Case-Usage
                                             estimated_time_to_regain_access, else an hour)
    190, 102, 10, 200-299                    AuthFailed (expired token, missing permission)
    368 (deemed abusive), 506 (duplicate),
    100 and other 4xx                        Rejected
    1, 2, is_transient, 5xx, connect         Transient
    timeout after sending the photo          OutcomeUnknown
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, ClassVar

from ..definition import Account
from .base import AuthFailed, Context, Post, Published, PublishError, RateLimited, Rejected, Transient, register
from .common import BasePublisher, same_text
from .http import RateLimitInfo, reset_after

GRAPH_VERSION = "v25.0"  # the current version (March 2026); Meta keeps each about two years
_RATE_CODES = {4, 17, 32, 613}
_AUTH_CODES = {190, 102, 10}


class FacebookPublisher(BasePublisher):
    """Posts a card with caption and alt text to one Facebook Page."""

    platform: ClassVar[str] = "facebook"
    default_base_url: ClassVar[str | None] = "https://graph.facebook.com"
    version: ClassVar[str] = GRAPH_VERSION

    def call(self, method: str, path: str, *, step: str, posting: bool = False,
             data: dict[str, Any] | None = None, params: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """One Graph API call; the token goes in the body of a POST and the query of a GET."""
        token = {"access_token": self.secret("token")}
        if method == "GET":
            params = {**(params or {}), **token}
        else:
            data = {**(data or {}), **token}
        url = f"{self.base_url}/{self.version}/{path}"
        response = self.request(method, url, step=step, posting=posting, data=data, params=params, **kwargs)
        self.note_rate_limit(usage_of(response.headers))
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.ok and "error" not in body:
            return body
        self.fail(self._error(response.status_code, body.get("error") or {}, response.headers, step))

    def publish(self, post: Post) -> Published:
        self.check(post)
        body = self.call("POST", f"{self.account.page_id}/photos", step="post", posting=True,
                         data={"caption": post.text, "alt_text_custom": self.alt_text(post), "published": "true"},
                         files={"source": (post.card_name, post.image, post.image_type)})
        post_id = str(body.get("post_id") or body["id"])
        return Published(remote_id=post_id, url=f"https://www.facebook.com/{post_id}", extra={"photo_id": str(body["id"])})

    def lookup(self, post: Post) -> Published | None:
        """Find the post among the Page's 25 most recent posts by its text."""
        body = self.call("GET", f"{self.account.page_id}/posts", step="lookup",
                         params={"fields": "id,message,created_time", "limit": 25})
        for item in body.get("data") or []:
            if same_text(post.text, item.get("message") or ""):
                return Published(remote_id=str(item["id"]), url=f"https://www.facebook.com/{item['id']}")
        return None

    def whoami(self) -> str:
        body = self.call("GET", str(self.account.page_id), step="who-am-I", params={"fields": "id,name"})
        return f"{body.get('name')} (page {body.get('id')})"

    def _error(self, status: int, error: dict[str, Any], headers: Any, step: str) -> PublishError:
        what = self.what(step)
        code = int(error.get("code") or 0)
        message = str(error.get("message") or f"HTTP {status}")
        if code in _RATE_CODES or 80000 <= code < 80100 or status == 429:
            reset = usage.reset_at if (usage := usage_of(headers)) else None
            return RateLimited(reset or reset_after(None, timedelta(hours=1)), f"{what}: {message} (code {code})")
        if code in _AUTH_CODES or 200 <= code < 300 or status == 401:
            return AuthFailed(f"{what}: {message} (code {code}); make a new Page access token "
                              "with pages_manage_posts and pages_read_engagement")
        if code == 368:
            return Rejected(f"{what}: Facebook deemed the post abusive (368): {message}")
        if code in (1, 2) or error.get("is_transient") or status >= 500:
            return Transient(f"{what}: {message} (code {code})")
        return Rejected(f"{what}: {message} (code {code})")


def usage_of(headers: Any) -> RateLimitInfo | None:
    """Read Meta's usage headers (percentages of the budget, and minutes until access returns)."""
    worst: tuple[int, int] | None = None  # (percent used, minutes to regain)
    for name in ("x-business-use-case-usage", "x-page-usage", "x-app-usage"):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        entries = [e for v in data.values() for e in (v if isinstance(v, list) else [v])] if name == "x-business-use-case-usage" else [data]
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            used = max(int(entry.get(k) or 0) for k in ("call_count", "total_cputime", "total_time"))
            wait = int(entry.get("estimated_time_to_regain_access") or 0)
            if worst is None or (used, wait) > worst:
                worst = (used, wait)
    if worst is None:
        return None
    used, wait = worst
    return RateLimitInfo(100, max(0, 100 - used), reset_after(wait * 60, timedelta(0)) if wait else None)


@register("facebook")
def _factory(account: Account, context: Context) -> FacebookPublisher:
    return FacebookPublisher(account, context)
