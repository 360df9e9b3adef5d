"""Rendering a page: the Jinja2 templates (``campaign/web/templates/``), autoescaped, with what every
page shows (who is logged in, the CSRF token its forms carry, the navigation, an action's outcome).

A page's route calls ``ctx.pages.render(request, "name.html", {...})``; its template extends
``base.html`` and fills ``{% block main %}``. Filters: ``when`` (a moment, or an ISO text, as ``Wed 15
Sep 2021, 10:00 (Asia/Phnom_Penh)``: :func:`campaign.clock.readable`; ``when(like)``: in the timezone of
``like``, a moment of the campaign), ``day``, ``label`` (``in_doubt`` -> ``in doubt``), ``kind`` (an error
kind in words: :data:`campaign.errors.KIND_WORDS`), ``plain(like)`` (a recorded message with its kind in
words and its ISO times readable), ``commands`` (a text whose `backquoted` commands show as code); the global ``every(seconds)`` gives a ``#live`` block's
``hx-trigger`` (an app made with ``poll=N`` polls every N seconds on every page: the tests).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from ..clock import readable, readable_times, zone_name
from ..errors import in_words, kind_words

if TYPE_CHECKING:
    from .auth import Auth, Caller

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class NavItem:
    """A link in the navigation. ``path`` with ``{campaign}`` is a campaign's tab (shown with each
    campaign, the id filled in); without, a link in the top bar. Lower ``order`` comes first."""

    label: str
    path: str
    order: int = 50

    @property
    def per_campaign(self) -> bool:
        return "{campaign}" in self.path

    def href(self, campaign: str = "") -> str:
        return self.path.replace("{campaign}", campaign)


def _zone(like: datetime | tzinfo | str | None) -> tzinfo | None:
    if isinstance(like, datetime):
        return like.tzinfo
    if isinstance(like, str):
        return ZoneInfo(like) if like else None
    return like


def when(moment: datetime | str | None, like: datetime | tzinfo | str | None = None) -> str:
    return readable(moment, _zone(like))


def clock(moment: datetime | str | None, like: datetime | tzinfo | str | None = None) -> str:
    """:func:`when` without the zone's name: a table's cells and a list's items, whose heading names
    it once (:func:`zone`), so a phone's narrow column is not half "(Asia/Phnom_Penh)"."""
    return readable(moment, _zone(like), named=False)


def zone(like: datetime | tzinfo | str | None) -> str:
    """The name of the timezone :func:`when` and :func:`clock` show times in for ``like``."""
    found = _zone(like)
    return zone_name(datetime.now(found)) if found is not None else ""


def commands(text: str) -> Markup:
    """``text`` escaped, with each `backquoted` command shown as code (what the CLI prints as is)."""
    parts = str(Markup.escape(text)).split("`")
    return Markup("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)) if len(parts) % 2
                  else str(Markup.escape(text)))


def plain(text: str | None, like: datetime | tzinfo | str | None = None) -> str:
    return readable_times(in_words(text), _zone(like)) if text else ""


def day(value: date | None) -> str:
    return f"{value:%a %d %b %Y}" if value else ""


def label(state: str) -> str:
    return state.replace("_", " ")


class Pages:
    """The templates of one app, with its navigation and its auth (for the CSRF token and flash)."""

    def __init__(self, auth: Auth, nav: Iterable[NavItem], poll: int | None = None):
        self.auth = auth
        items = sorted(nav, key=lambda n: (n.order, n.label))
        self.top = [n for n in items if not n.per_campaign]
        self.tabs = [n for n in items if n.per_campaign]
        self.templates = Jinja2Templates(directory=str(TEMPLATES))
        self.templates.env.filters.update(when=when, clock=clock, zone=zone, day=day, label=label, kind=kind_words,
                                          plain=plain, commands=commands)
        # ``hx-trigger="{{ every(15) }}"``: how often a page's #live block polls (``poll``: the same for all).
        self.templates.env.globals["every"] = lambda seconds: f"every {poll or seconds}s"

    def fragment(self, name: str, context: dict[str, Any]) -> Markup:
        """A template rendered on its own (no request, no user): a part of a page that can be kept."""
        return Markup(self.templates.env.get_template(name).render(**context))

    def render(self, request: Request, name: str, context: dict[str, Any], *, status: int = 200,
               headers: dict[str, str] | None = None) -> Response:
        caller: Caller | None = getattr(request.state, "caller", None)
        flash_cookie = bool(request.cookies.get("campaign_flash"))
        scratch = Response()
        values = {
            "user": caller.user if caller else None,
            "csrf": caller.session.csrf if caller and caller.session else "",
            "nav": self.top, "tabs": self.tabs,
            "flash": self.auth.take_flash(request, scratch) if flash_cookie else None,
            **context,
        }
        response = self.templates.TemplateResponse(request, name, values, status_code=status, headers=headers)
        if flash_cookie:  # shown once: the cookie is dropped with this answer
            for key, value in scratch.raw_headers:
                if key == b"set-cookie":
                    response.raw_headers.append((key, value))
        return response


__all__ = ["NavItem", "Pages", "TEMPLATES", "clock", "day", "label", "plain", "when", "zone"]
