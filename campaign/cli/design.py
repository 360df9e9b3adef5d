"""Designers' commands: ``template check`` and ``preview`` (a contact sheet of every card)."""

from __future__ import annotations

import html
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import click

from ..cards import Card, CardError, CardInput, Template, find_template, load_template, render, template_dirs
from ..cards.render import clear_caches
from ..cards.samples import crowd, sample_facts, sample_people
from ..checks import load_consistent
from ..checks.templates import CARD_LANGUAGES, template_warnings
from ..definition import Campaign, CampaignFolder
from ..plan import cadence_dates, plan, week_of
from ..roster import Facts, Person, facts
from ..sources import InputError, did_you_mean
from .common import EXIT_INPUT, clean_errors, fail, parse_day, report_input_error, show_problems

EXIT_OVERFLOW = 1


@dataclass
class Job:
    """One card to preview: where it goes, what it shows, how to title it on the sheet."""

    file: str
    title: str
    template: str
    size: str
    card: CardInput


@dataclass
class Result:
    job: Job
    card: Card | None
    error: str | None = None


# --- template check ----------------------------------------------------------------------------


@click.group("template")
def template_group() -> None:
    """Work on card templates (assets/templates/NAME/template.yaml).

    \b
    Example:
      campaign template check assets/templates/portrait
    """


@template_group.command("check")
@click.argument("template_dir", type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Exit 1 if any sample card overflows (warnings never fail).")
@clean_errors(closing="found in the template")
def template_check(template_dir: Path, strict: bool) -> None:
    """Validate a template: YAML (FILE:LINE errors), fonts and images; then render sample
    cards (typical, longest name, Khmer-only, released) in every size and language and
    report any text that does not fit. Warns about alt text missing a language and text
    allowed to shrink below 8 px.

    \b
    Examples:
      campaign template check assets/templates/portrait
      campaign template check config/campaigns/release-hrds-2021/templates/mine --strict
    """
    t = _load(template_dir)
    for warning in template_warnings(t):
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    overflows: dict[tuple[str, str, str, str], int] = {}
    people = sample_facts()
    limit = t.spec.max_people or 60
    cases: list[tuple[str, tuple[Facts, ...]]] = [(f.person.id, (f,)) for f in people]
    if limit > 1:
        cases += [("two people", tuple(people[:2])), (f"{min(limit, 60)} people", crowd(sample_people()[:3], min(limit, 60), people[0].on))]
    for size in t.sizes:
        for lang in CARD_LANGUAGES:
            for label, group in cases:
                kind = "released" if all(not f.held for f in group) else "weekly"
                try:
                    card = render(t, CardInput(people=group, photos={}, language=lang, kind=kind, week=6,
                                               campaign_name="Release Human Rights Defenders",
                                               organisation="Sample Organisation"), size=size)
                except CardError as exc:
                    fail(f"{t.name}: {size}/{lang}/{label}: {exc}", EXIT_INPUT)
                for o in card.overflows:
                    key = (o.size, lang, o.field, o.text)
                    if key not in overflows:
                        click.secho(f"overflow: {lang}: {o}", fg="yellow", err=True)
                    overflows[key] = overflows.get(key, 0) + 1
    click.echo(f"ok: template {t.name}: {len(t.spec.layers)} layers, sizes {', '.join(t.sizes)}, "
               f"fonts {', '.join(f'{k}={v.name}' for k, v in t.fonts.items())}; "
               f"{len(overflows)} distinct overflow(s) on sample cards")
    if strict and overflows:
        sys.exit(EXIT_OVERFLOW)


def _template(path_or_name: Path | str, campaign_root: Path | None = None) -> Template:
    """The template at a path or called by a name; raises CardError."""
    p = Path(path_or_name)
    return load_template(p if (p / "template.yaml").is_file() or p.name == "template.yaml"
                         else find_template(str(path_or_name), campaign_root))


def _load(path_or_name: Path | str, campaign_root: Path | None = None) -> Template:
    """:func:`_template`, or exit 2 naming the problem."""
    try:
        return _template(path_or_name, campaign_root)
    except CardError as exc:
        fail(str(exc), EXIT_INPUT)


# --- preview -----------------------------------------------------------------------------------


def _photos(folder: CampaignFolder, people: tuple[Facts, ...]) -> tuple[dict[str, bytes | None], dict[str, str]]:
    photos: dict[str, bytes | None] = {}
    names: dict[str, str] = {}
    for f in people:
        person = f.person
        if person.photo:
            path = folder.root / person.photo
            names[person.id] = str(path)
            photos[person.id] = path.read_bytes() if path.is_file() else None
    return photos, names


def _logo(folder: CampaignFolder, account_id: str) -> tuple[bytes | None, str]:
    account = folder.campaign.account(account_id)
    if not account.logo:
        return None, "logo"
    path = folder.root / account.logo
    return (path.read_bytes() if path.is_file() else None), str(path)


def planned_jobs(folder: CampaignFolder, sizes: list[str] | None) -> Iterator[Job]:
    """A card for every planned post, with facts as of its date."""
    c = folder.campaign
    people = folder.roster.by_id()
    for slot in plan(c, folder.roster):
        group = tuple(facts(people[p], slot.date) for p in slot.people)
        photos, names = _photos(folder, group)
        logo, logo_name = _logo(folder, slot.account)
        account = c.account(slot.account)
        card = CardInput(people=group, photos=photos, language=slot.language, kind=slot.kind, week=slot.week,
                         campaign_name=c.name, organisation=account.organisation, logo=logo,
                         photo_names=names, logo_name=logo_name, durations=c.durations, hashtags=tuple(c.hashtags))
        for size in sizes or ["square"]:
            who = ", ".join(f.person.name.get("en") for f in group[:3]) + (f" +{len(group) - 3}" if len(group) > 3 else "")
            yield Job(f"{slot.date}_{slot.account}_{slot.kind}_{size}.jpg",
                      f"{slot.date} · {slot.account} ({slot.language}) · {slot.kind} · {who}",
                      slot.template, size, card)


def _first_held(person: Person, days: list[date]) -> date | None:
    return next((d for d in days if facts(person, d).held), None)


Case = tuple[str, str, tuple[Facts, ...]]  # label, card kind, the people featured


def _released_case(c: Campaign, roster: list[Person], as_of: date | None) -> Case:
    """The roster's first person released during the campaign (on or before ``as_of``), as of
    their release day (or ``as_of``); without one, the sample released person."""
    releases = sorted((e.date, i) for i, p in enumerate(roster) for e in p.events
                      if e.type == "released" and c.start <= e.date <= c.end and (as_of is None or e.date <= as_of))
    for day, i in releases:
        f = facts(roster[i], as_of or day)
        if f.status.value == "released":
            return f"released {f.person.id}", "released", (f,)
    sample = next(p for p in sample_people() if p.id == "sample-released")
    day = next(e.date for e in sample.events if e.type == "released")
    return f"released {sample.id}", "released", (facts(sample, day),)


def _group_cases(roster: list[Person], everyone: tuple[Facts, ...], on: date, crowd_day: date,
                 cap: int | None) -> list[Case]:
    """Everyone held on ``on``, one person, and a crowd of 60 (at most ``cap`` people each)."""
    held = tuple(f for p in roster if (f := facts(p, on)).held)
    n = min(60, cap or 60)
    stress = [p for p in sample_people() if p.id.startswith("stress-")]
    return [(f"everyone held on {on}", "finale", (held or everyone[:1])[:cap]),
            ("one person", "finale", everyone[:1]),
            (f"{n} people", "finale", crowd(roster + stress, n, crowd_day))]


def _cases(folder: CampaignFolder, t: Template, name: str, as_of: date | None) -> list[Case]:
    """The sample cards for the template ``name``: the cards the campaign makes with it, or, for a
    template the campaign does not use, every card the template could be given."""
    c = folder.campaign
    days = cadence_dates(c)
    role = ("released" if name == c.released_template else
            "finale" if c.finale and name == c.finale.template else
            "weekly" if name == c.template else None)
    roster = list(folder.roster.people)
    stress = [p for p in sample_people() if p.id.startswith("stress-")]
    with_photo = next((p for p in roster if p.photo), roster[0])
    no_photo = with_photo.model_copy(update={"id": f"{with_photo.id}-no-photo", "photo": None})

    roster_ids = {p.id for p in roster} | {no_photo.id}

    def day_for(person: Person) -> date:
        if as_of and person.id in roster_ids:
            return as_of
        if role == "released":
            releases = [e.date for e in person.events if e.type == "released"]
            if releases:
                return releases[0]
        return _first_held(person, days) or c.start

    everyone = tuple(facts(p, day_for(p)) for p in roster + stress)
    if role == "finale":
        end = as_of or (c.finale.date if c.finale else c.end)
        return _group_cases(roster, everyone, end, as_of or c.start + timedelta(days=30), None)
    singles = [(p.id, role or "weekly", (facts(p, day_for(p)),)) for p in roster + stress + [no_photo]]
    if role:
        return singles
    # Not the campaign's: show what it can show. A weekly card, a released person (a badge
    # `when: {status: released}` appears), and groups when it has room for them.
    cases = [*singles, _released_case(c, roster, as_of)]
    cap = t.spec.max_people
    has_grid = any(layer.kind == "grid" for layer in t.spec.layers)
    if (cap or 0) > 1 or (cap is None and has_grid):
        end = as_of or (c.finale.date if c.finale else c.end)
        cases += _group_cases(roster, everyone, end, as_of or c.start + timedelta(days=30), cap)
    return cases


def template_jobs(folder: CampaignFolder, t: Template, name: str, sizes: list[str] | None,
                  as_of: date | None = None) -> Iterator[Job]:
    """Every roster person (plus stress cases) on the template ``name``, in every language the
    campaign posts in; roster facts as of ``as_of`` if given, else as of each card's usual day."""
    c = folder.campaign
    langs = sorted({a.language for a in c.accounts})
    account_for = {lang: next(a for a in c.accounts if a.language == lang) for lang in langs}
    for label, kind, group in _cases(folder, t, name, as_of):
        if not group:
            continue
        photos, names = _photos(folder, group)
        for lang in langs:
            account = account_for[lang]
            logo, logo_name = _logo(folder, account.id)
            card = CardInput(people=group, photos=photos, language=lang, kind=kind,
                             week=max(1, week_of(c, group[0].on)), campaign_name=c.name,
                             organisation=account.organisation, logo=logo, photo_names=names, logo_name=logo_name,
                             durations=c.durations, hashtags=tuple(c.hashtags))
            for size in sizes or ["square"]:
                safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in label)
                yield Job(f"{name}_{safe}_{lang}_{size}.jpg", f"{label} ({lang}) · as of {group[0].on}", name, size, card)


def _render_all(folder: CampaignFolder, templates: dict[str, Template], jobs: list[Job], out: Path) -> list[Result]:
    results: list[Result] = []
    with click.progressbar(jobs, label="Rendering cards", file=sys.stderr, show_pos=True) as bar:
        for job in bar:
            if job.template not in templates:
                templates[job.template] = _template(job.template, folder.root)
            try:
                card = render(templates[job.template], job.card, size=job.size)
            except CardError as exc:  # also a size the template lacks: render names the sizes it has
                results.append(Result(job, None, str(exc)))
                continue
            (out / job.file).write_bytes(card.image)
            results.append(Result(job, card))
    return results


def contact_sheet(results: list[Result], title: str) -> str:
    """The index.html of a preview: each card, its alt text and any overflow or error."""
    e = html.escape
    cells = []
    for r in results:
        notes = []
        if r.error:
            notes.append(f'<p class="bad">error: {e(r.error)}</p>')
        if r.card:
            notes += [f'<p class="bad">overflow: {e(str(o))}</p>' for o in r.card.overflows]
            notes += [f'<p class="warn">warning: {e(w)}</p>' for w in r.card.warnings]
            notes += [f'<p class="alt"><b>alt ({e(lang)}):</b> {e(text)}</p>' for lang, text in r.card.alt.items()]
        img = (f'<a href="{e(r.job.file)}"><img src="{e(r.job.file)}" alt="{e(r.card.alt.get(r.job.card.language, ""))}" '
               f'loading="lazy"></a>' if r.card else '<div class="missing">not rendered</div>')
        cls = "card bad-card" if r.error or (r.card and r.card.overflows) else "card"
        cells.append(f'<figure class="{cls}" data-file="{e(r.job.file)}">{img}<figcaption>'
                     f'<h2>{e(r.job.title)}</h2><p class="meta">{e(r.job.template)} · {e(r.job.size)}</p>'
                     f'{"".join(notes)}</figcaption></figure>')
    bad = sum(1 for r in results if r.error or (r.card and r.card.overflows))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>
body{{font-family:"Noto Sans","Noto Sans Khmer",system-ui,sans-serif;background:#111;color:#eee;margin:2rem}}
main{{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:1.5rem}}
figure{{margin:0;background:#1c1f26;padding:.75rem;border-radius:8px}}
img{{width:100%;height:auto;display:block}}
h2{{font-size:.95rem;margin:.5rem 0 .2rem}} .meta{{color:#999;font-size:.8rem;margin:0}}
.alt{{font-size:.85rem;color:#ccc}} .bad{{color:#ff8a80;font-weight:bold}} .warn{{color:#ffd180}}
.bad-card{{outline:3px solid #ff5252}}
</style></head><body>
<h1>{e(title)}</h1>
<p>{len(results)} cards; {bad} with problems.</p>
<main>
{chr(10).join(cells)}
</main></body></html>
"""


def _snapshot(paths: list[Path]) -> dict[str, tuple[int, int]]:
    """Every file under ``paths`` with its modification time and size (what --watch compares)."""
    out = {}
    for root in paths:
        for p in [root, *root.rglob("*")] if root.is_dir() else [root]:
            try:
                if p.is_file():
                    st = p.stat()
                    out[str(p)] = (st.st_mtime_ns, st.st_size)
            except OSError:  # deleted while we looked: the next look sees it gone
                continue
    return out


PREVIEW_CLOSING = "found; no cards were rendered"


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Folder to write cards and index.html into.")
@click.option("--template", "template", metavar="NAME",
              help="Preview this template with every roster person plus stress cases, instead of the planned posts.")
@click.option("--size", "size", metavar="NAME", default="square", show_default=True,
              help="Canvas to render: any canvas the template defines (square, portrait, landscape, "
                   "or others it adds), or all.")
@click.option("--as-of", "as_of", callback=parse_day, metavar="DATE",
              help="With --template: every roster person's facts as of this date, instead of each card's usual day.")
@click.option("--watch", is_flag=True, help="Re-render when the template or campaign files change (Ctrl-C to stop).")
@clean_errors(closing=PREVIEW_CLOSING)
def preview(folder: Path, out: Path, template: str | None, size: str, as_of: date | None, watch: bool) -> None:
    """Render cards into OUT with an index.html contact sheet (card, alt text, overflows).

    Without --template: the card of every planned post, with facts as of its date.
    With --template: every person of the roster, plus stress cases (the longest name,
    a Khmer-only name, no photo), in each language the campaign posts in. A template the
    campaign does not use also gets a released person and, if it can show several people
    (a grid, or max_people above 1), groups: everyone still held at the end, one person, 60.
    Exits 1 if any text overflows its box, 2 if a card cannot be rendered.

    \b
    Examples:
      campaign preview config/campaigns/release-hrds-2021 --out out/preview
      campaign preview config/campaigns/release-hrds-2021 --out out/p --template portrait --size all
      campaign preview config/campaigns/release-hrds-2021 --out out/p --template portrait --as-of 2021-11-20
      campaign preview config/campaigns/release-hrds-2021 --out out/p --template collage --watch
    """
    if as_of and not template:
        raise click.UsageError("--as-of needs --template (a planned post is always as of its own date)")
    # until a run succeeds (and says what it used), watch the folder and where the template may be
    watched = [folder, *(p for p in [Path(template)] + [d / template for d in template_dirs(folder)] if p.is_dir())
               ] if template else [folder]
    while True:
        pre = _snapshot(watched) if watch else {}  # an edit saved while rendering still counts
        try:
            code, watched = _preview_once(folder, out, template, size, as_of)
        except InputError as exc:
            if not watch:
                report_input_error(exc, PREVIEW_CLOSING)
            show_problems(exc, PREVIEW_CLOSING)
            code = EXIT_INPUT
        except CardError as exc:  # the template cannot be found or loaded, or lacks the size
            if not watch:
                fail(str(exc), EXIT_INPUT)
            click.secho(f"error: {exc}", fg="red", err=True)
            code = EXIT_INPUT
        if not watch:
            sys.exit(code)
        click.echo(f"watching {len(watched)} path(s) for changes; Ctrl-C to stop", err=True)
        before = {path: pre.get(path, stamp) for path, stamp in _snapshot(watched).items()}
        try:
            while True:
                time.sleep(0.3)
                now = _snapshot(watched)
                if now != before:
                    time.sleep(0.3)  # an editor may write several files: let it finish
                    break
        except KeyboardInterrupt:
            sys.exit(code)
        clear_caches(fonts=True)  # a font file may have been replaced under the same name
        click.echo("changed; rendering again", err=True)


def _check_size(size: str, templates: dict[str, Template]) -> None:
    """Raise CardError (once, before any card) if a template lacks the canvas ``size``."""
    if size == "all":
        return
    lacking = [name for name, t in templates.items() if size not in t.sizes]
    if not lacking:
        return
    every = list(dict.fromkeys(s for t in templates.values() for s in t.sizes))
    shared = [s for s in every if all(s in t.sizes for t in templates.values())]
    raise CardError(f"--size {size!r}: no such canvas in template{'s' if len(lacking) > 1 else ''} {', '.join(lacking)}"
                    + did_you_mean(size, every)
                    + f"; {'their' if len(templates) > 1 else 'its'} sizes: {', '.join(shared)}, or all")


def _preview_once(folder_path: Path, out: Path, template: str | None, size: str,
                  as_of: date | None = None) -> tuple[int, list[Path]]:
    folder = load_consistent(folder_path)  # an InputError is reported by the caller (exit 2)
    c = folder.campaign
    names = [template] if template else sorted({c.template, c.released_template} | ({c.finale.template} if c.finale else set()))
    templates = {name: _load(name, folder.root) for name in names}
    _check_size(size, templates)
    out.mkdir(parents=True, exist_ok=True)
    all_sizes = list(dict.fromkeys(s for t in templates.values() for s in t.sizes))
    sizes = all_sizes if size == "all" else [size]
    jobs = list(template_jobs(folder, templates[template], template, sizes, as_of) if template
                else planned_jobs(folder, sizes))
    for f in out.glob("*.jpg"):
        f.unlink()  # a stale card from an earlier run would mislead
    results = _render_all(folder, templates, jobs, out)
    title = f"{c.name}: {'template ' + template if template else 'planned posts'}" + (f" as of {as_of}" if as_of else "")
    (out / "index.html").write_text(contact_sheet(results, title), encoding="utf-8")
    overflows = sum(len(r.card.overflows) for r in results if r.card)
    errors = [r for r in results if r.error]
    for r in errors:
        click.secho(f"error: {r.job.file}: {r.error}", fg="red", err=True)
    for r in results:
        for o in (r.card.overflows if r.card else ()):
            click.secho(f"overflow: {r.job.file}: {o}", fg="yellow", err=True)
    click.echo(f"wrote {len(results) - len(errors)} cards and {out / 'index.html'}: "
               f"{overflows} overflow(s), {len(errors)} error(s)")
    code = EXIT_INPUT if errors else EXIT_OVERFLOW if overflows else 0
    return code, [*(t.root for t in templates.values()), folder.root]


def register(group: click.Group) -> None:
    group.add_command(template_group)
    group.add_command(preview)
