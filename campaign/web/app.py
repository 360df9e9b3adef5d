"""The app factory: ``create_app(ledger, users, secret_key=..., clock=...)`` -> a FastAPI app.

Everything the app depends on is a parameter, so a test builds one on its own ledger with its own
users and clock, and needs no patching. The routes it serves:

| path | who | what |
|---|---|---|
| ``/healthz`` | anyone | 200 when Redis answers, 503 and why otherwise |
| ``/static/...``, ``/fonts/khmer.ttf`` | anyone | CSS, the vendored htmx, the shipped Khmer font |
| ``/login``, ``/logout`` | anyone / a session | :mod:`.pages.login` |
| ``/``, ``/campaigns/...``, ``/posts/...`` | viewers read, operators act | :mod:`.pages` (one module per page) |
| ``/api/...`` | viewers read, operators act | :mod:`.api`; its OpenAPI document at ``/openapi.json`` |
| ``/metrics`` | a user's or the metrics token | :mod:`.metrics` |
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

import redis
from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..clock import now_for
from ..ledger import Ledger
from ..ledger.keys import DEFAULT_PREFIX
from . import api, errors, pages
from .auth import Auth, Caller, metrics_reader
from .context import WebContext
from .metrics import exposition, registry_for
from .render import Pages
from .users import Users

STATIC = Path(__file__).resolve().parent / "static"
KHMER_FONT_PACKAGE = "fontpkg_noto_sans_khmer"
SESSION_TTL = 12 * 3600.0  # a working day; then log in again
FAILURE_DELAY = 1.0  # seconds a wrong token waits for its refusal

#: Sent with every answer: nothing loads from elsewhere, no page is framed, no address leaks onward.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                               "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # (no-referrer would make browsers send Origin: null on our own forms)
}
#: FastAPI's /docs page loads its script from a CDN; the dashboard works offline, so it gets no CSP
#: exception: the OpenAPI document itself is at /openapi.json.


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def same_origin(request: Request) -> bool:
    """Whether a request's ``Origin`` (sent by browsers on POST) is this site; no Origin (a script) counts."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlparse(origin).netloc.lower() == request.headers.get("host", "").lower() != ""


def khmer_font() -> Path:
    """The Khmer font file the cards use (from its font package), served to the pages."""
    spec = importlib.util.find_spec(KHMER_FONT_PACKAGE)
    if spec is None or not spec.origin:
        raise RuntimeError(f"the font package {KHMER_FONT_PACKAGE} is not installed (pip install "
                           f"{KHMER_FONT_PACKAGE.replace('_', '-')})")
    found = sorted((Path(spec.origin).parent / "files").glob("*.ttf"))
    if not found:
        raise RuntimeError(f"the font package {KHMER_FONT_PACKAGE} has no .ttf file")
    return found[0]



class SecurityHeaders:
    """Adds the security headers to every answer, and refuses a state-changing request from another
    site. Pure ASGI (not ``@app.middleware``, whose streamed body reaches the socket as two writes,
    which a client's delayed ACK held back 40 ms on every small answer)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        if request.method not in SAFE_METHODS and not same_origin(request):
            # A browser says where a form came from: another site's form never acts here (CSRF tokens too).
            response = errors.refusal(request, 403, "a request from another site is refused; use the dashboard's "
                                                    "own pages, or the API without an Origin header")
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            await response(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)

def create_app(ledger: Ledger | str, users: Users, *, secret_key: str | bytes | None = None,
               clock: Callable[[], float] = time.time, now: Callable[[Ledger], datetime] = now_for,
               session_ttl: float = SESSION_TTL, failure_delay: float = FAILURE_DELAY,
               secure_cookies: bool = False, prefix: str | None = None, poll: int | None = None) -> FastAPI:
    """The dashboard over ``ledger`` (or the Redis at that URL, under ``prefix``) for ``users``.

    ``secret_key`` signs sessions (default: the users file's ``session_secret``, else a random key:
    sessions then end when the server stops); ``clock`` is the wall clock for sessions; ``now`` the
    campaign's now (default: the ledger's simulated time, else the system time); ``secure_cookies``
    marks cookies Secure (behind HTTPS); ``poll``: every page's live block polls every that many
    seconds (default: each page's own, 15 or 30)."""
    led = ledger if isinstance(ledger, Ledger) else _ledger(ledger, prefix)
    key = secret_key or users.session_secret or secrets.token_bytes(32)
    auth = Auth(users, key, clock=clock, ttl=session_ttl, failure_delay=failure_delay, secure_cookies=secure_cookies)
    app = FastAPI(title="campaign dashboard", version="1", docs_url=None, redoc_url=None,
                  description="The campaign scheduler's dashboard API: read the ledger, act as the CLI does.")
    app.state.ctx = WebContext(led, users, auth, Pages(auth, pages.nav_items(), poll), clock, now)
    errors.install(app)

    app.add_middleware(SecurityHeaders)

    _public_routes(app, led)
    registry = registry_for(led)

    @app.get("/metrics", include_in_schema=False)
    def metrics(caller: Caller = Depends(metrics_reader)) -> Response:
        return Response(exposition(registry), media_type="text/plain; version=0.0.4; charset=utf-8")

    app.include_router(api.router)
    for module in pages.MODULES:
        app.include_router(module.router)
    return app


def _public_routes(app: FastAPI, ledger: Ledger) -> None:
    """What needs no login: health, static files, the font."""
    font = khmer_font()

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> Response:
        try:
            ledger.r.ping()
        except (redis.RedisError, OSError) as exc:
            return JSONResponse({"status": "unavailable", "reason": f"Redis does not answer: {type(exc).__name__}: "
                                                                     f"{exc}"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @app.get("/fonts/khmer.ttf", include_in_schema=False)
    def khmer() -> Response:
        return FileResponse(font, media_type="font/ttf", headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")


def _ledger(url: str, prefix: str | None) -> Ledger:
    """A ledger whose Redis calls give up after a few seconds (a page says Redis is down, never hangs)."""
    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=3, health_check_interval=30)
    return Ledger(client, prefix if prefix is not None else os.environ.get("CAMPAIGN_KEY_PREFIX", DEFAULT_PREFIX))


__all__ = ["FAILURE_DELAY", "SESSION_TTL", "create_app", "khmer_font"]
