"""Logging in and out.

``GET /login`` shows the token form; ``GET /login?token=...`` is the link ``campaign web`` prints (as
notebook servers do): it logs in and at once redirects to a page without the token in its address.
``POST /login`` takes the form. A wrong token waits (``Auth.failure_delay``) and is logged without
it. ``POST /logout`` (with its CSRF token) ends the session.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..auth import Caller, context, form_viewer
from ..context import WebContext

router = APIRouter(include_in_schema=False)
NAV: tuple = ()


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path of this site only (never ``//elsewhere`` or a full URL)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


async def _log_in(request: Request, ctx: WebContext, token: str, next_path: str | None) -> Response:
    user = ctx.auth.user_for(token.strip()) if token.strip() else None
    if user is None:
        await ctx.auth.refuse(request, "wrong token at login")
        return ctx.pages.render(request, "login.html", {"next": safe_next(next_path),
                                                        "error": "That token is not valid. Check it and try again."},
                                status=401)
    response = RedirectResponse(safe_next(next_path), status_code=303)
    ctx.auth.start_session(response, user)
    return response


@router.get("/login")
async def login_page(request: Request, token: str | None = None, next: str | None = None,  # noqa: A002
                     ctx: WebContext = Depends(context)) -> Response:
    if token is not None:
        return await _log_in(request, ctx, token, next)
    session, _ = ctx.auth.session(request)
    if session is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return ctx.pages.render(request, "login.html", {"next": safe_next(next), "error": ""})


@router.post("/login")
async def login_form(request: Request, token: str = Form(""), next: str = Form("/"),  # noqa: A002
                     ctx: WebContext = Depends(context)) -> Response:
    return await _log_in(request, ctx, token, next)


@router.post("/logout")
async def logout(caller: Caller = Depends(form_viewer), ctx: WebContext = Depends(context)) -> Response:
    response = RedirectResponse("/login", status_code=303)
    ctx.auth.end_session(response)
    return response


__all__ = ["NAV", "router", "safe_next"]
