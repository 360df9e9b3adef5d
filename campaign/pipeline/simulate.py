"""A whole campaign replayed on a simulated clock through the real pipeline (rule 5).

The driver plays the beat: it sets the shared simulated time, ticks, waits until the workers have
finished what the tick handed out (reading the ledger each time a worker says it finished a task:
:class:`Finished`, never a sleep), and jumps to the next
moment something happens: a render time, a due time, a day a roster event becomes known, or a
post running out of lateness. Roster events become known only when their day comes, so a
release on 12 November 2021 re-plans or withdraws the later posts as the campaign unfolds.

An :class:`Outage` (a rehearsal's ``missed`` fault) plays a worker that is down for some posts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..clock import SimulatedClock
from ..definition import Campaign
from ..ledger import Ledger
from ..ledger.states import APPROVED, AWAITING_REVIEW, IN_DOUBT, POSTED, PUBLISHING, QUEUED, RENDERED
from .actions import approve
from .ahead import Ahead, cards_ahead
from .applied import Applied
from .settings import Settings
from .tick import Dispatch, TickResult, next_moment, tick


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


class Outage:
    """The worker that would publish some posts is down: each one's publish task waits here, as in
    the queue of a worker that is not running, until the campaign time it is ``back`` (epoch seconds;
    the rehearsal gives the post's time plus max_lateness, and a second), and is delivered then. The
    claim decides what happens to it, as in production: past its time plus max_lateness, missed.
    ``on_hold(post_id)`` is called when a post's task is first held back."""

    def __init__(self, back: Mapping[str, float], on_hold: Callable[[str], None] | None = None):
        self.back, self.on_hold = dict(back), on_hold
        self.held: set[str] = set()
        self.inner: Dispatch | None = None

    def around(self, dispatch: Dispatch) -> Outage:
        """This outage in front of ``dispatch`` (it is itself the Dispatch the tick is given)."""
        self.inner = dispatch
        return self

    def _to(self) -> Dispatch:
        if self.inner is None:
            raise RuntimeError("Outage.around(dispatch) first")
        return self.inner

    def render(self, post_ids: Sequence[str]) -> None:
        self._to().render(post_ids)

    def reconcile(self, post_ids: Sequence[str]) -> None:
        self._to().reconcile(post_ids)

    def publish(self, post_ids: Sequence[str]) -> None:
        for pid in post_ids:
            if pid in self.back and pid not in self.held:
                self.held.add(pid)
                if self.on_hold:
                    self.on_hold(pid)
        self._to().publish(self.sent(post_ids))

    def sent(self, post_ids: Iterable[str]) -> list[str]:
        """Those of ``post_ids`` that went to a worker (not held back)."""
        return [pid for pid in post_ids if pid not in self.held]

    def deliver(self, now: datetime) -> list[str]:
        """Send the held tasks whose worker is back at ``now``; returns their post ids."""
        ready = sorted(pid for pid in self.held if self.back[pid] <= now.timestamp())
        for pid in ready:
            self.held.discard(pid)
            del self.back[pid]
        if ready:
            self._to().publish(ready)
        return ready

    def next_back(self, now: datetime) -> float | None:
        """The next campaign time after ``now`` at which a held task is delivered."""
        later = [self.back[pid] for pid in self.held if self.back[pid] > now.timestamp()]
        return min(later) if later else None


def simulation_window(applied: Applied, until: datetime | None = None) -> tuple[datetime, datetime]:
    """From midnight before the first render to the end of the campaign plus max_lateness (or ``until``)."""
    return campaign_window(applied.campaign, until)


def campaign_window(c: Campaign, until: datetime | None = None) -> tuple[datetime, datetime]:
    """``simulation_window`` of a campaign not applied yet (the simulator applies it at the window's start)."""
    lead = c.review.window if c.review and c.review.required else timedelta(days=1)
    start = datetime.combine(c.start, datetime.min.time(), tzinfo=c.tz) - lead - timedelta(days=1)
    end = datetime.combine(c.end, datetime.max.time(), tzinfo=c.tz) + c.max_lateness
    return start, min(end, until) if until else end


#: The ledger's channel on which a worker says it finished a task (the post id is the message).
DONE_CHANNEL = "done"
#: Longest a wait blocks without news before it reads the ledger again anyway (a state changed by
#: something other than a task, e.g. a worker of an older version that says nothing).
RECHECK_SECONDS = 1.0


def task_done(ledger: Ledger, post_id: str) -> None:
    """Say that a task about ``post_id`` finished (the workers call it after every render, publish and
    look-up): a replay waiting on the workers reads the ledger again at once. Nobody listening
    outside a replay, it costs one message."""
    ledger.r.publish(ledger.key(DONE_CHANNEL), post_id)


class Finished:
    """What a replay waits on: the workers' :func:`task_done` messages, heard from the moment this
    is made (Redis pub/sub on the ledger), so no task that finishes after it can be missed."""

    def __init__(self, ledger: Ledger, timeout: float = 10.0):
        self.pubsub = ledger.r.pubsub()
        self.pubsub.subscribe(ledger.key(DONE_CHANNEL))
        deadline = time.monotonic() + timeout
        while True:  # subscribed once Redis says so: from then on every message reaches us
            message = self.pubsub.get_message(timeout=max(0.0, deadline - time.monotonic()))
            if message is not None and message["type"] == "subscribe":
                return
            if time.monotonic() > deadline:
                raise SimulationStuck(f"Redis did not confirm the subscription within {timeout:.0f}s")

    def wait(self, timeout: float) -> set[str]:
        """Block until a worker finishes a task, or ``timeout`` seconds pass; returns the post ids of
        every task heard of by then (one look at the ledger covers them all)."""
        heard: set[str] = set()
        message = self.pubsub.get_message(timeout=timeout)
        while message is not None:
            if message["type"] == "message":
                data = message["data"]
                heard.add(data.decode() if isinstance(data, bytes) else str(data))
            message = self.pubsub.get_message(timeout=0.0)
        return heard

    def close(self) -> None:
        self.pubsub.close()


def warm_cards(applied: Applied, start: datetime, until: datetime, send: Callable[[Sequence[Ahead]], None],
               settings: Settings | None = None) -> int:
    """Before a replay from ``start`` to ``until`` (as soon as its workers start, even before they are
    ready): hand every card it will draw (:func:`cards_ahead`), in the order it will draw them, to ``send``
    (the workers' ``prerender``, which draws it into the card cache); returns how many. The workers draw as
    many at once as they have processes, while the replay renders one moment after another on the same
    workers, which take every task of the replay before the warm-up's: its renders find their cards
    drawn, or draw their own the same way (``campaign.pipeline.ahead`` says why what goes out cannot
    differ). Nobody waits for the warm-up."""
    jobs = cards_ahead(applied, start, until, settings)
    send(jobs)
    return len(jobs)


def wait_for(ledger: Ledger, cid: str, render: Sequence[str], publish: Sequence[str], timeout: float,
             reconcile: Sequence[str] = (), waiting_is_done: bool = False, finished: Finished | None = None) -> None:
    """Block until every handed-out render claim is released, every sent post has left queued/publishing
    and every in-doubt post handed out for a look-up has been looked up.

    The ledger is read again each time a worker finishes a task (``finished``: a replay's own, heard
    since before the work was handed out; else one made here, which hears what finishes from now).
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
    # each list is read: waiting costs the same with 10 or 1,000 posts in a step.
    pending = [(list(render), render_done), (list(publish), publish_done), (list(reconcile), lookup_done)]
    if not any(ids for ids, _ in pending):
        return
    heard = finished or Finished(ledger)
    try:
        while True:
            for ids, done in pending:
                while ids:
                    window = ids[:16]
                    ok = done(window)
                    ids[:16] = [pid for pid, yes in zip(window, ok) if not yes]
                    if not all(ok):
                        break
            if not any(ids for ids, _ in pending):
                return
            left = deadline - time.monotonic()
            if left <= 0:
                raise SimulationStuck(f"workers did not finish within {timeout:.0f}s: still rendering "
                                      f"{pending[0][0][:3]}, still publishing {pending[1][0][:3]}, "
                                      f"still looking up {pending[2][0][:3]}")
            heard.wait(min(left, RECHECK_SECONDS))
    finally:
        if finished is None:
            heard.close()


Row = tuple[str | None, float | None, str | None]


def _rows(ledger: Ledger, post_ids: Sequence[str]) -> list[Row]:
    """The state, due time and card of each post, in one round trip."""
    pipe = ledger.r.pipeline(transaction=False)
    for pid in post_ids:
        pipe.hmget(ledger.post_key(pid), "state", "due", "card")
    return [(state.decode() if state else None, float(due) if due else None, card.decode() if card else None)
            for state, due, card in pipe.execute()]


def _settled(handed: TickResult, rows: Sequence[Row], now: datetime) -> bool:
    """Whether what a tick handed out at ``now`` left nothing more for this same moment: every render
    drew the card of a post not due yet and every publish posted (``rows``: the state and due time of
    each post rendered, then of each published, once the workers were done). Anything else (a stale
    render, which re-plans; a card due now; a retry; a look-up) and the driver ticks again, as the beat would."""
    if handed.reconcile:
        return False
    drawn, sent = rows[:len(handed.render)], rows[len(handed.render):]
    return (all(state in (RENDERED, AWAITING_REVIEW, APPROVED) and due is not None and due > now.timestamp()
                for state, due, _ in drawn)
            and all(state == POSTED for state, _, _ in sent))


def run_simulation(ledger: Ledger, applied: Applied, dispatch: Dispatch, *, start: datetime, until: datetime,
                   settings: Settings | None = None, auto_approve: bool = True, step_timeout: float = 120.0,
                   progress: Callable[[datetime], None] | None = None,
                   stop: Callable[[datetime], bool] | None = None, hold_for_waits: float = 0.0,
                   outage: Outage | None = None, after: Callable[[datetime], object] | None = None,
                   drawn: Callable[[list[str]], object] | None = None) -> SimulationResult:
    """Replay ``applied`` from ``start`` to ``until``; the workers behind ``dispatch`` do the work.

    ``auto_approve`` plays the organiser approving each card as soon as it awaits review.
    ``stop(now)`` may end the replay early (tests use it to inject faults mid-campaign).
    ``hold_for_waits``: with real platforms (no ``force_outbox``) a post may be sent back to wait for
    its account's rate-limit reset or a retry's backoff, in wall-clock seconds. The simulated clock
    then stands still at that moment, up to this many wall seconds per moment, while the driver
    keeps ticking as the beat would; 0 (the default) never holds, as before.
    ``outage``: posts whose worker is down (their publish tasks are held back until it is back).
    ``after(now)`` runs once each moment's work is done (the replay's alerts: ``rehearsal_alerts``);
    ``drawn(cards)`` once each tick's renders are done, with the cards (blob digests) of the posts rendered
    (the report's thumbnails: ``report.Thumbnails``).
    Cards are drawn at their render time unless the workers were handed the warm-up (:func:`warm_cards`)."""
    settings = settings or Settings()
    cid = applied.campaign.id
    clock = SimulatedClock(ledger)
    result = SimulationResult(cid)
    began = time.monotonic()
    down: set[str] = set()
    if outage is not None:
        dispatch, down = outage.around(dispatch), outage.held
    # Hears every task that finishes from here on (closed at the end; on an error, when collected).
    finished = Finished(ledger)
    now: datetime | None = start
    while now is not None and now <= until:
        if stop and stop(now):
            break
        if outage is not None:  # else each tick sets the clock in its first round trip
            clock.set(now)
            wait_for(ledger, cid, (), outage.deliver(now), step_timeout, finished=finished)
        held = 0.0
        while True:
            # Tick until a tick hands out nothing: a post rendered (or approved, or found absent by a
            # look-up) just now may already be due at this same moment. Work that settled (cards of
            # posts due later, posts posted) needs no further tick (_settled).
            for _ in range(8):
                handed = tick(ledger, now, dispatch, settings, campaigns=[cid], set_clock=True)
                wait_for(ledger, cid, handed.render, [p for p in handed.publish if p not in down], step_timeout,
                         handed.reconcile, waiting_is_done=hold_for_waits > 0, finished=finished)
                if not (handed.render or handed.publish or handed.reconcile):
                    break
                rows = _rows(ledger, [*handed.render, *handed.publish])  # read once, for both below
                if auto_approve:
                    for pid, (state, _, _) in zip(handed.render, rows):
                        if state == AWAITING_REVIEW:
                            approve(ledger, cid, now, post_id=pid)  # approved: still drawn for _settled
                if drawn:
                    drawn([card for _, _, card in rows[:len(handed.render)] if card])
                if _settled(handed, rows, now):
                    break
            if hold_for_waits <= 0:
                break
            # by when each may be sent again (a post whose worker is down waits for it, not for a time)
            waiting = [w for w in ledger.index(cid, "queued", limit=1 + len(down)) if w[0] not in down][:1]
            if not waiting:
                break
            pause = max(0.0, waiting[0][1] - time.time()) + 0.01
            if held + pause > hold_for_waits:
                break  # too long to hold the clock: the posts stay queued and the claim decides later
            time.sleep(pause)
            held += pause
        result.steps += 1
        result.last = now
        if after:
            after(now)
        if progress:
            progress(now)
        moments = [next_moment(ledger, applied, now)]
        if outage is not None:
            back = outage.next_back(now)
            moments.append(datetime.fromtimestamp(back, now.tzinfo) if back is not None else None)
        now = min((m for m in moments if m is not None), default=None)
    finished.close()
    result.seconds = time.monotonic() - began
    result.counts = {k: v for k, v in ledger.counts(cid).items() if "/" not in k}
    return result
