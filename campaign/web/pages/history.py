"""The History tab (``/campaigns/{id}/history``): the campaign's audit stream, newest first, filtered
by post, account, person and kind of event, a page at a time (``?before=<entry id>``: older ones)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..auth import Caller, context, page_viewer
from ..context import WebContext
from ..errors import WebError
from ..history import KINDS, HistoryFilters, history_page
from ..render import NavItem

router = APIRouter(include_in_schema=False)
NAV = (NavItem("History", "/campaigns/{campaign}/history", order=80),)


@router.get("/campaigns/{cid}/history")
def history_view(request: Request, cid: str, post: str | None = None, account: str | None = None,
                 person: str | None = None, kind: str | None = None, before: str | None = None,
                 caller: Caller = Depends(page_viewer), ctx: WebContext = Depends(context)) -> Response:
    # An empty filter field (the form's "any") means no filter.
    filters = HistoryFilters(post=post or None, account=account or None, person=person or None, kind=kind or None)
    try:  # a bad filter or ``before`` cursor: a ValueError naming it
        page = history_page(ctx.ledger, cid, filters, before=before or None)
    except ValueError as exc:
        raise WebError(str(exc), 422) from None
    query = filters.model_dump(exclude_none=True)
    # The live block polls this page with the same filters (and the same page of older entries).
    live = urlencode({**query, "before": before} if before else query)
    return ctx.pages.render(request, "history.html", {"page": page, "kinds": KINDS, "query": query,
                                                      "live_url": f"/campaigns/{cid}/history" + (f"?{live}" if live else "")})


__all__ = ["NAV", "router"]
