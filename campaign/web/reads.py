"""What the dashboard shows, read from the ledger: one model per thing, shared by the pages, the JSON
API (its response models, so the OpenAPI document describes them) and the metrics.

Nothing here writes. Times are shown in the campaign's timezone; ``now`` is the campaign's now
(``clock.now_for``: simulated after ``campaign simulate``). No model carries a credential value:
blocked accounts name their references only (``pipeline.accounts.Blocked``).
"""

from __future__ import annotations

import time
from datetime import date, datetime

from pydantic import BaseModel, Field

from ..ledger import Ledger, PostRecord
from ..ledger.states import ACTIVE, AWAITING_REVIEW, FAILED, IN_DOUBT, MISSED, RETRYABLE, STATES
from ..pipeline.accounts import blocked_accounts
from ..pipeline.applied import Applied, load_applied
from ..plan import week_of

#: The states counted as open problems, in the order the pages list them.
PROBLEM_STATES = (FAILED, IN_DOUBT, MISSED, AWAITING_REVIEW)
SHOWN_PROBLEM_POSTS = 5  # per state, on the Campaigns page


class PostBrief(BaseModel):
    """A post as lists show it."""

    id: str
    campaign: str
    account: str
    platform: str
    language: str
    date: date
    due: datetime = Field(description="in the campaign's timezone")
    week: int
    kind: str
    people: list[str] = Field(description="person ids")
    names: list[str] = Field(description="their names in the post's language (else English)")
    state: str
    url: str | None = Field(None, description="on its platform, once posted")
    error: str | None = None
    error_class: str | None = Field(None, description="the kind of error (a class name: AuthFailed, Rejected, ...)")


class Progress(BaseModel):
    """Week ``week`` of ``weeks`` (0 before the start); ``percent`` of the campaign's days gone."""

    week: int
    weeks: int
    percent: int
    started: bool
    finished: bool


class BlockedAccount(BaseModel):
    account: str
    platform: str
    reason: str = Field(description="names credential references, never values")
    since: str
    fix: str


class Problems(BaseModel):
    """What needs a person: posts failed, in doubt, missed or waiting for review; blocked and rate-limited accounts."""

    counts: dict[str, int] = Field(description="failed, in_doubt, missed, awaiting_review")
    posts: dict[str, list[str]] = Field(description="the first post ids of each state")
    blocked: list[BlockedAccount]
    rate_limited: list[str] = Field(description="accounts waiting for their platform's rate limit to reset")

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + len(self.blocked) + len(self.rate_limited)


class CampaignSummary(BaseModel):
    id: str
    name: str
    status: str = Field(description="active, paused or cancelled")
    timezone: str
    start: date
    end: date
    now: datetime = Field(description="the campaign's now, in its timezone (simulated after a replay)")
    simulated: bool
    review_required: bool
    progress: Progress
    counts: dict[str, int] = Field(description="posts per state, in the pipeline's order")
    total: int
    next: PostBrief | None = Field(None, description="the next post to go out")
    problems: Problems


class AccountInfo(BaseModel):
    id: str
    platform: str
    language: str
    organisation: str
    counts: dict[str, int]


class CampaignDetail(CampaignSummary):
    accounts: list[AccountInfo]


def local(moment: datetime | float, applied: Applied) -> datetime:
    """A moment (aware, or epoch seconds) in the campaign's timezone."""
    if isinstance(moment, (int, float)):
        return datetime.fromtimestamp(moment, applied.campaign.tz)
    return moment.astimezone(applied.campaign.tz)


def names_of(applied: Applied, people: tuple[str, ...] | list[str], language: str) -> list[str]:
    by_id = {p.id: p for p in applied.roster.people}
    return [by_id[pid].name.get(language) if pid in by_id else pid for pid in people]


def brief(post: PostRecord, applied: Applied) -> PostBrief:
    s = post.slot
    return PostBrief(id=post.id, campaign=s.campaign, account=s.account, platform=s.platform, language=s.language,
                     date=s.date, due=local(s.due, applied), week=s.week, kind=s.kind, people=list(s.people),
                     names=names_of(applied, s.people, s.language), state=post.state, url=post.url, error=post.error,
                     error_class=post.error_class)


def progress(applied: Applied, now: datetime) -> Progress:
    c = applied.campaign
    today = local(now, applied).date()
    weeks = week_of(c, c.end)
    days = (c.end - c.start).days + 1
    gone = min(max((today - c.start).days + 1, 0), days)
    week = 0 if today < c.start else min(week_of(c, today), weeks)
    return Progress(week=week, weeks=weeks, percent=round(100 * gone / days), started=today >= c.start,
                    finished=today > c.end)


def state_counts(ledger: Ledger, cid: str) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Posts per state (pipeline order, zeros left out), and per account and state."""
    raw = ledger.counts(cid)
    by_account: dict[str, dict[str, int]] = {}
    for key, n in raw.items():
        if "/" in key:
            account, state = key.split("/", 1)
            by_account.setdefault(account, {})[state] = n
    return {s: raw[s] for s in STATES if raw.get(s)}, by_account


def problems(ledger: Ledger, applied: Applied, now: datetime, counts: dict[str, int],
             shown: int = SHOWN_PROBLEM_POSTS) -> Problems:
    cid = applied.campaign.id
    found = {s: counts.get(s, 0) for s in PROBLEM_STATES}
    posts: dict[str, list[str]] = {s: [] for s in PROBLEM_STATES if found[s]}
    if posts:
        for post in ledger.posts(cid):
            ids = posts.get(post.state)
            if ids is not None and len(ids) < shown:
                ids.append(post.id)
    blocked = [BlockedAccount(account=b.account, platform=b.platform, reason=b.reason, since=b.since, fix=b.fix())
               for b in blocked_accounts(ledger, applied, now)]
    wall = time.time()  # rate limits are about processes: the wall clock
    limited = [a.id for a in applied.campaign.accounts
               if float(ledger.account_state(cid, a.id).get("rate_limited_until") or 0) > wall]
    return Problems(counts={s: n for s, n in found.items() if n}, posts=posts, blocked=blocked, rate_limited=limited)


def next_post(ledger: Ledger, applied: Applied) -> PostBrief | None:
    """The first post not yet queued, by due time."""
    head = ledger.index(applied.campaign.id, "due", limit=1)
    if not head:
        return None
    post = ledger.get_post(head[0][0])
    return brief(post, applied) if post is not None else None


def campaign_summary(ledger: Ledger, cid: str, now: datetime) -> CampaignSummary:
    """One campaign as the Campaigns page shows it; raises UnknownCampaign."""
    return _summary(ledger, cid, now, CampaignSummary)


def campaign_detail(ledger: Ledger, cid: str, now: datetime) -> CampaignDetail:
    """A campaign's summary and its accounts with their counts per state; raises UnknownCampaign."""
    return _summary(ledger, cid, now, CampaignDetail)


def _summary(ledger: Ledger, cid: str, now: datetime, model: type[CampaignSummary]) -> CampaignDetail:
    info = ledger.campaign(cid)  # raises UnknownCampaign
    applied = load_applied(ledger, cid)
    c = applied.campaign
    counts, by_account = state_counts(ledger, cid)
    extra = {}
    if model is CampaignDetail:
        extra["accounts"] = [AccountInfo(id=a.id, platform=a.platform, language=a.language,
                                         organisation=a.organisation, counts=by_account.get(a.id, {}))
                             for a in c.accounts]
    return model(id=cid, name=c.name, status=info.get("status", ACTIVE), timezone=c.timezone, start=c.start,
                 end=c.end, now=local(now, applied), simulated=ledger.simulated_time() is not None,
                 review_required=applied.review_required, progress=progress(applied, now), counts=counts,
                 total=sum(counts.values()), next=next_post(ledger, applied),
                 problems=problems(ledger, applied, now, counts), **extra)  # type: ignore[return-value]


def campaign_summaries(ledger: Ledger, now: datetime) -> list[CampaignSummary]:
    return [campaign_summary(ledger, cid, now) for cid in ledger.campaigns()]


def post_briefs(ledger: Ledger, cid: str, *, state: str | None = None, account: str | None = None,
                week: int | None = None) -> list[PostBrief]:
    """The campaign's posts in due order, filtered; an unknown state or account is a ValueError saying
    which there are (raises UnknownCampaign first)."""
    ledger.campaign(cid)
    applied = load_applied(ledger, cid)
    if state is not None and state not in STATES:
        raise ValueError(f"state: {state!r} is not a state; the states are {', '.join(STATES)}")
    accounts = [a.id for a in applied.campaign.accounts]
    if account is not None and account not in accounts:
        raise ValueError(f"account: {cid} has no account {account!r} (its accounts: {', '.join(accounts)})")
    weeks = week_of(applied.campaign, applied.campaign.end)
    if week is not None and not 1 <= week <= weeks:
        raise ValueError(f"week: {week} is not a week of {cid}; its weeks are 1 to {weeks}")
    return [brief(p, applied) for p in ledger.posts(cid)
            if (state is None or p.state == state) and (account is None or p.slot.account == account)
            and (week is None or p.slot.week == week)]


def actions_for(post: PostRecord, campaign_status: str, retry_until: float | None = None,
                now: datetime | None = None) -> list[str]:
    """The actions that apply to a post as it is: approve, retry, resolve (the pipeline checks again).
    Retry is offered only while it can succeed: not in a cancelled campaign, and (given ``retry_until``,
    its due time plus max_lateness, and ``now``) not once that has passed, since a late post is never sent."""
    out = []
    if post.state == AWAITING_REVIEW:
        out.append("approve")
    on_time = retry_until is None or now is None or now.timestamp() <= retry_until
    if post.state in RETRYABLE and campaign_status != "cancelled" and on_time:
        out.append("retry")
    if post.state == IN_DOUBT:
        out.append("resolve")
    return out


__all__ = ["AccountInfo", "BlockedAccount", "CampaignDetail", "CampaignSummary", "PROBLEM_STATES", "PostBrief",
           "Problems", "Progress", "actions_for", "brief", "campaign_detail", "campaign_summaries",
           "campaign_summary", "local", "names_of", "post_briefs", "progress"]
