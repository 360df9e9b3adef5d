"""The Review tab (``/campaigns/{id}/review``): every card waiting for approval with its caption and
alt text, when its review window opened and when it is due; operators approve one card or a whole
week (POST forms with the CSRF token, through :mod:`campaign.web.acts`, recorded as ``<user>@web``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from ...ledger import Ledger
from .. import acts
from ..auth import Caller, context, form_operator
from ..context import WebContext
from ..errors import NotFound
from ..schedule import review
from .tab import campaign_tab

router = APIRouter(include_in_schema=False)
NAV = (campaign_tab(router, "Review", 20, "review.html",
                    lambda ctx, cid: {"rev": review(ctx.ledger, cid, ctx.now())}),)


def _back(ctx: WebContext, cid: str, message: str) -> Response:
    return ctx.auth.back_to(f"/campaigns/{cid}/review", message)


@router.post("/campaigns/{cid}/review/posts/{post_id}/approve")
def approve_one(cid: str, post_id: str, caller: Caller = Depends(form_operator),
                ctx: WebContext = Depends(context)) -> Response:
    if Ledger.campaign_of(post_id) != cid:
        raise NotFound(f"{post_id} is not a post of {cid}; open the review page of its own campaign")
    return _back(ctx, cid, acts.approve_post(ctx.ledger, caller.user, post_id, ctx.now()).message)


@router.post("/campaigns/{cid}/review/weeks/{week}/approve")
def approve_week(cid: str, week: int, caller: Caller = Depends(form_operator),
                 ctx: WebContext = Depends(context)) -> Response:
    ctx.ledger.campaign(cid)  # an unknown campaign is a 404
    return _back(ctx, cid, acts.approve_week(ctx.ledger, caller.user, cid, week, ctx.now()).message)


__all__ = ["NAV", "router"]
