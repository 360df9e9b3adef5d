"""``campaign simulate``: a whole campaign replayed in seconds through the real pipeline, on a
simulated clock, in its own Redis (``$CAMPAIGN_HOME/simulation/redis``), which it leaves behind so
that ``campaign web --data-dir .campaign/simulation/redis`` opens the replay in the dashboard."""

from __future__ import annotations

import gc
import os
import shutil
import sys
from contextlib import ExitStack
from datetime import date, datetime, time as dtime
from pathlib import Path

import click

from .common import fail, parse_day
from .store import ops_errors

SIM_DIR = click.option("--data-dir", type=click.Path(path_type=Path), default=None,
                       help="Folder of the replay's own Redis, logs and caches, emptied at the start and kept "
                            "afterwards for the dashboard [default: $CAMPAIGN_HOME/simulation or .campaign/simulation].")

#: Which posts meet ``--faults`` when ``--seed`` is not given (fixed, so a rehearsal repeats).
DEFAULT_SEED = 1


def _parse_faults(ctx: click.Context, param: click.Parameter, value: str | None) -> dict[str, int] | None:
    if value is None:
        return None
    from ..pipeline.faults import FaultSpecError, parse_spec

    try:
        return parse_spec(value)
    except FaultSpecError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Where to write outbox/ and report.html.")
@click.option("--until", callback=parse_day, metavar="DATE", help="Stop after this local date.")
@click.option("--workers", "concurrency", type=click.IntRange(1, 64), default=None,
              help="Celery worker processes, which render and publish, a task at a time each "
                   "[default: one per core].")
@click.option("--no-auto-approve", is_flag=True, help="Leave cards awaiting review (they will be missed).")
@click.option("--faults", "faults_spec", callback=_parse_faults, metavar="SPEC",
              help="Rehearse failures: KIND:COUNT,... posts meet these faults; kinds: auth, transient, "
                   "rate_limit, rejected, in_doubt, missed.")
@click.option("--seed", type=int, default=None, metavar="N",
              help=f"Which posts meet --faults (same seed, same posts) [default: {DEFAULT_SEED}].")
@SIM_DIR
@ops_errors
def simulate(folder: Path, out_dir: Path, until: date | None, concurrency: int | None, no_auto_approve: bool,
             faults_spec: dict[str, int] | None, seed: int | None, data_dir: Path | None) -> None:
    """Replay a whole campaign in seconds on a simulated clock, through the real pipeline.

    A private Redis (in .campaign/simulation/, emptied first) and a real Celery worker
    run every post; the clock jumps from one due time to the next, and roster events
    become known on their day. Every account is switched to the outbox, so no real
    credentials are used. Writes OUT/outbox/ (one JSON + card per post), OUT/report.html
    (a timeline of every post with its card and state) and prints counts per state.
    The replay's ledger stays, so the dashboard can open it (the command is printed).

    With --faults, a rehearsal: that many posts (chosen by --seed) meet each fault in the
    replay, at the publisher or (missed) as a worker that is down, and the real pipeline
    handles them; the summary and the report say where each ended and what a monitor
    would run next. Kinds: auth (credentials refused: the account is blocked), transient
    (a 5xx: retried), rate_limit (waits for the reset), rejected (fails), in_doubt (no
    answer after the post was accepted: looked up), missed (past max_lateness).

    The campaign's alerts are told as the replay goes (one message per incident): to its
    alerts: channels, or, if it has none, written to OUT/alerts.jsonl (one JSON a line).

    \b
    Examples:
      campaign simulate config/campaigns/release-hrds-2021 --out out
      campaign simulate config/campaigns/release-hrds-2021 --out out --faults auth:1,transient:3,in_doubt:1,missed:1
      campaign web --data-dir .campaign/simulation/redis
    """
    if seed is not None and faults_spec is None:
        raise click.UsageError("--seed chooses which posts meet --faults; give --faults too")
    import redis

    from workers.launch import REPLAY_ENV, REPLAY_QUEUES, release, wait_ready
    from workers.supervise import Supervisor

    from ..redis_server import EmbeddedRedis, campaign_home, default_data_dir

    out_dir = out_dir.absolute()
    base = (data_dir or campaign_home() / "simulation").absolute()
    if (base / "redis").absolute() == default_data_dir().absolute():
        fail(f"{base / 'redis'} is where `campaign run` keeps its ledger, and a replay empties its own first; give "
             "the replay a folder of its own with --data-dir (or leave it out)")
    shutil.rmtree(base / "logs", ignore_errors=True)
    # Replay workers: they take the replay's tasks before the warm-up's, and stop as soon as they are told.
    env = {"CAMPAIGN_HOME": str(base), "CAMPAIGN_CACHE": str(base / "cache"), REPLAY_ENV: "1"}
    if faults_spec is not None:
        # the workers' publishers meet the faults; retries back off in seconds, not minutes
        from ..pipeline.settings import REHEARSAL_ENV

        env.update({REHEARSAL_ENV: "1", "CAMPAIGN_BACKOFF_SECONDS": os.environ.get("CAMPAIGN_BACKOFF_SECONDS", "1")})
    server = EmbeddedRedis(base / "redis")
    stack = ExitStack()  # stops the workers before Redis
    try:
        # One worker process per core, each a task at a time in its own process (no pool between it and the
        # broker: a task's round trip is shorter, and a warm shutdown is prompt), all forked from one that
        # loads the app while this process checks the folder, and forks them once it is released. They
        # start up while this process loads the pipeline and applies the campaign (nothing but the
        # warm-up is sent before they are ready).
        supervisor = stack.enter_context(Supervisor(server.url, env))
        count = concurrency or _cores()
        # One of them (given two or more) leaves the warm-up to the others: each moment's task finds it free.
        workers = supervisor.workers(base / "logs", count, name="sim-worker", queues=REPLAY_QUEUES, held=True,
                                     spare=1 if count > 1 else 0)
        from ..checks import load_checked

        f = load_checked(folder)  # a folder that does not check touches neither Redis nor the last replay
        server.start(empty=True)  # emptied here anyway, if it was running
        with redis.Redis.from_url(server.url) as r:
            r.flushdb()  # the replay's own Redis: each replay starts empty (a dashboard on it sees the new one)
        release(workers)
        from ..clock import SimulatedClock
        from ..ledger import Ledger
        from ..pipeline import apply_folder, load_applied
        from ..pipeline.rehearsal import outage_for, outcomes, plan_rehearsal, summary_lines
        from ..pipeline.rehearsal_alerts import ReplayAlerts
        from ..pipeline.simulate import campaign_window, run_simulation, warm_cards
        from ..report import Thumbnails, summary_line, write_report

        ledger = Ledger.from_url(server.url)
        for stale in ("outbox", "cards"):
            shutil.rmtree(out_dir / stale, ignore_errors=True)
        (out_dir / "outbox").mkdir(parents=True, exist_ok=True)
        tz = f.campaign.tz
        stop_at = datetime.combine(until, dtime.max, tzinfo=tz) if until else None
        # Apply as the organiser would have before the campaign began.
        start, end = campaign_window(f.campaign, stop_at)
        SimulatedClock(ledger).set(start)
        apply_folder(ledger, f, start, {"outbox_dir": str(out_dir / "outbox"), "force_outbox": "1"})
        applied = load_applied(ledger, f.campaign.id)
        dispatch = supervisor.dispatch(say_done=True)
        # Every card the replay will draw, queued at once: the workers start on them as they come up.
        warm_cards(applied, start, end, dispatch.prerender)
        faults = outage = None
        if faults_spec is not None:
            faults = plan_rehearsal(ledger, applied, faults_spec, DEFAULT_SEED if seed is None else seed, end=end)
            outage = outage_for(ledger, applied, faults)
        told = ReplayAlerts(ledger, applied, out_dir)
        stack.callback(told.close)
        thumbnails = Thumbnails(ledger, out_dir / "cards")  # the report's, made as the cards are drawn
        wait_ready(workers, count=count, poll=0.01)  # a fresh log, read often: the replay starts as they are ready
        span = max(1, int((end - start).total_seconds() // 3600))
        with click.progressbar(length=span, label=f"simulating {f.campaign.id}", file=sys.stderr,
                               item_show_func=lambda d: d) as bar:
            done = [0]

            def progress(now: datetime) -> None:
                hours = int((now - start).total_seconds() // 3600)
                bar.update(max(0, min(span, hours) - done[0]), now.astimezone(tz).strftime("%Y-%m-%d"))
                done[0] = max(done[0], min(span, hours))

            result = run_simulation(ledger, applied, dispatch, start=start, until=end,
                                    auto_approve=not no_auto_approve, progress=progress,
                                    hold_for_waits=60.0 if faults else 0.0, outage=outage, after=told,
                                    drawn=thumbnails.add)
            # their work is done: their warm shutdown runs while the alerts and the report are written (they
            # are stopped before Redis)
            workers.terminate()
            told(end, last=True)  # what is still pending, and the closing summary
            bar.update(span - done[0])
        report = write_report(ledger, f.campaign.id, out_dir,
                              subtitle=f"simulated {start:%Y-%m-%d} to {(result.last or end):%Y-%m-%d}",
                              thumbnails=thumbnails)
        click.echo(f"{summary_line(f.campaign.id, result.counts)} ({result.steps} steps in {result.seconds:.1f}s)")
        if faults is not None:
            click.echo("\n".join(summary_lines(faults, outcomes(ledger, applied))))
        click.echo(told.where())
        click.echo(f"wrote {out_dir / 'outbox'} and {report}")
        click.echo(f"open it in the dashboard: campaign web --data-dir {_shown(base / 'redis')}")
    finally:
        stack.close()
        server.stop()
        # The command ends here: what it loaded lives until the process ends, so the collection at exit
        # need not scan it (it took about 0.2 s; the standard streams are still flushed).
        gc.freeze()


def _cores() -> int:
    """The cores this process may run on, as ``campaign preview`` counts them, without loading the card code
    (the workers start before it is loaded)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no CPU affinity on this system (macOS, Windows)
        return max(1, os.cpu_count() or 1)


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when inside it (what a person types), else absolute."""
    try:
        return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)
