"""Publishing speed to the fake platform servers (loopback HTTP, the real client libraries):
through the whole pipeline (Redis ledger, real Celery workers), and straight through the
publishers; and how a 429 storm on one account affects the others.

    python -m benchmarks.publish [--posts 30] [--accounts 20] [--pipeline-posts 10] [--workers 8]
                                 [--repeat 3] [--skip-direct] [--skip-pipeline]

Every configuration runs ``--repeat`` times; each figure is the median with its spread (min-max),
so a difference smaller than the spread reads as the noise it is.

Through the pipeline (a private Valkey server, real ``celery worker`` processes reaching the fakes
through ``$CAMPAIGN_BASE_URLS``; the driver plays the beat, ticking every 0.1 s on a simulated
clock): every post is rendered first (not timed), then the clock jumps past all due times and the
figure is from that tick until every post is ``posted`` in the ledger: queue, Celery task, claim
with lease, re-check, publish to the fake, record.

* one account: for each platform, one account's posts through one worker process (concurrency 1);
* twenty accounts: four per platform through one worker with ``--workers`` prefork processes;
* end to end: the twenty accounts' posts from nothing rendered (the clock starts before the first
  card is drawn): render, queue, publish, record;
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
import random
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack

from PIL import Image

from campaign.definition import Account
from campaign.publishers import PublishError, RateLimited, get_publisher
from campaign.publishers.base import Post
from tests.fakes.fixtures import PLATFORMS, make_post
from tests.fakes.server import FakeServer
from tests.fakes.x import FakeX

from .publish_pipeline import NAMES, fake_for, p95, spread, through_pipeline


def noise_card(seed: int = 1) -> bytes:
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (540, 675), bytes(rng.getrandbits(8) for _ in range(540 * 675 * 3)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def posts(account: Account, card: bytes, n: int, tag: str) -> Iterator[Post]:
    for i in range(n):
        yield make_post(account, text=f"{tag} post {i}: Rong Chhun, 400 days behind bars. #FreeThemAll",
                        post_id=f"bench:{tag}:{i}", image=card)


def one_account(card: bytes, n: int, repeat: int) -> None:
    print(f"one account, {n} posts one after another (a single worker); median (spread) of {repeat} runs:")
    for name in NAMES:
        rates = []
        with fake_for(name) as fake:
            platform = PLATFORMS[name]
            account = platform.account()
            publisher = get_publisher(account, platform.context(fake, timeout=10))
            publisher.publish(make_post(account, text="warm-up", post_id="bench:warm", image=card))
            for r in range(repeat):
                with fake.lock:
                    fake.posted.clear()  # X would refuse the earlier runs' texts as duplicates
                started = time.perf_counter()
                for post in posts(account, card, n, f"{name}-{r}"):
                    publisher.publish(post)
                rates.append(n / (time.perf_counter() - started))
        print(f"  {name:<9} {spread(rates)} posts/s   {spread([1000 / r for r in rates])} ms/post")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=30, help="posts per account")
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--pipeline-posts", type=int, default=10, help="posts per account through the pipeline")
    parser.add_argument("--workers", type=int, default=8, help="worker processes for the twenty-account pipeline run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each configuration (median and spread)")
    parser.add_argument("--skip-direct", action="store_true", help="only the figures through the pipeline")
    parser.add_argument("--skip-pipeline", action="store_true", help="only the figures straight to the fakes")
    args = parser.parse_args()
    if not args.skip_pipeline:
        through_pipeline(args.pipeline_posts, args.accounts, args.workers, args.repeat)
        print()
    if args.skip_direct:
        return
    print("straight through the publishers (no Redis, no Celery):\n")
    card = noise_card()
    print(f"card: {len(card):,} bytes JPEG\n")
    one_account(card, args.posts, args.repeat)
    calm = [many_accounts(card, args.posts, args.accounts, storm=False) for _ in range(args.repeat)]
    print(f"\n{args.accounts} accounts ({args.accounts // len(NAMES)} per platform), one thread each, "
          f"{args.posts} posts each; median (spread) of {args.repeat} runs:")
    print(f"  {spread([c[0] for c in calm])} posts/s overall   p50 {spread([1000 * statistics.median(c[1]) for c in calm])} ms"
          f"   p95 {spread([1000 * p95(c[1]) for c in calm])} ms")
    stormy = [many_accounts(card, args.posts, args.accounts, storm=True) for _ in range(args.repeat)]
    print(f"\nthe same with a 429 storm on one more X account (it retries at once, "
          f"{spread([s[2] for s in stormy], '{:.0f}')} 429s answered):")
    print(f"  {spread([s[0] for s in stormy])} posts/s overall   p50 {spread([1000 * statistics.median(s[1]) for s in stormy])} ms"
          f"   p95 {spread([1000 * p95(s[1]) for s in stormy])} ms")
    calm_rates, storm_rates = [c[0] for c in calm], [s[0] for s in stormy]
    print(f"  throughput {100 * (statistics.median(storm_rates) / statistics.median(calm_rates) - 1):+.1f}% (medians; "
          f"calm runs themselves spread {100 * (max(calm_rates) / min(calm_rates) - 1):.0f}%: a difference inside "
          "that is noise)")
    times = [t for s in stormy for t in s[3]]
    if times:
        print(f"  RateLimited came back in p50 {1000 * statistics.median(times):.1f} ms "
              "(no in-process sleeping: the account waits in the ledger, not in a worker)")


if __name__ == "__main__":
    main()
