"""A campaign's tab that shows one view: ``GET /campaigns/{cid}/<tab>``, for anyone who may view
pages (``Depends(auth.page_viewer)``), one template filled in from one reader, and the link to it
in each campaign's tabs. The Review, Accounts and Roster tabs are made so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..auth import Caller, context, page_viewer
from ..context import WebContext
from ..render import NavItem


def campaign_tab(router: APIRouter, label: str, order: int, template: str,
                 view: Callable[[WebContext, str], dict[str, Any]]) -> NavItem:
    """Add ``GET /campaigns/{cid}/<label in lower case>`` to ``router``: ``template`` rendered with
    ``view(ctx, cid)``. Returns the tab's link, for the page module's ``NAV``."""
    slug = label.lower()

    def page(request: Request, cid: str, caller: Caller = Depends(page_viewer),
             ctx: WebContext = Depends(context)) -> Response:
        return ctx.pages.render(request, template, view(ctx, cid))

    page.__name__ = f"{slug}_page"
    router.add_api_route(f"/campaigns/{{cid}}/{slug}", page, methods=["GET"])
    return NavItem(label, f"/campaigns/{{campaign}}/{slug}", order=order)


__all__ = ["campaign_tab"]
