"""The Roster tab (``/campaigns/{id}/roster``): each person, their status as of the campaign's today,
and when they were last and are next featured."""

from __future__ import annotations

from fastapi import APIRouter

from ..monitor import roster_rows
from .tab import campaign_tab

router = APIRouter(include_in_schema=False)
NAV = (campaign_tab(router, "Roster", 40, "roster.html",
                    lambda ctx, cid: {"view": roster_rows(ctx.ledger, cid, ctx.now())}),)


__all__ = ["NAV", "router"]
