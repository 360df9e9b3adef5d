"""Organisers' ``kit`` command: a zip per language for partners who post by hand (the work is
:mod:`campaign.cards.kit`'s; this reads the folder, shows progress and writes the zips)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import EXIT_INPUT, clean_errors, fail

if TYPE_CHECKING:  # the command imports the cards and the checks when run
    from ..cards.kit import KitSources
    from ..checks import CheckedFolder


def folder_sources(f: CheckedFolder) -> KitSources:
    """A checked folder as a kit's sources: its plan, templates, photos and logos, as read."""
    from ..cards.kit import KitSources

    return KitSources(f.campaign, f.roster, f.slots, {name: f.template(name) for name in f.templates},
                      photo=f.photos.get, logo=f.logos.get)


@click.command("kit")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--week", type=int, required=True, help="The campaign week (week 1: the seven days from the start).")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder to write the zips into.")
@click.option("--language", "languages", multiple=True, metavar="xx",
              help="Only this language's kit (repeatable) [default: every language an account posts in].")
@clean_errors
def kit(folder: Path, week: int, out: Path, languages: tuple[str, ...]) -> None:
    """Write a zip per language for partners who post by hand (WhatsApp, personal profiles, print).

    Each zip holds every size of each of the week's cards, a caption per platform (none
    identical to one the coalition's X accounts post that week), the alt text, and
    when-to-post.txt. The same kits are on the dashboard's Calendar, per week.

    \b
    Example:
      campaign kit config/campaigns/release-hrds-2021 --week 6 --out out/kits
    """
    from ..cards.kit import KitError, kit_entries, kit_name, zip_kits
    from ..checks import load_checked

    f = load_checked(folder)
    try:
        entries = kit_entries(folder_sources(f), week, languages or None)
    except KitError as exc:
        fail(str(exc), EXIT_INPUT)
    with click.progressbar(entries, label="Making kits", file=sys.stderr, show_pos=True) as bar:
        zips = zip_kits(bar)
    out.mkdir(parents=True, exist_ok=True)
    for lang, data in zips.items():
        path = out / kit_name(f.campaign.id, week, lang)
        path.write_bytes(data)
        click.echo(f"wrote {path} ({len(data):,} bytes)")
