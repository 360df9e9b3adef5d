"""The JSON API under ``/api/``: what the pages show, for scripts; the same actions as the CLI.

Every route needs a token (``Authorization: Bearer TOKEN``, or a browser's session): 401 without or
with a wrong one. Actions need an operator (403 for a viewer) and, with a session cookie, the CSRF
token in ``X-CSRF-Token``. Errors are ``{"error": "...", "status": N}``: 404 for an unknown campaign or
post, 409 when the post's state does not allow the action, 422 for malformed input. FastAPI serves
the OpenAPI document at ``/openapi.json`` (and its browser at ``/docs``).
"""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Query

from ..ledger.states import STATES
from . import acts, reads
from .auth import Caller, api_operator, api_viewer, context
from .context import WebContext
from .detail import PostDetail, post_detail
from .errors import WebError

router = APIRouter(prefix="/api", tags=["api"])


@router.get("/campaigns", response_model=list[reads.CampaignSummary], summary="Every applied campaign")
def list_campaigns(caller: Caller = Depends(api_viewer), ctx: WebContext = Depends(context)) -> list[reads.CampaignSummary]:
    return reads.campaign_summaries(ctx.ledger, ctx.now())


@router.get("/campaigns/{cid}", response_model=reads.CampaignDetail, summary="One campaign, with its accounts")
def get_campaign(cid: str, caller: Caller = Depends(api_viewer), ctx: WebContext = Depends(context)) -> reads.CampaignDetail:
    return reads.campaign_detail(ctx.ledger, cid, ctx.now())


@router.get("/campaigns/{cid}/posts", response_model=list[reads.PostBrief], summary="A campaign's posts, filtered")
def list_posts(cid: str,
               state: str | None = Query(None, description=f"one of {', '.join(STATES)}"),
               account: str | None = Query(None, description="an account id of the campaign"),
               week: int | None = Query(None, ge=1, description="a campaign week (week 1: the seven days from the start)"),
               caller: Caller = Depends(api_viewer), ctx: WebContext = Depends(context)) -> list[reads.PostBrief]:
    try:
        return reads.post_briefs(ctx.ledger, cid, state=state, account=account, week=week)
    except ValueError as exc:
        raise WebError(str(exc), 422) from None


@router.get("/posts/{post_id}", response_model=PostDetail, summary="One post in full")
def get_post(post_id: str, caller: Caller = Depends(api_viewer), ctx: WebContext = Depends(context)) -> PostDetail:
    return post_detail(ctx.ledger, post_id, ctx.now())


def _campaign_route(action: str) -> None:
    def act(cid: str, caller: Caller = Depends(api_operator), ctx: WebContext = Depends(context)) -> acts.CampaignActed:
        return acts.campaign_action(ctx.ledger, caller.user, cid, action, ctx.now())

    router.add_api_route(f"/campaigns/{{cid}}/{action}", act, methods=["POST"], response_model=acts.CampaignActed,
                         summary=f"{action.capitalize()} a campaign (campaign {action})", name=f"{action}_campaign")


for _action in acts.CAMPAIGN_ACTIONS:
    _campaign_route(_action)


@router.post("/campaigns/{cid}/approve", response_model=acts.Approved, summary="Approve a week's cards")
def approve_week(cid: str, week: int = Body(..., embed=True, ge=1), caller: Caller = Depends(api_operator),
                 ctx: WebContext = Depends(context)) -> acts.Approved:
    return acts.approve_week(ctx.ledger, caller.user, cid, week, ctx.now())


@router.post("/posts/{post_id}/approve", response_model=acts.Approved, summary="Approve a card awaiting review")
def approve_post(post_id: str, caller: Caller = Depends(api_operator), ctx: WebContext = Depends(context)) -> acts.Approved:
    return acts.approve_post(ctx.ledger, caller.user, post_id, ctx.now())


@router.post("/posts/{post_id}/retry", response_model=acts.PostActed,
             summary="Send a failed, missed, cancelled or expired post round again")
def retry_post(post_id: str, caller: Caller = Depends(api_operator), ctx: WebContext = Depends(context)) -> acts.PostActed:
    return acts.retry_post(ctx.ledger, caller.user, post_id, ctx.now())


@router.post("/posts/{post_id}/resolve", response_model=acts.PostActed, summary="Settle an in-doubt post")
def resolve_post(post_id: str, how: acts.Resolution, caller: Caller = Depends(api_operator),
                 ctx: WebContext = Depends(context)) -> acts.PostActed:
    return acts.resolve_post(ctx.ledger, caller.user, post_id, how, ctx.now())


from . import api_monitor  # noqa: E402  (accounts, roster, history: their own module)

router.include_router(api_monitor.router)

__all__ = ["router"]
