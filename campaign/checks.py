"""Everything checked before a campaign may be planned, applied or run: one entry point."""

from __future__ import annotations

from pathlib import Path

from .cards import check_folder_templates, require_raqm
from .definition import CampaignFolder, load_folder
from .sources import InputError


def load_checked(folder: Path | str) -> CampaignFolder:
    """Load a campaign folder and check what it needs beyond its own files: the card templates it
    names load, and Khmer can be shaped. Raises InputError (located problems) or CardError."""
    loaded = load_folder(folder)
    problems = check_folder_templates(loaded)
    if problems:
        raise InputError(problems)
    require_raqm()
    return loaded
