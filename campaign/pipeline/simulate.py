"""A whole campaign replayed on a simulated clock through the real pipeline (rule 5).

The driver plays the beat: it sets the shared simulated time, ticks, waits until the workers have
finished what the tick handed out (watching the ledger, not the broker), and jumps to the next
moment something happens: a render time, a due time, a day a roster event becomes known, or a
post running out of lateness. Roster events become known only when their day comes, so a
release on 12 November 2021 re-plans or withdraws the later posts as the campaign unfolds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..clock import SimulatedClock
from ..definition import Campaign
from ..ledger import Ledger
from ..ledger.states import AWAITING_REVIEW, IN_DOUBT, PUBLISHING, QUEUED
from .actions import approve
from .applied import Applied
from .settings import Settings
from .tick import Dispatch, next_moment, tick


class SimulationStuck(RuntimeError):
    """The workers did not finish a step in time (a worker is down, or a task keeps failing)."""


@dataclass
class SimulationResult:
    """How the replay went."""

    campaign: str
    steps: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    last: datetime | None = None


def simulation_window(applied: Applied, until: datetime | None = None) -> tuple[datetime, datetime]:
    """From midnight before the first render to the end of the campaign plus max_lateness (or ``until``)."""
    return campaign_window(applied.campaign, until)


def campaign_window(c: Campaign, until: datetime | None = None) -> tuple[datetime, datetime]:
    """``simulation_window`` of a campaign not applied yet (the simulator applies it at the window's start)."""
    lead = c.review.window if c.review and c.review.required else timedelta(days=1)
    start = datetime.combine(c.start, datetime.min.time(), tzinfo=c.tz) - lead - timedelta(days=1)
    end = datetime.combine(c.end, datetime.max.time(), tzinfo=c.tz) + c.max_lateness
    return start, min(end, until) if until else end


def wait_for(ledger: Ledger, cid: str, render: Sequence[str], publish: Sequence[str], timeout: float,
             reconcile: Sequence[str] = (), waiting_is_done: bool = False) -> None:
    """Block until every handed-out render claim is released, every sent post has left queued/publishing
    and every in-doubt post handed out for a look-up has been looked up.

    With ``waiting_is_done`` a post sent back to queued to wait (a rate-limit reset, a retry's backoff:
    its ``waiting_until`` is still ahead) counts as finished for now."""
    deadline, since = time.monotonic() + timeout, time.time()
    rendering_key, doubt_key = ledger.key("rendering", cid), ledger.key("doubt", cid)

    def render_done(ids: list[str]) -> list[bool]:
        pipe = ledger.r.pipeline(transaction=False)
        for pid in ids:
            pipe.zscore(rendering_key, pid)
        return [score is None for score in pipe.execute()]

    def publish_done(ids: list[str]) -> list[bool]:
        if not waiting_is_done:
            return [s not in (QUEUED, PUBLISHING) for s in ledger.states(ids).values()]
        wall = time.time()
        return [state not in (QUEUED, PUBLISHING) or (state == QUEUED and (until or 0) > wall)
                for state, until in ledger.post_values(ids, "state", "waiting_until")]

    def lookup_done(ids: list[str]) -> list[bool]:
        pipe = ledger.r.pipeline(transaction=False)
        for pid in ids:
            pipe.zscore(doubt_key, pid)
        return [state != IN_DOUBT or score is None or (looked_up or 0) >= since
                for (state, looked_up), score in zip(ledger.post_values(ids, "state", "looked_up"), pipe.execute())]

    # Workers finish roughly in the order work was sent, so only a small window at the front of
    # each list is polled: waiting costs the same with 10 or 1,000 posts in a step.
    pending = [(list(render), render_done), (list(publish), publish_done), (list(reconcile), lookup_done)]
    delay = 0.001
    while True:
        for ids, done in pending:
            while ids:
                window = ids[:16]
                finished = done(window)
                ids[:16] = [pid for pid, ok in zip(window, finished) if not ok]
                if not all(finished):
                    break
        if not any(ids for ids, _ in pending):
            return
        if time.monotonic() > deadline:
            raise SimulationStuck(f"workers did not finish within {timeout:.0f}s: still rendering "
                                  f"{pending[0][0][:3]}, still publishing {pending[1][0][:3]}, "
                                  f"still looking up {pending[2][0][:3]}")
        time.sleep(delay)
        delay = min(delay * 2, 0.01)


def run_simulation(ledger: Ledger, applied: Applied, dispatch: Dispatch, *, start: datetime, until: datetime,
                   settings: Settings | None = None, auto_approve: bool = True, step_timeout: float = 120.0,
                   progress: Callable[[datetime], None] | None = None,
                   stop: Callable[[datetime], bool] | None = None, hold_for_waits: float = 0.0) -> SimulationResult:
    """Replay ``applied`` from ``start`` to ``until``; the workers behind ``dispatch`` do the work.

    ``auto_approve`` plays the organiser approving each card as soon as it awaits review.
    ``stop(now)`` may end the replay early (tests use it to inject faults mid-campaign).
    ``hold_for_waits``: with real platforms (no ``force_outbox``) a post may be sent back to wait for
    its account's rate-limit reset or a retry's backoff, in wall-clock seconds. The simulated clock
    then stands still at that moment, up to this many wall seconds per moment, while the driver
    keeps ticking as the beat would; 0 (the default) never holds, as before."""
    settings = settings or Settings()
    cid = applied.campaign.id
    clock = SimulatedClock(ledger)
    result = SimulationResult(cid)
    began = time.monotonic()
    now: datetime | None = start
    while now is not None and now <= until:
        if stop and stop(now):
            break
        clock.set(now)
        held = 0.0
        while True:
            # Tick until a tick hands out nothing: a post rendered (or approved, or found absent by a
            # look-up) just now may already be due at this same moment.
            for _ in range(8):
                handed = tick(ledger, now, dispatch, settings, campaigns=[cid])
                wait_for(ledger, cid, handed.render, handed.publish, step_timeout, handed.reconcile,
                         waiting_is_done=hold_for_waits > 0)
                if auto_approve and handed.render:
                    for pid, state in ledger.states(handed.render).items():
                        if state == AWAITING_REVIEW:
                            approve(ledger, cid, now, post_id=pid)
                if not (handed.render or handed.publish or handed.reconcile):
                    break
            if hold_for_waits <= 0:
                break
            waiting = ledger.index(cid, "queued", limit=1)  # by when each may be sent again
            if not waiting:
                break
            pause = max(0.0, waiting[0][1] - time.time()) + 0.01
            if held + pause > hold_for_waits:
                break  # too long to hold the clock: the posts stay queued and the claim decides later
            time.sleep(pause)
            held += pause
        result.steps += 1
        result.last = now
        if progress:
            progress(now)
        now = next_moment(ledger, applied, now)
    result.seconds = time.monotonic() - began
    result.counts = {k: v for k, v in ledger.counts(cid).items() if "/" not in k}
    return result
