"""The beat's job: apply the plan to the ledger, hand out renders, queue due posts, reap leases.

``tick(ledger, now, dispatch)`` only moves posts between states in Redis and then sends short
tasks; it never renders or publishes itself. Every move is an atomic script that checks the state
it leaves, so two beats at once, a restarted beat or a replayed tick change nothing twice.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from ..cache import memo
from ..ledger import Ledger, PostRecord, worker_name
from ..ledger.states import APPROVED, AWAITING_REVIEW, CANCELLED, EXPIRED, PENDING, QUEUED, RENDERED
from ..plan import Slot, plan
from ..roster import Facts, Person, Roster, facts
from .applied import Applied, load_applied
from .settings import Settings
from .shown import changes as what_changed
from .shown import would_show


class Dispatch(Protocol):
    """Where the tick sends work: Celery tasks in production, direct calls in unit tests."""

    def render(self, post_ids: Sequence[str]) -> None: ...

    def publish(self, post_ids: Sequence[str]) -> None: ...

    def reconcile(self, post_ids: Sequence[str]) -> None: ...


@dataclass
class PlanChanges:
    """What applying the plan did to the ledger.

    ``kept``: posts whose slot changed (a new time, another caption variant) but whose card and
    caption did not: their card, and their approval if they had one (``approvals_kept``), were
    kept. ``unapproved``: approved posts sent back to be rendered and approved again (or
    withdrawn), with the reason."""

    added: list[str] = field(default_factory=list)
    replanned: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    approvals_kept: list[str] = field(default_factory=list)
    unapproved: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.added or self.replanned or self.withdrawn or self.kept)


@dataclass
class TickResult:
    """What one tick did, per kind of move (post ids)."""

    changes: dict[str, PlanChanges] = field(default_factory=dict)
    render: list[str] = field(default_factory=list)
    queued: list[str] = field(default_factory=list)
    resent: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    in_doubt: list[str] = field(default_factory=list)
    reconcile: list[str] = field(default_factory=list)

    @property
    def publish(self) -> list[str]:
        return self.queued + self.resent


def local_day(applied: Applied, now: datetime) -> date:
    return now.astimezone(applied.campaign.tz).date()


def _by_day(applied: Applied, now: datetime, *more: object) -> tuple[object, ...]:
    """The key of what is cached per definition and local day (and ``more``)."""
    return (applied.def_hash, local_day(applied, now), *more)


@memo(256, key=_by_day)
def known_roster(applied: Applied, now: datetime) -> Roster:
    """The roster as known at ``now`` (events dated later are not known yet); cached per definition and day."""
    return applied.roster.known_as_of(local_day(applied, now))


@memo(50_000, key=_by_day)
def current_fingerprint(applied: Applied, now: datetime, ids: tuple[str, ...], day: date) -> str:
    """``people_fingerprint`` of the roster known at ``now``; cached (workers ask it once per post)."""
    return people_fingerprint(known_roster(applied, now).by_id(), ids, day)


def people_fingerprint(people: dict[str, Person], ids: Iterable[str], day: date) -> str:
    """One hash of the facts of every featured person as of ``day`` ("gone" if unknown)."""
    return _fingerprint((pid, facts(people[pid], day).fingerprint() if pid in people else "gone") for pid in ids)


def _fingerprint(parts: Iterable[tuple[str, str]]) -> str:
    return hashlib.sha256("|".join(f"{pid}={fp}" for pid, fp in parts).encode()).hexdigest()[:16]


@memo(256, key=_by_day)
def plan_signature(applied: Applied, now: datetime) -> str:
    """Changes exactly when re-planning could change something: a new definition or a newly known event.
    Cached per definition and day like ``known_roster`` (every tick asks it)."""
    known = known_roster(applied, now)
    blob = applied.def_hash + json.dumps([p.model_dump(mode="json") for p in known.people], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def render_at(applied: Applied, due: datetime, settings: Settings) -> datetime:
    """When a post is rendered: at the start of its review window, else ``render_lead`` before due."""
    c = applied.campaign
    lead = c.review.window if (c.review and c.review.required) else settings.render_lead
    return due - lead


def planned_record(applied: Applied, slot: Slot, fp: str, settings: Settings,
                   people_fp: dict[str, str]) -> PostRecord:
    """The ledger record of a planned post (``people_fp``: each featured person's facts fingerprint)."""
    return PostRecord.planned(slot, plan_fp=fp, people_fp=people_fp,
                              render_at=render_at(applied, slot.due, settings).timestamp())


#: How the audit stream says that re-planning withdrew a post's approval (the reason follows).
WITHDRAWN = "re-planned, approval withdrawn: "
#: States in which a post has its card (and, approved or queued after approval, a person's approval of it).
_CARDED = (RENDERED, AWAITING_REVIEW, APPROVED, QUEUED)


def _plan_view(post: PostRecord) -> tuple[object, ...]:
    """What of a post's slot and plan, when changed, re-plans it (if pending)."""
    s = post.slot
    return s.people, s.kind, s.template, s.variant, post.plan_fp, post.due, s.week, s.account


def _slot_facts(people: dict[str, Person], slot: Slot) -> tuple[str, dict[str, str], tuple[Facts, ...]]:
    """The plan fingerprint, the per-person fingerprints and the facts of a slot's people."""
    found = tuple(facts(people[pid], slot.date) for pid in slot.people if pid in people)
    fps = {f.person.id: f.fingerprint() for f in found}
    fp = _fingerprint((pid, fps.get(pid, "gone")) for pid in slot.people)
    return fp, fps, found


def _minor(old: PostRecord, record: PostRecord) -> str:
    """What changed in a slot that its card and caption do not show."""
    parts = []
    if old.due != record.due:
        parts.append(f"its time is now {record.slot.due.isoformat()}")
    if old.slot.variant != record.slot.variant:
        parts.append("another caption variant with the same words")
    return ", ".join(parts) or "its plan changed"


def apply_plan(ledger: Ledger, applied: Applied, now: datetime, settings: Settings | None = None,
               worker: str = "") -> PlanChanges:
    """Make the ledger match the plan as known at ``now``. Idempotent.

    New slots become planned posts; a pending post whose people or their facts changed, or whose
    rendered card or caption would now differ (a caption, template file or photo edited), goes back
    to planned (its card is re-rendered); a pending post whose slot left the plan is withdrawn
    (``expired``). A rendered post whose slot changed but whose card and caption would not (a new
    time, another variant with the same words) keeps its card and its approval. An approval
    withdrawn is said in the audit stream and in ``PlanChanges.unapproved`` with its reason.
    Posts already handed to a publisher, and final ones, are never touched, except that an
    expired post whose slot comes back (and is still ahead) is planned again."""
    settings = settings or Settings()
    c = applied.campaign
    review = applied.review_required
    known = known_roster(applied, now)
    people = known.by_id()
    slots = plan(c, applied.roster, now=now)
    existing = {p.id: p for p in ledger.posts(c.id)}
    changes = PlanChanges()
    new: list[PostRecord] = []
    wanted: set[str] = set()
    for slot in slots:
        wanted.add(slot.id)
        fp, fps, found = _slot_facts(people, slot)
        record = planned_record(applied, slot, fp, settings, fps)
        old = existing.get(slot.id)
        if old is None:
            new.append(record)
            continue
        same = _plan_view(old) == _plan_view(record)
        revivable = old.state == EXPIRED and slot.due > now
        changed = (old.state in PENDING and not same) or revivable
        shown, unmade = None, False
        if not revivable and old.state in _CARDED and old.shown_fp and len(found) == len(slot.people):
            # What the card and caption would show now: a new caption, template file or photo changes
            # it although the slot is the same; a new time alone does not.
            try:
                shown = would_show(applied, slot, found)
            except Exception:  # noqa: BLE001 - a card or caption that cannot be made: re-render it (and fail there, shown)
                unmade = changed = True
            changed = changed or (shown is not None and shown.fp != old.shown_fp)
        if not changed:
            continue
        approved = old.has_approval(review)
        kept = "approval kept" if approved else "card kept"
        if shown is not None and shown.fp == old.shown_fp and ledger.keep_card(
                old, record, approved=approved, at=now, worker=worker,
                detail=f"re-planned, card and caption unchanged ({_minor(old, record)}): {kept}"):
            changes.kept.append(slot.id)
            if approved:
                changes.approvals_kept.append(slot.id)
            continue
        if revivable:
            why, detail = "", "re-planned: back in the plan"
        else:
            why = "; ".join(what_changed(old, slot, found, shown, fp)) or (
                "its card or caption must be made again" if unmade else _minor(old, record))
            detail = f"{WITHDRAWN}{why}" if approved else f"re-planned: {why}"
        if ledger.replan(record, at=now, worker=worker, detail=detail):
            changes.replanned.append(slot.id)
            if approved and not revivable:
                changes.unapproved[slot.id] = why
    for pid, old in existing.items():
        if pid not in wanted and old.state in PENDING:
            approved = old.has_approval(review)
            why = "nobody it would feature is held on its date"
            if ledger.withdraw(pid, at=now, worker=worker,
                               detail=f"withdrawn{', with its approval' if approved else ''}: {why}"):
                changes.withdrawn.append(pid)
                if approved:
                    changes.unapproved[pid] = f"post withdrawn: {why}"
    if new:
        ledger.create_posts(new, at=now, worker=worker)
        changes.added.extend(r.id for r in new)
    return changes


def refresh_plan(ledger: Ledger, applied: Applied, now: datetime, settings: Settings, worker: str = "",
                 force: bool = False) -> PlanChanges | None:
    """Apply the plan if the definition or the known roster changed since the last time (None: nothing to do).

    A short lock keeps two beats from applying the same change twice at once."""
    cid = applied.campaign.id
    sig = plan_signature(applied, now)
    if not force and ledger.campaign_field(cid, "plan_sig") == sig:
        return None
    token = uuid.uuid4().hex
    lock = ledger.key("lock", "plan", cid)
    if not ledger.r.set(lock, token, nx=True, ex=120):
        return None  # another beat is applying it; the next tick checks again
    try:
        changes = apply_plan(ledger, applied, now, settings, worker)
        ledger.set_campaign_field(cid, "plan_sig", sig)
        return changes
    finally:
        if ledger.r.get(lock) == token.encode():
            ledger.r.delete(lock)


def tick(ledger: Ledger, now: datetime, dispatch: Dispatch, settings: Settings | None = None,
         campaigns: Sequence[str] | None = None) -> TickResult:
    """One beat: for every applied campaign, re-plan if needed, then render, queue, reap, reconcile."""
    settings = settings or Settings()
    worker = worker_name()
    result = TickResult()
    for cid in campaigns if campaigns is not None else ledger.campaigns():
        if ledger.campaign_field(cid, "status") == CANCELLED:
            continue
        applied = load_applied(ledger, cid)
        changes = refresh_plan(ledger, applied, now, settings, worker)
        if changes:
            result.changes[cid] = changes
        render = ledger.claim_renders(cid, now, settings.render_lease)
        dispatch.render(render)
        queued, missed = ledger.queue_due(cid, now, applied.max_lateness, resend_after=settings.resend_after,
                                          worker=worker)
        resent = ledger.resend_queued(cid, settings.resend_after)
        dispatch.publish(queued + resent)
        in_doubt = ledger.reap_leases(cid, now)
        doubts = ledger.due_doubts(cid, settings.reconcile_after)
        dispatch.reconcile(doubts)
        result.render += render
        result.queued += queued
        result.resent += resent
        result.missed += missed
        result.in_doubt += in_doubt
        result.reconcile += doubts
    return result


def next_moment(ledger: Ledger, applied: Applied, now: datetime) -> datetime | None:
    """The next campaign time at which a tick would have something to do (for the simulated clock):
    a render time, a due time, a post running out of lateness, or a day with a roster event."""
    cid = applied.campaign.id
    t = now.timestamp()
    candidates: list[float] = []
    for name in ("render", "due"):
        after = ledger.index(cid, name, start=f"({t!r}", limit=1)  # type: ignore[arg-type]
        if after:
            candidates.append(after[0][1])
    waiting = ledger.index(cid, "due", end=t, limit=1)
    if waiting:
        candidates.append(waiting[0][1] + applied.max_lateness + 1)
    tz = applied.campaign.tz
    today = now.astimezone(tz).date()
    for person in applied.roster.people:
        for event in person.events:
            if event.date > today:
                candidates.append(datetime.combine(event.date, datetime.min.time(), tzinfo=tz).timestamp())
    later = [c for c in candidates if c > t]
    return datetime.fromtimestamp(min(later), now.tzinfo) if later else None


__all__ = ["Dispatch", "PlanChanges", "TickResult", "apply_plan", "refresh_plan", "tick", "next_moment",
           "people_fingerprint", "current_fingerprint", "plan_signature", "known_roster", "WITHDRAWN"]
