"""Organisers' and monitors' commands over the running pipeline: apply, run, status, pause,
resume, cancel, approve, retry, resolve (and ``simulate``, in ``simulate.py``). Each only parses,
calls ``campaign.pipeline`` (``run`` also ``workers.supervise``, which owns the worker and beat
processes) and formats (``format``); Redis is ``$REDIS_URL`` or the embedded server in ``--data-dir``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from .common import fail
from .store import DATA_DIR, check_redis_client, open_ledger, ops_errors, resolve_campaign
from .web import USERS

# --- apply ------------------------------------------------------------------------------------


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--outbox", type=click.Path(path_type=Path), default=None,
              help="Folder for outbox accounts' posts [default: out/outbox].")
@DATA_DIR
@ops_errors
def apply(folder: Path, outbox: Path | None, data_dir: Path | None) -> None:
    """Validate a campaign folder, store it in Redis and say what changed.

    The campaign, roster, photos and templates are stored in Redis, so any worker on any
    machine can render and publish. Applying again after a roster update re-plans the
    posts that are not out yet, e.g. "rong-chhun: released 2021-11-12; 4 future posts
    withdrawn, 4 re-planned". An approved card whose card or caption changed needs
    approval again: apply says how many and why; an approval whose card and caption did
    not change stands. Accounts whose credential references (env:NAME, file:PATH) are
    unset or unreadable here are named, with what to do (a warning: workers elsewhere
    read their own environment). What `campaign validate` warns of (valid, but probably
    not meant, e.g. posts after midnight) is said too, on stderr.

    \b
    Example:
      campaign apply config/campaigns/release-hrds-2021
    """
    from ..checks import load_checked
    from ..clock import now_for
    from ..pipeline import apply_folder
    from ..pipeline.accounts import credential_problems
    from ..pipeline.actions import run_settings
    from .format import show_apply, warn_credentials, warn_folder

    f = load_checked(folder)  # an invalid folder or template stops here, before Redis is touched
    with open_ledger(data_dir) as ledger:
        check_redis_client(ledger.r)
        report = apply_folder(ledger, f, now_for(ledger), run_settings(ledger, f.campaign.id, outbox))
    show_apply(report)
    warn_folder(f)
    warn_credentials(f.campaign, credential_problems(f.campaign, f.root), folder)


# --- run --------------------------------------------------------------------------------------


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--outbox", type=click.Path(path_type=Path), default=None,
              help="Folder for outbox accounts' posts [default: out/outbox].")
@click.option("--concurrency", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Worker processes (render and publish).")
@click.option("--duration", type=float, default=None, hidden=True, help="Stop after this many seconds (tests).")
@click.option("--no-web", is_flag=True, help="Do not serve the dashboard.")
@click.option("--web-port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="The dashboard's port (on 127.0.0.1).")
@USERS
@DATA_DIR
@ops_errors
def run(folder: Path, outbox: Path | None, concurrency: int, duration: float | None, no_web: bool, web_port: int,
        users_file: Path | None, data_dir: Path | None) -> None:
    """Run the scheduler: Redis, a Celery worker and the beat, until Ctrl-C.

    With REDIS_URL unset it starts the embedded Redis (append-only file on, in
    --data-dir), so a second run finds the campaign where it was. The folder is
    validated and applied first; an invalid folder changes nothing.

    A campaign with alerts: also gets a worker of its own that sends them (a
    channel that is down never holds up a post).

    The workers it starts read this environment: an account whose credential
    references (env:NAME, file:PATH) are unset or unreadable here is blocked
    (its posts fail at their time; `campaign status` says so) and the others
    go out; the block lifts itself at the next run that can read them. If no
    account can read its credentials, run refuses to start.

    It serves the dashboard too, on 127.0.0.1:8000 (--web-port), and prints its
    login link; --users FILE gives each person their own token, --no-web none.

    \b
    Example:
      campaign run config/campaigns/release-hrds-2021
    """
    from workers.supervise import ProcessDied, Supervisor

    from ..checks import load_checked
    from ..clock import now_for
    from ..ledger import Ledger
    from ..pipeline import apply_folder, load_applied
    from ..pipeline.accounts import credential_problems, sync_credential_blocks
    from ..pipeline.actions import run_settings
    from ..redis_server import campaign_home, connect
    from .accounts import warn_alerts
    from .format import account_lines, show_apply, show_blocks, status_line, warn_folder
    from .web import start_dashboard

    f = load_checked(folder)
    problems = credential_problems(f.campaign, f.root)
    if problems and len(problems) == len(f.campaign.accounts):  # nothing could go out: refuse
        fail("no account can read its credentials in this environment (no value is shown), so nothing would be "
             "posted:\n" + "\n".join(account_lines(f.campaign, problems))
             + "\nfix them, then run again (check with: campaign accounts check " + str(folder) + ")")
    home = (data_dir.parent if data_dir else campaign_home())
    url, server = connect(data_dir)
    stopping = False
    ledger: Ledger | None = None
    try:
        # Ctrl-C or SIGTERM anywhere in here stops the beat, then the worker, then Redis.
        with Supervisor(url, {"CAMPAIGN_HOME": str(home)}, signals=True) as procs:
            ledger = Ledger.from_url(url)
            check_redis_client(ledger.r)
            now = now_for(ledger)
            show_apply(apply_folder(ledger, f, now, run_settings(ledger, f.campaign.id, outbox)))
            warn_folder(f, alerts=False)  # its alert channels: said below, once their worker is running
            # An account whose credentials cannot be read here is blocked (its posts would fail at their
            # time anyway); the others go out. Blocks set here lift themselves once the references resolve.
            show_blocks(*sync_credential_blocks(ledger, load_applied(ledger, f.campaign.id), problems, now),
                        f.campaign, problems)
            click.echo(f"redis: {url}{' (embedded)' if server or not os.environ.get('REDIS_URL') else ''}")
            procs.worker(home / "logs", concurrency=concurrency)
            if f.campaign.alerts:  # alert channels are sent to by a worker of their own
                procs.alerts_worker(home / "logs")
                click.echo(f"alerts worker running ({len(f.campaign.alerts)} channel(s) of alerts:)")
                warn_alerts(f.campaign, f.root)
            procs.beat(home / "beat")
            click.echo(f"worker and beat running (logs in {home / 'logs'}, {home / 'beat'}); Ctrl-C stops everything")
            if not no_web:  # the dashboard on 127.0.0.1, a process of its own (campaign web)
                start_dashboard(procs, url, home / "logs", port=web_port, users_file=users_file)
            last = ""
            for restarted in procs.watch(duration):
                for notice in restarted:  # a worker died (Redis refused it, a crash): started again, said loudly
                    click.secho(f"warning: {notice}", fg="red", err=True)
                line = status_line(f.campaign.id, ledger.campaign_field(f.campaign.id, "status"),
                                   ledger.counts(f.campaign.id))
                if line != last:
                    click.echo(line)
                    last = line
    except KeyboardInterrupt:
        stopping = True
    except ProcessDied as exc:
        fail(str(exc))
    finally:
        if ledger is not None:
            ledger.close()
        if server is not None:
            server.stop()
    if stopping:
        click.echo("stopped: beat, worker and Redis shut down cleanly")


# --- status and actions -----------------------------------------------------------------------


@click.command()
@click.argument("campaign", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@DATA_DIR
@ops_errors
def status(campaign: str | None, as_json: bool, data_dir: Path | None) -> None:
    """Show counts per state and account, blocked accounts, the next posts and the last failures.

    An account blocked by an auth failure (or by `campaign run` finding its credentials
    unset) is listed with why, since when and what to do.

    CAMPAIGN is a campaign folder or id; it may be left out when only one is applied.

    \b
    Examples:
      campaign status
      campaign status config/campaigns/release-hrds-2021 --json
    """
    from ..clock import now_for
    from ..pipeline import status as get_status
    from .format import status_lines

    with open_ledger(data_dir) as ledger:
        info = get_status(ledger, resolve_campaign(ledger, campaign), now_for(ledger))
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    for line in status_lines(info):
        click.echo(line)


def _status_command(name: str, state: str, verb: str, example: str) -> click.Command:
    """A command that sets the campaign's status to ``campaign.ledger.states.<state>`` (read when run)."""

    @click.command(name)
    @click.argument("campaign", required=False)
    @DATA_DIR
    @ops_errors
    def command(campaign: str | None, data_dir: Path | None) -> None:
        from ..clock import now_for
        from ..ledger import states
        from ..pipeline import set_status

        new_status: str = getattr(states, state)

        with open_ledger(data_dir) as ledger:
            cid = resolve_campaign(ledger, campaign)
            previous = set_status(ledger, cid, new_status, now_for(ledger))
        click.echo(f"{cid}: {previous} -> {new_status}")

    command.help = f"""{verb}

    CAMPAIGN is a campaign folder or id; it may be left out when only one is applied.

    \b
    Example:
      {example}
    """
    return command


pause = _status_command("pause", "PAUSED", "Stop queueing posts until resumed (posts past max_lateness are missed).",
                        "campaign pause release-hrds-2021")
resume = _status_command("resume", "ACTIVE", "Resume a paused campaign.", "campaign resume release-hrds-2021")
cancel = _status_command("cancel", "CANCELLED", "Cancel a campaign: every post not yet out is cancelled.",
                         "campaign cancel release-hrds-2021")


@click.command()
@click.argument("item")
@click.option("--week", type=int, default=None, help="Approve every card of this campaign week.")
@DATA_DIR
@ops_errors
def approve(item: str, week: int | None, data_dir: Path | None) -> None:
    """Approve a card awaiting review: one post, or a whole week of a campaign.

    ITEM is a post id (<campaign>:<YYYY-MM-DD>:<account>), or a campaign folder or id with --week.

    \b
    Examples:
      campaign approve release-hrds-2021:2021-09-15:cchr-en
      campaign approve release-hrds-2021 --week 6
    """
    from ..clock import now_for
    from ..ledger import Ledger
    from ..pipeline import approve as do_approve
    from ..pipeline.actions import none_to_approve

    with open_ledger(data_dir) as ledger:
        now = now_for(ledger)
        if ":" in item:
            done, why = do_approve(ledger, Ledger.campaign_of(item), now, post_id=item), ""
        elif week is None:
            fail("give a post id, or a campaign with --week N")
        else:
            cid = resolve_campaign(ledger, item)
            done = do_approve(ledger, cid, now, week=week)
            why = "" if done else none_to_approve(ledger, cid, week)
    click.echo(f"approved {len(done)} post{'s' if len(done) != 1 else ''}" + (f": {', '.join(done)}" if done else "")
               + (f": {why}" if why else ""))


@click.command()
@click.argument("post_id")
@DATA_DIR
@ops_errors
def retry(post_id: str, data_dir: Path | None) -> None:
    """Send a failed, missed, cancelled or expired post round again (if still on time).

    The card is rendered again and the post queued at its due time; a blocked account
    (credentials failed) is unblocked. In a campaign with review, a post whose approved
    card and caption are unchanged keeps its approval; otherwise it must be approved
    again, and retry says why.

    \b
    Example:
      campaign retry release-hrds-2021:2021-09-15:cchr-en
    """
    from ..clock import now_for
    from ..pipeline import retry as do_retry

    with open_ledger(data_dir) as ledger:
        retried = do_retry(ledger, post_id, now_for(ledger))
    click.echo(retried.line())


@click.command()
@click.argument("post_id")
@click.option("--posted", "posted_url", metavar="URL", default=None, help="It did go out; this is where.")
@click.option("--not-posted", is_flag=True, help="It did not go out; queue it again (if still on time).")
@DATA_DIR
@ops_errors
def resolve(post_id: str, posted_url: str | None, not_posted: bool, data_dir: Path | None) -> None:
    """Settle an in-doubt post after checking the platform by hand.

    \b
    Examples:
      campaign resolve release-hrds-2021:2021-09-15:cchr-en --posted https://x.com/cchr/status/1
      campaign resolve release-hrds-2021:2021-09-15:cchr-en --not-posted
    """
    from ..clock import now_for
    from ..pipeline import resolve_post

    if (posted_url is None) == (not not_posted):
        fail("give exactly one of --posted URL or --not-posted")
    with open_ledger(data_dir) as ledger:
        state = resolve_post(ledger, post_id, now_for(ledger), posted_url=posted_url)
    click.echo(f"{post_id}: {state}")
