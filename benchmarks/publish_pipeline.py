"""Publishing through the pipeline, for :mod:`benchmarks.publish` (it prints nothing run alone):
a private Valkey server, the five fake platforms and real ``celery worker`` processes; each
configuration repeated, figures as median and spread."""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from campaign.ledger import Ledger
from tests.fakes.fixtures import ENV, PLATFORMS
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import FakeServer

NAMES = list(PLATFORMS)


def fake_for(name: str) -> FakeServer:
    if name == "mastodon":  # media processed at once
        return FakeMastodon(ENV["MASTODON_TOKEN"], processing_polls=0)
    return PLATFORMS[name].make_fake()


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
            timeout: float = 300.0, with_rendering: bool = False) -> dict[str, Any]:
        """Render everything, then time the publishing of every post of the accounts except
        ``storm``; ``with_rendering``: time from the first tick with no card rendered (end to end:
        render, queue, publish, record)."""
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
        led, clock, dispatch = self.ledger, SimulatedClock(self.ledger), CeleryDispatch(say_done=True)
        c = f.campaign
        first = datetime.combine(c.start, datetime.min.time(), tzinfo=c.tz) - timedelta(days=1)
        clock.set(first)
        apply_folder(led, f, first)
        load_applied(led, cid)
        total = len(led.post_ids(cid))
        deadline = time.monotonic() + timeout
        while not with_rendering and led.counts(cid).get("rendered", 0) < total:  # render everything (not timed)
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
            elif entry["to"] == "posted" and entry["post"] in queued:
                latencies.append(float(entry["ts"]) - queued[entry["post"]])
        out: dict[str, Any] = {"posts": want, "seconds": took, "rate": want / took, "latencies": latencies,
                               "counts": led.counts(cid), "cards": len({p.card for p in led.posts(cid) if p.card})}
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


def spread(values: list[float], fmt: str = "{:.1f}") -> str:
    """``median (min-max over n runs)``."""
    v = sorted(values)
    return f"{fmt.format(statistics.median(v))} ({fmt.format(v[0])}-{fmt.format(v[-1])} over {len(v)})"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def through_pipeline(days: int, accounts: int, workers: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="publish-bench-") as tmp:
        bench = PipelineBench(Path(tmp))
        try:
            bench.start_worker(1)
            bench.run([("warm-up", "x", "Bench")], 2)  # imports and connections in the worker process
            print(f"through the pipeline (Redis ledger + Celery), one account, {days} posts, one worker process, "
                  f"cards rendered before the clock starts; median (spread) of {repeat} runs:")
            for name in NAMES:
                runs = [bench.run([(f"solo-{name}", name, "Bench")], days) for _ in range(repeat)]
                print(f"  {name:<9} {spread([r['rate'] for r in runs])} posts/s   "
                      f"{spread([1000 * r['seconds'] / r['posts'] for r in runs])} ms/post")
            bench.start_worker(workers)
            bench.run(twenty(accounts), 2)  # warm-up: every process imports its libraries
            calm = [bench.run(twenty(accounts), days) for _ in range(repeat)]
            print(f"\nthrough the pipeline, {accounts} accounts ({accounts // len(NAMES)} per platform), {days} posts "
                  f"each ({calm[0]['posts']}), one worker with {workers} processes, cards rendered first:")
            print(f"  {spread([r['rate'] for r in calm])} posts/s overall   all posted in "
                  f"{spread([r['seconds'] for r in calm], '{:.2f}')} s   queued->posted p50 "
                  f"{spread([1000 * statistics.median(r['latencies']) for r in calm], '{:.0f}')} ms "
                  f"p95 {spread([1000 * p95(r['latencies']) for r in calm], '{:.0f}')} ms   (figure; no target)")
            ends = [bench.run(twenty(accounts), days, with_rendering=True) for _ in range(repeat)]
            print(f"\nend to end, the same {ends[0]['posts']} posts from nothing rendered: render ({ends[0]['cards']} "
                  "distinct cards of the portrait template: posts of a day on accounts of one language share "
                  "one), queue, publish, record:")
            print(f"  {spread([r['rate'] for r in ends])} posts/s overall   all posted in "
                  f"{spread([r['seconds'] for r in ends], '{:.2f}')} s   "
                  f"{spread([1000 * r['seconds'] / r['posts'] for r in ends])} ms/post   (figure; no target)")
            bench.fakes["x"].fail_when("tweets", lambda r: STORM_ORG in ((r.json() or {}).get("text") or ""), "429")
            stormy = [bench.run(twenty(accounts) + [("acct-x-storm", "x", STORM_ORG)], days, storm=STORM_ORG)
                      for _ in range(repeat)]
            print("\nthe same (cards rendered first) with a 429 storm on one more X account (every attempt 429, "
                  "reset 1 s; it waits in the ledger):")
            print(f"  {spread([r['rate'] for r in stormy])} posts/s for the others   all {stormy[0]['posts']} posted in "
                  f"{spread([r['seconds'] for r in stormy], '{:.2f}')} s   queued->posted p95 "
                  f"{spread([1000 * p95(r['latencies']) for r in stormy], '{:.0f}')} ms")
            late = statistics.median(r["seconds"] for r in stormy) - statistics.median(r["seconds"] for r in calm)
            calm_spread = max(r["seconds"] for r in calm) - min(r["seconds"] for r in calm)
            print(f"  the others finished {late:+.2f} s later than calm (medians; calm runs themselves spread "
                  f"{calm_spread:.2f} s: a difference inside that is noise); the storm account was answered 429 "
                  f"{spread([r['storm_429'] for r in stormy], '{:.0f}')} times, posted "
                  f"{spread([r['storm_posted'] for r in stormy], '{:.0f}')}")
        finally:
            bench.close()
