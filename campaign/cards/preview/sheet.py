"""A preview's run: which templates it uses, its cards rendered into a folder, and the contact
sheet (``index.html``: each card with its alt text, overflows, warnings and errors)."""

from __future__ import annotations

import html
from collections.abc import Collection
from datetime import date
from pathlib import Path

from ...definition import Campaign, CampaignFolder
from ...sources import did_you_mean
from ...errors import CardError
from ..template import Template
from ..webfonts import ship_fonts
from .draw import Result
from .jobs import Job, planned_jobs, template_jobs


def template_names(c: Campaign, template: str | None) -> list[str]:
    """The templates a preview uses: ``template`` if given, else every one the campaign does."""
    return [template] if template else sorted({c.template, c.released_template} | ({c.finale.template} if c.finale else set()))


def title(c: Campaign, template: str | None, as_of: date | None) -> str:
    """The contact sheet's heading."""
    return f"{c.name}: {'template ' + template if template else 'planned posts'}" + (f" as of {as_of}" if as_of else "")


def check_size(size: str, templates: dict[str, Template]) -> None:
    """Raise CardError (once, before any card) if a template lacks the canvas ``size``."""
    if size == "all":
        return
    lacking = [name for name, t in templates.items() if size not in t.sizes]
    if not lacking:
        return
    every = list(dict.fromkeys(s for t in templates.values() for s in t.sizes))
    shared = [s for s in every if all(s in t.sizes for t in templates.values())]
    having = [name for name in templates if name not in lacking]
    # a canvas some of the templates have is no misspelling: say which has it, and how to see it
    hint = (f" (only {', '.join(having)} has it: preview {'it' if len(having) == 1 else 'each'} with "
            f"--template {having[0]} --size {size})" if having else did_you_mean(size, every))
    raise CardError(f"--size {size!r}: no such canvas in template{'s' if len(lacking) > 1 else ''} {', '.join(lacking)}"
                    + hint + f"; {'their' if len(templates) > 1 else 'its'} sizes: {', '.join(shared)}, or all")


def prepare(folder: CampaignFolder, templates: dict[str, Template], template: str | None, size: str,
            as_of: date | None, out: Path) -> list[Job]:
    """The cards to render into ``out`` (made, and emptied of cards an earlier run left): the
    planned posts', or the samples of ``template``, on the canvas ``size`` (or all). Raises
    CardError, before any card, if a template lacks the canvas."""
    check_size(size, templates)
    out.mkdir(parents=True, exist_ok=True)
    all_sizes = list(dict.fromkeys(s for t in templates.values() for s in t.sizes))
    sizes = all_sizes if size == "all" else [size]
    jobs = list(template_jobs(folder, templates[template], template, sizes, as_of) if template
                else planned_jobs(folder, sizes))
    for f in out.glob("*.jpg"):
        f.unlink()  # a stale card from an earlier run would mislead
    return jobs


def contact_sheet(results: list[Result], title: str, fonts: tuple[str, str] = ("", ""),
                  languages: Collection[str] | None = None) -> str:
    """The index.html of a preview: each card, its alt text and any overflow or error. ``fonts``:
    the ``@font-face`` rules and family names of fonts shipped beside it (:func:`ship_fonts`);
    ``languages``: a campaign's posting languages, whose alt texts (and the card's own) alone are shown
    (None: every one)."""
    e = html.escape
    cells = []
    for r in results:
        notes = []
        if r.error:
            notes.append(f'<p class="bad">error: {e(r.error)}</p>')
        if r.card:
            notes += [f'<p class="bad">overflow: {e(str(o))}</p>' for o in r.card.overflows]
            notes += [f'<p class="warn">warning: {e(w)}</p>' for w in r.card.warnings]
            notes += [f'<p class="alt"><b>alt ({e(lang)}):</b> {e(text)}</p>' for lang, text in r.card.alt.items()
                      if languages is None or lang in languages or lang == r.job.card.language]
        img = (f'<a href="{e(r.job.file)}"><img src="{e(r.job.file)}" alt="{e(r.card.alt.get(r.job.card.language, ""))}" '
               f'loading="lazy"></a>' if r.card else '<div class="missing">not rendered</div>')
        cls = "card bad-card" if r.error or (r.card and r.card.overflows) else "card"
        cells.append(f'<figure class="{cls}" data-file="{e(r.job.file)}">{img}<figcaption>'
                     f'<h2>{e(r.job.title)}</h2><p class="meta">{e(r.job.template)} · {e(r.job.size)}</p>'
                     f'{"".join(notes)}</figcaption></figure>')
    bad = sum(1 for r in results if r.error or (r.card and r.card.overflows))
    families = fonts[1] + "," if fonts[1] else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>
{fonts[0]}
body{{font-family:{families}system-ui,sans-serif;background:#111;color:#eee;margin:2rem}}
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


def write_sheet(out: Path, results: list[Result], heading: str, languages: Collection[str] | None = None) -> Path:
    """Write the contact sheet of ``results`` into ``out``, with the project's fonts beside it
    (``fonts/``; every link relative, so the folder opens anywhere); returns its path. ``languages``:
    as :func:`contact_sheet`'s."""
    path = out / "index.html"
    path.write_text(contact_sheet(results, heading, ship_fonts(out), languages), encoding="utf-8")
    return path


__all__ = ["check_size", "contact_sheet", "prepare", "template_names", "title",
           "write_sheet"]
