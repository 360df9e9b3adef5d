"""Faults with real processes: a Redis-compatible server subprocess, real Celery workers and beats.

Each test ends by checking, from the ledger and the outbox, that no post was lost or doubled.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from campaign.clock import SimulatedClock
from campaign.checks import load_checked
from campaign.ledger import Ledger
from campaign.pipeline import apply_folder, load_applied, set_status
from campaign.pipeline.applied import Applied
from campaign.pipeline.simulate import run_simulation, simulation_window
from campaign.pipeline.tick import next_moment
from campaign.redis_server import EmbeddedRedis
from workers.launch import start_beat
from workers.tasks import CeleryDispatch
from tests.pipeline_fixtures import *  # noqa: F403

pytestmark = pytest.mark.slow


def _apply(ledger: Ledger, folder: Path, outbox: Path) -> Applied:
    start = local("2021-11-06")
    SimulatedClock(ledger).set(start)
    f = load_checked(folder)
    apply_folder(ledger, f, start, {"outbox_dir": str(outbox), "force_outbox": "1"})
    return load_applied(ledger, f.campaign.id)


def _env(tmp_path: Path, **more: str) -> dict[str, str]:
    return {"CAMPAIGN_KEY_PREFIX": "w:", "CAMPAIGN_HOME": str(tmp_path / "home"), "CAMPAIGN_LEASE_SECONDS": "1.5",
            **more}


def _run(ledger: Ledger, applied: Applied, start: datetime | None = None, until: datetime | None = None,
         stop=None):  # type: ignore[no-untyped-def]
    s, e = simulation_window(applied)
    return run_simulation(ledger, applied, CeleryDispatch(say_done=True), start=start or s, until=until or e, stop=stop,
                          step_timeout=60)


@pytest.mark.parametrize("point", ["before_write", "after_write"])
def test_worker_killed_while_publishing(fresh_db, small_folder: Path, tmp_path: Path, point: str) -> None:  # type: ignore[no-untyped-def]
    url, ledger = fresh_db
    outbox = tmp_path / "outbox"
    applied = _apply(ledger, small_folder, outbox)
    cid = applied.campaign.id
    target = f"{cid}:2021-11-09:b-km"
    mark = tmp_path / "reached"
    doomed = start_worker(url, tmp_path / "logs", pool="solo", concurrency=1, app="tests.fault_app",
                          env=_env(tmp_path, CAMPAIGN_TEST_BLOCK=point, CAMPAIGN_TEST_BLOCK_POST=target,
                                   CAMPAIGN_TEST_BLOCK_MARK=str(mark)))
    due = datetime.fromtimestamp(ledger.post(target).due, UTC)
    _run(ledger, applied, until=due - timedelta(seconds=1))
    SimulatedClock(ledger).set(due)
    from campaign.pipeline import tick

    tick(ledger, due, CeleryDispatch(), campaigns=[cid])
    wait_until(mark.exists, 30, message=f"the worker to reach {point}")
    assert ledger.state(target) == "publishing"
    doomed.kill()  # SIGKILL mid-publish
    assert (outbox / f"{target.replace(':', '_')}.json").exists() == (point == "after_write")
    lease = ledger.post(target).lease_until
    rescuer = start_worker(url, tmp_path / "logs", concurrency=1, env=_env(tmp_path))
    try:
        wait_until(lambda: time.time() > lease + 0.1, 10, message="the lease to expire")
        _run(ledger, applied, start=due)
        states = assert_exactly_once(ledger, cid, outbox)
    finally:
        rescuer.stop()
    assert states[target] == "posted"
    moves = [(e["from"], e["to"]) for e in ledger.iter_audit(cid) if e["post"] == target]
    assert ("publishing", "in_doubt") in moves  # never retried blindly: looked up first
    if point == "after_write":
        assert moves[-1] == ("in_doubt", "posted")
    else:
        assert ("in_doubt", "queued") in moves and moves[-1] == ("publishing", "posted")
    assert Counter(states.values())["posted"] == 21


def test_two_beats_and_two_workers_post_each_once(fresh_db, small_folder: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two real beats tick every 0.3 s and two workers consume, while the simulated clock advances."""
    url, ledger = fresh_db
    outbox = tmp_path / "outbox"
    applied = _apply(ledger, small_folder, outbox)
    cid = applied.campaign.id
    env = _env(tmp_path, CAMPAIGN_TICK_SECONDS="0.3")
    procs = [start_worker(url, tmp_path / "logs", concurrency=1, env=env, name=f"w{i}") for i in range(2)]
    procs += [start_beat(url, tmp_path / "beat", env=env, name=f"beat{i}") for i in range(2)]
    clock = SimulatedClock(ledger)
    try:
        now: datetime | None = local("2021-11-08", "09:00")
        while now is not None:
            clock.set(now)
            t = now.timestamp()

            def settled() -> bool:
                return all(p.state in ("posted", "missed", "expired") or p.due > t
                           for p in ledger.posts(cid))

            wait_until(settled, 30, 0.05, message=f"posts due by {now} to settle")
            now = next_moment(ledger, applied, now)
    finally:
        for p in procs:
            p.stop()
    states = assert_exactly_once(ledger, cid, outbox)
    assert Counter(states.values()) == {"posted": 21}
    queued = Counter(e["post"] for e in ledger.iter_audit(cid) if e["to"] == "queued")
    assert set(queued.values()) == {1}  # two beats, yet each post was queued once
    attempts = [len([a for a in ledger.attempts(pid) if a["outcome"] == "posted"]) for pid in states]
    assert set(attempts) == {1}


def test_redis_restarted_from_its_append_only_file(small_folder: Path, tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path / "redis").start()
    outbox = tmp_path / "outbox"
    try:
        from workers.app import configure

        configure(server.url)
        ledger = Ledger.from_url(server.url, prefix="w:")
        applied = _apply(ledger, small_folder, outbox)
        cid = applied.campaign.id
        worker = start_worker(server.url, tmp_path / "logs", concurrency=1, env=_env(tmp_path))
        try:
            half = local("2021-11-11")
            _run(ledger, applied, until=half - timedelta(seconds=1))
            before = {p.id: p.state for p in ledger.posts(cid)}
            assert Counter(before.values())["posted"] == 9
            server.stop()  # SIGTERM: Redis flushes its append-only file and exits
            server.start()  # same data dir, same socket
            after = {p.id: p.state for p in ledger.posts(cid)}
            assert after == before
            _run(ledger, applied, start=half)
            states = assert_exactly_once(ledger, cid, outbox)
            assert Counter(states.values()) == {"posted": 21}
        finally:
            worker.stop()
    finally:
        server.stop()


def test_pause_during_a_run(worker_ledger: Ledger, small_folder: Path, tmp_path: Path) -> None:
    ledger, outbox = worker_ledger, tmp_path / "outbox"
    applied = _apply(ledger, small_folder, outbox)
    cid = applied.campaign.id
    pause_at, resume_at = local("2021-11-10"), local("2021-11-11", "17:00")
    _run(ledger, applied, until=pause_at - timedelta(seconds=1))
    set_status(ledger, cid, "paused", pause_at)
    _run(ledger, applied, start=pause_at, until=resume_at)
    assert not [r for r in outbox_records(outbox) if r["id"] >= f"{cid}:2021-11-10"]
    set_status(ledger, cid, "active", resume_at)
    _run(ledger, applied, start=resume_at)
    states = assert_exactly_once(ledger, cid, outbox)
    for day in ("10", "11"):  # their time plus max_lateness passed while paused: missed, never late
        assert {s for pid, s in states.items() if f":2021-11-{day}:" in pid} == {"missed"}
    assert {s for pid, s in states.items() if pid > f"{cid}:2021-11-12"} == {"posted"}


def test_clock_jumps_three_days_with_a_real_worker(worker_ledger: Ledger, small_folder: Path, tmp_path: Path) -> None:
    ledger, outbox = worker_ledger, tmp_path / "outbox"
    applied = _apply(ledger, small_folder, outbox)
    cid = applied.campaign.id
    _run(ledger, applied, until=local("2021-11-08", "09:30"))  # 8 November's cards are rendered
    _run(ledger, applied, start=local("2021-11-11", "09:30"))  # ...and the clock jumps three days
    states = assert_exactly_once(ledger, cid, outbox)
    for day in ("08", "09", "10"):
        assert {s for pid, s in states.items() if f":2021-11-{day}:" in pid} == {"missed"}
    posted_at = {r["id"]: r["posted_at"] for r in outbox_records(outbox)}
    for pid, at in posted_at.items():
        due = datetime.fromtimestamp(ledger.post(pid).due, UTC)
        assert datetime.fromisoformat(at) - due <= applied.campaign.max_lateness  # never a late post


def test_roster_changed_after_render_before_due(worker_ledger: Ledger, small_folder: Path, tmp_path: Path) -> None:
    ledger, outbox = worker_ledger, tmp_path / "outbox"
    applied = _apply(ledger, small_folder, outbox)
    cid = applied.campaign.id
    _run(ledger, applied, until=local("2021-11-09", "09:30"))
    pid = f"{cid}:2021-11-09:a-en"
    assert ledger.state(pid) == "rendered"
    featured = ledger.post(pid).slot.people
    roster = yaml.safe_load((small_folder / "roster.yaml").read_text())
    released = next(p for p in roster["people"] if p["id"] in featured)
    released["events"] = [e for e in released["events"] if e["type"] != "released"]
    released["events"].append({"date": "2021-11-09", "type": "released"})
    write_folder(small_folder, roster=roster)
    apply_folder(ledger, load_checked(small_folder), local("2021-11-09", "09:31"),
                 {"outbox_dir": str(outbox), "force_outbox": "1"})
    applied = load_applied(ledger, cid)
    _run(ledger, applied, start=local("2021-11-09", "09:31"))
    assert_exactly_once(ledger, cid, outbox)
    name = released["name"]["en"]
    for rec in outbox_records(outbox):
        if rec["id"] >= f"{cid}:2021-11-09":
            assert name not in rec["caption"], f"{rec['id']} shows {name}, released on 9 November"


def test_outbox_that_is_a_file_fails_each_post_once(worker_ledger: Ledger, small_folder: Path, tmp_path: Path) -> None:
    """With a real worker: a folder that cannot be written fails its posts (nothing posted, for sure);
    none goes round publish -> in_doubt -> queued -> publish."""
    ledger, outbox = worker_ledger, tmp_path / "outbox"
    outbox.write_text("a file, not a folder")
    applied = _apply(ledger, small_folder, outbox)
    cid = applied.campaign.id
    _run(ledger, applied)
    states = assert_exactly_once(ledger, cid, tmp_path / "no-outbox")
    assert Counter(states.values()) == {"failed": 21}
    assert not [e for e in ledger.iter_audit(cid)  # queued once, when due; never in doubt
                if e["to"] == "in_doubt" or (e["to"] == "queued" and e["from"] != "rendered")]
    for pid in states:
        post = ledger.post(pid)
        assert post.error_class == "Rejected" and post.error is not None and str(outbox) in post.error
        assert [a["outcome"] for a in ledger.attempts(pid)] == ["rejected"]
