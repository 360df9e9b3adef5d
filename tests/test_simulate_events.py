"""A replay waits on the workers' word, not on a timer, and draws its cards ahead without changing
what goes out: the done channel, the cache warm-up, and a worker told to stop while the caller goes on."""

from __future__ import annotations

import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from campaign.clock import SimulatedClock
from campaign.checks import load_checked
from campaign.ledger import Ledger
from campaign.pipeline import InlineDispatch, NoDispatch, apply_folder, cards_ahead, load_applied, prerender_slot, tick
from campaign.pipeline import simulate
from campaign.pipeline.simulate import Finished, task_done, wait_for
from campaign.redis_server import EmbeddedRedis
from tests.pipeline_fixtures import *  # noqa: F403
from tests.pipeline_fixtures import db_url, local, wait_until
from workers.launch import start_process


def _apply(ledger: Ledger, folder: Path) -> str:
    now = local("2021-11-07")
    SimulatedClock(ledger).set(now)
    f = load_checked(folder)
    apply_folder(ledger, f, now, {"outbox_dir": str(folder / "outbox"), "force_outbox": "1"})
    return f.campaign.id


def _heard(finished: Finished, wanted: set[str], timeout: float = 10.0) -> set[str]:
    heard: set[str] = set()
    deadline = time.monotonic() + timeout
    while not wanted <= heard and time.monotonic() < deadline:
        heard |= finished.wait(deadline - time.monotonic())
    return heard


def test_a_listener_hears_every_task_said_done_after_it_was_made(ledger: Ledger, redis_server: EmbeddedRedis) -> None:
    task_done(ledger, "before")  # nobody listening: lost, and harmless
    finished = Finished(ledger)
    other = Ledger.from_url(db_url(redis_server, 0), prefix=ledger.prefix)  # a worker's own connection
    try:
        for pid in ("a", "b", "c"):
            task_done(other, pid)
        heard = _heard(finished, {"a", "b", "c"})
        assert heard == {"a", "b", "c"}
        began = time.monotonic()
        assert finished.wait(0.2) == set()  # nothing more said: the wait ends at its timeout, empty
        assert time.monotonic() - began >= 0.15
    finally:
        finished.close()
        other.close()


def test_wait_for_ends_on_the_word_of_the_task_that_finished(ledger: Ledger, small_folder: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulate, "RECHECK_SECONDS", 30.0)  # only the word can end the wait early
    cid = _apply(ledger, small_folder)
    now = local("2021-11-08", "09:30")
    SimulatedClock(ledger).set(now)
    handed = tick(ledger, now, NoDispatch())  # claimed for rendering, nothing runs yet
    assert handed.render
    finished = Finished(ledger)
    said: list[float] = []

    def worker() -> None:  # a worker finishing the renders a moment later, then saying so
        time.sleep(0.2)
        InlineDispatch(ledger).render(handed.render)
        said.append(time.monotonic())
        for pid in handed.render:
            task_done(ledger, pid)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        wait_for(ledger, cid, handed.render, (), timeout=60, finished=finished)
    finally:
        thread.join()
        finished.close()
    assert all(ledger.post(pid).state == "rendered" for pid in handed.render)
    assert said and time.monotonic() - said[0] < 5.0  # woken by the word, not by the 30-second look


def _cards(ledger: Ledger) -> set[str]:
    """The render keys in the card cache."""
    return {k.decode().removeprefix(ledger.key("rcache", "")) for k in ledger.r.scan_iter(ledger.key("rcache", "*"))}


def test_prerender_draws_the_card_the_render_uses_and_changes_nothing_else(ledger: Ledger, small_folder: Path) -> None:
    cid = _apply(ledger, small_folder)
    pid = f"{cid}:2021-11-09:b-km"
    before = ledger.post(pid)
    counts = ledger.counts(cid)
    at = datetime.fromtimestamp(before.render_at, local("2021-11-09").tzinfo)
    assert prerender_slot(ledger, pid, at) == "cached"
    assert ledger.post(pid) == before and ledger.counts(cid) == counts  # still planned, nothing moved
    [key] = _cards(ledger)
    drawn = ledger.cached_render(key)
    assert drawn is not None and ledger.has_blob(drawn.card)
    SimulatedClock(ledger).set(at)
    tick(ledger, at, InlineDispatch(ledger))
    after = ledger.post(pid)
    assert after.state == "rendered" and after.card == drawn.card and after.alt == drawn.alt
    assert prerender_slot(ledger, f"{cid}:2021-11-10:nobody", at) == "skip"  # no such slot


def test_the_cards_drawn_ahead_are_every_card_a_replay_draws(ledger: Ledger, small_folder: Path, tmp_path: Path) -> None:
    """Rong Chhun's release on 12 Nov is known only from that day: the cards drawn ahead follow the plan
    as known on each day, so the replay's renders, before and after the news, draw none of their own."""
    cid = _apply(ledger, small_folder)
    applied = load_applied(ledger, cid)
    start, end = simulate.simulation_window(applied)
    jobs = cards_ahead(applied, start, end)
    assert [j.at for j in jobs] == sorted(j.at for j in jobs)
    assert {j.at for j in jobs} > {start}  # the plan as known after the news, too
    for job in jobs:
        prerender_slot(ledger, job.slot, job.at)
    ahead = _cards(ledger)
    dispatch = InlineDispatch(ledger)
    simulate.run_simulation(ledger, applied, dispatch, start=start, until=end)
    rendered = [pid for kind, pid, outcome in dispatch.outcomes if kind == "render" and outcome == "rendered"]
    assert len(rendered) >= len(ledger.post_ids(cid)) > 0
    assert _cards(ledger) == ahead


def test_a_stopped_process_is_told_once(tmp_path: Path) -> None:
    told = tmp_path / "told"
    code = ("import signal, sys, time\n"
            f"def on(*_):\n    open({str(told)!r}, 'a').write('term\\n'); time.sleep(0.3); sys.exit(0)\n"
            "signal.signal(signal.SIGTERM, on)\nprint('up', flush=True)\ntime.sleep(60)\n")
    proc = start_process("redis://unused", "sleeper", [sys.executable, "-c", code], tmp_path / "logs")
    deadline = time.monotonic() + 20
    while "up" not in proc.tail() and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.terminate()  # returns at once: the process winds down while the caller goes on
    assert proc.alive()
    proc.terminate()
    assert proc.stop() == 0
    assert told.read_text() == "term\n"


@pytest.mark.slow
def test_a_real_worker_says_a_task_is_done_only_when_asked(worker_ledger: Ledger, small_folder: Path) -> None:
    from workers.tasks import CeleryDispatch

    cid = _apply(worker_ledger, small_folder)
    ids = [pid for pid, _ in worker_ledger.index(cid, "render")][:4]
    quiet, told = ids[:2], ids[2:]
    finished = Finished(worker_ledger)
    try:
        CeleryDispatch().render(quiet)  # the beat's tasks: nobody listens, nothing is said
        wait_until(lambda: set(worker_ledger.states(quiet).values()) == {"rendered"}, 60, message="the renders")
        CeleryDispatch(say_done=True).render(told)
        heard = _heard(finished, set(told), timeout=60)
    finally:
        finished.close()
    assert heard == set(told)
