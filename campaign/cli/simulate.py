"""``campaign simulate``: a whole campaign replayed in seconds through the real pipeline, on a
simulated clock, in its own Redis (``$CAMPAIGN_HOME/simulation/redis``), which it leaves behind so
that ``campaign web --data-dir .campaign/simulation/redis`` opens the replay in the dashboard."""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import ExitStack
from datetime import date, datetime, time as dtime
from pathlib import Path

import click

from ..checks import load_checked
from ..ledger import Ledger
from ..redis_server import EmbeddedRedis, campaign_home, default_data_dir
from .common import fail, parse_day
from .store import ops_errors

SIM_DIR = click.option("--data-dir", type=click.Path(path_type=Path), default=None,
                       help="Folder of the replay's own Redis, logs and caches, emptied at the start and kept "
                            "afterwards for the dashboard [default: $CAMPAIGN_HOME/simulation or .campaign/simulation].")


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Where to write outbox/ and report.html.")
@click.option("--until", callback=parse_day, metavar="DATE", help="Stop after this local date.")
@click.option("--workers", "concurrency", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Celery worker processes.")
@click.option("--no-auto-approve", is_flag=True, help="Leave cards awaiting review (they will be missed).")
@SIM_DIR
@ops_errors
def simulate(folder: Path, out_dir: Path, until: date | None, concurrency: int, no_auto_approve: bool,
             data_dir: Path | None) -> None:
    """Replay a whole campaign in seconds on a simulated clock, through the real pipeline.

    A private Redis (in .campaign/simulation/, emptied first) and a real Celery worker
    run every post; the clock jumps from one due time to the next, and roster events
    become known on their day. Every account is switched to the outbox, so no real
    credentials are used. Writes OUT/outbox/ (one JSON + card per post), OUT/report.html
    (a timeline of every post with its card and state) and prints counts per state.
    The replay's ledger stays, so the dashboard can open it (the command is printed).

    \b
    Example:
      campaign simulate config/campaigns/release-hrds-2021 --out out
      campaign web --data-dir .campaign/simulation/redis
    """
    from workers.supervise import Supervisor

    from ..clock import SimulatedClock
    from ..pipeline import apply_folder, load_applied
    from ..pipeline.simulate import campaign_window, run_simulation
    from ..report import summary_line, write_report

    f = load_checked(folder)
    out_dir = out_dir.absolute()
    for stale in ("outbox", "cards"):
        shutil.rmtree(out_dir / stale, ignore_errors=True)
    (out_dir / "outbox").mkdir(parents=True, exist_ok=True)
    base = (data_dir or campaign_home() / "simulation").absolute()
    if (base / "redis").absolute() == default_data_dir().absolute():
        fail(f"{base / 'redis'} is where `campaign run` keeps its ledger, and a replay empties its own first; give "
             "the replay a folder of its own with --data-dir (or leave it out)")
    shutil.rmtree(base / "logs", ignore_errors=True)
    server = EmbeddedRedis(base / "redis").start()
    stack = ExitStack()  # stops the worker before Redis
    try:
        ledger = Ledger.from_url(server.url)
        ledger.r.flushdb()  # the replay's own Redis: each replay starts empty (a dashboard on it sees the new one)
        tz = f.campaign.tz
        stop_at = datetime.combine(until, dtime.max, tzinfo=tz) if until else None
        # Apply as the organiser would have before the campaign began.
        start, end = campaign_window(f.campaign, stop_at)
        SimulatedClock(ledger).set(start)
        apply_folder(ledger, f, start, {"outbox_dir": str(out_dir / "outbox"), "force_outbox": "1"})
        applied = load_applied(ledger, f.campaign.id)
        env = {"CAMPAIGN_HOME": str(base), "CAMPAIGN_CACHE": str(base / "cache")}
        supervisor = stack.enter_context(Supervisor(server.url, env))
        supervisor.worker(base / "logs", concurrency=concurrency, name="sim-worker")
        span = max(1, int((end - start).total_seconds() // 3600))
        with click.progressbar(length=span, label=f"simulating {f.campaign.id}", file=sys.stderr,
                               item_show_func=lambda d: d) as bar:
            done = [0]

            def progress(now: datetime) -> None:
                hours = int((now - start).total_seconds() // 3600)
                bar.update(max(0, min(span, hours) - done[0]), now.astimezone(tz).strftime("%Y-%m-%d"))
                done[0] = max(done[0], min(span, hours))

            result = run_simulation(ledger, applied, supervisor.dispatch(), start=start, until=end,
                                    auto_approve=not no_auto_approve, progress=progress)
            bar.update(span - done[0])
        report = write_report(ledger, f.campaign.id, out_dir,
                              subtitle=f"simulated {start:%Y-%m-%d} to {(result.last or end):%Y-%m-%d}")
        click.echo(f"{summary_line(f.campaign.id, result.counts)} ({result.steps} steps in {result.seconds:.1f}s)")
        click.echo(f"wrote {out_dir / 'outbox'} and {report}")
        click.echo(f"open it in the dashboard: campaign web --data-dir {_shown(base / 'redis')}")
    finally:
        stack.close()
        server.stop()


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when inside it (what a person types), else absolute."""
    try:
        return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)
