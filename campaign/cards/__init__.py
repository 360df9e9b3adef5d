"""Cards: designers' templates turned into images about people, true as of a date. Pure Pillow.

    from campaign.cards import find_template, load_template, render, CardInput
    t = load_template(find_template("portrait", folder.root))
    card = render(t, CardInput(people=(facts(person, day),), photos={...}, language="km",
                               kind="weekly", week=6, campaign_name="Release HRDs"),
                  size="square", fmt="jpeg", max_bytes=1_000_000)
    card.image, card.alt["en"], card.warnings, card.overflows

Modules: ``template`` (the YAML format and loading), ``layout`` (fonts, Khmer-aware wrapping,
fit), ``photos`` (decoding and normalising what people send), ``fields`` (values for format
strings), ``render`` (painting and encoding).

Errors: :class:`CardError` (template, font, byte limit, people count; overflow when strict) and
its subclass :class:`PhotoError` (names the person and, when given ``CardInput.photo_names``, the
file). Template files that are wrong raise :class:`campaign.sources.InputError` with
``template.yaml:LINE: field: message`` problems.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..sources import InputError, Problem
from .layout import require_raqm
from .photos import PhotoError
from .render import Card, CardInput, Overflow, render
from .template import TEMPLATE_FILE, CardError, Template, load_template

if TYPE_CHECKING:
    from ..definition import CampaignFolder

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "templates"
ENV_PATH = "CAMPAIGN_TEMPLATE_PATH"


def template_dirs(campaign_root: Path | None = None) -> list[Path]:
    """Where templates are looked for, in order: the campaign's templates/, $CAMPAIGN_TEMPLATE_PATH, the repo's assets/templates."""
    dirs: list[Path] = []
    if campaign_root is not None:
        dirs.append(Path(campaign_root) / "templates")
    dirs += [Path(p) for p in os.environ.get(ENV_PATH, "").split(os.pathsep) if p]
    dirs.append(ASSETS)
    return dirs


def find_template(name: str, campaign_root: Path | None = None) -> Path:
    """The folder of the template called ``name`` (or a path to a template folder).

    Raises CardError naming every place it looked.
    """
    direct = Path(name)
    if (os.sep in name or "/" in name) and (direct / TEMPLATE_FILE).is_file():
        return direct
    looked = []
    for d in template_dirs(campaign_root):
        candidate = d / name
        if (candidate / TEMPLATE_FILE).is_file():
            return candidate
        looked.append(str(candidate))
    raise CardError(f"no template {name!r}: looked for {TEMPLATE_FILE} in " + ", ".join(looked))


def check_folder_templates(folder: CampaignFolder) -> list[Problem]:
    """Problems with the templates a campaign uses (for ``campaign validate``), located at campaign.yaml lines.

    Checks campaign.template, campaign.released_template and finale.template: each must exist and
    load. A template's own problems are listed too, at their template.yaml lines.
    """
    c = folder.campaign
    uses: list[tuple[tuple[str, ...], str]] = [(("template",), c.template), (("released_template",), c.released_template)]
    if c.finale:
        uses.append((("finale", "template"), c.finale.template))
    problems: list[Problem] = []
    seen: dict[str, list[Problem]] = {}
    for loc, name in uses:
        if name in seen:
            if seen[name]:
                problems.append(folder.campaign_src.problem(loc, f"template {name!r} does not load (see above)"))
            continue
        found: list[Problem] = []
        try:
            load_template(find_template(name, folder.root))
        except CardError as exc:
            found.append(folder.campaign_src.problem(loc, str(exc)))
        except InputError as exc:
            found.append(folder.campaign_src.problem(loc, f"template {name!r} has {len(exc.problems)} problem(s)"))
            found.extend(exc.problems)
        seen[name] = found
        problems.extend(found)
    return problems


__all__ = [
    "Card", "CardError", "CardInput", "Overflow", "PhotoError", "Template", "check_folder_templates",
    "find_template", "load_template", "render", "require_raqm", "template_dirs",
]
