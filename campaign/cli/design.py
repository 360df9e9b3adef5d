"""Designers' commands: ``preview`` (a contact sheet of every card), and the ``template`` group
(:mod:`.templates`). The work is :mod:`campaign.cards.preview`'s; these parse, call and report."""

from __future__ import annotations

import signal
import sys
from datetime import date
from pathlib import Path

import click

from ..errors import InputError
from .common import EXIT_INPUT, clean_errors, fail, parse_day, report_input_error, show_problems
from .templates import EXIT_OVERFLOW, _load_named


# --- preview -----------------------------------------------------------------------------------


PREVIEW_CLOSING = "found; no cards were rendered"


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Folder to write cards and index.html into.")
@click.option("--template", "template", metavar="NAME",
              help="Preview this template with every roster person plus stress cases, instead of the planned posts. "
                   "A name, as campaign.yaml's template: (the campaign's templates/, $CAMPAIGN_TEMPLATE_PATH, "
                   "the shipped ones), not a path: `campaign template check` takes a folder.")
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
    from ..cards import CardError, is_path, template_dirs
    from ..cards.canvas import clear_caches
    from ..cards.preview import Watcher

    if template and is_path(template):  # named as campaign.yaml names one: refused before any run or watch
        _load_named(template, folder, "--template")
    # until a run succeeds (and says what it used), watch the folder and where the template may be
    watched = [folder, *(p for p in [d / template for d in template_dirs(folder)] if p.is_dir())] if template else [folder]
    watcher = Watcher(watched)
    if watch:  # Ctrl-C stops it even when started with SIGINT ignored (a script, a background job), as `run` does
        signal.signal(signal.SIGINT, signal.default_int_handler)
    while True:
        if watch:
            watcher.begin()  # an edit saved while rendering still counts
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
        try:
            watcher.wait(watched)
        except KeyboardInterrupt:
            sys.exit(code)
        clear_caches(fonts=True)  # a font file may have been replaced under the same name
        click.echo("changed; rendering again", err=True)


def _preview_once(folder_path: Path, out: Path, template: str | None, size: str,
                  as_of: date | None = None) -> tuple[int, list[Path]]:
    from ..cards.preview import prepare, render_jobs, template_names, title, write_sheet
    from ..checks import load_consistent
    from ..checks.languages import language_problems
    from ..plan import plan

    folder = load_consistent(folder_path)  # an InputError is reported by the caller (exit 2)
    templates = {name: _load_named(name, folder.root, "--template" if name == template else "")
                 for name in template_names(folder.campaign, template)}
    jobs = prepare(folder, templates, template, size, as_of, out)
    results = []
    with click.progressbar(length=len(jobs), label="Rendering cards", file=sys.stderr, show_pos=True) as bar:
        for result in render_jobs(jobs, templates, folder.root, out):  # on every core, in the order of the jobs
            results.append(result)
            bar.update(1)
    sheet = write_sheet(out, results, title(folder.campaign, template, as_of),
                        {a.language for a in folder.campaign.accounts})  # the alt texts its posts carry
    for problem in language_problems(folder, templates, plan(folder.campaign, folder.roster)):
        # drawn anyway, so a designer sees what falls back: but the campaign cannot be applied so
        click.secho(f"warning: {problem} (validate refuses this; the cards show what it falls back to)",
                    fg="yellow", err=True)
    overflows = sum(len(r.card.overflows) for r in results if r.card)
    errors = [r for r in results if r.error]
    by_error: dict[str, list[str]] = {}  # one problem (a photo that cannot be read) once, with the cards it stops
    for r in errors:
        by_error.setdefault(str(r.error), []).append(r.job.file)
    for error, files in by_error.items():
        more = f" (and {len(files) - 1} more card{'s' if len(files) > 2 else ''})" if len(files) > 1 else ""
        click.secho(f"error: {files[0]}{more}: {error}", fg="red", err=True)
    for r in results:
        for o in (r.card.overflows if r.card else ()):
            click.secho(f"overflow: {r.job.file}: {o}", fg="yellow", err=True)
    click.echo(f"wrote {len(results) - len(errors)} cards and {sheet}: "
               f"{overflows} overflow(s), {len(errors)} error(s)")
    code = EXIT_INPUT if errors else EXIT_OVERFLOW if overflows else 0
    return code, [*(t.root for t in templates.values()), folder.root]
