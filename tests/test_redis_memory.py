"""A Redis at ``maxmemory`` (``noeviction``) refuses writes: every move of the ledger is refused whole
(nothing half-done), ``status`` and the dashboard say Redis is out of memory, and, with real worker
processes, the workers ride it out: every post once, none lost, no worker dead.

A private server per module (its ``maxmemory`` is changed here, never the session's).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import redis

from campaign.clock import SimulatedClock
from campaign.ledger import CardRef, Ledger
from campaign.ledger.health import memory
from campaign.ledger.keys import sha256
from campaign.ledger.states import LEAVES, PUBLISHING
from campaign.pipeline import status, tick
from campaign.redis_server import EmbeddedRedis
from workers.tasks import CeleryDispatch
from tests.pipeline_fixtures import *  # noqa: F403
from tests.test_faults import _apply, _env, _run
from tests.test_ledger_record import CALLS, NOW, _posts_in_every_state, _snapshot


@pytest.fixture(scope="module")
def private_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("oom-redis")).start()
    yield server
    server.stop()


@pytest.fixture
def led(private_server: EmbeddedRedis) -> Iterator[Ledger]:
    ledger = Ledger.from_url(private_server.url, prefix="m:")
    ledger.r.flushdb()
    yield ledger
    ledger.r.config_set("maxmemory", "0")
    ledger.r.flushdb()
    ledger.close()


@contextmanager
def out_of_memory(ledger: Ledger) -> Iterator[None]:
    """Redis at maxmemory with noeviction: it refuses every write that needs memory."""
    ledger.r.config_set("maxmemory-policy", "noeviction")
    ledger.r.config_set("maxmemory", "1")
    try:
        yield
    finally:
        ledger.r.config_set("maxmemory", "0")


def test_every_move_is_refused_whole_when_redis_is_out_of_memory(led: Ledger) -> None:
    """Each named move, each batch script: refused with OutOfMemoryError, the post exactly as it was
    (a script that removed an index entry before its refused write would lose the post)."""
    led.store_campaign("c1", {"def_hash": "x", "review_required": "0"})
    ids = _posts_in_every_state(led)
    pid = ids[PUBLISHING]
    led.r.zadd(led.key("leases", "c1"), {pid: 1.0})  # its lease ran out long ago
    led.r.zadd(led.key("rendering", "c1"), {ids["planned"]: 1.0})  # a render claim that ran out
    before = {p: _snapshot(led, p) for p in ids.values()}
    with out_of_memory(led):
        for op, call in CALLS.items():
            for state in LEAVES[op]:
                with pytest.raises(redis.OutOfMemoryError):
                    call(led, led.post(ids[state]))
        for batch in (lambda: led.reap_leases("c1", NOW), lambda: led.claim_renders("c1", NOW, 30),
                      lambda: led.queue_due("c1", NOW, 3600, resend_after=60),
                      lambda: led.claim_publish(ids["queued"], NOW, lease=30, max_lateness=3600,
                                                end_limit=NOW.timestamp() + 86400, resend_after=60),
                      lambda: led.claim_publish(ids["queued"], NOW - timedelta(hours=1), lease=30, max_lateness=3600,
                                                end_limit=NOW.timestamp() + 86400, resend_after=60)):
            with pytest.raises(redis.OutOfMemoryError):
                batch()
    assert {p: _snapshot(led, p) for p in ids.values()} == before
    assert led.reap_leases("c1", NOW) == [pid]  # with room again, the reaper still finds it


def test_a_card_just_drawn_is_refused_whole_with_its_post(led: Ledger) -> None:
    """The render's one step (the card's bytes, its render-cache entry, the post's move), refused whole:
    no post naming bytes that were never stored, no cache entry, the post exactly as it was."""
    led.store_campaign("c1", {"def_hash": "x", "review_required": "0"})
    pid = _posts_in_every_state(led)["planned"]
    before = _snapshot(led, pid)
    image = b"\xff\xd8" + bytes(80_000)
    card = CardRef(sha256(image), "jpeg", {"en": "alt"}, ())
    with out_of_memory(led), pytest.raises(redis.OutOfMemoryError):
        led.record_rendered(led.post(pid), card, "c", shown_fp="s", review=False, at=NOW, worker="t", image=image,
                            cache_key="k1")
    assert _snapshot(led, pid) == before
    assert not led.r.exists(led.key("blob", card.card)) and led.cached_render("k1") is None
    assert led.record_rendered(led.post(pid), card, "c", shown_fp="s", review=False, at=NOW, worker="t", image=image,
                               cache_key="k1") == "rendered"  # with room again
    assert led.get_blob(card.card) == image and led.cached_render("k1") == card


def test_status_and_the_dashboard_say_redis_is_out_of_memory(led: Ledger, small_folder: Path, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from campaign.cli.format import status_lines
    from campaign.web import create_app
    from campaign.web.users import one_operator

    cid = _apply(led, small_folder, tmp_path / "outbox").campaign.id
    token = "t" * 24
    app = create_app(led, one_operator(token), secret_key="s", failure_delay=0.0)
    bearer = {"Authorization": f"Bearer {token}"}
    with TestClient(app, raise_server_exceptions=False) as client:
        assert "out of memory" not in client.get("/", headers=bearer).text
        assert status(led, cid, NOW)["redis"]["out_of_memory"] is False
        with out_of_memory(led):
            info = status(led, cid, NOW)
            assert info["redis"]["out_of_memory"] and memory(led.r).out_of_memory
            first = status_lines(info)[0]
            assert first.startswith("warning: Redis is out of memory") and "raise maxmemory" in first
            page = client.get("/", headers=bearer)
            assert page.status_code == 200 and "Redis out of memory" in page.text and "raise maxmemory" in page.text
        assert "out of memory" not in client.get("/", headers=bearer).text


@pytest.mark.slow
def test_workers_ride_out_a_redis_that_refuses_writes(private_server: EmbeddedRedis, small_folder: Path,
                                                      tmp_path: Path) -> None:
    """Real render and publish workers meet a Redis at maxmemory (set low mid-run, then raised): no worker
    dies, nothing moves while Redis refuses, and afterwards every post goes out once, none lost."""
    from campaign.pipeline import Settings
    from campaign.pipeline.simulate import run_simulation
    from workers.app import configure

    url = private_server.url
    configure(url)
    ledger = Ledger.from_url(url, prefix="w:")
    ledger.r.flushdb()
    outbox, logs = tmp_path / "outbox", tmp_path / "logs"
    applied = _apply(ledger, small_folder, outbox)
    cid = applied.campaign.id
    quick = Settings(render_lease=1.0, resend_after=1.0)
    env = _env(tmp_path, CAMPAIGN_RESEND_SECONDS="1", CAMPAIGN_RENDER_LEASE_SECONDS="1")
    clock = SimulatedClock(ledger)

    def start(name: str, queues: tuple[str, ...], wait: bool = True) -> Proc:
        return start_worker(url, logs, queues=queues, concurrency=1, env=env, name=name, wait=wait)

    def replay(begin, end=None):  # type: ignore[no-untyped-def]
        until = end or local("2021-11-14", "23:59")
        return run_simulation(ledger, applied, CeleryDispatch(say_done=True), start=begin, until=until, settings=quick,
                              step_timeout=60)

    procs = [start("render", ("render",)), start("publish", ("publish", "tick"))]
    try:
        replay(local("2021-11-08"), local("2021-11-09", "08:59"))
        day = [p.id for p in ledger.posts(cid) if ":2021-11-09:" in p.id]
        for phase, moment, kind in (("render", local("2021-11-09", "09:30"), ("render",)),
                                    ("publish", local("2021-11-09", "10:20"), ("publish", "tick"))):
            if phase == "publish":
                replay(local("2021-11-09", "09:30"), local("2021-11-09", "09:59"))  # the day's cards, rendered
            for p in [p for p in procs if p.name == phase]:  # its tasks wait in the broker while it is down
                p.stop()
                procs.remove(p)
            clock.set(moment)
            tick(ledger, moment, CeleryDispatch(), quick, campaigns=[cid])
            before = ledger.states(day)
            with out_of_memory(ledger):
                procs.append(start(phase, kind, wait=False))  # starts, and meets, a Redis that refuses writes
                time.sleep(4)
                assert all(p.alive() for p in procs), [p.tail() for p in procs if not p.alive()]
                assert ledger.states(day) == before  # nothing moved meanwhile
                assert not [r for r in outbox_records(outbox) if r["id"] in day]
            time.sleep(1.2)  # the render claims and publish sends made before it run out and are handed out again
        replay(local("2021-11-09", "10:20"))
        assert all(p.alive() for p in procs)
        logged = "".join(p.tail(200_000) for p in procs)
        assert "OutOfMemoryError" in logged or "maxmemory" in logged  # they did meet it
        states = assert_exactly_once(ledger, cid, outbox)
        assert Counter(states.values()) == {"posted": 21}
    finally:
        for p in procs:
            p.stop()
        ledger.r.flushdb()
        ledger.close()
