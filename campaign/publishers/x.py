"""X (Twitter) through tweepy: the card via the v2 media endpoints, the post via ``create_tweet``.

tweepy 4.17 has no v2 media upload, so ``POST /2/media/upload`` and ``POST /2/media/metadata``
(alt text) are sent on tweepy's own session with the same OAuth 1.0a signing tweepy uses in
``Client.request``: one HTTP stack, one set of credentials, one rate-limit reading.

Credentials (OAuth 1.0a user context): ``api_key``, ``api_secret``, ``access_token``,
``access_secret``. Errors::

    429                       RateLimited (x-rate-limit-reset, or the spent 24-hour user or app limit's reset)
    401                       AuthFailed
    403 duplicate content     Rejected  (X never takes identical text twice)
    403 otherwise             AuthFailed (app without write permission, suspended account)
    400, 404, other 4xx       Rejected
    5xx, connect failures     Transient
    timeout after sending     OutcomeUnknown for the post; Transient for the media upload
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import Any, ClassVar

import requests
import tweepy

from .. import xtext
from ..platforms import costs
from ..definition import Account
from .base import AuthFailed, Context, Post, Published, PublishError, RateLimited, Rejected, Transient, register
from .common import BasePublisher, same_text
from .http import RateLimitInfo, RedirectAdapter, keep_session_tidy, network_error, parse_reset, reset_after

API = "https://api.twitter.com"  # tweepy hard-codes this host in Client.request
_STATUS_ERRORS: dict[int, type[tweepy.HTTPException]] = {
    400: tweepy.BadRequest, 401: tweepy.Unauthorized, 403: tweepy.Forbidden, 404: tweepy.NotFound,
    429: tweepy.TooManyRequests,
}


class XPublisher(BasePublisher):
    """Posts a card with alt text to one X account."""

    platform: ClassVar[str] = "x"
    default_base_url: ClassVar[str | None] = API

    @cached_property
    def client(self) -> tweepy.Client:
        """tweepy's client on a tidy session (timeouts, no retries), routed to ``base_url``."""
        client = tweepy.Client(
            consumer_key=self.secret("api_key"), consumer_secret=self.secret("api_secret"),
            access_token=self.secret("access_token"), access_token_secret=self.secret("access_secret"),
            wait_on_rate_limit=False,  # True sleeps inside the worker (and spins without the header)
        )
        keep_session_tidy(client.session, self.timeout)
        if self.base_url != API:
            client.session.mount(API, RedirectAdapter(API, self.base_url, self.timeout))
        client.session.hooks["response"].append(self._read_rate_limit)
        return client

    def _read_rate_limit(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.note_rate_limit(rate_limit_of(response.headers))

    # ---- the Protocol ----------------------------------------------------------------------

    def publish(self, post: Post) -> Published:
        self.check(post)
        media_id = self.upload(post)
        try:
            response = self.client.create_tweet(text=post.text, media_ids=[media_id], user_auth=True)
        except (tweepy.TweepyException, requests.RequestException) as exc:
            self.fail(self._error(exc, "post", posting=True), exc)
        tweet_id = str(response.data["id"])
        return Published(remote_id=tweet_id, url=self._url(tweet_id), extra={"media_id": media_id})

    def lookup(self, post: Post) -> Published | None:
        """Find the post among the account's most recent posts (50: each read is billed) by its text."""
        try:
            me = self.client.get_me(user_auth=True)
            tweets = self.client.get_users_tweets(me.data.id, user_auth=True, max_results=costs("x").lookup_reads,
                                                  exclude=["replies", "retweets"])
        except (tweepy.TweepyException, requests.RequestException) as exc:
            self.fail(self._error(exc, "lookup"), exc)
        for tweet in tweets.data or []:
            if same_text(post.text, tweet.text):
                return Published(remote_id=str(tweet.id), url=self._url(str(tweet.id)))
        return None

    def whoami(self) -> str:
        try:
            me = self.client.get_me(user_auth=True)
        except (tweepy.TweepyException, requests.RequestException) as exc:
            self.fail(self._error(exc, "who-am-I"), exc)
        return f"@{me.data.username}"

    def check(self, post: Post) -> None:
        super().check(post)
        if not xtext.is_valid(post.text):
            raise Rejected(f"{self.account.id}: the caption is not a valid X post (blank, over "
                           f"{xtext.MAX_WEIGHTED_LENGTH} weighted characters, or holding U+FEFF, U+FFFE or U+FFFF)")

    # ---- media: the v2 endpoints tweepy lacks, on tweepy's own session ---------------------

    def upload(self, post: Post) -> str:
        """Upload the card (and its alt text); returns the media id."""
        body = self._call("POST", "/2/media/upload", step="media upload",
                          files={"media": (post.card_name, post.image, post.image_type)},
                          data={"media_category": "tweet_image"})
        try:
            media_id = str(body["data"]["id"])
        except (KeyError, TypeError):
            raise Transient(self.what("media upload") + ": the answer carried no media id") from None
        if post.alt:
            self._call("POST", "/2/media/metadata", step="alt text",
                       json={"id": media_id, "metadata": {"alt_text": {"text": self.alt_text(post)}}})
        return media_id

    def _call(self, method: str, route: str, *, step: str, **kwargs: Any) -> dict[str, Any]:
        """A request signed the way tweepy signs its own (OAuth 1.0a user context), with tweepy's
        status handling, so every answer maps through :meth:`_error`."""
        client = self.client
        auth = tweepy.OAuth1UserHandler(client.consumer_key, client.consumer_secret,
                                        client.access_token, client.access_token_secret).apply_auth()
        try:
            with client.session.request(method, API + route, auth=auth,
                                        headers={"User-Agent": client.user_agent}, **kwargs) as response:
                if response.status_code in _STATUS_ERRORS:  # a 429's reset is read from its headers by _error
                    raise _STATUS_ERRORS[response.status_code](response)
                if response.status_code >= 500:
                    raise tweepy.TwitterServerError(response)
                if not 200 <= response.status_code < 300:
                    raise tweepy.HTTPException(response)
                return response.json()  # type: ignore[no-any-return]
        except (tweepy.TweepyException, requests.RequestException, ValueError) as exc:
            self.fail(self._error(exc, step), exc)

    # ---- errors --------------------------------------------------------------------------

    def _error(self, exc: BaseException, step: str, posting: bool = False) -> PublishError:
        what = self.what(step)
        if isinstance(exc, requests.RequestException):
            return network_error(exc, posting=posting, what=what)
        if not isinstance(exc, tweepy.HTTPException):
            return Transient(f"{what}: {type(exc).__name__}")
        detail = _detail(exc)
        if isinstance(exc, tweepy.TooManyRequests):
            info = rate_limit_of(exc.response.headers)
            reset = info.reset_at if info and info.reset_at else parse_reset(exc.reset_time)
            return RateLimited(reset or reset_after(None, timedelta(minutes=15)), f"{what}: rate limited")
        if isinstance(exc, tweepy.Unauthorized):
            return AuthFailed(f"{what}: X refused the credentials (401); regenerate the access token and secret")
        if isinstance(exc, tweepy.Forbidden):
            if "duplicate" in detail.lower():
                return Rejected(f"{what}: X refuses duplicate content ({detail})")
            return AuthFailed(f"{what}: X forbids this ({detail or 403}); check the app has read and write permission")
        if isinstance(exc, tweepy.TwitterServerError):
            return Transient(f"{what}: X server error {exc.response.status_code}")
        return Rejected(f"{what}: X said {exc.response.status_code} {detail}".rstrip())

    def _url(self, tweet_id: str) -> str:
        return f"https://x.com/{self.account.handle.lstrip('@') if self.account.handle else 'i/web'}/status/{tweet_id}"


def _detail(exc: tweepy.HTTPException) -> str:
    """The human text of an X error answer: ``detail`` (v2) or the ``errors`` messages."""
    try:
        body = exc.response.json()
    except ValueError:
        body = {}
    parts = [str(body.get("detail") or body.get("title") or "")] + [str(m) for m in exc.api_messages]
    return "; ".join(dict.fromkeys(p for p in parts if p))


def rate_limit_of(headers: Any) -> RateLimitInfo | None:
    """The binding limit among X's windows: the endpoint's 15-minute window, the 24-hour user
    window, or the app's 24-hour window (every account of the coalition's app shares it). A spent
    window binds (the one that resets last, if several are spent); otherwise the endpoint's window,
    else the user's, else the app's."""
    windows = [RateLimitInfo.from_headers(headers, prefix)
               for prefix in ("x-rate-limit-", "x-user-limit-24hour-", "x-app-limit-24hour-")]
    known = [w for w in windows if w is not None]
    spent = [w for w in known if w.exhausted]
    if spent:
        return max(spent, key=lambda w: w.reset_at.timestamp() if w.reset_at else 0.0)
    return known[0] if known else None


@register("x")
def _factory(account: Account, context: Context) -> XPublisher:
    return XPublisher(account, context)
