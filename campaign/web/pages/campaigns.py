"""The Campaigns page (``/``): each campaign's progress, counts per state, next post and open problems,
with pause / resume / cancel for operators; and a campaign's Posts tab (``/campaigns/{id}/posts``),
its posts filtered by state, account and week, each linking to its Post page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from ...ledger.health import memory
from ...ledger.states import STATES
from .. import acts, reads
from ..auth import Caller, context, form_operator, page_viewer
from ..context import WebContext
from ..errors import WebError
from ..render import NavItem

router = APIRouter(include_in_schema=False)
NAV = (NavItem("Campaigns", "/", order=0), NavItem("Posts", "/campaigns/{campaign}/posts", order=90))


@router.get("/")
def campaigns_page(request: Request, caller: Caller = Depends(page_viewer),
                   ctx: WebContext = Depends(context)) -> Response:
    summaries = reads.campaign_summaries(ctx.ledger, ctx.now())
    return ctx.pages.render(request, "campaigns.html", {"campaigns": summaries, "states": STATES,
                                                        "problem_states": reads.PROBLEM_STATES,
                                                        "redis": memory(ctx.ledger.r)})


def _campaign_form(action: str):  # type: ignore[no-untyped-def]
    def campaign_form(cid: str, confirm: str = Form(""), caller: Caller = Depends(form_operator),
                      ctx: WebContext = Depends(context)) -> Response:
        if action == "cancel" and confirm != "yes":
            raise WebError("cancelling a campaign cancels every post not yet out and cannot be undone here; tick "
                           "\"I am sure\" beside the button to cancel it", 422)
        done = acts.campaign_action(ctx.ledger, caller.user, cid, action, ctx.now())
        return ctx.auth.back_to("/", done.message)

    return campaign_form


for _action in acts.CAMPAIGN_ACTIONS:  # POST /campaigns/{cid}/pause, /resume, /cancel
    router.add_api_route(f"/campaigns/{{cid}}/{_action}", _campaign_form(_action), methods=["POST"])


@router.get("/campaigns/{cid}/posts")
def posts_page(request: Request, cid: str, state: str | None = None, account: str | None = None,
               week: str | None = None, caller: Caller = Depends(page_viewer),
               ctx: WebContext = Depends(context)) -> Response:
    # An empty filter field (the form's "any") means no filter; a week that is not a number is a 422.
    state, account = state or None, account or None
    try:
        week_no = int(week) if week else None
    except ValueError:
        raise WebError(f"week: {week!r} is not a week number", 422) from None
    try:
        posts = reads.post_briefs(ctx.ledger, cid, state=state, account=account, week=week_no)
    except ValueError as exc:
        raise WebError(str(exc), 422) from None
    detail = reads.campaign_detail(ctx.ledger, cid, ctx.now())
    return ctx.pages.render(request, "posts.html", {"campaign": detail, "posts": posts, "states": STATES,
                                                    "filters": {"state": state, "account": account, "week": week_no}})


__all__ = ["NAV", "router"]
