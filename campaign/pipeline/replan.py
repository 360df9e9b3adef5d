"""Re-planning: make the ledger match the plan as known at ``now``, at a cost that follows what changed.

``refresh_plan`` runs when the plan signature changed (a new definition, or a roster event newly
known); ``apply_plan`` then computes the whole plan (pure: :func:`campaign.plan.plan`) and compares
it with the ledger. Three things keep that cheap as the ledger grows:

* each post carries ``plan_view``, a hash of what re-planning compares (its slot and its people's
  facts), so an unchanged post costs two short fields read by one script for thousands of posts
  (``Ledger.plan_views``), never a read of the whole post; only posts that may change (a plan view
  that differs, a card that may now show something else, a withdrawn slot that is back) are read whole;
* facts are worked out once per person and day (:class:`SlotFacts`), not once per post;
* the moves (``Ledger.replan_all``, ``withdraw_all``, ``create_posts``) are sent a thousand at a time,
  each still one atomic script that checks the state it leaves.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from ..cache import memo
from ..ledger import Ledger, PostRecord
from ..ledger.record import plan_view
from ..ledger.states import APPROVED, AWAITING_REVIEW, EXPIRED, PENDING, QUEUED, RENDERED
from ..plan import Slot, plan
from ..roster import Facts, Person, Roster, facts
from .applied import Applied
from .settings import Settings
from .shown import changes as what_changed
from .shown import would_show


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


@memo(256, key=_by_day)
def signature_window(applied: Applied, now: datetime) -> tuple[float, float]:
    """From and until when (epoch seconds, -inf/+inf: unbounded) ``plan_signature`` stays what it is at
    ``now``: the known roster changes only on a day that has an event, at the start of that local day
    (every event date counts, which may wake a tick for nothing, never too late)."""
    today = local_day(applied, now)
    dates = {event.date for person in applied.roster.people for event in person.events}
    before = max((d for d in dates if d <= today), default=None)
    after = min((d for d in dates if d > today), default=None)
    tz = applied.campaign.tz

    def start(day: date | None, unbounded: float) -> float:
        return unbounded if day is None else datetime.combine(day, time.min, tzinfo=tz).timestamp()

    return start(before, -math.inf), start(after, math.inf)


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


class SlotFacts:
    """The facts of a slot's people, worked out once per person and day within one re-plan (every
    account's slot of a day features the same people's facts)."""

    def __init__(self, people: dict[str, Person]):
        self.people = people
        self._person: dict[tuple[str, date], tuple[Facts, str]] = {}
        self._slot: dict[tuple[tuple[str, ...], date], tuple[str, dict[str, str], tuple[Facts, ...]]] = {}

    def of(self, slot: Slot) -> tuple[str, dict[str, str], tuple[Facts, ...]]:
        """The plan fingerprint, the per-person fingerprints and the facts of a slot's people."""
        key = (slot.people, slot.date)
        known = self._slot.get(key)
        if known is None:
            found = [self._facts(pid, slot.date) for pid in slot.people if pid in self.people]
            fps = {f.person.id: fp for f, fp in found}
            fp = _fingerprint((pid, fps.get(pid, "gone")) for pid in slot.people)
            known = self._slot[key] = (fp, fps, tuple(f for f, _ in found))
        return known

    def _facts(self, pid: str, day: date) -> tuple[Facts, str]:
        known = self._person.get((pid, day))
        if known is None:
            f = facts(self.people[pid], day)
            known = self._person[pid, day] = (f, f.fingerprint())
        return known


def _plan_view(post: PostRecord) -> tuple[object, ...]:
    """What of a post's slot and plan, when changed, re-plans it (if pending); ``plan_view`` hashes the same."""
    s = post.slot
    return s.people, s.kind, s.template, s.variant, post.plan_fp, post.due, s.week, s.account


def _may_change(state: str, view: str | None, slot: Slot, fp: str, now: datetime) -> bool:
    """Whether a post as stored (its state and plan view) may be changed by its slot: a pending post
    whose plan view differs (or was never stored), a post with a card (what it shows may differ
    although its slot does not), a withdrawn post whose slot is back and still ahead. Any other
    post is left as it is without being read."""
    if state in _CARDED or (state == EXPIRED and slot.due > now):
        return True
    return state in PENDING and view != plan_view(slot, fp)


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
    slot_facts = SlotFacts(known_roster(applied, now).by_id())
    stored = ledger.plan_views(c.id)
    changes = PlanChanges()
    new: list[PostRecord] = []
    maybe: list[Slot] = []
    wanted: set[str] = set()
    for slot in plan(c, applied.roster, now=now):
        wanted.add(slot.id)
        fp, fps, _ = slot_facts.of(slot)
        state, view = stored.get(slot.id, (None, None))
        if state is None:
            new.append(planned_record(applied, slot, fp, settings, fps))
        elif _may_change(state, view, slot, fp, now):
            maybe.append(slot)
    replans: list[tuple[PostRecord, str, str | None]] = []  # record, audit detail, approval withdrawn because
    olds = {p.id: p for p in ledger.posts(c.id, [s.id for s in maybe])}
    for slot in maybe:
        old = olds.get(slot.id)
        if old is None:
            continue
        fp, fps, found = slot_facts.of(slot)
        record = planned_record(applied, slot, fp, settings, fps)
        revivable = old.state == EXPIRED and slot.due > now
        changed = (old.state in PENDING and _plan_view(old) != _plan_view(record)) or revivable
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
            why = "; ".join(what_changed(old, slot, found, shown, fp, fps)) or (
                "its card or caption must be made again" if unmade else _minor(old, record))
            detail = f"{WITHDRAWN}{why}" if approved else f"re-planned: {why}"
        replans.append((record, detail, why if approved and not revivable else None))
    moved = ledger.replan_all(((record, detail) for record, detail, _ in replans), at=now, worker=worker)
    for (record, _, unapproved), ok in zip(replans, moved):
        if ok:
            changes.replanned.append(record.id)
            if unapproved is not None:
                changes.unapproved[record.id] = unapproved
    _withdraw(ledger, c.id, [pid for pid, (state, _) in stored.items() if pid not in wanted and state in PENDING],
              review, now, worker, changes)
    if new:
        ledger.create_posts(new, at=now, worker=worker)
        changes.added.extend(r.id for r in new)
    return changes


def _withdraw(ledger: Ledger, cid: str, ids: list[str], review: bool, now: datetime, worker: str,
              changes: PlanChanges) -> None:
    """Withdraw the pending posts ``ids``, whose slots left the plan (read whole: whose approval goes too)."""
    why = "nobody it would feature is held on its date"
    olds = [p for p in ledger.posts(cid, ids) if p.state in PENDING]
    approved = [old.has_approval(review) for old in olds]
    moved = ledger.withdraw_all(((old.id, f"withdrawn{', with its approval' if ok else ''}: {why}")
                                 for old, ok in zip(olds, approved)), at=now, worker=worker)
    for old, was_approved, ok in zip(olds, approved, moved):
        if ok:
            changes.withdrawn.append(old.id)
            if was_approved:
                changes.unapproved[old.id] = f"post withdrawn: {why}"


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


__all__ = ["PlanChanges", "SlotFacts", "WITHDRAWN", "apply_plan", "current_fingerprint", "known_roster",
           "people_fingerprint", "plan_signature", "refresh_plan", "render_at", "signature_window"]
