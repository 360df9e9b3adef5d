"""The JSON API of the Accounts, Roster and History tabs (included in :mod:`campaign.web.api`'s
router, so under ``/api`` with the same tokens, roles and errors): the same models the pages render,
and the same two account actions (check now, unblock) for operators."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Query

from . import acts
from .auth import Caller, api_operator, api_viewer, context
from .context import WebContext
from .errors import WebError
from .history import KINDS, HistoryFilters, HistoryPage, history_page
from .monitor import AccountsView, RosterView, account_rows, roster_rows

router = APIRouter()


@router.get("/campaigns/{cid}/accounts", response_model=AccountsView,
            summary="A campaign's accounts: last success and error, budget, block, credential references (never values)")
def get_accounts(cid: str, caller: Caller = Depends(api_viewer), ctx: WebContext = Depends(context)) -> AccountsView:
    return account_rows(ctx.ledger, cid, ctx.now(), ctx.clock())


@router.post("/campaigns/{cid}/accounts/check", response_model=acts.AccountsChecked,
             summary="Check the accounts now (campaign accounts check)")
def check_accounts(cid: str, account: str | None = Body(None, embed=True), caller: Caller = Depends(api_operator),
                   ctx: WebContext = Depends(context)) -> acts.AccountsChecked:
    return acts.check_accounts(ctx.ledger, caller.user, cid, account)


@router.post("/campaigns/{cid}/accounts/{account}/unblock", response_model=acts.AccountUnblocked,
             summary="Unblock an account (campaign accounts unblock)")
def unblock_account(cid: str, account: str, caller: Caller = Depends(api_operator),
                    ctx: WebContext = Depends(context)) -> acts.AccountUnblocked:
    return acts.unblock_account(ctx.ledger, caller.user, cid, account, ctx.now())


@router.get("/campaigns/{cid}/roster", response_model=RosterView,
            summary="Each person: status today, last and next featured")
def get_roster(cid: str, caller: Caller = Depends(api_viewer), ctx: WebContext = Depends(context)) -> RosterView:
    return roster_rows(ctx.ledger, cid, ctx.now())


@router.get("/campaigns/{cid}/history", response_model=HistoryPage,
            summary="A page of the audit stream, newest first, filtered")
def get_history(cid: str, post: str | None = None, account: str | None = None, person: str | None = None,
                kind: str | None = Query(None, description=f"one of {', '.join(KINDS)}"),
                before: str | None = Query(None, pattern=r"^\d+(-\d+)?$", description="next_before of the page before"),
                size: int = Query(50, ge=1, le=500), caller: Caller = Depends(api_viewer),
                ctx: WebContext = Depends(context)) -> HistoryPage:
    try:
        return history_page(ctx.ledger, cid, HistoryFilters(post=post, account=account, person=person, kind=kind),
                            before=before, size=size)
    except ValueError as exc:
        raise WebError(str(exc), 422) from None


__all__ = ["router"]
