"""Organisers' folder commands: validate, plan, fields, schema."""

from __future__ import annotations

import importlib
import json
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import EXIT_INPUT, clean_errors, fail, parse_day

if TYPE_CHECKING:  # the commands import what they use when run: `campaign --help` loads none of it
    from ..definition import Campaign
    from ..plan import Slot
    from ..roster import Roster

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
    from ..checks import load_checked
    from ..plan import week_of
    from .format import warn_folder

    f = load_checked(folder)
    c = f.campaign
    weeks = week_of(c, c.end)  # campaign weeks (seven days from the start), whatever the cadence
    warn_folder(f)
    click.echo(
        f"ok: {c.id}: {len(f.roster.people)} people, {len(c.accounts)} accounts, {weeks} weeks, "
        f"{len(f.slots)} posts from {c.start} to {c.end} ({c.timezone})"
    )



@click.command("plan")
@FOLDER
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of posts instead of a table.")
@click.option("--costs", "show_costs", is_flag=True,
              help="Print each account's expected platform spend for these posts (posts, media, alt text, "
                   "in-doubt look-ups) instead of the posts.")
@click.option("--from", "from_", callback=parse_day, metavar="DATE", help="Only posts on or after this local date.")
@click.option("--to", callback=parse_day, metavar="DATE", help="Only posts on or before this local date.")
@click.option("--as-of", callback=parse_day, metavar="DATE",
              help="Plan with only the roster events known on this date (how the plan looked then).")
@click.option("--today", callback=parse_day, metavar="DATE", hidden=True,
              help="The day `campaign apply` would plan as of [default: today in the campaign's timezone].")
@clean_errors
def plan_cmd(folder: Path, as_json: bool, show_costs: bool, from_: date | None, to: date | None,
             as_of: date | None, today: date | None) -> None:
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
      campaign plan config/campaigns/release-hrds-2021 --costs
    """
    from ..checks import load_checked
    from ..checks.caption_facts import claim_problems
    from ..plan import plan

    f = load_checked(folder)  # what `campaign apply` refuses, `plan` refuses too

    def shown(now: datetime | None) -> list[Slot]:
        return [s for s in plan(f.campaign, f.roster, now=now)
                if (from_ is None or s.date >= from_) and (to is None or s.date <= to)]

    slots = shown(_end_of(as_of, f.campaign.tz) if as_of else None)
    for warning in claim_problems(f.campaign, f.roster):  # a caption stating what is not true that day
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    if as_of is None:
        today = today or datetime.now(f.campaign.tz).date()  # the day `campaign apply` plans as of
        note = _future_events_note(f.campaign, f.roster, today, slots, shown(_end_of(today, f.campaign.tz)))
        if note:
            click.secho(note, fg="yellow", err=True)
    if show_costs:
        from ..checks.costs import account_costs, format_costs

        click.echo(format_costs(account_costs(f.campaign, f.roster, slots)))
        return
    if as_json:
        click.echo(json.dumps([{**s.to_json(), "caption": _caption_used(f.campaign, s)} for s in slots],
                              ensure_ascii=False, indent=2))
        return
    click.echo(_table(slots, f.roster))
    click.echo(f"{len(slots)} posts")


def _caption_used(campaign: Campaign, slot: Slot) -> str | None:
    """Which caption a post goes out with, as campaign.yaml writes it (``variant`` counts on across a
    campaign: an account takes its variants in turn)."""
    from ..captions import chosen_variant

    chosen = chosen_variant(campaign, slot)
    return f"captions.{slot.language}.{slot.kind}[{chosen[0]}]" if chosen else None


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


@click.command("fields")
@FOLDER
@click.option("--person", metavar="ID", help="Whose values to show (default: the first person in roster.yaml).")
@click.option("--date", "day", callback=parse_day, metavar="DATE",
              help="The date the facts are as of (default: the first post featuring the person, else the start).")
@click.option("--lang", "langs", multiple=True, metavar="xx",
              help="A language to show (repeatable; default: every language the campaign's accounts post in).")
@clean_errors
def fields_cmd(folder: Path, person: str | None, day: date | None, langs: tuple[str, ...]) -> None:
    """List every field of captions, card texts and alt texts, with its value for one person on one date.

    Captions, template texts and alt texts write fields the same way: {name}, {case},
    {detained}... A bare field is in the language of the account (or card); {field.xx}
    forces language xx ({name.km}, {detained.en}). The older caption names still work.

    \b
    Examples:
      campaign fields config/campaigns/release-hrds-2021
      campaign fields config/campaigns/release-hrds-2021 --person rong-chhun --date 2021-11-12 --lang km
    """
    from ..definition import load_folder
    from ..fields import campaign_post, listing, namespace
    from ..vocabulary import ALIASES
    from ..plan import plan, week_of
    from ..roster import facts
    from ..sources import did_you_mean
    from ..words import LANGUAGES, supported

    f = load_folder(folder)  # no cross-checks: works while a caption still has a wrong field
    c, people = f.campaign, f.roster.by_id()
    pid = person or f.roster.people[0].id
    if pid not in people:
        ids = list(people)
        listed = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
        fail(f"no person {pid!r} in roster.yaml{did_you_mean(pid, people)}; its ids: {listed}", EXIT_INPUT)
    for lang in langs:
        if not supported(lang):
            fail(f"the project has no words for {lang!r}; it writes {', '.join(LANGUAGES)}", EXIT_INPUT)
    if day is None:
        day = next((s.date for s in plan(c, f.roster) if pid in s.people), c.start)
    accounts = {lang: [a for a in c.accounts if a.language == lang] for lang in langs or
                dict.fromkeys(a.language for a in c.accounts)}
    one = [facts(people[pid], day)]
    click.echo(f"Fields for {pid} on {day} (week {week_of(c, day)}): a bare field is in the account's or card's "
               "language; {field.xx} forces language xx.")
    for lang, mine in accounts.items():
        post = campaign_post(c, lang, week_of(c, day), mine[0].organisation if mine else "", count=1)
        click.echo(f"\n{lang}" + (f" ({', '.join(a.id for a in mine)})" if mine else ""))
        for written, value, field in listing(namespace(one, lang, post)):
            shown = value or (f"(empty: {field.empty})" if field.empty else "(empty)")
            click.echo(f"  {written:<20} {shown}")
    click.echo("\nOlder caption names: " + ", ".join(f"{{{a}}} = {{{t}}}" for a, t in ALIASES.items()))


# FILE -> the model it is read into ("module:class", imported when printed)
SCHEMAS = {"campaign": "campaign.definition:Campaign", "roster": "campaign.roster:Roster",
           "template": "campaign.cards.template:TemplateSpec"}


def _model_schema(name: str) -> dict[str, object]:
    module, _, model = SCHEMAS[name].partition(":")
    schema: dict[str, object] = getattr(importlib.import_module(module), model).model_json_schema()
    return schema


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
        out = {name: _model_schema(name) for name in ("campaign", "roster")}
    else:
        out = _model_schema(which)
    click.echo(json.dumps(out, indent=2, ensure_ascii=False))
