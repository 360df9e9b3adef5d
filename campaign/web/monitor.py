"""What the Accounts and Roster pages show, read from the ledger (nothing here writes).

* :func:`account_rows`: per account, its last success and last error (from the ledger's posts), its
  rate-limit budget and hold (the account hash the publishers fill), whether it is blocked and why
  (``pipeline.accounts.blocked_accounts``), and its credential *references*, each readable in this
  process or not (``credentials.unresolved``). No value is ever read into a model: a reference's
  value is looked at only to say whether it is set, and dropped at once.
* :func:`roster_rows`: per person, their status as of the campaign's today, and when they were last
  and are next featured (the ledger's posts).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from ..credentials import unresolved
from ..ledger import Ledger, PostRecord
from ..ledger.states import PENDING
from ..pipeline.accounts import blocked_accounts
from ..pipeline.applied import Applied, load_applied
from ..pipeline.tick import known_roster
from ..roster import facts
from .reads import BlockedAccount, local, state_counts


class CredentialRef(BaseModel):
    """One credential reference of an account: its name, where it comes from, and whether this
    process can read it (never its value)."""

    name: str = Field(description="the credential's name (token, password, ...); empty: one reference for all")
    ref: str = Field(description="env:NAME or file:PATH: where the value is, never the value")
    set: bool = Field(description="readable where the dashboard runs")
    problem: str = ""


class PostMark(BaseModel):
    """A post as a moment in an account's or person's story."""

    post: str
    at: datetime = Field(description="in the campaign's timezone")
    due: datetime | None = Field(None, description="the post's due time, in the campaign's timezone")
    account: str = ""
    state: str
    error: str | None = None
    error_class: str | None = None


class Budget(BaseModel):
    """The rate-limit budget the platform last reported (its headers), and any hold until its reset."""

    limit: int | None = None
    remaining: int | None = None
    reset: datetime | None = None
    read_at: datetime | None = None
    held_until: datetime | None = Field(None, description="posts wait until then (the budget is spent)")


class AccountRow(BaseModel):
    id: str
    platform: str
    language: str
    organisation: str
    counts: dict[str, int]
    last_success: PostMark | None = None
    last_error: PostMark | None = None
    budget: Budget
    blocked: BlockedAccount | None = None
    credentials: list[CredentialRef]


class AlertChannel(BaseModel):
    """An alert channel of the campaign as the ledger recorded it (``campaign.alerts.channel_status``):
    its reference (never its URL, which holds a token), sends, failures in a row, the last error."""

    model_config = {"extra": "ignore"}

    id: str
    ref: str = Field("", description="env:NAME or file:PATH: where its URL is, never the URL")
    events: list[str] = Field(default_factory=list)
    service: str = ""
    sent: int = 0
    failed: int = 0
    failing: int = Field(0, description="failed sends in a row (0: it works, or nothing was sent yet)")
    pending: int = 0
    last_ok_at: datetime | None = None
    last_error: str = ""
    last_error_at: datetime | None = None


class AccountsView(BaseModel):
    campaign: str
    name: str
    now: datetime
    accounts: list[AccountRow]
    alert_channels: list[AlertChannel] | None = Field(
        None, description="the campaign's alert channels (None: alerts are not part of this installation yet)")


class PersonRow(BaseModel):
    id: str
    name: str
    name_km: str | None = None
    status: str = Field(description="as of the campaign's today; 'not yet known' before their first event is")
    last: PostMark | None = Field(None, description="the latest post featuring them due by now")
    next: PostMark | None = Field(None, description="the first post featuring them due after now, still to go out")
    posts: int


class RosterView(BaseModel):
    campaign: str
    name: str
    today: date
    people: list[PersonRow]


def credential_refs(applied: Applied, account_id: str, environ: dict[str, str] | None = None) -> list[CredentialRef]:
    """The account's credential references, each set here or not (values are never kept)."""
    account = applied.campaign.account(account_id)
    creds = account.credentials
    if creds is None:
        return []
    base = Path(applied.folder) if applied.folder else None
    missing = {(u.name, u.ref): u.problem for u in unresolved(account.platform, creds, base, environ)}
    pairs = [("", creds)] if isinstance(creds, str) else list(creds.items())
    out = []
    for name, ref in pairs:
        problem = missing.get((name, ref), "")
        out.append(CredentialRef(name=name, ref=ref, set=not problem, problem=problem))
    out += [CredentialRef(name=name, ref="", set=False, problem=problem)
            for (name, ref), problem in missing.items() if ref is None]
    return out


def _mark(post: PostRecord, at: datetime, applied: Applied) -> PostMark:
    return PostMark(post=post.id, at=local(at, applied), due=local(post.slot.due, applied), account=post.slot.account,
                    state=post.state, error=post.error, error_class=post.error_class)


def _moment(value: float | None, applied: Applied) -> datetime | None:
    return local(value, applied) if value else None


def _budget(state: dict[str, str], applied: Applied, wall: float) -> Budget:
    def num(name: str) -> float | None:
        try:
            return float(state[name]) if state.get(name) else None
        except ValueError:
            return None

    limit, remaining, held = num("budget_limit"), num("budget_remaining"), num("rate_limited_until")
    return Budget(limit=int(limit) if limit is not None else None,
                  remaining=int(remaining) if remaining is not None else None,
                  reset=_moment(num("budget_reset"), applied), read_at=_moment(num("budget_at"), applied),
                  held_until=_moment(held, applied) if held and held > wall else None)


def account_rows(ledger: Ledger, cid: str, now: datetime, wall: float,
                 environ: dict[str, str] | None = None) -> AccountsView:
    """Every account of the campaign as the Accounts page shows it; raises UnknownCampaign.
    ``wall``: the wall clock (rate-limit holds are about processes)."""
    ledger.campaign(cid)
    applied = load_applied(ledger, cid)
    _, by_account = state_counts(ledger, cid)
    blocked = {b.account: BlockedAccount(account=b.account, platform=b.platform, reason=b.reason, since=b.since,
                                         fix=b.fix())
               for b in blocked_accounts(ledger, applied, now, environ)}
    success: dict[str, PostMark] = {}
    error: dict[str, PostMark] = {}
    for post in ledger.posts(cid):
        account = post.slot.account
        if post.posted_at and (account not in success or post.posted_at > success[account].at):
            success[account] = _mark(post, post.posted_at, applied)
        if post.error and post.state_at and (account not in error or post.state_at > error[account].at):
            error[account] = _mark(post, post.state_at, applied)
    rows = [AccountRow(id=a.id, platform=a.platform, language=a.language, organisation=a.organisation,
                       counts=by_account.get(a.id, {}), last_success=success.get(a.id), last_error=error.get(a.id),
                       budget=_budget(ledger.account_state(cid, a.id), applied, wall), blocked=blocked.get(a.id),
                       credentials=credential_refs(applied, a.id, environ))
            for a in applied.campaign.accounts]
    return AccountsView(campaign=cid, name=applied.campaign.name, now=local(now, applied), accounts=rows,
                        alert_channels=alert_channels(ledger, applied))


def alert_channels(ledger: Ledger, applied: Applied) -> list[AlertChannel] | None:
    """SLOT for the alerts work (issue 12, Alerts): the campaign's alert channels and how they fare,
    from ``campaign.alerts.channel_status(ledger, campaign)`` once it is installed; None until then
    (the page says alerts are not set up here)."""
    try:
        from ..alerts import channel_status  # type: ignore[attr-defined]
    except ImportError:
        return None
    out = []
    for status in channel_status(ledger, applied.campaign):
        row = dataclasses.asdict(status) if dataclasses.is_dataclass(status) else dict(status)
        for name in ("last_ok_at", "last_error_at"):
            if isinstance(row.get(name), (int, float)):
                row[name] = local(row[name], applied)
        out.append(AlertChannel(**row))
    return out


def roster_rows(ledger: Ledger, cid: str, now: datetime) -> RosterView:
    """Every person of the campaign's roster as the Roster page shows them; raises UnknownCampaign."""
    ledger.campaign(cid)
    applied = load_applied(ledger, cid)
    today = local(now, applied).date()
    known = known_roster(applied, now).by_id()
    last: dict[str, PostMark] = {}
    upcoming: dict[str, PostMark] = {}
    featured: dict[str, int] = {}
    for post in sorted(ledger.posts(cid), key=lambda p: p.due):
        due = post.due
        for pid in post.slot.people:
            featured[pid] = featured.get(pid, 0) + 1
            if due <= now.timestamp():
                last[pid] = _mark(post, datetime.fromtimestamp(due, applied.campaign.tz), applied)
            elif pid not in upcoming and post.state in PENDING:
                upcoming[pid] = _mark(post, datetime.fromtimestamp(due, applied.campaign.tz), applied)
    people = []
    for person in applied.roster.people:
        now_known = known.get(person.id)
        status = facts(now_known, today).status.value if now_known is not None else "not yet known"
        people.append(PersonRow(id=person.id, name=person.name.get("en"), name_km=person.name.root.get("km"),
                                status=status, last=last.get(person.id), next=upcoming.get(person.id),
                                posts=featured.get(person.id, 0)))
    return RosterView(campaign=cid, name=applied.campaign.name, today=today, people=people)


__all__ = ["AccountRow", "AlertChannel", "AccountsView", "Budget", "CredentialRef", "PersonRow", "PostMark", "RosterView",
           "account_rows", "alert_channels", "credential_refs", "roster_rows"]
