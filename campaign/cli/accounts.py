"""Organisers' account commands: ``accounts check`` (can every account post?)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from ..definition import Account, load_folder
from ..publishers import AuthFailed, Context, PublishError, RateLimited, Transient, get_publisher
from .common import clean_errors


@click.group()
def accounts() -> None:
    """Check the campaign's platform accounts before the campaign starts.

    \b
    Example:
      campaign accounts check config/campaigns/release-hrds-2021
    """


def check_account(account: Account, context: Context) -> tuple[bool, str]:
    """A harmless authenticated call (who am I) for one account: (ok, what it found or what to do)."""
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
    what to do; an outbox account is checked for a folder it can write to. Exits
    1 if any account is not ready.

    \b
    Example:
      campaign accounts check config/campaigns/release-hrds-2021
      campaign accounts check config/campaigns/release-hrds-2021 --account licadho-x
    """
    f = load_folder(folder)
    chosen = [a for a in f.campaign.accounts if not only or a.id in only]
    unknown = sorted(set(only) - {a.id for a in f.campaign.accounts})
    if unknown:
        raise click.BadParameter(f"no account {', '.join(unknown)} in {folder}", param_hint="--account")
    context = Context(base_dir=f.root, timeout=timeout)
    # An outbox folder is checked where the pipeline will write: a relative one from the current
    # folder (the workers' own), none given: out/outbox, as `campaign apply` sets it by default.
    outbox = replace(context, base_dir=Path.cwd(), outbox_dir=Path("out/outbox").absolute())
    rows = [(a, *check_account(a, outbox if a.platform == "outbox" else context)) for a in chosen]
    id_width = max([len(a.id) for a, _, _ in rows] + [7])
    plat_width = max([len(a.platform) for a, _, _ in rows] + [8])
    click.echo(f"{'account':<{id_width}}  {'platform':<{plat_width}}  result")
    for account, ok, detail in rows:
        mark = click.style("ok  ", fg="green") if ok else click.style("FAIL", fg="red")
        click.echo(f"{account.id:<{id_width}}  {account.platform:<{plat_width}}  {mark}  {detail}")
    failed = sum(1 for _, ok, _ in rows if not ok)
    if failed:
        click.secho(f"{failed} of {len(rows)} accounts are not ready.", fg="red", err=True)
        sys.exit(1)
    click.echo(f"all {len(rows)} accounts are ready.")


def register(group: click.Group) -> None:
    """Add the ``accounts`` commands to the main CLI group."""
    group.add_command(accounts)
