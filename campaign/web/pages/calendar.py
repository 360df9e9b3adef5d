"""The Calendar tab (``/campaigns/{id}/calendar``): weeks × accounts, each cell the card's thumbnail
coloured by the post's state, release posts and the finale marked, failed / in-doubt / missed posts
standing out; a click opens the post. ``/thumbs/{sha}`` serves a card's thumbnail (drawn once, kept
in Redis, cached by the browser for good: the address names the card's hash). Each week row links
``/campaigns/{id}/kits/{week}`` ("download kit"): a zip of every language's kit for partners who
post by hand (``?language=km``: that language's zip alone), for viewers and operators alike."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from ..auth import Caller, context, page_viewer
from ..context import WebContext
from ...cards.kit import KitError
from ..errors import NotFound
from ..kits import week_kit
from ..render import NavItem
from ..schedule import ALARMS, calendar
from ..thumbs import MEDIA_TYPE

router = APIRouter(include_in_schema=False)
NAV = (NavItem("Calendar", "/campaigns/{campaign}/calendar", order=10),)

SHA256 = re.compile(r"[0-9a-f]{64}")
FOREVER = "private, max-age=31536000, immutable"


@router.get("/campaigns/{cid}/calendar")
def calendar_page(request: Request, cid: str, caller: Caller = Depends(page_viewer),
                  ctx: WebContext = Depends(context)) -> Response:
    # The grid reads every post: made once per change of the campaign, then kept (web/fresh.py).
    name, grid = ctx.fresh.get("calendar", cid, lambda: _grid(ctx, cid))
    return ctx.pages.render(request, "calendar.html", {"campaign": cid, "name": name, "grid": grid})


def _grid(ctx: WebContext, cid: str) -> tuple[str, Markup]:
    cal = calendar(ctx.ledger, cid)
    return cal.name, ctx.pages.fragment("_calendar_grid.html", {"cal": cal, "alarm_states": ALARMS})


@router.get("/thumbs/{sha}")
def thumbnail(sha: str, caller: Caller = Depends(page_viewer), ctx: WebContext = Depends(context)) -> Response:
    data = ctx.thumbs.get(sha) if SHA256.fullmatch(sha) else None
    if data is None:
        raise NotFound(f"no card has the hash {sha!r}; open the post's page for its current card")
    return Response(data, media_type=MEDIA_TYPE, headers={"Cache-Control": FOREVER, "ETag": f'"t-{sha}"'})


@router.get("/campaigns/{cid}/kits/{week}")
def kit(cid: str, week: int, language: str | None = Query(None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$"),
        caller: Caller = Depends(page_viewer), ctx: WebContext = Depends(context)) -> Response:
    try:
        name, data = week_kit(ctx.ledger, cid, week, language, ctx.now())
    except KitError as exc:
        raise NotFound(str(exc)) from None
    return Response(data, media_type="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'})


__all__ = ["NAV", "router"]
