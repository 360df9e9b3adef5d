"""workers/supervise.py with real processes: a worker that dies under ``campaign run`` is started again
and said so; one that keeps dying stops the run, naming it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from campaign.ledger import Ledger
from workers import supervise
from workers.supervise import ProcessDied, Restarted, Supervisor
from tests.pipeline_fixtures import *  # noqa: F403

pytestmark = pytest.mark.slow


def test_a_worker_that_dies_is_started_again_and_said_so(fresh_db, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    url, ledger = fresh_db
    with Supervisor(url, {"CAMPAIGN_HOME": str(tmp_path / "home"), "CAMPAIGN_KEY_PREFIX": ledger.prefix}) as procs:
        first = procs.worker(tmp_path / "logs", concurrency=1)
        watch = procs.watch(every=0.2)
        assert next(watch) == []
        first.kill()  # as a crash would
        notices = next(watch)
        assert [n.name for n in notices] == ["worker"] and isinstance(notices[0], Restarted)
        assert "restarted" in str(notices[0]) and "worker" in str(notices[0])
        again = procs.procs[0]
        assert again is not first and again.alive()
        _round_trip(ledger, procs)  # the new worker consumes
        monkeypatch.setattr(supervise, "MAX_RESTARTS", 1)
        again.kill()
        with pytest.raises(ProcessDied, match="the worker process stopped"):
            for _ in range(50):
                next(watch)


def _round_trip(ledger: Ledger, procs: Supervisor) -> None:
    from workers.tasks import ping

    procs.dispatch()
    key = uuid.uuid4().hex
    ping.apply_async((key,))
    assert ledger.wait_reply(key, timeout=30) is not None


def test_workers_forked_from_one_process_each_take_tasks_and_stop_together(fresh_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os
    import signal

    from workers.launch import wait_ready
    from workers.tasks import ping

    url, ledger = fresh_db
    with Supervisor(url, {"CAMPAIGN_HOME": str(tmp_path / "home"), "CAMPAIGN_KEY_PREFIX": ledger.prefix}) as procs:
        group = procs.workers(tmp_path / "logs", 2, name="pair")
        wait_ready(group, count=2)
        log = group.tail(100_000)
        assert "pair-1@" in log and "pair-2@" in log  # two workers, each under its own name
        procs.dispatch()
        keys = [uuid.uuid4().hex for _ in range(6)]
        for key in keys:
            ping.apply_async((key,))
        assert all(ledger.wait_reply(key, timeout=30) is not None for key in keys)
        children = [int(pid) for pid in open(f"/proc/{group.popen.pid}/task/{group.popen.pid}/children").read().split()]
        assert len(children) == 2
        os.kill(children[0], signal.SIGKILL)  # one dies: the other stops too, and the group says how
        assert group.popen.wait(30) == 128 + signal.SIGKILL
        assert not any(os.path.exists(f"/proc/{pid}") and "Z" not in open(f"/proc/{pid}/stat").read().split()[2]
                       for pid in children)


def test_a_spare_forked_worker_leaves_the_last_queue_to_the_others(fresh_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A replay's spare worker takes its own tasks only: never the warm-up, which the others take."""
    from workers.launch import WARM_QUEUE, wait_ready
    from workers.tasks import ping

    url, ledger = fresh_db
    with Supervisor(url, {"CAMPAIGN_HOME": str(tmp_path / "home"), "CAMPAIGN_KEY_PREFIX": ledger.prefix}) as procs:
        group = procs.workers(tmp_path / "logs", 2, name="pair", queues=("publish", WARM_QUEUE), spare=1)
        wait_ready(group, count=2)
        log = group.tail(100_000)
        assert log.count(f".> {WARM_QUEUE} ") == 1 and log.count(".> publish ") == 2
        procs.dispatch()
        key = uuid.uuid4().hex
        ping.apply_async((key,), queue=WARM_QUEUE)
        assert ledger.wait_reply(key, timeout=30) is not None  # the other one took it
