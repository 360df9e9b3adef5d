"""Alerts with real processes: alerts workers (Celery, on their own queue), a publishing worker, and
``campaign run``; the receiver is a local HTTP server reached through apprise's ``json://`` scheme."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from campaign.clock import SimulatedClock
from campaign.checks import load_checked
from campaign.ledger import Ledger
from campaign.pipeline import apply_folder, load_applied, tick
from campaign.pipeline.applied import Applied
from workers.launch import ALERTS_QUEUE
from workers.tasks import CeleryDispatch, alerts as alerts_task
from tests.alert_fixtures import *  # noqa: F403
from tests.pipeline_fixtures import *  # noqa: F403

pytestmark = pytest.mark.slow


def _apply(ledger: Ledger, folder: Path, tmp_path: Path) -> Applied:
    start = local("2021-11-06")
    SimulatedClock(ledger).set(start)
    apply_folder(ledger, load_checked(folder), start, {"outbox_dir": str(tmp_path / "outbox"), "force_outbox": "1"})
    return load_applied(ledger, "small")


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    return {"CAMPAIGN_KEY_PREFIX": "w:", "CAMPAIGN_HOME": str(tmp_path / "home"), ALERT_ENV: url,
            "CAMPAIGN_ALERT_GATHER_SECONDS": "0"}


def _alerts_worker(url: str, tmp_path: Path, env: dict[str, str], name: str) -> Proc:
    return start_worker(url, tmp_path / "logs", queues=(ALERTS_QUEUE,), pool="solo", concurrency=1, env=env,
                        name=name)


def test_two_alerts_workers_send_one_incident_once(fresh_db, tmp_path: Path, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    url, ledger = fresh_db
    _apply(ledger, alert_folder(tmp_path / "f"), tmp_path)
    assert put_in_state(ledger, "small:2021-11-09:b-km", "planned", "failed", at=local("2021-11-06"))
    env = _env(tmp_path, receiver.url())
    procs = [_alerts_worker(url, tmp_path, env, f"alerts{i}") for i in range(2)]
    try:
        for _ in range(10):
            alerts_task.apply_async()
        wait_until(lambda: sum(p.tail(1_000_000).count("succeeded") for p in procs) >= 10, 60,
                   message="both alerts workers to run the ten tasks")
    finally:
        for p in procs:
            p.stop()
    ran = [p.tail(1_000_000).count("succeeded") for p in procs]
    assert all(n >= 1 for n in ran), f"each worker ran some of the tasks: {ran}"
    assert len(receiver.messages) == 1
    assert [e["outcome"] for e in ledger.alert_log("small")] == ["sent"]


@pytest.mark.parametrize("channel", ["closed port", "hanging"])
def test_a_dead_alert_channel_does_not_delay_a_post(fresh_db, tmp_path: Path, channel: str) -> None:  # type: ignore[no-untyped-def]
    url, ledger = fresh_db
    hanging = Hanging() if channel == "hanging" else None
    port = hanging.port if hanging else closed_port()
    dead = f"json://127.0.0.1:{port}/hooks/{TOKEN}?rto=120&cto=120"  # a hanging channel never gives up by itself
    applied = _apply(ledger, alert_folder(tmp_path / "f"), tmp_path)
    env = _env(tmp_path, dead)
    alerts_worker = _alerts_worker(url, tmp_path, env, "alerts")
    worker = start_worker(url, tmp_path / "logs", concurrency=1, env=env, name="publisher")
    try:
        assert put_in_state(ledger, "small:2021-11-08:a-en", "planned", "failed", at=local("2021-11-06"))
        alerts_task.apply_async()  # its alert goes to the dead channel...
        if hanging:
            wait_until(lambda: hanging.accepted, 30, message="the alerts worker to hang on the channel")
        target = ledger.post("small:2021-11-08:b-km")
        due = datetime.fromtimestamp(target.due, UTC)
        for now in (due - timedelta(minutes=30), due):  # ...while the next post is rendered and published
            SimulatedClock(ledger).set(now)
            tick(ledger, now, CeleryDispatch(), campaigns=["small"])
            wait_until(lambda: ledger.state(target.id) not in ("planned", "queued", "publishing"), 60,
                       message=f"{target.id} to move on at {now}")
        posted = ledger.post(target.id)
        assert posted.state == "posted" and posted.posted_at is not None
        assert posted.posted_at.timestamp() <= target.due + applied.max_lateness  # on time
        posted_ts = max(float(e["ts"]) for e in ledger.iter_audit("small") if e["post"] == target.id)
        if hanging:
            assert ledger.alert_log("small") == []  # it went out while the alert was still hanging
            hanging.close()  # the channel drops the connection: the send fails now
        wait_until(lambda: ledger.alert_log("small"), 60, message="the failed send to be recorded")
        [failure] = ledger.alert_log("small")
        assert failure["outcome"] == "failed" and failure["ref"] == f"env:{ALERT_ENV}"
        if hanging:
            assert posted_ts < float(failure["ts"])
    finally:
        worker.stop()
        alerts_worker.stop()
        if hanging:
            hanging.close()
    logs = "".join(p.read_text(errors="replace") for p in (tmp_path / "logs").glob("*.log"))
    assert "Task workers.tasks.publish" in logs and TOKEN not in logs


def test_campaign_run_starts_an_alerts_worker_and_sends_one_digest(tmp_path: Path, receiver: Receiver) -> None:
    folder = alert_folder(tmp_path / "f")
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CAMPAIGN_KEY_PREFIX")}
    env.update(CAMPAIGN_HOME=str(tmp_path / "home"), PYTHONPATH=str(Path(__file__).resolve().parents[1]),
               CAMPAIGN_TICK_SECONDS="1", CAMPAIGN_ALERT_GATHER_SECONDS="2", **{ALERT_ENV: receiver.url()})
    result = subprocess.run([sys.executable, "-c", "from campaign.cli import main; main()", "run", str(folder),
                             "--duration", "15"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "alerts worker running" in result.stdout
    # Every 2021 date is long past: the first tick finds all 21 posts missed, which is one digest.
    assert len(receiver.messages) == 1, [m["title"] for m in receiver.messages]
    assert receiver.messages[0]["title"] == "[small] 21 missed"
    logs = "".join(p.read_text(errors="replace") for p in (tmp_path / "home" / "logs").glob("*.log"))
    assert TOKEN not in logs + result.stdout + result.stderr
