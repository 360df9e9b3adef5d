"""Every refusal the dashboard gives, as a clear 4xx or 503: JSON under ``/api/``, ``/metrics`` and
``/healthz``, a page everywhere else; never a traceback.

Routes raise :class:`WebError` (or let the pipeline's own errors through: an unknown post or campaign
is 404, an action the post's state does not allow is 409 with the pipeline's sentence, Redis gone is
503); :func:`install` turns each into its answer. A request's malformed input (a week that is not a
number, a form without its field) is 422 with one sentence per problem.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import redis
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..ledger import UnknownCampaign, UnknownPost
from ..redis_server import RedisUnavailable
from ..sources import plain_message

if TYPE_CHECKING:
    from .context import WebContext

log = logging.getLogger("campaign.web")

JSON_PREFIXES = ("/api/", "/metrics", "/healthz", "/openapi.json")


class WebError(Exception):
    """A refusal with its HTTP status and a sentence saying what is wrong and what to do."""

    status = 400

    def __init__(self, message: str, status: int | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.headers = headers or {}


class NotFound(WebError):
    status = 404


class Conflict(WebError):
    """The action does not apply to the post or campaign as it is now (e.g. approving a posted post)."""

    status = 409


class Unauthorized(WebError):
    status = 401

    def __init__(self, message: str = "log in first: send Authorization: Bearer TOKEN"):
        super().__init__(message, headers={"WWW-Authenticate": 'Bearer realm="campaign"'})


class Forbidden(WebError):
    status = 403


class LoginRequired(Exception):
    """A page was asked for without a session: the browser goes to the login page, then back."""

    def __init__(self, next_path: str):
        self.next_path = next_path


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(JSON_PREFIXES)


def refusal(request: Request, status: int, message: str, headers: dict[str, str] | None = None,
            problems: list[str] | None = None) -> Response:
    """The answer for a refusal: ``{"error": ..., "status": ...}`` (the error with its ``problems``, also
    listed apart) or the error page (the message, its problems listed under it)."""
    if wants_json(request):
        body: dict[str, Any] = {"error": message + (": " + "; ".join(problems) if problems else ""), "status": status}
        if problems:
            body["problems"] = problems
        return JSONResponse(body, status_code=status, headers=headers)
    ctx: WebContext | None = getattr(request.app.state, "ctx", None)
    if ctx is None:  # pragma: no cover - the app is always built with its context
        return HTMLResponse(message, status_code=status, headers=headers)
    return ctx.pages.render(request, "error.html", {"status": status, "message": message, "problems": problems or [],
                                                    "back": came_from(request)},
                            status=status, headers=headers)


def came_from(request: Request) -> str | None:
    """The page of this dashboard a refused form was sent from (its path and query, from the
    browser's Referer: the app sends same-origin referrers only), for the error page to lead back
    to; None for any other request or origin."""
    if request.method != "POST":
        return None
    ref = urlsplit(request.headers.get("referer", ""))
    if (ref.scheme not in ("http", "https") or ref.netloc != request.url.netloc or not ref.path.startswith("/")
            or ref.path.startswith("//") or "\\" in ref.path):  # (//host/... would lead to another site)
        return None
    if ref.path == request.url.path:
        return None  # the form's own address: not a page to go back to
    return ref.path + (f"?{ref.query}" if ref.query else "")


def _validation_problems(exc: RequestValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form"))
        said = plain_message(err)
        out.append(f"{where}: {said}" if where else said)
    return list(dict.fromkeys(out))  # a field refused by two routes' rules is said once


def install(app: FastAPI) -> None:
    """Answer every error the dashboard knows with a clear refusal, and anything else with a plain 500
    whose cause goes to the log (never to the answer)."""

    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError) -> Response:
        return refusal(request, exc.status, exc.message, exc.headers)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        from urllib.parse import quote

        target = "/login" + (f"?next={quote(exc.next_path, safe='/:')}" if exc.next_path not in ("", "/") else "")
        if request.headers.get("HX-Request"):  # a live refresh after the session ended: htmx follows this
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(UnknownPost)
    @app.exception_handler(UnknownCampaign)
    async def _unknown(request: Request, exc: KeyError) -> Response:
        return refusal(request, 404, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = _validation_problems(exc)
        return refusal(request, 422, "the request is not valid", problems=problems)  # (the page lists them)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = {404: f"nothing at {request.url.path}", 405: f"{request.method} is not allowed on {request.url.path}"}
        return refusal(request, exc.status_code, message.get(exc.status_code, str(exc.detail)),
                       dict(exc.headers or {}))

    @app.exception_handler(RedisUnavailable)
    async def _no_redis(request: Request, exc: RedisUnavailable) -> Response:
        return refusal(request, 503, str(exc))

    @app.exception_handler(redis.RedisError)
    async def _redis(request: Request, exc: redis.RedisError) -> Response:
        log.error("Redis error on %s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
        return refusal(request, 503, f"Redis is not answering ({type(exc).__name__}); try again in a moment, and "
                                     "check that it runs (GET /healthz says)")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return refusal(request, 500, "something went wrong on the server; the dashboard's log has the details")


__all__ = ["Conflict", "Forbidden", "LoginRequired", "NotFound", "Unauthorized", "WebError", "install", "refusal",
           "wants_json"]
