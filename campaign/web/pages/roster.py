"""The Roster tab (``/campaigns/{id}/roster``): each person, their status as of the campaign's today,
and when they were last and are next featured."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..auth import Caller, context, page_viewer
from ..context import WebContext
from ..monitor import roster_rows
from ..render import NavItem

router = APIRouter(include_in_schema=False)
NAV = (NavItem("Roster", "/campaigns/{campaign}/roster", order=40),)


@router.get("/campaigns/{cid}/roster")
def roster_page(request: Request, cid: str, caller: Caller = Depends(page_viewer),
                ctx: WebContext = Depends(context)) -> Response:
    return ctx.pages.render(request, "roster.html", {"view": roster_rows(ctx.ledger, cid, ctx.now())})


__all__ = ["NAV", "router"]
