"""The one validation stage: everything checked before a campaign may be planned, applied or run.

``load_checked(folder)`` reads a campaign folder once and returns a :class:`CheckedFolder`, or
raises :class:`~campaign.errors.InputError` with every problem found (``FILE:LINE: field: message``)
or :class:`~campaign.errors.CardError`. In order:

1. ``definition.load_folder``: campaign.yaml and roster.yaml into models, each file on its own;
2. :mod:`.folder`: what needs both files and the disk (pins on a slot, photos and logos inside the
   folder, caption fields known); every photo decodes (``load_consistent`` stops after the first
   part, for the commands that work on a folder whose photos or templates are not ready);
3. :mod:`.templates`: each card template the campaign names found and loaded once, and able to show
   every planned post (capacity);
4. :mod:`.languages`: each account's language has the captions and template labels of its posts;
5. Khmer can be shaped (``cards.require_raqm``).

The checked folder holds everything read: the models and the YAML text, every photo's and logo's
bytes, each template loaded and its folder's files, and the plan with every roster event known. So
nothing reads or loads them again: ``apply`` stores it as it is.

The lints, valid but probably not meant, are warnings and refuse nothing: :func:`warnings` gives
those ``campaign validate`` prints (:mod:`.plan_lints`, :mod:`.caption_lints`, and
:mod:`.caption_facts` where a caption's words and the day's facts disagree); a template's own are
:func:`~.templates.template_warnings` (``campaign template check``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..cards import Template, require_raqm
from ..definition import CampaignFolder, load_folder
from ..plan import Slot, plan
from ..sources import InputError
from .caption_facts import claim_problems
from .caption_lints import caption_problems
from .folder import cross_checks, logo_problems, read_logos, read_photos, small_photos
from .folder_lints import folder_warnings
from .glyphs import glyph_problems
from .release_cards import release_card_problems
from .languages import language_problems
from .plan_lints import plan_warnings
from .templates import CheckedTemplate, capacity_problems, load_templates, template_warnings


@dataclass(frozen=True)
class CheckedFolder(CampaignFolder):
    """A campaign folder that passed every check, with everything read from disk to check it."""

    photos: Mapping[str, bytes]  # person id -> the photo's bytes (people without a photo are absent)
    logos: Mapping[str, bytes]  # account id -> the logo's bytes
    templates: Mapping[str, CheckedTemplate]  # every template the campaign names -> loaded, with its files
    slots: tuple[Slot, ...]  # the plan with every roster event known (what `campaign validate` counts)

    def template(self, name: str) -> Template:
        return self.templates[name].template


def load_consistent(folder: Path | str) -> CampaignFolder:
    """Load a campaign folder whose two files agree with each other and with the disk
    (:func:`cross_checks`); raises InputError with every problem found."""
    loaded = load_folder(folder)
    problems = cross_checks(loaded)
    if problems:
        raise InputError(problems)
    return loaded


def load_checked(folder: Path | str) -> CheckedFolder:
    """Load a consistent campaign folder and check what it needs beyond its own files: every photo
    decodes, the card templates it names load and can show every planned post, every account's
    language has the captions and template labels of the posts it plans (:mod:`.languages`),
    and Khmer can be shaped. Raises InputError (located problems) or CardError."""
    loaded = load_consistent(folder)
    photos, problems = read_photos(loaded)
    logos = read_logos(loaded)
    problems += logo_problems(loaded, logos)
    templates, template_problems = load_templates(loaded)
    slots = plan(loaded.campaign, loaded.roster)  # now=None: every event in the roster is known
    loaded_templates = {name: t.template for name, t in templates.items()}
    problems += (template_problems + capacity_problems(loaded, loaded_templates, slots)
                 + language_problems(loaded, loaded_templates, slots))
    if not problems:  # every text of every planned card drawn in its font (of templates that work)
        problems += glyph_problems(loaded, loaded_templates, slots) + release_card_problems(loaded, loaded_templates, slots)
    if problems:
        raise InputError(problems)
    require_raqm()
    return CheckedFolder(loaded.root, loaded.campaign, loaded.roster, loaded.campaign_src, loaded.roster_src,
                         photos=photos, logos=logos, templates=templates, slots=tuple(slots))


def warnings(folder: CheckedFolder) -> list[str]:
    """What ``campaign validate`` warns about: valid, but probably not meant."""
    c, roster = folder.campaign, folder.roster
    return [*plan_warnings(c, roster), *folder_warnings(c, roster), *caption_problems(c, roster), *claim_problems(c, roster),
            *small_photos(folder, folder.photos, (t.template for t in folder.templates.values()))]


__all__ = ["CheckedFolder", "CheckedTemplate", "cross_checks", "load_checked", "load_consistent", "template_warnings",
           "warnings"]
