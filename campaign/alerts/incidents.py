"""Incidents: what a person should hear of, derived from the ledger.

Problems come from the campaign's audit stream, read from a cursor kept in the ledger: a post
``failed``, ``missed`` or ``in_doubt``, an account ``blocked``. Each is one incident, named by the
audit entry that made it, so scanning the same entries twice (two workers, a crash before the
cursor moved) finds the same incident, which the ledger notes once. A post that goes in doubt,
is looked up, queued again and goes in doubt again (the workers' own retries) stays one incident
until a person acts on it or it leaves publishing. Retries of a transient error are no incident at
all: only the failure they end in is.

Others come from the ledger's state at ``now``, once per channel: a card still ``review_waiting``
within the channel's ``review_before`` of its time (once per card: a new card waits anew), the
``daily`` digest (once per local day, from ``daily_at``) and ``campaign_finished`` (once, after
the last post's time plus ``max_lateness``).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from datetime import time as dtime
from typing import Any

from ..definition import Campaign
from ..ledger import Ledger, PostRecord
from ..ledger.states import AWAITING_REVIEW, CANCELLED, FAILED, IN_DOUBT, MISSED, POSTED, PUBLISHING, QUEUED
from ..roster import Roster

#: Audit entries older than this (wall clock) are not alerted when a campaign is first scanned.
FIRST_LOOK_BACK = 86400.0
_PAGE = 1000
_MAX_PAGES = 20  # per run; the next run goes on from the cursor


@dataclass(frozen=True)
class Incident:
    """One thing to tell: ``event`` (``failed``, ``daily``...), what it is about, and when it happened
    (``at``: campaign time). ``key`` names it within its campaign: the same happening has the same key."""

    event: str
    key: str
    campaign: str
    at: str
    post: str = ""
    account: str = ""
    platform: str = ""
    people: tuple[str, ...] = ()  # display names
    due: str = ""  # the post's local time, ISO
    week: int = 0
    detail: str = ""  # the error or reason, as the ledger has it (never a secret)
    facts: dict[str, Any] = field(default_factory=dict)  # a summary's figures
    tries: int = 0  # failed sends so far

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Incident:
        return cls(**{**data, "people": tuple(data.get("people", ()))})


def _names(roster: Roster, ids: tuple[str, ...]) -> tuple[str, ...]:
    people = roster.by_id()
    return tuple(people[pid].name.get("en") if pid in people else pid for pid in ids)


def post_incident(event: str, key: str, post: PostRecord, roster: Roster, at: str, detail: str) -> Incident:
    s = post.slot
    return Incident(event, key, s.campaign, at, post=post.id, account=s.account, platform=s.platform,
                    people=_names(roster, s.people), due=s.due.isoformat(), week=s.week, detail=detail)


def _is_person(entry: dict[str, str]) -> bool:
    """Whether a person made this move: ``campaign resolve`` (its detail says so), or anyone acting
    from the command line (``sokha@host:pid``) or the dashboard (``<user>@web``): a person's name has
    an ``@``, a worker's never (``ledger.keys.person_name``)."""
    return "by a person" in entry.get("detail", "") or "@" in entry.get("worker", "")


class _Episodes:
    """The episode marks a scan changes, in the order of its entries: closes wait and go with the
    cursor's move (:meth:`Ledger.scanned`), or before the next open, which must see them."""

    def __init__(self, ledger: Ledger, cid: str):
        self.ledger, self.cid = ledger, cid
        self.closes: list[tuple[str, str]] = []

    def close(self, post_id: str, event: str) -> None:
        self.closes.append((post_id, event))

    def open(self, post_id: str, event: str, incident: str) -> bool:
        if self.closes:
            self.ledger.close_episodes_of(self.cid, self.closes)
            self.closes = []
        return self.ledger.open_episode(self.cid, post_id, event, incident)


#: The moves an incident is made of (a post's other moves only close its episodes).
_INCIDENT_MOVES = (FAILED, MISSED, IN_DOUBT)


def from_audit(ledger: Ledger, campaign: Campaign, roster: Roster, entries: list[dict[str, str]],
               episodes: _Episodes | None = None) -> list[Incident]:
    """The incidents in these audit entries (oldest first). ``episodes``: where the episodes they close
    wait (a scan's, closed with its cursor's move); without it they are closed here."""
    cid = campaign.id
    marks = episodes or _Episodes(ledger, cid)
    wanted = {e["post"] for e in entries if e.get("post") and e.get("to") in _INCIDENT_MOVES}
    posts = {p.id: p for p in ledger.posts(cid, wanted)} if wanted else {}
    out: list[Incident] = []
    for e in entries:
        pid, to = e.get("post", ""), e.get("to", "")
        if not pid:
            if to == "blocked" and e.get("account"):
                account = e["account"]
                platform = next((a.platform for a in campaign.accounts if a.id == account), "")
                out.append(Incident("account_blocked", f"account_blocked|{account}|{e['id']}", cid, e.get("at", ""),
                                    account=account, platform=platform, detail=e.get("detail", "")))
            continue
        if _is_person(e) or to not in (QUEUED, PUBLISHING, IN_DOUBT):
            marks.close(pid, IN_DOUBT)  # a person acted, or it left publishing
        if to not in _INCIDENT_MOVES:
            continue
        post = posts.get(pid)
        if post is None:
            continue
        key = f"{to}|{pid}|{e['id']}"
        # The post as it is now may have moved on: its error is the one of this entry only if it still fails.
        kept = post.error if post.state == to and post.error else ""
        if to == FAILED:
            out.append(post_incident(FAILED, key, post, roster, e.get("at", ""), e.get("detail", "") or kept))
        elif to == MISSED:
            out.append(post_incident(MISSED, key, post, roster, e.get("at", ""), kept or e.get("detail", "")))
        elif e.get("from") != IN_DOUBT and marks.open(pid, IN_DOUBT, key):
            out.append(post_incident(IN_DOUBT, key, post, roster, e.get("at", ""), kept or e.get("detail", "")))
    if episodes is None and marks.closes:
        ledger.close_episodes_of(cid, marks.closes)
    return out


def scan_audit(ledger: Ledger, campaign: Campaign, roster: Roster) -> list[Incident]:
    """The incidents since the campaign's cursor, which then moves past them. A campaign scanned for
    the first time looks back ``FIRST_LOOK_BACK`` seconds only (older news is no alert). The cursor and
    the first page are read in one round trip, and each page's episodes closed with the cursor's move."""
    cid = campaign.id
    cursor, entries = ledger.audit_since_cursor(cid, _PAGE)
    since = time.time() - FIRST_LOOK_BACK if cursor is None else 0.0
    out: list[Incident] = []
    for _ in range(_MAX_PAGES):
        if not entries:
            break
        episodes = _Episodes(ledger, cid)
        out += from_audit(ledger, campaign, roster, [e for e in entries if float(e.get("ts") or 0) >= since], episodes)
        cursor = entries[-1]["id"]
        ledger.scanned(cid, cursor, episodes.closes)
        if len(entries) < _PAGE:
            break
        entries = ledger.audit_after(cid, cursor, _PAGE)
    return out


# --- from the state at ``now`` ------------------------------------------------------------------


def end_limit(campaign: Campaign) -> datetime:
    """After this, no post of the campaign goes out (its last day, then max_lateness)."""
    return datetime.combine(campaign.end, dtime.max, tzinfo=campaign.tz) + campaign.max_lateness


def waiting_reviews(ledger: Ledger, campaign: Campaign, roster: Roster, now: datetime,
                    before: timedelta) -> list[Incident]:
    """Cards awaiting approval whose time is within ``before`` of ``now`` (one incident per card)."""
    cid = campaign.id
    ids = ledger.awaiting_review_by(cid, (now + before).timestamp(), limit=1000)
    waiting = [p for p in ledger.posts(cid, ids) if p.state == AWAITING_REVIEW] if ids else []
    return [post_incident("review_waiting", f"review_waiting|{p.id}|{p.shown_fp or ''}", p, roster, now.isoformat(),
                          "its card awaits approval") for p in waiting]


def _window(ledger: Ledger, cid: str, since: datetime) -> dict[str, int]:
    """Posts' moves into each state since ``since`` (campaign time), from the audit stream."""
    moved: dict[str, int] = {}
    for entry in ledger.iter_audit_back(cid):
        at = entry.get("at", "")
        if at and datetime.fromisoformat(at) < since:
            break
        if entry.get("post"):
            moved[entry.get("to", "")] = moved.get(entry.get("to", ""), 0) + 1
    return moved


def _open_problems(ledger: Ledger, campaign: Campaign) -> dict[str, list[str]]:
    posts = ledger.posts(campaign.id)
    out: dict[str, list[str]] = {}
    for state in (FAILED, IN_DOUBT, AWAITING_REVIEW):
        out[state] = [p.id for p in posts if p.state == state]
    blocked = [a.id for a in campaign.accounts if "auth_failed" in ledger.account_state(campaign.id, a.id)]
    out["blocked"] = blocked
    return out


def daily_key(ledger: Ledger, campaign: Campaign, now: datetime, at: dtime) -> str | None:
    """The key of today's digest once its local time ``at`` has come, from the campaign's first day
    to the day after its last (None: no digest is due)."""
    local = now.astimezone(campaign.tz)
    day = local.date()
    if local.time() < at or not (campaign.start <= day <= campaign.end + timedelta(days=1)):
        return None
    return None if ledger.campaign_field(campaign.id, "status") == CANCELLED else f"daily|{day.isoformat()}"


def daily(ledger: Ledger, campaign: Campaign, now: datetime, key: str) -> Incident:
    """The day's digest: the last 24 hours, every post's state, what waits for a person, what comes next."""
    cid = campaign.id
    upcoming = ledger.posts(cid, [pid for pid, _ in ledger.index(cid, "due", start=now.timestamp(), limit=3)])
    facts = {"day": key.split("|", 1)[1], "moved": _window(ledger, cid, now - timedelta(days=1)),
             "counts": _states(ledger, cid), "open": _open_problems(ledger, campaign),
             "next": [{"post": p.id, "due": p.slot.due.isoformat(), "state": p.state} for p in upcoming]}
    return Incident("daily", key, cid, now.isoformat(), facts=facts)


def _states(ledger: Ledger, cid: str) -> dict[str, int]:
    return {k: v for k, v in ledger.counts(cid).items() if "/" not in k}


def finished_key(ledger: Ledger, campaign: Campaign, now: datetime) -> str | None:
    """The key of the closing summary once the campaign is over (None: not yet, or it was cancelled)."""
    if now < end_limit(campaign) or ledger.campaign_field(campaign.id, "status") == CANCELLED:
        return None
    return f"campaign_finished|{campaign.end.isoformat()}"


def finished(ledger: Ledger, campaign: Campaign, now: datetime, key: str) -> Incident:
    """The closing summary: what went out, per state and per account, and what is still open."""
    counts = ledger.counts(campaign.id)
    per_account: dict[str, dict[str, int]] = {a.id: {} for a in campaign.accounts}
    for name, n in counts.items():
        account, _, state = name.partition("/")
        if state and account in per_account:
            per_account[account][state] = n
    facts = {"counts": _states(ledger, campaign.id), "accounts": per_account,
             "open": _open_problems(ledger, campaign), "posted": counts.get(POSTED, 0)}
    return Incident("campaign_finished", key, campaign.id, now.isoformat(), facts=facts)


__all__ = ["FIRST_LOOK_BACK", "Incident", "daily", "daily_key", "end_limit", "finished", "finished_key", "from_audit",
           "post_incident", "scan_audit", "waiting_reviews"]
