"""``campaign template new`` and ``campaign template check``: start a template, and check one
(its YAML, fonts and images; overflows and text contrast on sample cards, which ``--out`` keeps
with a contact sheet). The work is :mod:`campaign.cards`'s; these parse, call and report."""

from __future__ import annotations

import sys
from pathlib import Path

from typing import TYPE_CHECKING

import click

from .common import EXIT_INPUT, clean_errors, fail

if TYPE_CHECKING:  # the commands import the cards (Pillow, fonts) when run, not at `campaign --help`
    from ..cards import Template

EXIT_OVERFLOW = 1
CAMPAIGN_FILE = "campaign.yaml"


@click.group("template")
def template_group() -> None:
    """Start and check card templates (templates/NAME/template.yaml).

    \b
    Examples:
      campaign template new mine --campaign config/campaigns/release-hrds-2021
      campaign template check mine --campaign config/campaigns/release-hrds-2021 --out out/mine
      campaign template check assets/templates/portrait
    """


def _campaign_root(campaign: Path | None) -> Path | None:
    """The campaign whose templates/ a name is looked up in: ``--campaign``, else the current
    folder if it is a campaign."""
    if campaign is not None:
        if not (campaign / CAMPAIGN_FILE).is_file():
            fail(f"--campaign {campaign}: no {CAMPAIGN_FILE} there; give a campaign folder", EXIT_INPUT)
        return campaign
    return Path(".") if Path(CAMPAIGN_FILE).is_file() else None


def _load(path_or_name: Path | str, campaign_root: Path | None = None) -> Template:
    """The template at a path or called by a name, or exit 2 naming the problem."""
    from ..cards import CardError, template_at

    try:
        return template_at(path_or_name, campaign_root)
    except CardError as exc:
        fail(str(exc), EXIT_INPUT)


def _load_named(name: str, campaign_root: Path, option: str = "") -> Template:
    """The template called ``name`` as campaign.yaml names one (a path is refused: ``template
    check`` takes one), or exit 2 naming the problem."""
    from ..cards import CardError, find_named, load_template, is_path

    try:
        return load_template(find_named(name, campaign_root))
    except CardError as exc:
        also = f"; `campaign template check {name}` checks a template folder by its path" if is_path(name) else ""
        fail(f"{option} {exc}{also}".lstrip(), EXIT_INPUT)


CAMPAIGN_OPTION = click.option("--campaign", "campaign", type=click.Path(path_type=Path), metavar="FOLDER",
                               help="A campaign folder: NAME is looked for in its templates/ first "
                                    "(default: the current folder, if it is a campaign).")


@template_group.command("new")
@click.argument("name")
@click.option("--from", "source", metavar="TEMPLATE",
              help="Start from a copy of this template (e.g. portrait), its images and fonts too.")
@CAMPAIGN_OPTION
@click.option("--dir", "into", type=click.Path(path_type=Path), metavar="DIR",
              help="Write the template into DIR/NAME instead of the campaign's templates/.")
@clean_errors(closing="found in the template")
def template_new(name: str, source: str | None, campaign: Path | None, into: Path | None) -> None:
    """Write a commented template NAME with every canvas (square, portrait, landscape), into the
    campaign's templates/ folder (or --dir). It passes `campaign template check` as written; edit
    it, check it again, and name it in campaign.yaml (template: NAME).

    \b
    Examples:
      campaign template new mine --campaign config/campaigns/release-hrds-2021
      campaign template new my-portrait --from portrait --dir assets/templates
    """
    from ..cards import CardError
    from ..cards.scaffold import new_template

    root = _campaign_root(campaign)
    if into is None:
        if root is None:
            raise click.UsageError("give --campaign FOLDER (its templates/ folder) or --dir DIR, "
                                   "or run this in a campaign folder")
        into = root / "templates"
    try:
        made = new_template(name, into, source, root)
    except CardError as exc:
        fail(str(exc), EXIT_INPUT)
    where = f" --campaign {root}" if root is not None and into == root / "templates" else ""
    click.echo(f"wrote {made / 'template.yaml'}; check it: campaign template check "
               f"{name if where else made}{where} --out out/{name}")


@template_group.command("check")
@click.argument("template")
@CAMPAIGN_OPTION
@click.option("--strict", is_flag=True, help="Exit 1 if any sample card overflows (warnings never fail).")
@click.option("--out", "out", type=click.Path(path_type=Path), metavar="DIR",
              help="Keep the sample cards in DIR, with an index.html contact sheet.")
@clean_errors(closing="found in the template")
def template_check(template: str, campaign: Path | None, strict: bool, out: Path | None) -> None:
    """Validate a template (a folder, or a name looked up as campaigns do): YAML (FILE:LINE
    errors), fonts and images; then render sample cards (typical, longest name, Khmer-only,
    released, and long Cyrillic, Thai and Burmese names as the first name) in every size and
    every language it has texts in (English and Khmer always) and report any text that does
    not fit. Warns about alt text missing a language, text allowed
    to shrink below 8 px, a weight a static font file cannot draw, and text whose contrast
    with what is under it (sampled: colours, gradients, images) is below WCAG AA (4.5:1, or
    3:1 for text of 24 px, 18.7 px bold, or more).

    \b
    Examples:
      campaign template check assets/templates/portrait
      campaign template check mine --campaign config/campaigns/release-hrds-2021 --out out/mine --strict
    """
    from ..cards import CardError
    from ..cards.preview import sample_cards, sample_contrasts, sample_overflows
    from ..checks.templates import template_warnings

    t = _load(template, _campaign_root(campaign))
    for warning in template_warnings(t):
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    overflows = 0
    kept = []
    try:
        samples = sample_cards(t)
        if out is not None:
            samples = iter(kept.append(s) or s for s in samples)  # type: ignore[func-returns-value]
        for lang, o in sample_overflows(t, samples):
            click.secho(f"overflow: {lang}: {o}", fg="yellow", err=True)
            overflows += 1
        low = sample_contrasts(t)
    except CardError as exc:
        fail(str(exc), EXIT_INPUT)
    for c in low:
        click.secho(f"warning: {t.source.problem(c.loc, 'low contrast: ' + str(c))}",
                    fg="yellow", err=True)
    if out is not None:
        _keep(out, t, kept)
    click.echo(f"ok: template {t.name}: {len(t.spec.layers)} layers, sizes {', '.join(t.sizes)}, "
               f"fonts {', '.join(f'{k}={v.name}' for k, v in t.fonts.items())}; "
               f"{overflows} distinct overflow(s), {len(low)} low contrast(s) on sample cards"
               + (f"; kept {len(kept)} in {out / 'index.html'}" if out is not None else ""))
    if strict and overflows:
        sys.exit(EXIT_OVERFLOW)


def _keep(out: Path, t: Template, samples: list) -> None:  # type: ignore[type-arg]
    """The sample cards written into ``out`` (emptied of an earlier run's cards) with a contact sheet."""
    from ..cards.preview import Job, Result, write_sheet

    out.mkdir(parents=True, exist_ok=True)
    for f in out.glob("*.jpg"):
        f.unlink()  # a stale card from an earlier run would mislead
    results = []
    for s in samples:
        (out / s.file).write_bytes(s.rendered.image)
        results.append(Result(Job(s.file, f"{s.label} ({s.language})", t.name, s.size, s.card), s.rendered))
    write_sheet(out, results, f"template {t.name}: sample cards")
