"""A fake Bluesky PDS (the XRPC methods the publisher uses).

``com.atproto.server.createSession`` (identifier + app password; the session carries no didDoc,
so the client stays on this server; at most 30 per 5 minutes per identifier, then 429
``RateLimitExceeded``), ``com.atproto.server.refreshSession`` (the refresh JWT as bearer; a new
pair), ``app.bsky.actor.getProfile``,
``com.atproto.repo.uploadBlob`` (raw body; more than 1,000,000 bytes is ``BlobTooLarge``),
``com.atproto.repo.createRecord`` (an ``app.bsky.feed.post``: at most 300 graphemes and 3000
bytes, every image blob uploaded before, alt text present, facets' byte ranges matching
their ``#tag`` or link, a tag at most 64 graphemes and 640 bytes as the facet lexicon says),
``app.bsky.feed.getAuthorFeed``. Rate-limit headers ``ratelimit-*``.
Fault endpoints: ``session``, ``refresh``, ``profile``, ``upload``, ``create``, ``feed``; kinds as
:class:`FakeServer`'s, plus ``expired`` (400 ``ExpiredToken``, what a PDS answers an expired access
token) and ``401`` (401 ``AuthenticationRequired``: a revoked session). ``expire_sessions()`` makes
every access token issued so far expired; ``access_lifetime`` is how long a new one lasts.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from wcwidth import iter_graphemes

from .server import FakeServer, Request, Response, epoch_in, problem

MAX_BLOB = 1_000_000


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(did: str, lifetime: float = 7200) -> str:
    """A JWT-shaped token (atproto reads ``exp`` to decide when to refresh)."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "at+jwt"}).encode())
    payload = _b64url(json.dumps({"scope": "com.atproto.appPass", "sub": did, "iat": int(time.time()),
                                  "exp": int(time.time() + lifetime), "aud": "did:web:fake.pds",
                                  "jti": uuid.uuid4().hex}).encode())
    return f"{header}.{payload}.{_b64url(hashlib.sha256((header + payload).encode()).digest())}"


def cid_of(data: bytes) -> str:
    """A real CIDv1 (raw codec, sha2-256), base32, as a PDS would give a blob."""
    raw = bytes([0x01, 0x55, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


class FakeBluesky(FakeServer):
    """One account on one PDS, logging in with ``handle`` and ``app_password``."""

    def __init__(self, handle: str = "adhoc.bsky.social", app_password: str = "abcd-efgh-ijkl-mnop") -> None:
        super().__init__()
        self.handle, self.app_password = handle, app_password
        self.did = "did:plc:fakefakefakefakefakefake"
        self.blobs: dict[str, dict[str, Any]] = {}
        self.tokens: set[str] = set()
        self.expired: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.sessions = 0
        self.refreshes = 0
        self.access_lifetime = 7200.0  # seconds; atproto refreshes 15 minutes before the exp
        self.session_times: list[float] = []  # createSession calls, for its limit (30 per 5 minutes)

    def expire_sessions(self) -> None:
        """Every access token issued so far is now expired (as after a PDS restart or a long pause)."""
        with self.lock:
            self.expired |= self.tokens
            self.tokens.clear()

    def _auth(self, request: Request) -> None:
        if request.bearer in self.expired:
            raise problem(400, {"error": "ExpiredToken", "message": "Token has expired"})
        if request.bearer not in self.tokens:
            raise problem(401, {"error": "AuthenticationRequired", "message": "Authentication Required"})

    def _limits(self) -> dict[str, str]:
        return {"ratelimit-limit": "5000", "ratelimit-remaining": "4990", "ratelimit-reset": str(epoch_in(3600)),
                "ratelimit-policy": "5000;w=3600"}

    # ---- routes ----------------------------------------------------------------------------

    def create_session(self, request: Request) -> Response:
        body = request.json() or {}
        with self.lock:
            now = time.time()
            self.session_times = [t for t in self.session_times if t > now - 300]
            if len(self.session_times) >= 30:
                raise problem(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                              {"ratelimit-limit": "30", "ratelimit-remaining": "0",
                               "ratelimit-reset": str(int(self.session_times[0] + 300)), "ratelimit-policy": "30;w=300"})
            self.session_times.append(now)
        if body.get("identifier") not in (self.handle, self.did) or body.get("password") != self.app_password:
            raise problem(401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"})
        with self.lock:
            self.sessions += 1
        return self._session_answer()

    def refresh_session(self, request: Request) -> Response:
        with self.lock:
            if request.bearer not in self.refresh_tokens:
                raise problem(400, {"error": "ExpiredToken", "message": "Token has expired"})
            self.refresh_tokens.discard(request.bearer)
            self.refreshes += 1
        return self._session_answer()

    def _session_answer(self) -> Response:
        token, refresh = jwt(self.did, self.access_lifetime), jwt(self.did, 90 * 86400)
        with self.lock:
            self.tokens.add(token)
            self.refresh_tokens.add(refresh)
        return Response(200, {"did": self.did, "handle": self.handle, "accessJwt": token, "refreshJwt": refresh,
                              "active": True, "email": "press@example.org"}, self._limits())

    def profile(self, request: Request) -> Response:
        self._auth(request)
        return Response(200, {"did": self.did, "handle": self.handle, "displayName": "ADHOC"}, self._limits())

    def upload(self, request: Request) -> Response:
        self._auth(request)
        if len(request.body) > MAX_BLOB:
            raise problem(400, {"error": "BlobTooLarge", "message": f"This file is too large. It is {len(request.body)} bytes but the maximum size is {MAX_BLOB} bytes."})
        cid = cid_of(request.body)
        mime = request.headers.get("content-type", "application/octet-stream")
        with self.lock:
            self.blobs[cid] = {"size": len(request.body), "mimeType": mime}
        return Response(200, {"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(request.body)}},
                        self._limits())

    def create_record(self, request: Request) -> Response:
        self._auth(request)
        body = request.json() or {}
        record = body.get("record") or {}
        if body.get("repo") != self.did or body.get("collection") != "app.bsky.feed.post":
            raise problem(400, {"error": "InvalidRequest", "message": "repo must be the session's did"})
        text = record.get("text", "")
        if len(list(iter_graphemes(text))) > 300 or len(text.encode()) > 3000:
            raise problem(400, {"error": "InvalidRecord", "message": "Invalid app.bsky.feed.post record: text too long"})
        self._check_facets(text, record.get("facets") or [])
        images = ((record.get("embed") or {}).get("images")) or []
        for image in images:
            link = (((image.get("image") or {}).get("ref")) or {}).get("$link")
            if link not in self.blobs:
                raise problem(400, {"error": "InvalidRequest", "message": f"Could not find blob: {link}"})
            if "alt" not in image:
                raise problem(400, {"error": "InvalidRecord", "message": "image must have alt"})
        rkey = f"3l{self.next_id():011d}"
        uri = f"at://{self.did}/app.bsky.feed.post/{rkey}"
        cid = cid_of(json.dumps(record, sort_keys=True).encode())
        with self.lock:
            self.posted.append({"uri": uri, "cid": cid, "record": record, "text": text,
                                "indexedAt": datetime.now(UTC).isoformat()})
        return Response(200, {"uri": uri, "cid": cid, "commit": {"cid": cid, "rev": rkey}, "validationStatus": "valid"},
                        self._limits())

    def _check_facets(self, text: str, facets: list[dict[str, Any]]) -> None:
        data = text.encode()
        for facet in facets:
            index = facet.get("index") or {}
            start, end = index.get("byteStart", -1), index.get("byteEnd", -1)
            if not 0 <= start < end <= len(data):
                raise problem(400, {"error": "InvalidRecord", "message": "facet outside the text"})
            piece = data[start:end].decode(errors="replace")
            for feature in facet.get("features") or []:
                kind = feature.get("$type")
                if kind == "app.bsky.richtext.facet#tag":
                    tag = feature.get("tag", "")
                    if piece not in ("#" + tag, "\uff03" + tag):  # # or the full-width ＃
                        raise problem(400, {"error": "InvalidRecord", "message": f"tag facet covers {piece!r}"})
                    if len(list(iter_graphemes(tag))) > 64 or len(tag.encode()) > 640:  # the lexicon's limits
                        raise problem(400, {"error": "InvalidRecord", "message": "Invalid app.bsky.feed.post record: "
                                            "tag must not be longer than 64 graphemes"})
                if kind == "app.bsky.richtext.facet#link" and piece != feature.get("uri"):
                    raise problem(400, {"error": "InvalidRecord", "message": f"link facet covers {piece!r}"})

    def feed(self, request: Request) -> Response:
        self._auth(request)
        limit = int(request.query.get("limit", "50"))
        with self.lock:
            items = [{"post": {"uri": p["uri"], "cid": p["cid"], "record": p["record"], "indexedAt": p["indexedAt"],
                               "author": {"did": self.did, "handle": self.handle}}} for p in reversed(self.posted)]
        return Response(200, {"feed": items[:limit]}, self._limits())

    def alt_of(self, item: dict[str, Any]) -> str | None:
        return item["record"]["embed"]["images"][0]["alt"]  # type: ignore[no-any-return]

    routes = [
        ("POST", r"/xrpc/com\.atproto\.server\.createSession", "session", create_session),
        ("POST", r"/xrpc/com\.atproto\.server\.refreshSession", "refresh", refresh_session),
        ("GET", r"/xrpc/app\.bsky\.actor\.getProfile", "profile", profile),
        ("POST", r"/xrpc/com\.atproto\.repo\.uploadBlob", "upload", upload),
        ("POST", r"/xrpc/com\.atproto\.repo\.createRecord", "create", create_record),
        ("GET", r"/xrpc/app\.bsky\.feed\.getAuthorFeed", "feed", feed),
    ]

    def fault(self, kind: str, request: Request, endpoint: str) -> Response:
        if kind == "429":
            return Response(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                            {"ratelimit-limit": "5000", "ratelimit-remaining": "0", "ratelimit-reset": str(epoch_in(300)),
                             "ratelimit-policy": "5000;w=3600"})
        if kind == "401":
            return Response(401, {"error": "AuthenticationRequired", "message": "Authentication Required"})
        if kind == "expired":
            return Response(400, {"error": "ExpiredToken", "message": "Token has expired"})
        if kind in ("500", "503"):
            return Response(int(kind), {"error": "InternalServerError", "message": "Internal Server Error"})
        if kind == "duplicate":  # Bluesky takes duplicates; the nearest refusal is a bad record
            return Response(400, {"error": "InvalidRecord", "message": "Record/text is a duplicate"})
        return super().fault(kind, request, endpoint)
