"""Everything checked before a campaign may be planned, applied or run: one entry point."""

from __future__ import annotations

from pathlib import Path

from .cards import check_folder_templates, require_raqm
from .cards.photos import PhotoError, load_photo
from .definition import CampaignFolder, load_folder
from .sources import InputError, Problem


def load_checked(folder: Path | str) -> CampaignFolder:
    """Load a campaign folder and check what it needs beyond its own files: every photo decodes,
    the card templates it names load, and Khmer can be shaped. Raises InputError (located
    problems) or CardError."""
    loaded = load_folder(folder)
    problems = photo_problems(loaded) + check_folder_templates(loaded)
    if problems:
        raise InputError(problems)
    require_raqm()
    return loaded


def photo_problems(folder: CampaignFolder) -> list[Problem]:
    """A corrupt, truncated, empty or non-image photo, located at its roster.yaml line, so it is
    refused before anything is queued rather than when its card is rendered."""
    problems = []
    for i, person in enumerate(folder.roster.people):
        if person.photo is None:
            continue
        try:
            load_photo((folder.root / person.photo).read_bytes(), person.id, person.photo)
        except PhotoError as exc:
            problems.append(folder.roster_src.problem(("people", i, "photo"), str(exc)))
    return problems
