"""The Celery tasks: thin, each a few lines over ``campaign.pipeline``.

``tick`` and ``render`` are idempotent (atomic moves that check the state they leave) and so
acknowledge late; ``publish`` acknowledges early: a worker that dies mid-post leaves the post in
``publishing`` under a lease, which the reaper turns into ``in_doubt`` rather than re-running it.
``alerts`` runs in the alerts worker; the tick sends it, one at a time, once its own work is handed out.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import redis

from celery import signals

from campaign import pipeline
from campaign.pipeline import alerting
from campaign.pipeline.simulate import task_done
from campaign.clock import now_for
from campaign.ledger import Ledger

from .app import app

log = logging.getLogger(__name__)
#: How long the tick waits for a sent alerts task to start before it sends another (seconds).
ALERTS_TURN_SECONDS = 300.0


@functools.lru_cache(maxsize=1)
def ledger() -> Ledger:
    """This process's ledger, on ``$REDIS_URL`` with ``$CAMPAIGN_KEY_PREFIX``."""
    return Ledger.from_url(os.environ["REDIS_URL"])


@functools.lru_cache(maxsize=1)
def settings() -> pipeline.Settings:
    return pipeline.Settings()


def _now(now: str | None = None) -> datetime:
    return datetime.fromisoformat(now) if now else now_for(ledger())


#: Redis refusing writes (``maxmemory`` with ``noeviction``) or gone for a moment: a task that meets one
#: leaves its post where the ledger has it (a claim's lease runs out, a queued post is sent again) and
#: returns; the worker lives on, and the tick picks the post up again once Redis has room.
REDIS_REFUSED = (redis.OutOfMemoryError, redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError,
                 redis.ReadOnlyError)


def riding_out(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run a task body; Redis refusing writes is logged (one line) and the task ends ``redis_refused``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except REDIS_REFUSED as exc:
            log.warning("%s%r: Redis refused (%s: %s); left where the ledger has it, picked up again later",
                        func.__name__, args, type(exc).__name__, exc)
            return "redis_refused"

    return wrapper


class CeleryDispatch:
    """Hands the tick's work to the workers as short tasks on their queues (no ETA, no countdown).

    ``say_done``: each task says on the ledger when it is done (``campaign.pipeline.simulate.task_done``),
    for a replay waiting on the workers (``Finished``); without it (the beat's tick) nobody listens, and no
    task pays the extra round trip."""

    def __init__(self, say_done: bool = False):
        self.say_done = say_done

    def _send(self, task, args: Sequence[tuple[str, ...]], say_done: bool | None = None) -> None:  # type: ignore[no-untyped-def]
        if not args:
            return
        kwargs = {"say_done": True} if (self.say_done if say_done is None else say_done) else None
        with app.producer_or_acquire() as producer:  # one producer for the whole batch
            for one in args:
                task.apply_async(one, kwargs, producer=producer)

    def render(self, post_ids: Sequence[str]) -> None:
        self._send(render, [(pid,) for pid in post_ids])

    def publish(self, post_ids: Sequence[str]) -> None:
        self._send(publish, [(pid,) for pid in post_ids])

    def reconcile(self, post_ids: Sequence[str]) -> None:
        self._send(reconcile, [(pid,) for pid in post_ids])

    def prerender(self, jobs: Sequence[pipeline.Ahead]) -> None:
        """A replay's warm-up (``campaign.pipeline.simulate.warm_cards``): cards drawn ahead, on every process,
        on a queue of its own that a replay's workers take last (nobody waits for them: never said done)."""
        self._send(prerender, [(job.slot, job.at.isoformat()) for job in jobs], say_done=False)  # nobody waits


@app.task(acks_late=True, ignore_result=True)
@riding_out
def tick(now: str | None = None) -> dict[str, int]:
    """Apply plans, hand out renders, queue due posts, reap expired leases (the beat's job)."""
    result = pipeline.tick(ledger(), _now(now), CeleryDispatch(), settings())
    _hand_out_alerts()
    return {"render": len(result.render), "publish": len(result.publish), "missed": len(result.missed)}


def _hand_out_alerts() -> None:
    """After the tick's own work: send the alerts task to its queue, when a campaign has alert
    channels and none is on its way. Nothing here may fail the tick."""
    try:
        if alerting.wants_alerts(ledger()) and ledger().claim_alerts_turn(ALERTS_TURN_SECONDS):
            alerts.apply_async(expires=ALERTS_TURN_SECONDS)
    except Exception:  # noqa: BLE001 - alerts are told later; posts go out now
        log.exception("could not hand out the alerts task")


@app.task(acks_late=True, ignore_result=True)
@riding_out
def alerts() -> dict[str, int]:
    """Note new incidents and send what is due to every campaign's alert channels."""
    ledger().release_alerts_turn()
    runs = alerting.send_alerts(ledger(), _now())
    return {"sent": sum(r.sent for r in runs.values()), "failed": sum(r.failed for r in runs.values())}


@app.task(acks_late=True, ignore_result=True)
@riding_out
def render(post_id: str, say_done: bool = False) -> str:
    """Render one planned post's card and caption (``say_done``: see ``_say_done``)."""
    return pipeline.render_post(ledger(), post_id, None, settings())  # now: read with the post


@app.task(acks_late=True, ignore_result=True)
def prerender(slot_id: str, at: str) -> str:
    """Draw the card of a slot of the plan as known at ``at`` into the card cache (a replay's warm-up:
    ``campaign.pipeline.ahead``); nothing else changes."""
    return pipeline.prerender_slot(ledger(), slot_id, datetime.fromisoformat(at), settings())


@app.task(acks_late=False, ignore_result=True)
@riding_out
def publish(post_id: str, say_done: bool = False) -> str:
    """Claim, re-check, post and record one queued post."""
    return pipeline.publish_post(ledger(), post_id, None, settings())  # now: read with the post


@app.task(acks_late=True, ignore_result=True)
@riding_out
def reconcile(post_id: str, say_done: bool = False) -> str:
    """Look an in-doubt post up on its platform."""
    return pipeline.reconcile_post(ledger(), post_id, _now(), settings())


_TOLD = {"workers.tasks.render", "workers.tasks.publish", "workers.tasks.reconcile"}  # a prerender is never waited on


@signals.task_postrun.connect
def _say_done(sender: object = None, args: Sequence[object] | None = None, kwargs: dict[str, object] | None = None,
              **_: object) -> None:
    """After a render, publish or look-up (done, refused or failed) sent with ``say_done`` (by a replay's
    ``CeleryDispatch(say_done=True)``): say so on the ledger, so the replay waiting on the workers reads the
    ledger again at once (``campaign.pipeline.simulate.Finished``). Sent without it, nothing is said."""
    if getattr(sender, "name", None) in _TOLD and args and kwargs and kwargs.get("say_done"):
        try:
            task_done(ledger(), str(args[0]))
        except Exception:  # noqa: BLE001 - a replay reads the ledger again within a second anyway
            log.exception("could not say that the task on %s finished", args[0])


@app.task(acks_late=False, ignore_result=True)
def ping(reply_key: str) -> None:
    """A no-op round trip through the broker (health checks and the benchmark)."""
    ledger().reply(reply_key)
