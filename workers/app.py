"""The Celery app: broker on the ledger's Redis, one queue per kind of work, the tick's beat.

Queues: ``tick`` (the beat's short job), ``render`` (CPU: cards), ``publish`` (IO: platforms and
reconciliation look-ups), ``alerts`` (IO: alert channels, in a worker of their own, so a slow or
dead channel never holds up a post). No task is ever scheduled far ahead (rule 2): the due index lives in
the ledger and the tick sends only short tasks, so the broker's visibility timeout never makes
a weeks-old message run twice. ``acks_late`` is set only on tasks that are safe to run twice.
"""

from __future__ import annotations

import gc
import os
import socket
from contextlib import suppress
from typing import Any

from celery import Celery, signals
from kombu.asynchronous import get_event_loop

from campaign.publishers import redaction
from campaign.redis_server import broker_ssl, broker_url

from .launch import ALERTS_QUEUE, REPLAY_ENV, WARM_QUEUE

#: Seconds before the broker hands an unacknowledged message to another worker. Longer than any
#: task and any retry backoff (capped at 120 s); leases (120 s) expire well before it.
VISIBILITY_TIMEOUT = 600
TICK_SECONDS = float(os.environ.get("CAMPAIGN_TICK_SECONDS", "5"))

#: A replay's workers (``$CAMPAIGN_REPLAY_WORKER`` set, by ``campaign simulate``): an idle worker's BRPOP
#: returns every 20 ms (kombu's default: every second), so a stopping worker, which waits for its last BRPOP
#: to return, goes at once (every 0.1 s, it was most of the replay's end); and a worker takes its queues in
#: the order it was given them (kombu's default: each in turn), so the replay's own tasks always come before
#: the warm-up's (``REPLAY_QUEUES``).
REPLAY_TRANSPORT = {"polling_interval": 0.02, "queue_order_strategy": "priority"}

app = Celery("campaign", include=["workers.tasks"])


def configure(redis_url: str | None = None) -> Celery:
    """Point the app at ``redis_url`` (default: ``$REDIS_URL``); called at import and by the CLI."""
    url = redis_url or os.environ.get("REDIS_URL") or "redis://localhost:6379/0"
    if app.conf.broker_url and app.conf.broker_url != broker_url(url):
        _drop_connections()
    app.conf.update(
        broker_url=broker_url(url),
        broker_use_ssl=broker_ssl(url),  # rediss://: TLS, certificates verified unless the URL says otherwise
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT, **(REPLAY_TRANSPORT if os.environ.get(REPLAY_ENV) else {})},
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        # Redis at maxmemory (noeviction) answers the broker's own writes (a message's unacked copy, the
        # restore lock) with OutOfMemoryError, a channel error: the worker reconnects and waits instead of
        # exiting. A message lost that way is sent again by the tick (its post is still queued in the ledger).
        broker_channel_error_retry=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue="publish",
        task_routes={
            "workers.tasks.tick": {"queue": "tick"},
            "workers.tasks.render": {"queue": "render"},
            "workers.tasks.prerender": {"queue": WARM_QUEUE},
            "workers.tasks.publish": {"queue": "publish"},
            "workers.tasks.reconcile": {"queue": "publish"},
            "workers.tasks.ping": {"queue": "publish"},
            "workers.tasks.alerts": {"queue": ALERTS_QUEUE},
        },
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        enable_utc=True,
        beat_schedule={
            "tick": {"task": "workers.tasks.tick", "schedule": TICK_SECONDS,
                     "options": {"expires": max(TICK_SECONDS * 2, 10)}},
        },
    )
    return app


def _drop_connections() -> None:
    """Forget pooled broker connections (the broker moved: a test's fresh database, a new server)."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    if "amqp" in app.__dict__:
        app.__dict__["amqp"]._producer_pool = None


configure()


@signals.worker_init.connect  # the worker's own process (a solo or threads pool publishes there)
@signals.worker_process_init.connect  # and each pool process, however the pool starts it
def _redact_secrets(**_: Any) -> None:
    """A worker publishes: keep the secrets it reveals out of every log (campaign.publishers.redaction)."""
    redaction.install()


#: The writing end of each socket pair whose reading end the worker's event loop watches (see below).
_wakers: list[socket.socket] = []


@signals.worker_ready.connect
def _on_ready(**_: Any) -> None:
    """The worker is consuming. Two things make its stop prompt (a stop took about a second):

    * what it loaded to start (modules, the app, templates) is moved out of the garbage collector's
      reach (``gc.freeze``): it lives as long as the process, so no collection scans it again, nor
      the one at exit;
    * its event loop also watches a socket pair of its own, so the shutdown signal wakes it at once
      (Celery's handler only sets a flag, read when the loop's poll returns: up to a second later)."""
    gc.freeze()
    hub = get_event_loop()  # None without an event loop (a threads pool): nothing to wake there
    if hub is None:
        return
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    hub.add_reader(reader, lambda *_: reader.recv(64))
    _wakers.append(writer)


@signals.worker_shutting_down.connect
def _on_shutting_down(**_: Any) -> None:
    """Sent from the worker's SIGTERM/SIGQUIT handler: wake its event loop, which then sees the flag."""
    for writer in _wakers:
        with suppress(OSError):
            writer.send(b"\0")
