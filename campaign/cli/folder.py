"""Organisers' folder commands: validate, plan, schema."""

from __future__ import annotations

import json
from datetime import date, datetime, tzinfo
from pathlib import Path

import click

from ..captions import caption_problems
from ..cards.template import TemplateSpec
from ..checks import load_checked
from ..definition import Campaign
from ..plan import Slot, plan, plan_warnings, week_of
from ..roster import Roster
from .common import clean_errors, parse_day

FOLDER = click.argument("folder", type=click.Path(path_type=Path))


@click.command()
@FOLDER
@clean_errors
def validate(folder: Path) -> None:
    """Check a campaign folder and say exactly what is wrong.

    Exits 0 with a one-line summary, or 2 with one line per problem as
    FILE:LINE: FIELD: MESSAGE. Warnings (valid, but probably not meant) go to stderr.

    \b
    Example:
      campaign validate config/campaigns/release-hrds-2021
    """
    f = load_checked(folder)
    c = f.campaign
    slots = plan(c, f.roster)
    weeks = week_of(c, c.end)  # campaign weeks (seven days from the start), whatever the cadence
    for warning in [*plan_warnings(c, f.roster), *caption_problems(c, f.roster)]:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    click.echo(
        f"ok: {c.id}: {len(f.roster.people)} people, {len(c.accounts)} accounts, {weeks} weeks, "
        f"{len(slots)} posts from {c.start} to {c.end} ({c.timezone})"
    )




@click.command("plan")
@FOLDER
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of posts instead of a table.")
@click.option("--from", "from_", callback=parse_day, metavar="DATE", help="Only posts on or after this local date.")
@click.option("--to", callback=parse_day, metavar="DATE", help="Only posts on or before this local date.")
@click.option("--as-of", callback=parse_day, metavar="DATE",
              help="Plan with only the roster events known on this date (how the plan looked then).")
@click.option("--today", callback=parse_day, metavar="DATE", hidden=True,
              help="The day `campaign apply` would plan as of [default: today in the campaign's timezone].")
@clean_errors
def plan_cmd(folder: Path, as_json: bool, from_: date | None, to: date | None, as_of: date | None,
             today: date | None) -> None:
    """Show every post from the start date to the end date.

    Each post features people whose facts are true as of its date: nobody released
    before a post is featured in it as detained. Without --as-of every roster event is
    used, even one dated after today; `campaign apply` plans as of today, so a note on
    stderr says when the two differ.

    \b
    Examples:
      campaign plan config/campaigns/release-hrds-2021
      campaign plan config/campaigns/release-hrds-2021 --from 2021-09-15 --to 2021-09-21
      campaign plan config/campaigns/release-hrds-2021 --json > plan.json
      campaign plan config/campaigns/release-hrds-2021 --as-of 2021-09-01
    """
    f = load_checked(folder)  # what `campaign apply` refuses, `plan` refuses too

    def shown(now: datetime | None) -> list[Slot]:
        return [s for s in plan(f.campaign, f.roster, now=now)
                if (from_ is None or s.date >= from_) and (to is None or s.date <= to)]

    slots = shown(_end_of(as_of, f.campaign.tz) if as_of else None)
    if as_of is None:
        today = today or datetime.now(f.campaign.tz).date()  # the day `campaign apply` plans as of
        note = _future_events_note(f.campaign, f.roster, today, slots, shown(_end_of(today, f.campaign.tz)))
        if note:
            click.secho(note, fg="yellow", err=True)
    if as_json:
        click.echo(json.dumps([s.to_json() for s in slots], ensure_ascii=False, indent=2))
        return
    click.echo(_table(slots, f.roster))
    click.echo(f"{len(slots)} posts")


def _end_of(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, datetime.max.time(), tzinfo=tz)


SHOWN_EVENTS = 3  # future events named in the note; the rest are counted


def _future_events_note(campaign: Campaign, roster: Roster, today: date, slots: list[Slot],
                        as_of_today: list[Slot]) -> str | None:
    """A note when the plan used roster events dated after today (hearings aside: they are
    known ahead), which `campaign apply` does not use until their day comes."""
    future = [(e.date, p.id, e.type) for p in roster.people for e in p.events
              if today < e.date <= campaign.end and e.type != "hearing"]
    if not future:
        return None
    future.sort()
    named = [f"{pid} {kind} on {day}" for day, pid, kind in future[:SHOWN_EVENTS]]
    if len(future) > SHOWN_EVENTS:
        named.append(f"{len(future) - SHOWN_EVENTS} more")
    now_by_id, then_by_id = {s.id: s for s in slots}, {s.id: s for s in as_of_today}
    differ = sum(now_by_id.get(i) != then_by_id.get(i) for i in now_by_id.keys() | then_by_id.keys())
    n = len(future)
    return (f"note: this plan uses {n} roster event{'s' if n != 1 else ''} dated after today, {today} "
            f"({'; '.join(named)}); `campaign apply` plans as of today, so posts depending on them appear only "
            f"once that day comes (here {differ} post{'s' if differ != 1 else ''} would differ today); "
            f"use --as-of {today} to see what apply stores")


def _table(slots: list[Slot], roster: Roster) -> str:
    names = {p.id: p.name.get("en") for p in roster.people}
    rows = [("week", "local time", "account", "kind", "people")]
    for s in slots:
        people = ", ".join(names.get(p, p) for p in s.people)
        if len(s.people) > 3:
            people = f"{len(s.people)} people: " + ", ".join(names.get(p, p) for p in s.people[:3]) + ", ..."
        rows.append((str(s.week), s.due.strftime("%a %Y-%m-%d %H:%M"), s.account, s.kind, people))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4] for r in rows)


SCHEMAS = {"campaign": Campaign, "roster": Roster, "template": TemplateSpec}  # FILE -> the model it is read into


@click.command()
@click.argument("file", required=False, type=click.Choice(list(SCHEMAS)))
@click.option("--file", "which", type=click.Choice([*SCHEMAS, "both"]), default=None,
              help="Same as FILE. Without either: campaign and roster (both).")
def schema(file: str | None, which: str | None) -> None:
    """Print the JSON Schema of campaign.yaml, roster.yaml or a card template's template.yaml,
    for editors (completion and checking as you type) and as a reference of every field.

    Without FILE: {"campaign": ..., "roster": ...}.

    \b
    Examples:
      campaign schema > campaign-schema.json
      campaign schema roster > roster.schema.json
      campaign schema template > template.schema.json
    (VS Code: map the schema to the file with the YAML extension's yaml.schemas setting,
    e.g. "template.schema.json": "**/templates/*/template.yaml".)
    """
    if file and which and which != file:
        raise click.UsageError(f"FILE {file!r} and --file {which!r} disagree; give one")
    which = file or which or "both"
    if which == "both":
        out = {name: SCHEMAS[name].model_json_schema() for name in ("campaign", "roster")}
    else:
        out = SCHEMAS[which].model_json_schema()
    click.echo(json.dumps(out, indent=2, ensure_ascii=False))


def register(group: click.Group) -> None:
    for command in (validate, plan_cmd, schema):
        group.add_command(command)
