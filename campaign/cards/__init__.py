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

from .layout import require_raqm
from .photos import PhotoError
from .render import Card, CardInput, Overflow, render
from .template import TEMPLATE_FILE, CardError, Template, load_template

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


__all__ = [
    "Card", "CardError", "CardInput", "Overflow", "PhotoError", "Template",
    "find_template", "load_template", "render", "require_raqm", "template_dirs",
]
