"""A clock that steps back, with real processes: a real Celery worker, a real server, the simulated clock.

Posts queued for 10:00, 10:10 and 10:20 are claimed after the clock was set back an hour, and a post
retried after a 503 is sent again after the clock was set back: none goes out before its due time;
each goes back to wait and goes out, once, at its time.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from campaign.clock import SimulatedClock
from campaign.ledger import Ledger
from campaign.pipeline import tick
from campaign.pipeline.faults import store_plan
from workers.tasks import CeleryDispatch
from tests.pipeline_fixtures import *  # noqa: F403
from tests.test_faults import _apply, _env, _run

pytestmark = pytest.mark.slow


def _no_early_post(ledger: Ledger, cid: str, outbox: Path) -> None:
    """Every post out went out at or after its due time, in the ledger and on the 'platform'."""
    for rec in outbox_records(outbox):
        due = ledger.post(rec["id"]).due
        assert datetime.fromisoformat(rec["posted_at"]).timestamp() >= due, f"{rec['id']} went out early"
    for post in ledger.posts(cid):
        if post.state == "posted":
            assert post.posted_at is not None and post.posted_at.timestamp() >= post.due, f"{post.id} recorded early"


def test_clock_set_back_never_publishes_early(fresh_db, small_folder: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, ledger = fresh_db
    outbox = tmp_path / "outbox"
    applied = _apply(ledger, small_folder, outbox)
    cid = applied.campaign.id
    clock = SimulatedClock(ledger)
    retried = f"{cid}:2021-11-10:a-en"
    store_plan(ledger, cid, {"transient": 1}, 0, {retried: "transient"}, {})  # its first attempt meets a 503
    env = _env(tmp_path, CAMPAIGN_REHEARSAL="1", CAMPAIGN_BACKOFF_SECONDS="0.4")
    worker = start_worker(url, tmp_path / "logs", concurrency=1, env=env, name="w1")
    try:
        _run(ledger, applied, until=local("2021-11-09", "09:59"))  # 9 November's cards are rendered
    finally:
        worker.stop()
    # The posts due at 10:00, 10:10 and 10:20 are queued while no worker consumes...
    queued_at = local("2021-11-09", "10:20")
    clock.set(queued_at)
    tick(ledger, queued_at, CeleryDispatch(), campaigns=[cid])
    waiting = sorted(p.id for p in ledger.posts(cid) if p.state == "queued")
    assert len(waiting) == 3
    # ...then the clock steps back an hour, and a worker takes their publish tasks.
    clock.set(queued_at - timedelta(hours=1))
    worker = start_worker(url, tmp_path / "logs", concurrency=1, env=env, name="w2")
    try:
        wait_until(lambda: all(s in ("rendered", "approved") for s in ledger.states(waiting).values()), 30,
                   message="the early posts to go back to waiting")
        assert not [r for r in outbox_records(outbox) if r["id"] in waiting]
        _run(ledger, applied, start=queued_at - timedelta(hours=1), until=local("2021-11-10", "09:59"))
        assert set(ledger.states(waiting).values()) == {"posted"}
        # A post retried after a 503, when the clock steps back before its retry is sent.
        due = local("2021-11-10", "10:00")
        clock.set(due)
        tick(ledger, due, CeleryDispatch(), campaigns=[cid])
        wait_until(lambda: any(a["outcome"] == "retry" for a in ledger.attempts(retried)), 30,
                   message="the 503 and its retry")
        back = due - timedelta(hours=1)
        clock.set(back)

        def resent() -> bool:
            tick(ledger, back, CeleryDispatch(), campaigns=[cid])  # as the beat would: sends the retry
            return ledger.state(retried) != "queued"

        wait_until(resent, 30, 0.2, message="the retry to be sent")
        assert ledger.state(retried) in ("rendered", "approved")
        assert not [r for r in outbox_records(outbox) if r["id"] == retried]
        _run(ledger, applied, start=back)
    finally:
        worker.stop()
    states = assert_exactly_once(ledger, cid, outbox)
    assert Counter(states.values()) == {"posted": 21}
    _no_early_post(ledger, cid, outbox)
    assert [a["outcome"] for a in ledger.attempts(retried)] == ["retry", "posted"]
