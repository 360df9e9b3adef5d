"""A fake X API v2 (the parts the publisher uses), checking OAuth 1.0a signatures.

Endpoints: ``POST /2/media/upload`` (multipart ``media``, ``media_category``),
``POST /2/media/metadata`` (alt text, at most 1000 characters), ``POST /2/tweets`` (text and
1-4 existing media ids; duplicate text refused with 403), ``GET /2/users/me``,
``GET /2/users/:id/tweets``. Fault endpoints: ``upload``, ``metadata``, ``tweets``, ``me``,
``timeline``.

The client signs for ``https://api.twitter.com`` before the RedirectAdapter forwards the
request here, so the fake verifies the HMAC-SHA1 signature against that origin.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import unquote

from oauthlib.oauth1.rfc5849 import signature

from campaign import xtext

from .server import FakeServer, Request, Response, epoch_in, problem

ORIGIN = "https://api.twitter.com"
_MEDIA_ID_RE = re.compile(r"^[0-9]{1,19}$")


class FakeX(FakeServer):
    """X for one user whose four OAuth 1.0a credentials are given."""

    def __init__(self, api_key: str = "xkey", api_secret: str = "xsecret", access_token: str = "1-xtoken",
                 access_secret: str = "xtokensecret", username: str = "licadho") -> None:
        super().__init__()
        self.creds = (api_key, api_secret, access_token, access_secret)
        self.user = {"id": "1400000000000000001", "name": "LICADHO", "username": username}
        self.media: dict[str, dict[str, Any]] = {}
        self.remaining = 100

    # ---- auth ------------------------------------------------------------------------------

    def _auth(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        if not header.startswith("OAuth "):
            raise problem(401, _unauthorized())
        params = dict(signature.collect_parameters(headers={"Authorization": header}, exclude_oauth_signature=False))
        key, secret, token, token_secret = self.creds
        if params.get("oauth_consumer_key") != key or params.get("oauth_token") != token:
            raise problem(401, _unauthorized())
        if params.get("oauth_signature_method") != "HMAC-SHA1":
            raise problem(401, _unauthorized())
        body = request.body.decode() if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded") else ""
        collected = signature.collect_parameters(uri_query=request.raw_query, body=body, headers={"Authorization": header})
        base = signature.signature_base_string(
            request.method, signature.base_string_uri(ORIGIN + request.path), signature.normalize_parameters(collected))
        expected = signature.sign_hmac_sha1(base, secret, token_secret)
        if unquote(params.get("oauth_signature", "")) != expected:
            raise problem(401, _unauthorized())

    def _limits(self) -> dict[str, str]:
        self.remaining = max(0, self.remaining - 1)
        reset = str(epoch_in(900))
        return {"x-rate-limit-limit": "100", "x-rate-limit-remaining": str(self.remaining), "x-rate-limit-reset": reset,
                "x-user-limit-24hour-limit": "17", "x-user-limit-24hour-remaining": "16",
                "x-user-limit-24hour-reset": str(epoch_in(86400)),
                "x-app-limit-24hour-limit": "10000", "x-app-limit-24hour-remaining": "9876",
                "x-app-limit-24hour-reset": str(epoch_in(86400))}

    # ---- routes ----------------------------------------------------------------------------

    def upload(self, request: Request) -> Response:
        self._auth(request)
        if "media" not in request.files:
            raise problem(400, {"errors": [{"message": "media is required"}], "title": "Invalid Request"})
        if request.form.get("media_category") != "tweet_image":
            raise problem(400, {"errors": [{"message": "media_category must be tweet_image"}], "title": "Invalid Request"})
        data = request.files["media"][2]
        if len(data) > 5_000_000:
            raise problem(400, {"errors": [{"message": "File size exceeds 5242880 bytes."}], "title": "Invalid Request"})
        media_id = str(1_800_000_000_000_000_000 + self.next_id())
        with self.lock:
            self.media[media_id] = {"size": len(data), "type": request.files["media"][1], "alt": None}
        return Response(200, {"data": {"id": media_id, "media_key": f"3_{media_id}", "size": len(data),
                                       "expires_after_secs": 86400, "image": {"image_type": "image/jpeg"}}},
                        self._limits())

    def metadata(self, request: Request) -> Response:
        self._auth(request)
        body = request.json() or {}
        media_id = str(body.get("id"))
        alt = (((body.get("metadata") or {}).get("alt_text")) or {}).get("text")
        if media_id not in self.media:
            raise problem(400, {"errors": [{"message": f"media {media_id} not found"}], "title": "Invalid Request"})
        if not isinstance(alt, str) or len(alt) > 1000:
            raise problem(400, {"errors": [{"message": "alt_text.text must be at most 1000 characters"}], "title": "Invalid Request"})
        with self.lock:
            self.media[media_id]["alt"] = alt
        return Response(200, {"data": {"id": media_id, "associated_metadata": True}}, self._limits())

    def tweets(self, request: Request) -> Response:
        self._auth(request)
        body = request.json() or {}
        text = body.get("text") or ""
        media_ids = ((body.get("media") or {}).get("media_ids")) or []
        if not 1 <= len(media_ids) <= 4 or not all(isinstance(m, str) and _MEDIA_ID_RE.match(m) for m in media_ids):
            raise problem(400, {"errors": [{"message": "media.media_ids must hold 1 to 4 ids of digits"}], "title": "Invalid Request"})
        if any(m not in self.media for m in media_ids):
            raise problem(400, {"errors": [{"message": "Your media IDs are invalid."}], "title": "Invalid Request"})
        if not xtext.is_valid(text):
            raise problem(403, {"detail": "You are not permitted to perform this action.", "title": "Forbidden",
                                "errors": [{"message": "Tweet text is too long"}]})
        with self.lock:
            if any(p["text"] == text for p in self.posted):
                raise problem(403, _duplicate())
            tweet_id = str(1_900_000_000_000_000_000 + self.next_id())
            self.posted.append({"id": tweet_id, "text": text, "media": [dict(self.media[m], id=m) for m in media_ids],
                                "at": time.time()})
        return Response(201, {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}, self._limits())

    def me(self, request: Request) -> Response:
        self._auth(request)
        return Response(200, {"data": self.user}, self._limits())

    def timeline(self, request: Request) -> Response:
        self._auth(request)
        if request.match and request.match.group(1) != self.user["id"]:
            raise problem(404, {"title": "Not Found Error", "detail": "no such user"})
        limit = int(request.query.get("max_results", "10"))
        items = [{"id": p["id"], "text": p["text"], "edit_history_tweet_ids": [p["id"]]} for p in reversed(self.posted)][:limit]
        return Response(200, {"data": items, "meta": {"result_count": len(items)}} if items else {"meta": {"result_count": 0}},
                        self._limits())

    def alt_of(self, item: dict[str, Any]) -> str | None:
        return item["media"][0]["alt"]  # type: ignore[no-any-return]

    routes = [
        ("POST", r"/2/media/upload", "upload", upload),
        ("POST", r"/2/media/metadata", "metadata", metadata),
        ("POST", r"/2/tweets", "tweets", tweets),
        ("GET", r"/2/users/me", "me", me),
        ("GET", r"/2/users/(\d+)/tweets", "timeline", timeline),
    ]

    def fault(self, kind: str, request: Request, endpoint: str) -> Response:
        if kind == "429":
            return Response(429, {"errors": [{"code": 88, "message": "Rate limit exceeded"}]},
                            {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0",
                             "x-rate-limit-reset": str(epoch_in(self.rate_reset_seconds or 600))})
        if kind == "app-limit":  # the app's 24-hour post budget (shared by every account of the app) is spent
            return Response(429, {"errors": [{"code": 88, "message": "Rate limit exceeded"}]},
                            {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "99",
                             "x-rate-limit-reset": str(epoch_in(900)),
                             "x-user-limit-24hour-limit": "17", "x-user-limit-24hour-remaining": "12",
                             "x-user-limit-24hour-reset": str(epoch_in(3 * 3600)),
                             "x-app-limit-24hour-limit": "10000", "x-app-limit-24hour-remaining": "0",
                             "x-app-limit-24hour-reset": str(epoch_in(5 * 3600))})
        if kind == "401":
            return Response(401, _unauthorized())
        if kind == "duplicate":
            return Response(403, _duplicate())
        if kind in ("500", "503"):
            return Response(int(kind), {"title": "Service Unavailable" if kind == "503" else "Internal Server Error",
                                        "detail": "try again later", "type": "about:blank", "status": int(kind)})
        return super().fault(kind, request, endpoint)


def _unauthorized() -> dict[str, Any]:
    return {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}


def _duplicate() -> dict[str, Any]:
    return {"detail": "You are not allowed to create a Tweet with duplicate content.", "type": "about:blank",
            "title": "Forbidden", "status": 403}
