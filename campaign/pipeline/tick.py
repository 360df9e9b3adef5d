"""The beat's job: apply the plan to the ledger (:mod:`.replan`), hand out renders, queue due posts, reap leases.

``tick(ledger, now, dispatch)`` only moves posts between states in Redis and then sends short
tasks; it never renders or publishes itself. Every move is an atomic script that checks the state
it leaves, so two beats at once, a restarted beat or a replayed tick change nothing twice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ..ledger import Ledger, UnknownCampaign, worker_name
from ..ledger.states import CANCELLED
from ..ledger.wake import Row
from .applied import Applied, load_applied_all
from .replan import (WITHDRAWN, PlanChanges, apply_plan, current_fingerprint, known_roster, people_fingerprint,
                     plan_signature, refresh_plan, signature_window)
from .settings import Settings


class Dispatch(Protocol):
    """Where the tick sends work: Celery tasks in production, direct calls in unit tests."""

    def render(self, post_ids: Sequence[str]) -> None: ...

    def publish(self, post_ids: Sequence[str]) -> None: ...

    def reconcile(self, post_ids: Sequence[str]) -> None: ...


class NoDispatch:
    """Hands nothing out: the caller plays the workers (tests), or times the tick's own work (benchmarks)."""

    def render(self, post_ids: Sequence[str]) -> None:
        pass

    def publish(self, post_ids: Sequence[str]) -> None:
        pass

    def reconcile(self, post_ids: Sequence[str]) -> None:
        pass


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


def tick(ledger: Ledger, now: datetime, dispatch: Dispatch, settings: Settings | None = None,
         campaigns: Sequence[str] | None = None, *, set_clock: bool = False) -> TickResult:
    """One beat: for every campaign that may have work (``campaigns``: these ones, whatever their wake
    score), re-plan if needed, then render, queue, reap, reconcile. ``set_clock``: a replay's tick, which
    first sets the simulated clock to ``now`` (in its first round trip, when ``campaigns`` are given).

    It looks only at the campaigns the wake index (``campaign.ledger.wake``) says may have something
    to do now, read with their status, definition hash and plan signature in one round trip: a tick
    with nothing due makes that one, however many campaigns there are. For the campaigns awake, one
    round trip claims every campaign's renders, one queues and resends, one reaps leases, hands out
    look-ups and works out when each campaign must be looked at again (a re-plan adds its own, and
    the definitions not yet built in this process one more). Work is handed out after each step."""
    settings = settings or Settings()
    worker = worker_name()
    result = TickResult()
    rows: list[Row]
    if campaigns is None:
        if set_clock:
            ledger.set_simulated_time(now.timestamp())
        rows = ledger.awake(now)
    else:
        cids = list(campaigns)
        rows = [(cid, status, def_hash, sig) for cid, (status, def_hash, sig)
                in zip(cids, ledger.campaign_fields(cids, "status", "def_hash", "plan_sig",
                                                    clock=now.timestamp() if set_clock else None))]
    active = [(cid, def_hash, sig) for cid, status, def_hash, sig in rows if status != CANCELLED]
    for cid, def_hash, _ in active:
        if def_hash is None:
            raise UnknownCampaign(cid)
    live = load_applied_all(ledger, [(cid, def_hash) for cid, def_hash, _ in active])  # type: ignore[misc]
    wakes = [ledger.wake_call(cid, None, None, -math.inf, math.inf, 0.0) for cid, status, *_ in rows
             if status == CANCELLED]
    for applied, (cid, _, sig) in zip(live, active):
        current = plan_signature(applied, now)
        if sig != current:
            changes = refresh_plan(ledger, applied, now, settings, worker)
            if changes:
                result.changes[cid] = changes
        wakes.append(ledger.wake_call(cid, applied.def_hash, current, *signature_window(applied, now),
                                      applied.max_lateness))
    ids = [a.campaign.id for a in live]
    result.render = [pid for claimed in ledger.claim_renders_for(ids, now, settings.render_lease) for pid in claimed]
    dispatch.render(result.render)
    for queued, missed, resent in ledger.queue_and_resend_for([(a.campaign.id, a.max_lateness) for a in live], now,
                                                              resend_after=settings.resend_after, worker=worker):
        result.queued += queued
        result.missed += missed
        result.resent += resent
    dispatch.publish(result.publish)
    for in_doubt, doubts in ledger.reap_and_doubts_for(ids, now, settings.reconcile_after, wakes):
        result.in_doubt += in_doubt
        result.reconcile += doubts
    dispatch.reconcile(result.reconcile)
    return result


def next_moment(ledger: Ledger, applied: Applied, now: datetime) -> datetime | None:
    """The next campaign time at which a tick would have something to do (for the simulated clock):
    a render time, a due time, a post running out of lateness, or a day with a roster event."""
    cid = applied.campaign.id
    t = now.timestamp()
    render, due, waiting = ledger.first_of(cid, [("render", f"({t!r}", "+inf"), ("due", f"({t!r}", "+inf"),
                                                 ("due", "-inf", t)])  # one round trip
    candidates = [first[1] for first in (render, due) if first]
    if waiting:
        candidates.append(waiting[1] + applied.max_lateness + 1)
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
