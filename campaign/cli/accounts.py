"""Organisers' account commands: ``accounts check`` (can every account post?) and ``accounts
unblock`` (the credential warnings ``apply`` and ``run`` print are in ``format``: names of
references only, never a value)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import clean_errors
from .store import open_ledger, ops_errors, resolve_campaign

if TYPE_CHECKING:  # the commands import the publishers and alert channels when run
    from ..definition import Account, Campaign
    from ..publishers import Context


@click.group()
def accounts() -> None:
    """Check the campaign's platform accounts; unblock one whose credentials are fixed.

    \b
    Example:
      campaign accounts check config/campaigns/release-hrds-2021
      campaign accounts unblock licadho-x release-hrds-2021
    """


def check_account(account: Account, context: Context) -> tuple[bool, str]:
    """A harmless authenticated call (who am I) for one account: (ok, what it found or what to do).
    Credentials that cannot be read here are all named first, and then no call is made."""
    from ..credentials import unresolved, what_to_do
    from ..publishers import AuthFailed, PublishError, RateLimited, Transient, get_publisher

    items = unresolved(account.platform, account.credentials, context.secrets_dir or context.base_dir,
                       context.environ)
    if items:
        return False, "credentials: " + "; ".join(map(str, items)) + "; " + what_to_do(items)
    try:
        return True, get_publisher(account, context).whoami()
    except AuthFailed as exc:
        return False, f"credentials: {exc}"
    except RateLimited as exc:
        return False, f"rate limited until {exc.reset_at:%Y-%m-%d %H:%M} UTC; nothing to fix, run again later"
    except Transient as exc:
        return False, f"cannot reach {account.platform}: {exc}; check the network and base_url, then run again"
    except PublishError as exc:  # Rejected, OutcomeUnknown: their message says it
        return False, str(exc)
    except Exception as exc:  # noqa: BLE001 - an unmapped library error: say so, never a traceback
        return False, f"unexpected {type(exc).__name__} from the {account.platform} library; report it with the account id"


def context_for(account: Account, root: Path, timeout: float) -> Context:
    """Where ``accounts check`` (and the dashboard's "check now") checks an account of the folder ``root``.
    An outbox folder is checked where the pipeline will write: a relative one from the current
    folder (the workers' own), none given: out/outbox, as `campaign apply` sets it by default."""
    from ..pipeline.settings import base_urls_from_env
    from ..publishers import Context

    # the platform addresses the workers post to ($CAMPAIGN_BASE_URLS overrides the accounts')
    context = Context(base_dir=root, timeout=timeout, base_urls=base_urls_from_env())
    if account.platform == "outbox":
        return replace(context, base_dir=Path.cwd(), outbox_dir=Path("out/outbox").absolute())
    return context


@accounts.command("check")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--account", "only", multiple=True, metavar="ID", help="Check only this account (repeatable).")
@click.option("--timeout", default=15.0, show_default=True, help="Seconds to wait for each platform.")
@clean_errors
def check(folder: Path, only: tuple[str, ...], timeout: float) -> None:
    """Make one harmless authenticated call per account and print a table.

    Each account asks its platform "who am I" with its own credentials (read
    from the environment or files its references name; nothing is posted).
    The table says ok with the name the platform knows, or what is wrong and
    what to do (every credential reference that is unset or unreadable here is
    named, never its value); an outbox account is checked for a folder it can write to. Each
    alert channel (alerts: in campaign.yaml) is checked too: its reference is read and its
    URL understood by apprise, and nothing is sent. Below the table, what each platform
    the accounts use needs before the first post (X's pay-per-use credits, Facebook's App
    Review, Bluesky's app passwords, Telegram's bot as channel administrator) and what it
    charges. Exits 1 if any is not ready.

    \b
    Example:
      campaign accounts check config/campaigns/release-hrds-2021
      campaign accounts check config/campaigns/release-hrds-2021 --account licadho-x
    """
    from ..alerts import check as check_alert
    from ..checks import load_consistent

    f = load_consistent(folder)
    chosen = [a for a in f.campaign.accounts if not only or a.id in only]
    unknown = sorted(set(only) - {a.id for a in f.campaign.accounts})
    if unknown:
        raise click.BadParameter(f"no account {', '.join(unknown)} in {folder}", param_hint="--account")
    rows = [(a.id, a.platform, *check_account(a, context_for(a, f.root, timeout))) for a in chosen]
    if not only:  # the alert channels: each reference read and parsed here, nothing sent
        rows += [(f"alerts[{i}]", "alerts", *check_alert(alert, f.root)) for i, alert in enumerate(f.campaign.alerts)]
    id_width = max([len(r[0]) for r in rows] + [7])
    plat_width = max([len(r[1]) for r in rows] + [8])
    click.echo(f"{'account':<{id_width}}  {'platform':<{plat_width}}  result")
    for name, platform, ok, detail in rows:
        mark = click.style("ok  ", fg="green") if ok else click.style("FAIL", fg="red")
        click.echo(f"{name:<{id_width}}  {platform:<{plat_width}}  {mark}  {detail}")
    for line in onboarding_notes(sorted({a.platform for a in chosen})):
        click.echo(line)
    failed = sum(1 for *_, ok, _ in rows if not ok)
    what = "accounts and alert channels" if len(rows) > len(chosen) else "accounts"
    if failed:
        click.secho(f"{failed} of {len(rows)} {what} are not ready.", fg="red", err=True)
        sys.exit(1)
    click.echo(f"all {len(rows)} {what} are ready." if len(rows) > 1
               else f"the {what.replace('accounts', 'account')} is ready.")


def onboarding_notes(platforms: list[str]) -> list[str]:
    """What each platform needs before the first post, and what it charges (campaign/platforms.py COSTS)."""
    from ..platforms import costs

    lines = []
    for name in platforms:
        price = costs(name)
        if not price.needs:
            continue
        lines.append(f"{name} needs {price.needs}.")
        if price.post or price.alt_text or price.lookup:
            link = f" (${price.of_post(True):.2f} with a link)" if price.post_with_link is not None else ""
            lines.append(f"  {name} charges ${price.post:.3f} a post{link}, ${price.alt_text:.3f} for alt text and "
                         f"${price.lookup:.3f} an in-doubt look-up: `campaign plan FOLDER --costs` adds it up")
    return ["", "Before the first post:", *(f"  {line}" for line in lines)] if lines else []


def warn_alerts(campaign: Campaign, base: Path) -> None:
    """``run``'s warning: alert channels whose reference cannot be read here (their alerts wait)."""
    from ..alerts import problems as alert_problems

    lines = alert_problems(campaign, base)
    if lines:
        click.secho(f"warning: {len(lines)} alert channel(s) cannot be read here (no value is shown); their "
                    "alerts are kept and sent once the reference is readable where the alerts worker runs:",
                    fg="yellow", err=True)
        for line in lines:
            click.secho(f"  {line}", fg="yellow", err=True)


@accounts.command("unblock")
@click.argument("account")
@click.argument("campaign", required=False)
@click.option("--data-dir", type=click.Path(path_type=Path), default=None,
              help="Embedded Redis data folder when REDIS_URL is unset [default: $CAMPAIGN_HOME/redis "
                   "or .campaign/redis].")
def unblock(account: str, campaign: str | None, data_dir: Path | None) -> None:
    """Let a blocked account post again, once its credentials are fixed.

    An account is blocked when its platform refused its credentials, or when
    `campaign run` found one of its credential references unset; its posts
    then fail at their time. `campaign status` shows blocked accounts and why.
    CAMPAIGN is a campaign folder or id; it may be left out when only one is
    applied. Failed posts still on time are sent again with `campaign retry`.

    \b
    Example:
      campaign accounts unblock licadho-x release-hrds-2021
    """
    ops_errors(_unblock)(account, campaign, data_dir)


def _unblock(account: str, campaign: str | None, data_dir: Path | None) -> None:
    from ..clock import now_for, readable, readable_times
    from ..errors import in_words
    from ..pipeline import load_applied
    from ..pipeline.accounts import unblock as do_unblock

    with open_ledger(data_dir) as ledger:
        cid = resolve_campaign(ledger, campaign)
        applied = load_applied(ledger, cid)
        lifted = do_unblock(ledger, applied, account, now_for(ledger))
    if lifted is None:
        click.echo(f"{account} was not blocked; nothing to do")
        return
    zone = applied.campaign.tz
    click.echo(f"{account} unblocked (it was blocked since {readable(lifted.since, zone)}: "
               f"{readable_times(in_words(lifted.reason), zone)})")
    if lifted.retryable:
        more = f" (and {len(lifted.retryable) - 1} more)" if len(lifted.retryable) > 1 else ""
        click.echo(f"{len(lifted.retryable)} failed post(s) of {account} can still go out: campaign retry "
                   f"{lifted.retryable[0]}{more}")
