"""Publishing speed to the fake platform servers (loopback HTTP, the real client libraries):
through the whole pipeline (Redis ledger, real Celery workers), and straight through the
publishers; and how a 429 storm on one account affects the others.

    python -m benchmarks.publish [--posts 30] [--accounts 20] [--pipeline-posts 10] [--workers 8]
                                 [--skip-direct]

Through the pipeline (a private Valkey server, real ``celery worker`` processes reaching the fakes
through ``$CAMPAIGN_BASE_URLS``; the driver plays the beat, ticking every 0.1 s on a simulated
clock): every post is rendered first (not timed), then the clock jumps past all due times and the
figure is from that tick until every post is ``posted`` in the ledger: queue, Celery task, claim
with lease, re-check, publish to the fake, record.

* one account: for each platform, one account's posts through one worker process (concurrency 1);
* twenty accounts: four per platform through one worker with ``--workers`` prefork processes;
* 429 storm: the same plus one more X account answered 429 (reset 1 s) on every attempt: how much
  later the twenty others finish, and how often the storm account was tried (it waits in the
  ledger until each reset; the others go on).

Straight through the publishers (no Redis, no Celery), as before:

* one account: posts per second for each platform, one post after another (a single worker);
* twenty accounts: four per platform, one thread each (twenty workers), posts per second overall;
* 429 storm: the same twenty-account run while one more X account is answered 429 on every
  attempt and, misbehaving on purpose, tries again at once instead of waiting for its reset:
  the others' throughput and p95 latency with and without it, and how fast RateLimited comes
  back (the publishers never sleep in-process).

Direct cards are 540x675 noise JPEGs (about 300 kB); pipeline cards are the portrait template's
real cards. The Mastodon fake processes media at once.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image

from campaign.definition import Account
from campaign.ledger import Ledger
from campaign.publishers import PublishError, RateLimited, get_publisher
from campaign.publishers.base import Post
from tests.fakes.fixtures import ENV, PLATFORMS, make_post
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import FakeServer
from tests.fakes.x import FakeX

NAMES = list(PLATFORMS)


def noise_card(seed: int = 1) -> bytes:
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (540, 675), bytes(rng.getrandbits(8) for _ in range(540 * 675 * 3)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def fake_for(name: str) -> FakeServer:
    if name == "mastodon":  # media processed at once
        return FakeMastodon(ENV["MASTODON_TOKEN"], processing_polls=0)
    return PLATFORMS[name].make_fake()


def posts(account: Account, card: bytes, n: int, tag: str) -> Iterator[Post]:
    for i in range(n):
        yield make_post(account, text=f"{tag} post {i}: Rong Chhun, 400 days behind bars. #FreeThemAll",
                        post_id=f"bench:{tag}:{i}", image=card)


def one_account(card: bytes, n: int) -> None:
    print(f"one account, {n} posts one after another (a single worker):")
    for name in NAMES:
        with fake_for(name) as fake:
            platform = PLATFORMS[name]
            account = platform.account()
            publisher = get_publisher(account, platform.context(fake, timeout=10))
            publisher.publish(make_post(account, text="warm-up", post_id="bench:warm", image=card))
            started = time.perf_counter()
            for post in posts(account, card, n, f"{name}-1"):
                publisher.publish(post)
            took = time.perf_counter() - started
        print(f"  {name:<9} {n / took:7.1f} posts/s   {1000 * took / n:6.1f} ms/post")


def many_accounts(card: bytes, n: int, accounts: int, storm: bool) -> tuple[float, list[float], int, list[float]]:
    """Run ``accounts`` publishers in threads (plus a storming account); returns (posts/s of the
    others, their latencies, the storm's 429 count, the storm's time-to-RateLimited)."""
    latencies: list[float] = []
    storm_times: list[float] = []
    storm_count = 0
    lock = threading.Lock()
    done = threading.Event()
    with ExitStack() as stack:
        workers = []
        for i in range(accounts):
            name = NAMES[i % len(NAMES)]
            platform = PLATFORMS[name]
            fake = stack.enter_context(fake_for(name))  # each account its own server: its own limits
            account = platform.account(f"bench-{name}-{i}")
            publisher = get_publisher(account, platform.context(fake, timeout=10))
            publisher.publish(make_post(account, text=f"warm-up {i}", post_id=f"bench:warm:{i}", image=card))
            workers.append((publisher, list(posts(account, card, n, f"{name}-{i}"))))

        def work(publisher: object, items: list[Post]) -> None:
            for post in items:
                t0 = time.perf_counter()
                publisher.publish(post)  # type: ignore[attr-defined]
                with lock:
                    latencies.append(time.perf_counter() - t0)

        def hammer(publisher: object, fake: FakeServer, account: Account) -> None:
            nonlocal storm_count
            i = 0
            while not done.is_set():
                fake.fail("upload", "429")
                t0 = time.perf_counter()
                try:
                    publisher.publish(make_post(account, text=f"storm {i}", post_id=f"bench:storm:{i}", image=card))  # type: ignore[attr-defined]
                except RateLimited:
                    storm_count += 1
                    storm_times.append(time.perf_counter() - t0)
                except PublishError:
                    pass
                i += 1

        threads = [threading.Thread(target=work, args=w) for w in workers]
        if storm:
            x = PLATFORMS["x"]
            fake_x: FakeX = stack.enter_context(fake_for("x"))  # type: ignore[assignment]
            stormy = x.account("bench-x-storm")
            storm_thread = threading.Thread(target=hammer, args=(get_publisher(stormy, x.context(fake_x, timeout=10)),
                                                                 fake_x, stormy))
            storm_thread.start()
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.perf_counter() - started
        done.set()
        if storm:
            storm_thread.join()
    return accounts * n / took, latencies, storm_count, storm_times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


# ---- through the pipeline ----------------------------------------------------------------------

PIPELINE_ROSTER = {"people": [{"id": "rong-chhun", "name": {"en": "Rong Chhun", "km": "រ៉ុង ឈុន"},
                               "events": [{"date": "2020-08-01", "type": "arrested", "charge": {"en": "incitement"}}]}]}
RENDER_LEAD = 60 * 86400  # every post is rendered at the first tick, before any is due
STORM_ORG = "Storm Org"


def pipeline_folder(root: Path, cid: str, accounts: list[tuple[str, str, str]], days: int) -> Path:
    """A daily campaign (stagger 0: every account posts at the same moment) for ``accounts``
    (id, platform, organisation). X accounts get their own organisation: X refuses identical text."""
    import yaml

    start = date(2021, 9, 1)
    campaign = {
        "id": cid, "name": "Publish benchmark", "timezone": "Asia/Phnom_Penh",
        "start": start.isoformat(), "end": (start + timedelta(days=days - 1)).isoformat(),
        "cadence": {"every": "day", "time": "10:00"}, "template": "portrait", "stagger": "0s",
        "max_lateness": f"{days + 2}d", "hashtags": ["#FreeThemAll"],
        "captions": {"en": {"weekly": ["{organisation}: {name}, {days} days behind bars. {hashtags}"]}},
        "accounts": [{"id": aid, "organisation": org, "platform": name, "language": "en",
                      **PLATFORMS[name].account_fields} for aid, name, org in accounts],
    }
    root.mkdir(parents=True, exist_ok=True)
    (root / "campaign.yaml").write_text(yaml.safe_dump(campaign, allow_unicode=True), encoding="utf-8")
    (root / "roster.yaml").write_text(yaml.safe_dump(PIPELINE_ROSTER, allow_unicode=True), encoding="utf-8")
    return root


class PipelineBench:
    """A private Valkey server, the five fakes and worker processes, reused across runs."""

    def __init__(self, root: Path):
        from campaign.redis_server import EmbeddedRedis, url_for_socket

        self.root = root
        self.redis = EmbeddedRedis(root / "redis")
        self.redis.start()
        self.url = url_for_socket(self.redis.socket, 0)
        self.fakes = {name: fake_for(name) for name in NAMES}
        for fake in self.fakes.values():
            fake.start()
            if hasattr(fake, "remaining"):
                fake.remaining = 10 ** 9  # one fake user stands for many accounts: no shared budget
        self.fakes["x"].rate_reset_seconds = 1.0
        self.env = {"CAMPAIGN_KEY_PREFIX": "pb:", "CAMPAIGN_HOME": str(root / "home"),
                    "CAMPAIGN_BASE_URLS": json.dumps({n: f.url for n, f in self.fakes.items()}),
                    "CAMPAIGN_PUBLISH_TIMEOUT": "10", "CAMPAIGN_RENDER_LEAD_SECONDS": str(RENDER_LEAD), **ENV}
        os.environ["CAMPAIGN_RENDER_LEAD_SECONDS"] = str(RENDER_LEAD)  # the driver plans with the same lead
        from workers.app import configure

        configure(self.url)
        self.ledger = Ledger.from_url(self.url, prefix="pb:")
        self.worker: Any = None
        self.runs = 0

    def start_worker(self, concurrency: int) -> None:
        from workers.launch import start_worker

        self.stop_worker()
        self.worker = start_worker(self.url, self.root / "logs", concurrency=concurrency, queues=("render", "publish"),
                                   env=self.env, timeout=60)

    def stop_worker(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def close(self) -> None:
        self.stop_worker()
        for fake in self.fakes.values():
            fake.stop()
        self.ledger.r.close()
        self.redis.stop()

    def run(self, accounts: list[tuple[str, str, str]], days: int, storm: str | None = None,
            timeout: float = 300.0) -> dict[str, Any]:
        """Render everything, then time the publishing of every post of the accounts except ``storm``."""
        from campaign.clock import SimulatedClock
        from campaign.checks import load_checked
        from campaign.pipeline import apply_folder, load_applied, tick
        from campaign.pipeline.simulate import wait_for
        from workers.tasks import CeleryDispatch

        self.runs += 1
        for fake in self.fakes.values():
            with fake.lock:
                fake.posted.clear()  # X would refuse the earlier runs' texts as duplicates
        cid = f"pbench{self.runs}"
        folder = pipeline_folder(self.root / cid, cid, accounts, days)
        f = load_checked(folder)
        led, clock, dispatch = self.ledger, SimulatedClock(self.ledger), CeleryDispatch()
        c = f.campaign
        first = datetime.combine(c.start, datetime.min.time(), tzinfo=c.tz) - timedelta(days=1)
        clock.set(first)
        apply_folder(led, f, first)
        load_applied(led, cid)
        total = len(led.post_ids(cid))
        deadline = time.monotonic() + timeout
        while led.counts(cid).get("rendered", 0) < total:  # render everything (not timed)
            handed = tick(led, first, dispatch, campaigns=[cid])
            wait_for(led, cid, handed.render, (), timeout)
            if time.monotonic() > deadline:
                raise RuntimeError(f"rendering did not finish: {led.counts(cid)}\n{self.worker.tail()}")
        last = datetime.combine(c.end, datetime.min.time(), tzinfo=c.tz) + timedelta(hours=11)
        clock.set(last)
        others = [a for a, _, org in accounts if org != storm]
        want = sum(1 for p in led.posts(cid) if p.slot.account in others)
        started = time.perf_counter()
        beat = 0.0
        while True:
            if time.perf_counter() >= beat:  # the beat (every 0.1 s): queue due posts, resend waited ones
                tick(led, last, dispatch, campaigns=[cid])
                beat = time.perf_counter() + 0.1
            counts = led.counts(cid)
            if sum(counts.get(f"{a}/posted", 0) for a in others) >= want:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"publishing did not finish: {counts}\n{self.worker.tail()}")
            time.sleep(0.002)
        took = time.perf_counter() - started
        queued: dict[str, float] = {}
        latencies: list[float] = []
        for entry in led.iter_audit(cid):
            if entry["to"] == "queued" and entry["post"] not in queued:
                queued[entry["post"]] = float(entry["ts"])
            elif entry["to"] == "posted":
                latencies.append(float(entry["ts"]) - queued[entry["post"]])
        out: dict[str, Any] = {"posts": want, "seconds": took, "rate": want / took, "latencies": latencies,
                               "counts": led.counts(cid)}
        if storm:
            storm_ids = [a for a, _, org in accounts if org == storm]
            attempts = [a for p in led.posts(cid) if p.slot.account in storm_ids for a in led.attempts(p.id)]
            out["storm_429"] = sum(1 for a in attempts if a["outcome"] == "rate_limited")
            out["storm_posted"] = sum(counts.get(f"{a}/posted", 0) for a in storm_ids)
            out["storm_waiting"] = sum(counts.get(f"{a}/queued", 0) for a in storm_ids)
        return out


def twenty(n: int) -> list[tuple[str, str, str]]:
    return [(f"acct-{NAMES[i % len(NAMES)]}-{i}", NAMES[i % len(NAMES)],
             f"Bench X {i}" if NAMES[i % len(NAMES)] == "x" else "Bench") for i in range(n)]


def through_pipeline(days: int, accounts: int, workers: int) -> None:
    with tempfile.TemporaryDirectory(prefix="publish-bench-") as tmp:
        bench = PipelineBench(Path(tmp))
        try:
            bench.start_worker(1)
            bench.run([("warm-up", "x", "Bench")], 2)  # imports and connections in the worker process
            print(f"through the pipeline (Redis ledger + Celery), one account, {days} posts, one worker process:")
            for name in NAMES:
                r = bench.run([(f"solo-{name}", name, "Bench")], days)
                print(f"  {name:<9} {r['rate']:7.1f} posts/s   {1000 * r['seconds'] / r['posts']:6.1f} ms/post")
            bench.start_worker(workers)
            bench.run(twenty(accounts), 2)  # warm-up: every process imports its libraries
            calm = bench.run(twenty(accounts), days)
            print(f"\nthrough the pipeline, {accounts} accounts ({accounts // len(NAMES)} per platform), {days} posts "
                  f"each ({calm['posts']}), one worker with {workers} processes:")
            print(f"  {calm['rate']:7.1f} posts/s overall   all posted in {calm['seconds']:.2f} s   "
                  f"queued->posted p50 {1000 * statistics.median(calm['latencies']):.0f} ms "
                  f"p95 {1000 * p95(calm['latencies']):.0f} ms")
            bench.fakes["x"].fail_when("tweets", lambda r: STORM_ORG in ((r.json() or {}).get("text") or ""), "429")
            stormy = bench.run(twenty(accounts) + [("acct-x-storm", "x", STORM_ORG)], days, storm=STORM_ORG)
            print("\nthe same with a 429 storm on one more X account (every attempt 429, reset 1 s; it waits in "
                  "the ledger):")
            print(f"  {stormy['rate']:7.1f} posts/s for the others   all {stormy['posts']} posted in "
                  f"{stormy['seconds']:.2f} s   queued->posted p50 {1000 * statistics.median(stormy['latencies']):.0f} ms "
                  f"p95 {1000 * p95(stormy['latencies']):.0f} ms")
            print(f"  the others finished {stormy['seconds'] - calm['seconds']:+.2f} s later "
                  f"({100 * (stormy['seconds'] / calm['seconds'] - 1):+.1f}%); the storm account was answered 429 "
                  f"{stormy['storm_429']} times, posted {stormy['storm_posted']}, "
                  f"{stormy['storm_waiting']} of its posts still waiting for a reset")
        finally:
            bench.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=30, help="posts per account")
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--pipeline-posts", type=int, default=10, help="posts per account through the pipeline")
    parser.add_argument("--workers", type=int, default=8, help="worker processes for the twenty-account pipeline run")
    parser.add_argument("--skip-direct", action="store_true", help="only the figures through the pipeline")
    parser.add_argument("--skip-pipeline", action="store_true", help="only the figures straight to the fakes")
    args = parser.parse_args()
    if not args.skip_pipeline:
        through_pipeline(args.pipeline_posts, args.accounts, args.workers)
        print()
    if args.skip_direct:
        return
    print("straight through the publishers (no Redis, no Celery):\n")
    card = noise_card()
    print(f"card: {len(card):,} bytes JPEG\n")
    one_account(card, args.posts)
    calm, calm_lat, _, _ = many_accounts(card, args.posts, args.accounts, storm=False)
    print(f"\n{args.accounts} accounts ({args.accounts // len(NAMES)} per platform), one thread each, "
          f"{args.posts} posts each:")
    print(f"  {calm:7.1f} posts/s overall   p50 {1000 * statistics.median(calm_lat):6.1f} ms   p95 {1000 * p95(calm_lat):6.1f} ms")
    stormy, storm_lat, hits, storm_times = many_accounts(card, args.posts, args.accounts, storm=True)
    print(f"\nthe same with a 429 storm on one more X account (it retries at once, {hits} 429s answered):")
    print(f"  {stormy:7.1f} posts/s overall   p50 {1000 * statistics.median(storm_lat):6.1f} ms   p95 {1000 * p95(storm_lat):6.1f} ms")
    delay = 1000 * (p95(storm_lat) - p95(calm_lat))
    print(f"  the others' p95 moved by {delay:+.1f} ms; throughput {100 * (stormy / calm - 1):+.1f}%")
    if storm_times:
        print(f"  RateLimited came back in p50 {1000 * statistics.median(storm_times):.1f} ms "
              "(no in-process sleeping: the account waits in the ledger, not in a worker)")


if __name__ == "__main__":
    main()
