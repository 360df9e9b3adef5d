"""What organisers and monitors do to a running campaign: apply, approve, retry, pause, status.

Each is a function over the ledger; the CLI (and later the dashboard) only formats its result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..alerts import channel_status
from ..checks import CheckedFolder
from ..clock import readable
from ..errors import Refused
from ..ledger import Ledger, PostRecord, person_name, worker_name
from ..ledger.health import memory
from ..ledger.states import (ACTIVE, APPROVED, AWAITING_REVIEW, CANCELLED, FAILED, IN_DOUBT, MISSED, PAUSED,
                             PLANNED, RENDERED, RETRYABLE, STATES)
from ..roster import Roster, facts
from ..types import format_duration
from .accounts import blocked_accounts, unreadable_here
from .applied import Applied, apply_definition, load_applied
from .settings import Settings
from .shown import changes as what_changed
from .shown import would_show
from .tick import WITHDRAWN, PlanChanges, known_roster, people_fingerprint, refresh_plan

SHOWN_IDS = 3  # post ids listed per reason; the rest are counted


@dataclass
class ApplyReport:
    """What ``campaign apply`` changed: roster news per person and the posts it moved."""

    campaign: str
    first: bool
    people: list[str] = field(default_factory=list)
    changes: PlanChanges = field(default_factory=PlanChanges)
    future: dict[str, int] = field(default_factory=dict)
    folder: str = "FOLDER"
    waiting: int = 0  # posts not yet queued
    too_late: int = 0  # ...of which already past their time plus max_lateness: they will be missed
    review_weeks: list[int] = field(default_factory=list)  # weeks of re-planned posts whose approval was withdrawn

    def warnings(self) -> list[str]:
        """What the organiser should know although nothing is wrong: posts whose time has passed."""
        if not self.too_late:
            return []
        if self.too_late == self.waiting:
            return [f"{self.campaign}: every post's time (plus max_lateness) is already past: "
                    f"{'it' if self.waiting == 1 else 'they'} will be marked missed and nothing will be posted; "
                    f"to replay the campaign, use: campaign simulate {self.folder} --out out"]
        return [f"{self.campaign}: {self.too_late} of {self.waiting} posts are already past their time (plus "
                f"max_lateness): they will be marked missed; the other {self.waiting - self.too_late} go out on time"]

    def lines(self) -> list[str]:
        if self.first:
            return [f"{self.campaign}: applied; {len(self.changes.added)} posts planned"]
        moved = [f"{self.future[what]} future posts {what}" for what in ("withdrawn", "re-planned")
                 if self.future.get(what)]
        if self.changes.added:
            moved.append(f"{len(self.changes.added)} added")
        past = (len(self.changes.withdrawn) + len(self.changes.replanned)
                - self.future.get("withdrawn", 0) - self.future.get("re-planned", 0))
        if past:
            moved.append(f"{past} past posts updated")
        if self.changes.kept:
            moved.append(f"{len(self.changes.kept)} re-timed with the same card and caption")
        tail = ", ".join(moved) if moved else "no post changed"
        head = [f"{self.people[0]}; {tail}"] if len(self.people) == 1 else self.people + [f"{self.campaign}: {tail}"]
        return head + self.approval_lines()

    def approval_lines(self) -> list[str]:
        """How many approvals were withdrawn and why (first post ids per reason), and how many stood."""
        out: list[str] = []
        gone = self.changes.unapproved
        kept = self.changes.approvals_kept
        if gone:
            by_reason: dict[str, list[str]] = {}
            for pid, why in gone.items():
                by_reason.setdefault(why, []).append(pid)
            out.append(f"{self.campaign}: {len(gone)} approval{'s' if len(gone) != 1 else ''} withdrawn "
                       "(the card or caption changed):")
            for why, ids in by_reason.items():
                more = f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else ""
                out.append(f"  {why}: {', '.join(ids[:SHOWN_IDS])}{more}")
            if self.review_weeks:
                weeks = ", ".join(str(w) for w in self.review_weeks)
                out.append(f"  the new cards await review once rendered; approve them with: campaign approve "
                           f"{self.campaign} --week N (week{'s' if len(self.review_weeks) > 1 else ''} {weeks})")
        if kept:
            out.append(f"{self.campaign}: {len(kept)} approval{'s' if len(kept) != 1 else ''} kept: "
                       "card and caption unchanged")
        return out


def _roster_news(old: Roster | None, new: Roster) -> list[str]:
    """One line per person whose events changed: ``rong-chhun: released 2021-11-12``."""
    if old is None:
        return []
    before = old.by_id()
    out = []
    for person in new.people:
        prev = before.pop(person.id, None)
        if prev is None:
            out.append(f"{person.id}: added to the roster")
            continue
        seen = {e.model_dump_json() for e in prev.events}
        news = [f"{e.type} {e.date}" for e in person.events if e.model_dump_json() not in seen]
        gone = {e.model_dump_json() for e in person.events}
        removed = [f"{e.type} {e.date} removed" for e in prev.events if e.model_dump_json() not in gone]
        if news or removed or prev.model_dump_json(exclude={"events"}) != person.model_dump_json(exclude={"events"}):
            out.append(f"{person.id}: " + (", ".join(news + removed) or "details changed"))
    out += [f"{pid}: removed from the roster" for pid in before]
    return out


def apply_folder(ledger: Ledger, folder: CheckedFolder, now: datetime, run_settings: dict[str, str] | None = None,
                 settings: Settings | None = None) -> ApplyReport:
    """Store a checked folder in Redis (as it is: nothing is read from disk again) and bring its posts
    in line with the plan as known at ``now``."""
    cid = folder.campaign.id
    old: Roster | None = None
    if ledger.campaign_field(cid, "def_hash"):
        old = load_applied(ledger, cid).roster
    if ledger.campaign_field(cid, "status") == CANCELLED:
        ledger.set_campaign_field(cid, "status", ACTIVE)  # applying again starts a cancelled campaign over
    applied = apply_definition(ledger, folder, run_settings)
    changes = refresh_plan(ledger, applied, now, settings or Settings(), worker_name(), force=True) or PlanChanges()
    report = ApplyReport(cid, old is None, _roster_news(old, folder.roster), changes, folder=str(folder.root))
    due = {p.id: p.due for p in ledger.posts(cid, changes.withdrawn + changes.replanned)}
    ahead = now.timestamp()
    report.future = {
        "withdrawn": sum(1 for i in changes.withdrawn if due.get(i, 0) > ahead),
        "re-planned": sum(1 for i in changes.replanned if due.get(i, 0) > ahead),
    }
    report.review_weeks = sorted({p.slot.week for p in ledger.posts(cid, list(changes.unapproved))
                                  if p.id in changes.replanned})
    report.waiting = len(ledger.index(cid, "due"))
    report.too_late = len(ledger.index(cid, "due", end=ahead - applied.max_lateness - 1e-6))
    return report


def run_settings(ledger: Ledger, cid: str, outbox: Path | None) -> dict[str, str]:
    """The run settings ``apply`` stores with a campaign: those applied before, with the outbox
    folder given (default: ``out/outbox``, kept from before when none is given)."""
    old = json.loads(ledger.campaign_field(cid, "settings") or "{}")
    if outbox is not None or "outbox_dir" not in old:
        old["outbox_dir"] = str((outbox or Path("out/outbox")).absolute())
    old.pop("force_outbox", None)
    return old


def approve(ledger: Ledger, cid: str, now: datetime, *, week: int | None = None, post_id: str | None = None,
            by: str | None = None) -> list[str]:
    """Approve one post, or every post of a campaign week, that awaits review; returns those approved.
    ``by``: who approves (:func:`~campaign.ledger.keys.person_name`)."""
    who = person_name(by)
    if post_id is not None:
        post = ledger.post(post_id)
        if post.state != AWAITING_REVIEW:
            raise Refused(f"{post_id} is {post.state}; only posts awaiting review can be approved")
        posts = [post]
    else:
        ledger.campaign(cid)  # raises UnknownCampaign
        posts = [p for p in ledger.posts(cid) if p.slot.week == week and p.state == AWAITING_REVIEW]
    # The approval is of this card and this caption (shown_fp): re-planning keeps it while both hold.
    return [p.id for p in posts if ledger.approve(p, by=who, at=now)]


def week_states(ledger: Ledger, cid: str, week: int) -> dict[str, int]:
    """How many posts of a campaign week are in each state (empty: the week has no posts)."""
    counts: dict[str, int] = {}
    for p in ledger.posts(cid):
        if p.slot.week == week:
            counts[p.state] = counts.get(p.state, 0) + 1
    return {s: counts[s] for s in STATES if s in counts}


def weeks(ledger: Ledger, cid: str) -> tuple[int, int] | None:
    """The first and last week of the campaign's posts (None: it has none)."""
    numbers = [p.slot.week for p in ledger.posts(cid)]
    return (min(numbers), max(numbers)) if numbers else None


def none_to_approve(ledger: Ledger, cid: str, week: int) -> str:
    """Why a campaign week had no post to approve: its posts' states and what would bring them to
    review. Refused when the week has no posts at all (naming the weeks it has)."""
    states = week_states(ledger, cid, week)
    if not states:
        span = weeks(ledger, cid)
        raise Refused(f"{cid} has no posts in week {week}"
                      + (f" (its weeks are {span[0]} to {span[1]})" if span else " (it has no posts)")
                      + "; nothing was approved")
    total = sum(states.values())
    text = (f"week {week} of {cid} has {total} post{'s' if total != 1 else ''}, none awaiting review ("
            + ", ".join(f"{n} {s}" for s, n in states.items()) + ")")
    if ledger.campaign_field(cid, "review_required") != "1":
        return text + "; this campaign does not ask for review (review.required is not set), so no card needs approval"
    if PLANNED in states:
        return text + "; a card awaits review once it is rendered, at the start of the review window before its time"
    return text


@dataclass(frozen=True)
class Retried:
    """What ``retry`` did: the post's new state and, in a campaign with review, whether its approval
    stands or why it must be approved again (``note``)."""

    post: str
    state: str
    note: str = ""

    def line(self) -> str:
        return f"{self.post}: {self.state}" + (f"; {self.note}" if self.note else "")


def _approval_stands(ledger: Ledger, applied: Applied, post: PostRecord, now: datetime) -> tuple[str, str]:
    """Whether a retried post's approval still covers what it would show now: ("", plan fp) if it
    does, else (why not, "")."""
    if not post.approved_fp:
        was = {"failed": "failed", "missed": "was missed", "cancelled": "was cancelled", "expired": "was withdrawn"}
        return f"it has no approval on record (it was not approved before it {was.get(post.state, 'stopped')})", ""
    if not post.card or not ledger.has_blob(post.card):
        return "its card must be rendered again", ""
    slot = post.slot
    people = known_roster(applied, now).by_id()
    gone = [pid for pid in slot.people if pid not in people]
    if gone:
        return f"{', '.join(gone)} left the roster", ""
    found = tuple(facts(people[pid], slot.date) for pid in slot.people)
    shown = would_show(applied, slot, found)
    if shown.fp == post.approved_fp == post.shown_fp:
        return "", people_fingerprint(people, slot.people, slot.date)
    return ("; ".join(what_changed(post, slot, found, shown)) or "its card or caption changed") \
        + " since it was approved", ""


def retry(ledger: Ledger, post_id: str, now: datetime, *, by: str | None = None) -> Retried:
    """Send a failed, missed, cancelled or expired post round again (re-rendered, then queued when due).
    Its account's block is lifted, unless its credentials still cannot be read here (refused, as
    unblocking it is). A post whose time plus max_lateness has passed is refused, and so is a post
    of a cancelled campaign (nothing of it is queued: it would never go out).

    In a campaign with review, a post whose approved card and caption are still what it would show
    keeps its card and its approval (``approved``); any other is re-rendered and must be approved
    again, and the result says why. ``by``: who retries (:func:`~campaign.ledger.keys.person_name`)."""
    post = ledger.post(post_id)
    if post.state not in RETRYABLE:
        raise Refused(f"{post_id} is {post.state}; retry takes a post that is {', '.join(RETRYABLE)}")
    cid = post.slot.campaign
    if ledger.campaign_field(cid, "status") == CANCELLED:
        folder = ledger.campaign_field(cid, "folder") or "FOLDER"
        raise Refused(f"campaign {cid} is cancelled, so {post_id} would never go out; apply the "
                      f"campaign again to start it over (campaign apply {folder}), then retry the post")
    applied = load_applied(ledger, cid)
    zone = applied.campaign.tz  # its sentences reach people (the CLI, the dashboard): times as they read them
    due = readable(post.slot.due, zone)
    if now.timestamp() > applied.send_until(post.due):
        raise Refused(f"{post_id} was due {due}; its time plus max_lateness "
                      f"({format_duration(applied.campaign.max_lateness)}) has passed, and a late post is never sent")
    account = post.slot.account
    blocked = next((b for b in blocked_accounts(ledger, applied, now) if b.account == account), None)
    why = unreadable_here(applied, blocked, None, f"retry it: campaign retry {post_id}")
    if why:  # as unblocking it would be: the retry would only fail again, and block it again
        raise Refused(f"{post_id} is not sent again: {account} is blocked, and {why}")
    who = person_name(by)
    ledger.clear_account(cid, account, at=now, worker=who, detail=f"retry of {post_id}")
    why = ""
    if applied.review_required:
        why, fp = _approval_stands(ledger, applied, post, now)
        if not why:
            if ledger.retry_approved(post, rendered_fp=fp, at=now, worker=who, detail=(
                    "retried by a person: approval kept, card and caption unchanged since approved")):
                approved_at = readable(post.approved_at, zone) if post.approved_at else ""
                return Retried(post_id, APPROVED, f"its approval stands (the card and caption are the ones approved "
                                                  f"{approved_at}); it goes out at {due}")
            why = "it changed while being retried"
    ledger.retry(post, at=now, worker=who,
                 detail="retried by a person" + (f"; to be approved again: {why}" if why else ""))
    if not why:
        return Retried(post_id, PLANNED)
    return Retried(post_id, PLANNED, f"it must be approved again before it goes out: {why}; its card is rendered "
                                     f"again at the next tick, then: campaign approve {post_id}")


def set_status(ledger: Ledger, cid: str, status: str, now: datetime, *, by: str | None = None) -> str:
    """Pause, resume (``active``) or cancel a campaign; returns the previous status.
    ``by``: who (:func:`~campaign.ledger.keys.person_name`)."""
    return ledger.set_status(cid, status, at=now, worker=person_name(by))


def status(ledger: Ledger, cid: str, now: datetime, next_count: int = 8, failure_count: int = 8) -> dict[str, Any]:
    """Counts per state and per account, the next posts, the last failures: for ``campaign status``."""
    info = ledger.campaign(cid)
    counts = ledger.counts(cid)
    by_state = {s: counts.get(s, 0) for s in STATES if counts.get(s)}
    accounts: dict[str, dict[str, int]] = {}
    for key, n in counts.items():
        if "/" in key:
            account, state = key.split("/", 1)
            accounts.setdefault(account, {})[state] = n
    upcoming = ledger.posts(cid, [pid for pid, _ in ledger.index(cid, "due", start=now.timestamp() - 86400,
                                                                   limit=next_count)])
    failures = []
    withdrawn: dict[str, dict[str, str]] = {}  # the latest approval withdrawn per post
    for entry in ledger.audit(cid, count=2000):
        post = entry.get("post")
        if entry.get("to") in (FAILED, IN_DOUBT, MISSED) and post and len(failures) < failure_count:
            failures.append({"post": post, "state": entry["to"], "at": entry["at"],
                             "detail": entry.get("detail", "")})
        detail = entry.get("detail", "")
        if post and post not in withdrawn and detail.startswith(WITHDRAWN):
            withdrawn[post] = {"post": post, "at": entry["at"], "reason": detail[len(WITHDRAWN):]}
    # ...of posts that still wait for a new approval (approved again or final: settled)
    waiting = {pid for pid, st in ledger.states(list(withdrawn)).items() if st in (PLANNED, RENDERED, AWAITING_REVIEW)}
    unapproved = [w for pid, w in withdrawn.items() if pid in waiting]
    sim = ledger.simulated_time()
    applied = load_applied(ledger, cid)
    blocked = [b.to_json() for b in blocked_accounts(ledger, applied, now)]
    return {
        "campaign": cid, "status": info.get("status", ACTIVE), "now": now.isoformat(),
        "timezone": applied.campaign.timezone, "simulated": sim is not None, "states": by_state, "accounts": accounts,
        "next": [{"id": p.id, "due": p.slot.due.isoformat(), "state": p.state, "kind": p.slot.kind,
                  "people": list(p.slot.people)} for p in upcoming],
        "failures": failures,
        "blocked": blocked,
        "unapproved": unapproved[:failure_count],
        "alerts": [{"channel": a.ref, "events": list(a.events), "service": a.service, "ok": a.ok, "sent": a.sent,
                    "failed": a.failed, "failing": a.failing, "pending": a.pending, "last_error": a.last_error}
                   for a in channel_status(ledger, applied.campaign)],
        "paused": info.get("status") == PAUSED,
        "redis": memory(ledger.r).as_dict(),
    }


__all__ = ["ApplyReport", "Retried", "apply_folder", "approve", "none_to_approve", "person", "retry", "run_settings",
           "set_status", "status", "week_states", "weeks",
           "ACTIVE", "PAUSED", "CANCELLED"]
