"""The actions an operator takes in the dashboard, each one call to the same function the CLI calls
(``campaign.pipeline``), with the user's name for the audit stream (``<user>@web``).

The API's routes and the pages' forms both come here, so a browser and a script can do exactly the
same things, checked the same way: an action the post's or campaign's state does not allow is the
pipeline's ``ValueError``, answered 409 (:class:`~campaign.web.errors.Conflict`) with its sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, Field

from ..clock import readable
from ..ledger import Ledger, UnknownCampaign, UnknownPost
from ..ledger.states import ACTIVE, CANCELLED, PAUSED
from ..pipeline import accounts, actions, publish
from ..pipeline.applied import load_applied
from .errors import Conflict, WebError
from .users import User

T = TypeVar("T")

try:  # the one error tree (campaign/errors.py): the pipeline's actions refuse with Refused there
    from ..errors import Refused
except ImportError:  # pragma: no cover - before it, they refuse with ValueError
    Refused = ValueError  # type: ignore[misc,assignment]
#: How the pipeline's actions say that the post's or campaign's state does not allow what was asked.
REFUSALS: tuple[type[Exception], ...] = (Refused, ValueError)

#: ``POST /api/campaigns/{id}/<action>`` and the Campaigns page's buttons: the status each sets.
CAMPAIGN_ACTIONS = {"pause": PAUSED, "resume": ACTIVE, "cancel": CANCELLED}


class CampaignActed(BaseModel):
    campaign: str
    previous: str
    status: str
    message: str


class Approved(BaseModel):
    approved: list[str]
    message: str


class PostActed(BaseModel):
    post: str
    state: str
    message: str
    note: str = ""


class Resolution(BaseModel):
    """How a person settles an in-doubt post: it went out (``posted_url``), or it did not (``not_posted``)."""

    posted_url: str | None = Field(None, description="where the post is on its platform (http:// or https://)")
    not_posted: bool = False


def _checked(call: Callable[[], T]) -> T:
    """Run a pipeline action; its refusal (the state does not allow it) becomes a 409 with its sentence.
    An unknown post or campaign goes on to the app's 404."""
    try:
        return call()
    except (UnknownPost, UnknownCampaign):
        raise
    except REFUSALS as exc:
        raise Conflict(str(exc)) from None


def campaign_action(ledger: Ledger, user: User, cid: str, action: str, now: datetime) -> CampaignActed:
    """Pause, resume or cancel a campaign (``campaign pause|resume|cancel``)."""
    status = CAMPAIGN_ACTIONS.get(action)
    if status is None:
        raise WebError(f"{action!r} is not a campaign action; use one of {', '.join(CAMPAIGN_ACTIONS)}", 404)
    ledger.campaign(cid)  # raises UnknownCampaign
    previous = _checked(lambda: actions.set_status(ledger, cid, status, now, by=user.audit_name))
    return CampaignActed(campaign=cid, previous=previous, status=status, message=f"{cid}: {previous} -> {status}")


def approve_post(ledger: Ledger, user: User, post_id: str, now: datetime) -> Approved:
    """Approve one post awaiting review (``campaign approve POST``)."""
    done = _checked(lambda: actions.approve(ledger, Ledger.campaign_of(post_id), now, post_id=post_id,
                                            by=user.audit_name))
    if not done:
        raise Conflict(f"{post_id} changed while being approved (its card or caption is new); look at it again")
    return Approved(approved=done, message=f"approved {post_id}")


def approve_week(ledger: Ledger, user: User, cid: str, week: int, now: datetime) -> Approved:
    """Approve every post of a campaign week awaiting review (``campaign approve CAMPAIGN --week N``)."""
    done = _checked(lambda: actions.approve(ledger, cid, now, week=week, by=user.audit_name))
    if not done:
        states = actions.week_states(ledger, cid, week)
        if not states:
            raise Conflict(f"{cid} has no posts in week {week}; nothing was approved")
    return Approved(approved=done, message=f"approved {len(done)} post{'s' if len(done) != 1 else ''} of week {week}")


def retry_post(ledger: Ledger, user: User, post_id: str, now: datetime) -> PostActed:
    """Send a failed, missed, cancelled or expired post round again (``campaign retry``)."""
    done = _checked(lambda: actions.retry(ledger, post_id, now, by=user.audit_name))
    return PostActed(post=post_id, state=done.state, note=done.note, message=done.line())


def resolve_post(ledger: Ledger, user: User, post_id: str, how: Resolution, now: datetime) -> PostActed:
    """Settle an in-doubt post (``campaign resolve --posted URL | --not-posted``)."""
    if (how.posted_url is None) == (not how.not_posted):
        raise WebError("give exactly one of posted_url (it went out: where) or not_posted (it did not)", 422)
    if how.posted_url is not None:
        problem = publish.posted_url_problem(how.posted_url)
        if problem:
            raise WebError(f"posted_url: {problem}", 422)
    url = how.posted_url.strip() if how.posted_url else None
    state = _checked(lambda: publish.resolve_post(ledger, post_id, now, posted_url=url, by=user.audit_name))
    return PostActed(post=post_id, state=state, message=f"{post_id}: {state}")


__all__ = ["Approved", "CAMPAIGN_ACTIONS", "CampaignActed", "PostActed", "Resolution", "approve_post", "approve_week",
           "campaign_action", "resolve_post", "retry_post"]


# --- accounts (the Accounts page) ----------------------------------------------------------------

class AccountChecked(BaseModel):
    account: str
    platform: str
    ok: bool
    detail: str = Field(description="what the platform answered, or what is wrong and what to do (names references, never values)")


class AccountsChecked(BaseModel):
    checked: list[AccountChecked]
    head: str = Field(description="how many accounts are ready")
    message: str


def check_accounts(ledger: Ledger, user: User, cid: str, only: str | None = None,
                   timeout: float = 15.0) -> AccountsChecked:
    """The same check as ``campaign accounts check``: one harmless authenticated call per account
    (who am I), with the credentials readable where the dashboard runs. Writes nothing."""
    from ..cli.accounts import check_account, context_for

    applied = load_applied(ledger, cid)  # raises UnknownCampaign
    c = applied.campaign
    chosen = [a for a in c.accounts if only is None or a.id == only]
    if not chosen:
        raise WebError(f"account: {cid} has no account {only!r} (its accounts: "
                       + ", ".join(a.id for a in c.accounts) + ")", 404)
    root = Path(applied.folder) if applied.folder else Path.cwd()
    rows = [AccountChecked(account=a.id, platform=a.platform, ok=ok, detail=detail)
            for a in chosen for ok, detail in [check_account(a, context_for(a, root, timeout))]]
    failed = [r for r in rows if not r.ok]
    head = (f"check: {len(failed)} of {len(rows)} accounts are not ready." if failed
            else f"check: all {len(rows)} accounts are ready." if len(rows) > 1 else "check: the account is ready.")
    lines = "; ".join(f"{r.account}: {'ok' if r.ok else 'FAIL'} {r.detail[:200]}" for r in rows)
    return AccountsChecked(checked=rows, head=head, message=f"{head} {lines}")


class AccountUnblocked(BaseModel):
    account: str
    was_blocked: bool
    retryable: list[str] = Field(default_factory=list, description="its failed posts still on time (retry them)")
    message: str


def unblock_account(ledger: Ledger, user: User, cid: str, account: str, now: datetime) -> AccountUnblocked:
    """Lift an account's block (``campaign accounts unblock ACCOUNT CAMPAIGN``), recorded with the user's name."""
    applied = load_applied(ledger, cid)  # raises UnknownCampaign
    lifted = _checked(lambda: accounts.unblock(ledger, applied, account, now, by=user.audit_name))
    if lifted is None:
        return AccountUnblocked(account=account, was_blocked=False, message=f"{account} was not blocked; nothing to do")
    message = f"{account} unblocked (it was blocked since {readable(lifted.since, applied.campaign.tz)})"
    if lifted.retryable:
        message += f"; {len(lifted.retryable)} failed post(s) can still go out: retry them"
    return AccountUnblocked(account=account, was_blocked=True, retryable=lifted.retryable, message=message)


__all__ += ["AccountChecked", "AccountUnblocked", "AccountsChecked", "check_accounts", "unblock_account"]
