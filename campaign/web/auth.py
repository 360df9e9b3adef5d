"""Who is asking: signed session cookies for browsers, bearer tokens for the API, CSRF for forms.

* **Sessions.** Logging in with a token sets ``campaign_session``: a signed (itsdangerous, HMAC-SHA1
  over the app's secret key), HttpOnly, SameSite=Strict cookie holding the user's name, a mark of
  their token (changing the token ends the session), a random CSRF token and an expiry checked
  against the app's clock. The role is read from the users, never from the cookie.
* **Bearer tokens.** ``Authorization: Bearer TOKEN`` on any request; the metrics token counts on
  ``/metrics`` only. Every token is compared in constant time (``hmac.compare_digest``).
* **Refusals.** A wrong token (or a forged or expired session) waits ``failure_delay`` seconds
  before its 401, and is logged with the client's address and why, never with the token.
* **Roles.** Viewers read; operators act. Browser actions are POST forms whose ``csrf`` field must
  equal the session's; the API's actions with a session cookie need the same value in ``X-CSRF-Token``.

The FastAPI dependencies at the end are what routes use: :func:`api_viewer`, :func:`api_operator`,
:func:`page_viewer`, :func:`form_viewer`, :func:`form_operator`.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeSerializer

from .errors import Forbidden, LoginRequired, Unauthorized
from .users import Role, User, Users, token_mark

if TYPE_CHECKING:
    from .context import WebContext

log = logging.getLogger("campaign.web")

SESSION_COOKIE = "campaign_session"
FLASH_COOKIE = "campaign_flash"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
FLASH_LEVELS = ("ok", "warning", "failure")
FLASH_LINES, FLASH_LINE = 12, 220  # a flash cookie stays well under a browser's 4 KB


@dataclass(frozen=True)
class Session:
    """A logged-in browser: who, its CSRF token, and when it ends (epoch seconds, the app's clock)."""

    user: User
    csrf: str
    expires: float


@dataclass(frozen=True)
class Flash:
    """An action's outcome, shown once on the next page: ``level`` is ``ok`` (done), ``warning`` or
    ``failure`` (shown in the page's warning and error styles); ``lines``: one (ok, text) per item
    (each account checked), each shown as a success or a failure."""

    text: str
    level: str = "ok"
    lines: tuple[tuple[bool, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.text or self.lines)


@dataclass(frozen=True)
class Caller:
    """Who made a request and how: ``session`` (a browser's cookie) or ``bearer`` (a token)."""

    user: User
    via: str
    session: Session | None = None


class Auth:
    """Sessions, tokens and refusals for one app (its users, secret key, clock and delay)."""

    def __init__(self, users: Users, secret_key: str | bytes, *, clock: Callable[[], float], ttl: float,
                 failure_delay: float, secure_cookies: bool):
        self.users, self.clock, self.ttl = users, clock, ttl
        self.failure_delay, self.secure = failure_delay, secure_cookies
        self._sessions = URLSafeSerializer(secret_key, salt="campaign-web-session")
        self._flash = URLSafeSerializer(secret_key, salt="campaign-web-flash")

    # --- sessions ---------------------------------------------------------------------------------

    def start_session(self, response: Response, user: User) -> Session:
        """Log ``user`` in on this browser: set the signed session cookie."""
        session = Session(user, secrets.token_urlsafe(24), self.clock() + self.ttl)
        value = self._sessions.dumps({"u": user.name, "m": token_mark(user.token), "c": session.csrf,
                                      "x": session.expires})
        response.set_cookie(SESSION_COOKIE, value, max_age=int(self.ttl), path="/", httponly=True, samesite="strict",
                            secure=self.secure)
        return session

    def end_session(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=self.secure)

    def session(self, request: Request) -> tuple[Session | None, str]:
        """The request's session, or None and why not ("" when it has no session cookie at all)."""
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None, ""
        try:
            data = self._sessions.loads(raw)
            name, mark, csrf, expires = data["u"], data["m"], data["c"], float(data["x"])
        except (BadSignature, KeyError, TypeError, ValueError):
            return None, "a session cookie with a bad signature"
        if self.clock() >= expires:
            return None, "an expired session"
        user = self.users.by_name(name)
        if user is None or not hmac.compare_digest(token_mark(user.token), str(mark)):
            return None, "a session of a user whose token changed or who was removed"
        return Session(user, str(csrf), expires), ""

    # --- tokens -----------------------------------------------------------------------------------

    @staticmethod
    def bearer_token(request: Request) -> str | None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    def user_for(self, token: str) -> User | None:
        return self.users.by_token(token)

    async def refuse(self, request: Request, why: str) -> None:
        """Wait, then log the refusal (who asked, what for, why; never the token)."""
        await asyncio.sleep(self.failure_delay)
        client = request.client.host if request.client else "?"
        log.warning("refused %s %s from %s: %s", request.method, request.url.path, client, why)

    async def caller(self, request: Request, *, metrics: bool = False) -> Caller | None:
        """Who the request comes from (None: nobody, so far); a wrong token or bad session raises 401 after
        the delay. With ``metrics``, the metrics token also counts (as a viewer named ``metrics``)."""
        found = await self._caller(request, metrics)
        request.state.caller = found  # for the page around the answer (who is logged in, the CSRF token)
        return found

    async def _caller(self, request: Request, metrics: bool) -> Caller | None:
        token = self.bearer_token(request)
        if token is not None:
            user = self.user_for(token)
            if user is not None:
                return Caller(user, "bearer")
            if metrics and self.users.is_metrics_token(token):
                return Caller(User("metrics", Role.VIEWER, ""), "bearer")
            await self.refuse(request, "wrong bearer token")
            raise Unauthorized("the bearer token is not valid")
        session, why = self.session(request)
        if session is not None:
            return Caller(session.user, "session", session)
        if why:
            await self.refuse(request, why)
        return None

    # --- CSRF and flash messages --------------------------------------------------------------------

    @staticmethod
    def csrf_ok(session: Session | None, given: Any) -> bool:
        return session is not None and isinstance(given, str) and hmac.compare_digest(session.csrf, given)

    def flash(self, response: Response, message: str | Flash) -> None:
        """A message shown on the next page (an action's outcome), signed so no link can forge one."""
        f = message if isinstance(message, Flash) else Flash(message)
        value = {"t": f.text, "l": f.level, "i": [[ok, text[:FLASH_LINE]] for ok, text in f.lines[:FLASH_LINES]]}
        response.set_cookie(FLASH_COOKIE, self._flash.dumps(value), max_age=60, path="/", httponly=True,
                            samesite="strict", secure=self.secure)

    def back_to(self, url: str, message: str | Flash) -> Response:
        """A form's answer: see ``url`` again (303), with ``message`` (the action's outcome) flashed there."""
        response = RedirectResponse(url, status_code=303)
        self.flash(response, message)
        return response

    def take_flash(self, request: Request, response: Response) -> Flash | None:
        raw = request.cookies.get(FLASH_COOKIE)
        if not raw:
            return None
        response.delete_cookie(FLASH_COOKIE, path="/", httponly=True, samesite="strict", secure=self.secure)
        try:
            value = self._flash.loads(raw)
        except BadSignature:
            return None
        if not isinstance(value, dict):
            return Flash(str(value))
        level = value.get("l") if value.get("l") in FLASH_LEVELS else "ok"
        return Flash(str(value.get("t", "")), level, tuple((bool(ok), str(text)) for ok, text in value.get("i", ())))


# --- FastAPI dependencies --------------------------------------------------------------------------


def context(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


async def api_viewer(request: Request, ctx: WebContext = Depends(context)) -> Caller:
    """Anyone logged in (bearer token or session); 401 otherwise."""
    caller = await ctx.auth.caller(request)
    if caller is None:
        raise Unauthorized()
    return caller


async def metrics_reader(request: Request, ctx: WebContext = Depends(context)) -> Caller:
    """A viewer, an operator, or the metrics token."""
    caller = await ctx.auth.caller(request, metrics=True)
    if caller is None:
        raise Unauthorized("/metrics needs a token: send Authorization: Bearer TOKEN (a user's or the metrics token)")
    return caller


async def api_operator(request: Request, caller: Caller = Depends(api_viewer),
                       ctx: WebContext = Depends(context)) -> Caller:
    """An operator; a viewer gets 403. With a session cookie, the CSRF token must come in X-CSRF-Token."""
    if not caller.user.can_act:
        raise Forbidden(f"{caller.user.name} is a viewer; only operators act")
    if caller.via == "session" and not ctx.auth.csrf_ok(caller.session, request.headers.get(CSRF_HEADER)):
        raise Forbidden(f"an action with a session cookie needs its CSRF token in the {CSRF_HEADER} header")
    return caller


async def page_viewer(request: Request, ctx: WebContext = Depends(context)) -> Caller:
    """A logged-in browser (or a bearer token); anyone else is sent to the login page and back."""
    caller = await ctx.auth.caller(request)
    if caller is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    return caller


async def form_viewer(request: Request, caller: Caller = Depends(page_viewer),
                      ctx: WebContext = Depends(context)) -> Caller:
    """A logged-in browser's POST form carrying the session's CSRF token; a form without it gets 403."""
    form = await request.form()
    if caller.via == "session" and not ctx.auth.csrf_ok(caller.session, form.get(CSRF_FIELD)):
        await ctx.auth.refuse(request, "a form without its CSRF token")
        raise Forbidden("this form is out of date or did not come from the dashboard (its CSRF token is missing or "
                        "wrong); reload the page and try again")
    return caller


async def form_operator(caller: Caller = Depends(form_viewer)) -> Caller:
    """An operator's POST form (with its CSRF token); a viewer gets 403."""
    if not caller.user.can_act:
        raise Forbidden(f"{caller.user.name} is a viewer; only operators act")
    return caller


__all__ = ["Auth", "CSRF_FIELD", "CSRF_HEADER", "Caller", "FLASH_COOKIE", "Flash", "SESSION_COOKIE", "Session", "api_operator",
           "api_viewer", "context", "form_operator", "form_viewer", "metrics_reader", "page_viewer"]
