"""How the operations commands say what happened: apply's report, a campaign's status, accounts whose
credentials cannot be read here. Text only; what it says comes from ``campaign.pipeline``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from ..clock import readable, readable_times
from ..credentials import Unresolved, what_to_do
from ..definition import Campaign
from ..errors import in_words

if TYPE_CHECKING:
    from ..checks import CheckedFolder
    from ..pipeline import ApplyReport

Problems = Mapping[str, list[Unresolved]]  # account id -> its credential references unreadable here


def show_apply(report: ApplyReport) -> None:
    """What apply changed (stdout), then its warnings (stderr): e.g. every post's time is past."""
    for line in report.lines():
        click.echo(line)
    for line in report.warnings():
        click.secho(f"warning: {line}", fg="yellow", err=True)


def warn_folder(folder: CheckedFolder, alerts: bool = True) -> None:
    """What ``validate`` warns of (valid, but probably not meant: posts after midnight, a pin on someone
    not held, an untrue caption...), on stderr: ``apply`` and ``run`` say it too, so an organiser who
    applies without validating first still hears it. ``alerts``: also alert channels unreadable here."""
    from ..checks import warnings

    for line in [*warnings(folder), *(alert_warnings(folder.campaign, folder.root) if alerts else [])]:
        click.secho(f"warning: {line}", fg="yellow", err=True)


def alert_warnings(c: Campaign, root: Path) -> list[str]:
    """Alert channels whose reference cannot be read here (names only): their alerts would wait."""
    if not c.alerts:  # none to read: the alert channels (and Redis, which they record in) stay unloaded
        return []
    from ..alerts import problems

    return [f"{line}; its alerts wait until the alerts worker can read it" for line in problems(c, root)]


def status_line(cid: str, status: str | None, counts: Mapping[str, int]) -> str:
    """``run``'s one line while it watches: the campaign's status and how many posts are in each state."""
    parts = [f"{n} {s}" for s, n in sorted(counts.items()) if "/" not in s]
    return f"{cid} [{status}]: " + ", ".join(parts)


def status_lines(info: Mapping[str, Any]) -> list[str]:
    """``campaign status`` as text: states, accounts, the next posts, blocked accounts, withdrawn
    approvals and the last problems (``info`` is :func:`campaign.pipeline.status`). Times read as
    people read them, in the campaign's timezone, named once; kinds of error in words."""
    zone = ZoneInfo(info["timezone"])

    def when(moment: str) -> str:
        return readable(moment, zone, named=False)

    def said(text: str) -> str:
        return readable_times(in_words(text), zone)

    out = [f"{info['campaign']}: {info['status']}{' (simulated clock)' if info['simulated'] else ''}, "
           f"now {readable(info['now'], zone)}",
           "  " + (", ".join(f"{n} {s}" for s, n in info["states"].items()) or "no posts")]
    if info.get("redis", {}).get("message"):  # out of memory: Redis refuses writes, nothing moves
        out.insert(0, f"warning: {info['redis']['message']}")
    for account, states in sorted(info["accounts"].items()):
        out.append(f"  {account}: " + ", ".join(f"{n} {s}" for s, n in sorted(states.items())))
    if info["next"]:
        out.append(f"next (times in {info['timezone']}):")
        out += [f"  {when(p['due'])}  {p['id']}  {p['state']}  {', '.join(p['people'])}" for p in info["next"]]
    out += blocked_lines(info["blocked"], zone)
    out += [f"alert channel {a['channel']} failing ({_n(a['failing'], 'send')} in a row, "
            f"{_n(a['pending'], 'alert')} waiting): {said(a['last_error'])}"
            for a in info.get("alerts", []) if not a["ok"]]  # a failing channel is a problem
    if info["unapproved"]:
        out.append(f"approvals withdrawn (the card or caption changed; approve again once rendered; times in "
                   f"{info['timezone']}):")
        out += [f"  {when(w['at'])}  {w['post']}  {said(w['reason'])}" for w in info["unapproved"]]
    if info["failures"]:
        out.append(f"last problems (times in {info['timezone']}):")
        out += [f"  {when(p['at'])}  {p['post']}  {p['state']}: {said(p['detail'].removeprefix(p['state'] + ': '))}"
                for p in info["failures"]]  # a detail that starts with its state says it once
    return out


def _n(count: int, thing: str) -> str:
    """``1 send``, ``2 sends``."""
    return f"{count} {thing}{'' if count == 1 else 's'}"


def warn_redis(warnings: list[str]) -> None:
    """``apply``/``run``/``web``'s loud warning: what in the Redis given puts the ledger at risk, and the fix."""
    for line in warnings:
        click.secho(f"warning: {line}", fg="red", err=True)


def blocked_lines(blocked: list[dict[str, object]], zone: tzinfo) -> list[str]:
    """``status``'s section on blocked accounts: why, since when (in ``zone``), what to do."""
    if not blocked:
        return []
    out = ["blocked accounts (their posts fail until unblocked):"]
    for b in blocked:
        out.append(f"  {b['account']} ({b['platform']}): blocked since {readable(str(b['since']), zone)} by {b['by']}: "
                   f"{readable_times(in_words(str(b['reason'])), zone)}")
        out.append(f"    to fix: {b['fix']}")
    return out


def account_lines(campaign: Campaign, problems: Problems) -> list[str]:
    """One line per account that cannot read its credentials here: what is unset and what to do."""
    out = []
    for account in campaign.accounts:
        items = problems.get(account.id)
        if items:
            out.append(f"  {account.id} ({account.platform}): " + "; ".join(map(str, items))
                       + f"; to fix: {what_to_do(items)}")
    return out


def warn_credentials(campaign: Campaign, problems: Problems, folder: Path) -> None:
    """``apply``'s warning: nothing is refused (the workers may run elsewhere, with their own environment)."""
    if not problems:
        return
    n = len(problems)
    click.secho(f"warning: {n} account{'s' if n != 1 else ''} cannot read {'their' if n != 1 else 'its'} "
                "credentials in this environment (no value is shown):", fg="yellow", err=True)
    for line in account_lines(campaign, problems):
        click.secho(line, fg="yellow", err=True)
    click.secho("  applied anyway: workers on another machine read their own environment (check there with: "
                f"campaign accounts check {folder}); if the workers run here (campaign run), fix these first, "
                "or these accounts' posts fail at their time.", fg="yellow", err=True)


def show_blocks(blocked: list[str], lifted: list[str], campaign: Campaign, problems: Problems) -> None:
    """``run``'s loud warning: each account blocked because its credentials cannot be read here."""
    for account in lifted:
        click.echo(f"{account}: its credentials are readable now; unblocked")
    if not blocked:
        return
    click.secho(f"warning: {len(blocked)} account{'s' if len(blocked) != 1 else ''} blocked: "
                "credentials not readable here (no value is shown); their posts fail at their time until fixed, "
                "the others go out:", fg="red", err=True)
    for line in account_lines(campaign, problems):
        click.secho(line, fg="red", err=True)
    click.secho("  then stop this run (Ctrl-C) and start it again: the block lifts itself once the credentials "
                "are readable (see: campaign status)", fg="red", err=True)
