"""Fixtures for the pipeline tests: a private Redis-compatible server (embedded Valkey, or $CAMPAIGN_REDIS_SERVER), clean ledgers, real Celery workers.

Use from a test module with ``from tests.pipeline_fixtures import *``.

* ``redis_server``  one server subprocess per test session (see campaign.redis_server), on a unix socket in a temp dir.
* ``ledger``        a ledger on db 0 under a test prefix, wiped before each test (in-process pipeline).
* ``worker_ledger`` a ledger on db 1 served by one session-scoped real Celery worker subprocess.
* ``fresh_db``      a new, empty database number for tests that start (and kill) their own workers.
* ``small_folder``  a copy-on-write campaign folder: 3 accounts, 3 people, a week of daily posts.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from campaign.ledger import Ledger
from campaign.redis_server import EmbeddedRedis, url_for_socket
from workers.launch import Proc, start_worker

__all__ = ["redis_server", "ledger", "worker_ledger", "session_worker", "fresh_db", "small_folder", "write_folder",
           "db_url", "SMALL_CAMPAIGN", "SMALL_ROSTER", "assert_exactly_once", "outbox_records", "Proc",
           "start_worker", "wait_until", "put_in_state"]

TEST_PREFIX = "t:"
WORKER_PREFIX = "w:"
_dbs = itertools.count(3)  # 0: in-process tests, 1: the session worker, 2: CLI tests, 3+: fault tests


def db_url(server: EmbeddedRedis, db: int) -> str:
    return url_for_socket(server.socket, db)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    """A private server for the whole session (append-only file on, unix socket only)."""
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def ledger(redis_server: EmbeddedRedis) -> Iterator[Ledger]:
    """A clean ledger on db 0 for in-process pipeline tests."""
    led = Ledger.from_url(db_url(redis_server, 0), prefix=TEST_PREFIX)
    led.wipe()
    yield led
    led.wipe()
    led.r.close()


@pytest.fixture(scope="session")
def session_worker(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    """One real Celery worker process (2 prefork children) on db 1 for the whole session."""
    home = tmp_path_factory.mktemp("worker-home")
    proc = start_worker(db_url(redis_server, 1), home / "logs", concurrency=2, name="session-worker",
                        env={"CAMPAIGN_KEY_PREFIX": WORKER_PREFIX, "CAMPAIGN_HOME": str(home)})
    yield proc
    proc.stop()


@pytest.fixture
def worker_ledger(redis_server: EmbeddedRedis, session_worker: Proc) -> Iterator[Ledger]:
    """A clean ledger on db 1, served by the session worker; the Celery app in this process points there too."""
    from workers.app import configure

    url = db_url(redis_server, 1)
    configure(url)
    led = Ledger.from_url(url, prefix=WORKER_PREFIX)
    led.wipe()
    yield led
    led.wipe()
    led.r.close()


@pytest.fixture
def fresh_db(redis_server: EmbeddedRedis) -> Iterator[tuple[str, Ledger]]:
    """A never-used database (URL and ledger) for a test that runs its own workers."""
    from workers.app import configure

    url = db_url(redis_server, next(_dbs))
    configure(url)
    led = Ledger.from_url(url, prefix=WORKER_PREFIX)
    yield url, led
    led.r.flushdb()
    led.r.close()


SMALL_CAMPAIGN = {
    "id": "small",
    "name": "Small test campaign",
    "timezone": "Asia/Phnom_Penh",
    "start": "2021-11-08",
    "end": "2021-11-14",
    "cadence": {"every": "day", "time": "10:00"},
    "template": "portrait",
    "released_template": "released",
    "max_lateness": "6h",
    "stagger": "10m",
    "hashtags": ["#FreeThemAll"],
    "captions": {
        "en": {"weekly": ["Week {week}: {name} has been detained for {duration}. {hashtags}",
                          "{organisation} stands with {name}: {days} days. {hashtags}"]},
        "km": {"weekly": ["{name} បានជាប់ឃុំ {duration}។ {hashtags}"]},
    },
    "accounts": [
        {"id": "a-en", "organisation": "Org A", "platform": "outbox", "language": "en"},
        {"id": "b-km", "organisation": "Org B", "platform": "outbox", "language": "km"},
        {"id": "c-en", "organisation": "Org C", "platform": "outbox", "language": "en"},
    ],
}

SMALL_ROSTER = {
    "people": [
        {"id": "rong-chhun", "name": {"en": "Rong Chhun", "km": "រ៉ុង ឈុន"},
         "events": [{"date": "2020-08-01", "type": "arrested", "charge": {"en": "incitement"}},
                    {"date": "2021-11-12", "type": "released"}]},
        {"id": "sar-kanika", "name": {"en": "Sar Kanika", "km": "សារ កាណិកា"},
         "events": [{"date": "2020-08-07", "type": "arrested", "charge": {"en": "incitement"}}]},
        {"id": "ton-nimol", "name": {"en": "Ton Nimol", "km": "តុន នីមល"},
         "events": [{"date": "2020-08-03", "type": "arrested", "charge": {"en": "incitement"}}]},
    ]
}


def write_folder(root: Path, campaign: dict | None = None, roster: dict | None = None) -> Path:
    """Write a campaign folder (campaign.yaml + roster.yaml) and return it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "campaign.yaml").write_text(yaml.safe_dump(campaign or SMALL_CAMPAIGN, allow_unicode=True, sort_keys=False),
                                        encoding="utf-8")
    (root / "roster.yaml").write_text(yaml.safe_dump(roster or SMALL_ROSTER, allow_unicode=True, sort_keys=False),
                                      encoding="utf-8")
    return root


@pytest.fixture
def small_folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "small")


def outbox_records(folder: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def assert_exactly_once(ledger: Ledger, cid: str, outbox: Path) -> dict[str, str]:
    """No duplicate, no lost post: every post reached a final state (the campaign's states hash says the
    same), every posted post was recorded
    posted exactly once in the audit stream and appears exactly once in the outbox (and nothing else does)."""
    states = {p.id: p.state for p in ledger.posts(cid)}
    kept = {k.decode(): v.decode() for k, v in ledger.r.hgetall(ledger.key("states", cid)).items()}
    assert kept == states, "the campaign's states hash (what re-planning reads) differs from its posts' states"
    stuck = {pid: s for pid, s in states.items() if s not in ("posted", "missed", "expired", "cancelled", "failed")}
    assert not stuck, f"posts left unfinished: {stuck}"
    posted_moves = Counter(e["post"] for e in ledger.iter_audit(cid) if e["to"] == "posted")
    twice = {pid: n for pid, n in posted_moves.items() if n != 1}
    assert not twice, f"posted more than once in the audit: {twice}"
    posted = {pid for pid, s in states.items() if s == "posted"}
    assert set(posted_moves) == posted
    records = outbox_records(outbox)
    ids = Counter(r["id"] for r in records)
    assert all(n == 1 for n in ids.values())
    assert set(ids) == posted, f"outbox {sorted(set(ids) ^ posted)} differ from the ledger"
    return states


def put_in_state(ledger: Ledger, post_id: str, leaves: str, to: str, *, at: datetime,
                 delete: tuple[str, ...] = (), **fields: object) -> bool:
    """Move a post from ``leaves`` to ``to`` (changing ``fields``, deleting ``delete``) as no named
    operation of the ledger would: for tests that need a post in a state, not the path to it. One
    atomic move like any other (counted, audited), through the ledger's private move."""
    from campaign.ledger.record import encode

    return ledger._move(post_id, (leaves,), to, at=at, worker="test", detail="put in state by a test",
                        fields=encode(**fields), delete=delete)


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.02, message: str = "condition") -> None:  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until true, or fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def local(day: str, hm: str = "00:00", tz: str = "Asia/Phnom_Penh") -> datetime:
    from zoneinfo import ZoneInfo

    h, m = map(int, hm.split(":"))
    return datetime.combine(date.fromisoformat(day), datetime.min.time().replace(hour=h, minute=m), tzinfo=ZoneInfo(tz))


__all__ += ["local"]
