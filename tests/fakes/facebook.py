"""A fake Facebook Graph API for one Page.

``POST /v{N}/{page-id}/photos`` (multipart ``source``, ``caption``, ``alt_text_custom``, the
Page token as ``access_token`` or a Bearer header; answers ``{"id", "post_id"}``),
``GET /v{N}/{page-id}/posts``, ``GET /v{N}/{page-id}``. Versions before ``oldest`` (v25.0 unless
set) answer Graph's error for a version past its end of life (code 2635). Errors in Graph's shape
``{"error": {"message", "type", "code", "fbtrace_id"}}``. Fault endpoints: ``photos``,
``posts``, ``page``; kinds ``429`` (code 80001 with X-Business-Use-Case-Usage), ``401``
(code 190), ``abusive`` (368), ``duplicate`` (506), ``500`` (code 2, transient), ``503``, ``hang``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from .server import FakeServer, Request, Response, problem


def graph_error(code: int, message: str, kind: str = "OAuthException", **extra: Any) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf123", **extra}}


class FakeFacebook(FakeServer):
    """One Page (``page_id``) reached with a Page access ``token``."""

    def __init__(self, token: str = "EAAGpage-token", page_id: str = "104000000000001", name: str = "CCHR Cambodia") -> None:
        super().__init__()
        self.token, self.page_id, self.name = token, page_id, name
        self.oldest = (25, 0)

    def _auth(self, request: Request) -> None:
        version = tuple(int(n) for n in request.path.split("/")[1].lstrip("v").split("."))
        if version < self.oldest:
            raise problem(400, graph_error(2635, f"(#2635) You are calling a deprecated version of the Graph API "
                                                 f"(v{'.'.join(map(str, version))}). Please update to the latest version."))
        token = request.form.get("access_token") or request.query.get("access_token") or request.bearer
        if token != self.token:
            raise problem(400, graph_error(190, "Invalid OAuth access token - Cannot parse access token"))
        if request.match and request.match.group(1) != self.page_id:
            raise problem(400, graph_error(100, "Unsupported post request. Object does not exist", "GraphMethodException"))

    def photos(self, request: Request) -> Response:
        self._auth(request)
        if "source" not in request.files and "url" not in request.form:
            raise problem(400, graph_error(324, "(#324) Requires upload file"))
        alt = request.form.get("alt_text_custom")
        if alt is not None and len(alt) > 1000:
            raise problem(400, graph_error(100, "(#100) alt_text_custom is too long"))
        photo_id = str(105_000_000_000_000 + self.next_id())
        post_id = f"{self.page_id}_{106_000_000_000_000 + self.next_id()}"
        with self.lock:
            self.posted.append({"id": post_id, "photo_id": photo_id, "message": request.form.get("caption", ""),
                                "alt": alt, "text": request.form.get("caption", ""),
                                "created_time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")})
        return Response(200, {"id": photo_id, "post_id": post_id}, _usage(5))

    def posts(self, request: Request) -> Response:
        self._auth(request)
        limit = int(request.query.get("limit", "25"))
        with self.lock:
            items = [{"id": p["id"], "message": p["message"], "created_time": p["created_time"]} for p in reversed(self.posted)]
        return Response(200, {"data": items[:limit], "paging": {}}, _usage(5))

    def page(self, request: Request) -> Response:
        self._auth(request)
        return Response(200, {"id": self.page_id, "name": self.name}, _usage(5))

    def alt_of(self, item: dict[str, Any]) -> str | None:
        return item["alt"]  # type: ignore[no-any-return]

    routes = [
        ("POST", r"/v[\d.]+/(\d+)/photos", "photos", photos),
        ("GET", r"/v[\d.]+/(\d+)/posts", "posts", posts),
        ("GET", r"/v[\d.]+/(\d+)", "page", page),
    ]

    def fault(self, kind: str, request: Request, endpoint: str) -> Response:
        if kind == "429":
            return Response(400, graph_error(80001, "(#80001) There have been too many calls to this Page account. "
                                                    "Wait a bit and try again."), _usage(100, regain_minutes=5))
        if kind == "401":
            return Response(400, graph_error(190, "Error validating access token: Session has expired", error_subcode=463))
        if kind == "abusive":
            return Response(400, graph_error(368, "It looks like you were misusing this feature by going too fast."))
        if kind == "duplicate":
            return Response(400, graph_error(506, "(#506) Duplicate status message"))
        if kind == "500":
            return Response(500, graph_error(2, "An unexpected error has occurred. Please retry your request later.",
                                             is_transient=True))
        if kind == "503":
            return Response(503, b"Service Unavailable", {"Content-Type": "text/plain"})
        return super().fault(kind, request, endpoint)


def _usage(percent: int, regain_minutes: int = 0) -> dict[str, str]:
    entry = {"type": "pages", "call_count": percent, "total_cputime": 1, "total_time": 1,
             "estimated_time_to_regain_access": regain_minutes}
    return {"X-Business-Use-Case-Usage": json.dumps({"104000000000001": [entry]})}
