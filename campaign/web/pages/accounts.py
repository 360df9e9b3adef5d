"""The Accounts tab (``/campaigns/{id}/accounts``): per account, last success and last error, the
rate-limit budget and its reset, blocked or not and why, its credential references set here or not
(never values), and the failing alert channels; for operators, "check now" (the same check as
``campaign accounts check``) and "unblock" (``campaign accounts unblock``) as POST forms."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response

from .. import acts
from ..auth import Caller, Flash, context, form_operator
from ..context import WebContext
from ..monitor import account_rows
from .tab import campaign_tab

router = APIRouter(include_in_schema=False)
NAV = (campaign_tab(router, "Accounts", 30, "accounts.html",
                    lambda ctx, cid: {"view": account_rows(ctx.ledger, cid, ctx.now(), ctx.clock())}),)


def _done(ctx: WebContext, cid: str, message: str | Flash) -> Response:
    return ctx.auth.back_to(f"/campaigns/{cid}/accounts", message)


@router.post("/campaigns/{cid}/accounts/check")
def check_form(cid: str, account: str = Form(""), caller: Caller = Depends(form_operator),
               ctx: WebContext = Depends(context)) -> Response:
    """``account``: one account's id; empty: every account of the campaign."""
    done = acts.check_accounts(ctx.ledger, caller.user, cid, account or None)
    failed = any(not r.ok for r in done.checked)
    return _done(ctx, cid, Flash(done.head, "failure" if failed else "ok",
                                 tuple((r.ok, f"{r.account}: {'ready' if r.ok else 'not ready'}: {r.detail}")
                                       for r in done.checked)))


@router.post("/campaigns/{cid}/accounts/{account}/unblock")
def unblock_form(cid: str, account: str, caller: Caller = Depends(form_operator),
                 ctx: WebContext = Depends(context)) -> Response:
    return _done(ctx, cid, acts.unblock_account(ctx.ledger, caller.user, cid, account, ctx.now()).message)


__all__ = ["NAV", "router"]
