"""Many machines over one Redis: workers need nothing but the package and ``REDIS_URL``.

A Redis on TCP with a password; two render workers and two publish workers, each in its own empty
working directory and ``CAMPAIGN_HOME`` (no campaign folder, no shared disk: the folder is deleted
once applied, so definitions, rosters, photos and templates can only come from Redis); two beats. A
campaign replayed on the simulated clock to three fake platforms over HTTP: every post once, none lost.
"""

from __future__ import annotations

import io
import json
import shutil
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from campaign.checks import load_checked
from campaign.clock import SimulatedClock
from campaign.ledger import Ledger
from campaign.pipeline import apply_folder, load_applied
from campaign.pipeline.tick import next_moment
from campaign.redis_server import broker_ssl, check_url, find_redis_server
from workers.launch import Proc, start_beat
from tests.fakes.fixtures import ENV, PLATFORMS, running
from tests.pipeline_fixtures import *  # noqa: F403
from tests.test_pipeline_platforms import ROSTER, platform_campaign

PASSWORD = "many-machines-redis-password"
PLATFORMS_USED = {"mastodon": "km", "telegram": "km", "bluesky": "en"}


@pytest.fixture
def tcp_redis(tmp_path: Path) -> Iterator[str]:
    """A server on 127.0.0.1 (TCP, a free port) that asks for a password, as a managed Redis would."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp_path / "redis-tcp"
    data.mkdir()
    proc = subprocess.Popen([find_redis_server(), "--port", str(port), "--bind", "127.0.0.1", "--requirepass", PASSWORD,
                             "--dir", str(data), "--appendonly", "yes", "--save", ""],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"redis://:{PASSWORD}@127.0.0.1:{port}/0"
    try:
        wait_until(lambda: _answers(url), 10, 0.05, message="the TCP Redis to answer")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=0.5).ping())
    except redis.RedisError:
        return False


def _photo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (90, 120, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_the_password_is_required_and_rediss_is_understood(tcp_redis: str) -> None:
    with pytest.raises(Exception, match="cannot reach Redis"):
        check_url(tcp_redis.replace(f":{PASSWORD}@", ":wrong@"))
    assert check_url(tcp_redis) == tcp_redis
    tls = broker_ssl("rediss://:pw@redis.example.org:6380/0")
    assert tls is not None and tls["ssl_cert_reqs"] == 2  # ssl.CERT_REQUIRED: certificates verified
    assert broker_ssl(tcp_redis) is None


@pytest.mark.slow
def test_workers_on_separate_machines_post_each_post_once(tcp_redis: str, tmp_path: Path) -> None:
    from workers.app import configure

    configure(tcp_redis)
    ledger = Ledger.from_url(tcp_redis, prefix="cs:")  # the default prefix: the workers are told nothing
    campaign = platform_campaign(PLATFORMS_USED, weeks=3, cid="machines")
    roster = json.loads(json.dumps(ROSTER))
    roster["people"][0]["photo"] = "photos/rong-chhun.jpg"
    folder = write_folder(tmp_path / "organiser" / "machines", campaign, roster)
    (folder / "photos").mkdir()
    (folder / "photos" / "rong-chhun.jpg").write_bytes(_photo())
    gens = {name: running(PLATFORMS[name]) for name in PLATFORMS_USED}
    fakes = {name: next(gen) for name, gen in gens.items()}
    procs: list[Proc] = []
    try:
        start = local("2021-10-29")
        SimulatedClock(ledger).set(start)
        apply_folder(ledger, load_checked(folder), start)
        applied = load_applied(ledger, "machines")
        shutil.rmtree(tmp_path / "organiser")  # the organiser's machine: gone; only Redis has the campaign

        def machine(name: str) -> tuple[Path, dict[str, str]]:
            home = tmp_path / name
            (home / "cwd").mkdir(parents=True)
            return home / "cwd", {"CAMPAIGN_HOME": str(home / "state"), "CAMPAIGN_TICK_SECONDS": "0.3",
                                  "CAMPAIGN_BASE_URLS": json.dumps({n: f.url for n, f in fakes.items()}),
                                  "CAMPAIGN_PUBLISH_TIMEOUT": "3", **ENV}

        for i in range(2):
            cwd, env = machine(f"render{i}")
            procs.append(start_worker(tcp_redis, tmp_path / "logs", queues=("render",), concurrency=1, env=env,
                                      name=f"render{i}", cwd=cwd))
            cwd, env = machine(f"publish{i}")
            procs.append(start_worker(tcp_redis, tmp_path / "logs", queues=("publish", "tick"), concurrency=1,
                                      env=env, name=f"publish{i}", cwd=cwd))
        for i in range(2):
            cwd, env = machine(f"beat{i}")
            procs.append(start_beat(tcp_redis, tmp_path / f"beat{i}", env=env, name=f"beat{i}", cwd=cwd))
        clock = SimulatedClock(ledger)
        now = next_moment(ledger, applied, start)
        began = time.monotonic()
        while now is not None:
            clock.set(now)
            t = now.timestamp()

            def settled() -> bool:
                return all(p.state == "posted" or p.due > t for p in ledger.posts("machines"))

            wait_until(settled, 30, 0.05, message=f"posts due by {now} to go out")
            now = next_moment(ledger, applied, now)
        assert time.monotonic() - began < 60
        assert all(p.alive() for p in procs), [p.name for p in procs if not p.alive()]
    finally:
        for p in procs:
            p.stop()
        for gen in gens.values():
            gen.close()
    posts = ledger.posts("machines")
    assert len(posts) == 3 * len(PLATFORMS_USED) and {p.state for p in posts} == {"posted"}
    posted_moves = Counter(e["post"] for e in ledger.iter_audit("machines") if e["to"] == "posted")
    assert set(posted_moves.values()) == {1} and len(posted_moves) == len(posts)
    for name, fake in fakes.items():  # on each platform: each of its posts, once
        mine = [p for p in posts if p.slot.platform == name]
        assert Counter(item["text"] for item in fake.posted) == Counter(p.caption for p in mine)
    for i in range(2):  # each render worker unpacked what it used into its own home, nothing into its cwd
        assert not any((tmp_path / f"render{i}" / "cwd").iterdir())
    assert any((tmp_path / f"render{i}" / "state" / "cache" / "templates").is_dir() for i in range(2))
    ledger.r.flushdb()
    ledger.close()
