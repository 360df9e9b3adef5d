"""A fake Mastodon instance (the parts the publisher uses).

Endpoints: ``POST /api/v2/media`` (multipart ``file``, ``description`` at most 1500; 202 with
``url: null`` while "processing"), ``GET /api/v1/media/:id`` (206 while processing, then 200),
``POST /api/v1/statuses`` (``status`` at most 500 graphemes, ``media_ids[]`` that exist and are
processed, ``language``, ``visibility``; the ``Idempotency-Key`` header returns the first status
for a repeated key), ``GET /api/v1/accounts/verify_credentials``,
``GET /api/v1/accounts/:id/statuses``. Rate-limit headers ``X-RateLimit-*`` (reset in ISO 8601).
Fault endpoints: ``media``, ``media_get``, ``statuses``, ``me``, ``account_statuses``.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any

from wcwidth import iter_graphemes

from .server import FakeServer, Request, Response, problem


class FakeMastodon(FakeServer):
    """One account on one instance, reached with ``token``."""

    def __init__(self, token: str = "mastodon-token", processing_polls: int = 0, username: str = "cchr") -> None:
        super().__init__()
        self.token = token
        self.processing_polls = processing_polls  # GETs a new upload needs before it is processed
        self.media: dict[str, dict[str, Any]] = {}
        self.keys: dict[str, dict[str, Any]] = {}  # Idempotency-Key -> status
        self.account = {"id": "109000000000000001", "username": username, "acct": username,
                        "display_name": "CCHR", "url": f"https://mastodon.example/@{username}"}
        self.remaining = 300

    def _auth(self, request: Request) -> None:
        if request.bearer != self.token:
            raise problem(401, {"error": "The access token is invalid"})

    def _limits(self) -> dict[str, str]:
        self.remaining = max(0, self.remaining - 1)
        reset = (datetime.now(UTC) + timedelta(minutes=5)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": str(self.remaining), "X-RateLimit-Reset": reset}

    def _media_json(self, media_id: str) -> dict[str, Any]:
        item = self.media[media_id]
        done = item["polls"] >= self.processing_polls
        url = f"https://files.example/{media_id}.jpg" if done else None
        return {"id": media_id, "type": "image", "url": url, "preview_url": url, "remote_url": None,
                "description": item["description"], "blurhash": None, "meta": {}}

    # ---- routes ----------------------------------------------------------------------------

    def media_post(self, request: Request) -> Response:
        self._auth(request)
        if "file" not in request.files:
            raise problem(422, {"error": "Validation failed: File can't be blank"})
        description = request.form.get("description")
        if description is not None and len(description) > 1500:
            raise problem(422, {"error": "Validation failed: Description is too long (maximum is 1500 characters)"})
        media_id = str(110_000_000_000_000_000 + self.next_id())
        with self.lock:
            self.media[media_id] = {"description": description, "polls": 0, "size": len(request.files["file"][2]),
                                    "type": request.files["file"][1]}
            body = self._media_json(media_id)
        return Response(200 if body["url"] else 202, body, self._limits())

    def media_get(self, request: Request) -> Response:
        self._auth(request)
        media_id = request.match.group(1) if request.match else ""
        with self.lock:
            if media_id not in self.media:
                raise problem(404, {"error": "Record not found"})
            self.media[media_id]["polls"] += 1
            body = self._media_json(media_id)
        return Response(200 if body["url"] else 206, body, self._limits())

    def statuses(self, request: Request) -> Response:
        self._auth(request)
        key = request.headers.get("idempotency-key")
        with self.lock:
            if key and key in self.keys:
                return Response(200, self.keys[key], self._limits())
            text = request.form.get("status", "")
            media_ids = request.multi.get("media_ids[]", [])
            for media_id in media_ids:
                if media_id not in self.media:
                    raise problem(422, {"error": "Validation failed: media not found"})
                if self.media[media_id]["polls"] < self.processing_polls:
                    raise problem(422, {"error": "Cannot attach files that have not finished processing. Try again in a moment!"})
            if not text and not media_ids:
                raise problem(422, {"error": "Validation failed: Text can't be blank"})
            if len(list(iter_graphemes(text))) > 500:
                raise problem(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
            status_id = str(111_000_000_000_000_000 + self.next_id())
            status = {
                "id": status_id, "uri": f"https://mastodon.example/users/{self.account['username']}/statuses/{status_id}",
                "url": f"https://mastodon.example/@{self.account['username']}/{status_id}",
                "created_at": datetime.now(UTC).isoformat(), "content": f"<p>{html.escape(text)}</p>",
                "language": request.form.get("language"), "visibility": request.form.get("visibility", "public"),
                "sensitive": False, "spoiler_text": "", "account": self.account,
                "media_attachments": [self._media_json(m) for m in media_ids], "mentions": [], "tags": [], "emojis": [],
                "reblogs_count": 0, "favourites_count": 0, "replies_count": 0,
            }
            self.posted.append({**status, "text": text, "idempotency_key": key})
            if key:
                self.keys[key] = status
        return Response(200, status, self._limits())

    def me(self, request: Request) -> Response:
        self._auth(request)
        return Response(200, self.account, self._limits())

    def account_statuses(self, request: Request) -> Response:
        self._auth(request)
        limit = int(request.query.get("limit", "20"))
        with self.lock:
            items = [{k: v for k, v in p.items() if k not in ("text", "idempotency_key")} for p in reversed(self.posted)]
        return Response(200, items[:limit], self._limits())

    def alt_of(self, item: dict[str, Any]) -> str | None:
        return item["media_attachments"][0]["description"]  # type: ignore[no-any-return]

    routes = [
        ("POST", r"/api/v2/media", "media", media_post),
        ("GET", r"/api/v1/media/(\d+)", "media_get", media_get),
        ("POST", r"/api/v1/statuses", "statuses", statuses),
        ("GET", r"/api/v1/accounts/verify_credentials", "me", me),
        ("GET", r"/api/v1/accounts/(\d+)/statuses", "account_statuses", account_statuses),
    ]

    def fault(self, kind: str, request: Request, endpoint: str) -> Response:
        if kind == "429":
            reset = (datetime.now(UTC) + timedelta(seconds=self.rate_reset_seconds or 180)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            return Response(429, {"error": "Too many requests"},
                            {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
        if kind == "401":
            return Response(401, {"error": "The access token is invalid"})
        if kind == "duplicate":
            return Response(422, {"error": "Validation failed: duplicate"})
        if kind in ("500", "503"):
            return Response(int(kind), {"error": "We're sorry, but something went wrong on our end."})
        return super().fault(kind, request, endpoint)
