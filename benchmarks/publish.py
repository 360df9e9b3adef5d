"""Publishing speed straight through the publishers to the fake platform servers (loopback HTTP,
the real client libraries), and how a 429 storm on one account affects the others.

    python -m benchmarks.publish [--posts 30] [--accounts 20]

* one account: posts per second for each platform, one post after another (a single worker);
* twenty accounts: four per platform, one thread each (twenty workers), posts per second overall;
* 429 storm: the same twenty-account run while one more X account is answered 429 on every
  attempt and, misbehaving on purpose, tries again at once instead of waiting for its reset:
  the others' throughput and p95 latency with and without it, and how fast RateLimited comes
  back (the publishers never sleep in-process).

It does not go through the Redis ledger and Celery (the pipeline adds one Redis round trip per
state change); those figures belong to a pipeline benchmark. Cards are 540x675 noise JPEGs
(about 300 kB), the Mastodon fake processes media at once.
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
from campaign.publishers.base import Context, Post
from tests.fakes.fixtures import PLATFORMS, make_post
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
    if name == "mastodon":
        from tests.fakes.fixtures import ENV

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=30, help="posts per account")
    parser.add_argument("--accounts", type=int, default=20)
    args = parser.parse_args()
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
