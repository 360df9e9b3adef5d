"""The project's fonts shipped beside a page (``report.html``, a preview's contact sheet), so the
page shows Khmer (and every script the fonts cover) on any machine, with no system font and no
network (Latin, Cyrillic, Khmer, Thai, Burmese): each family copied into ``fonts/`` next to the page and named in ``@font-face`` rules
by a relative url; copied or zipped, the folder still opens anywhere."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import CardError
from .load import package_font
from .scripts import DEFAULTS, default_font
from .template import default_fonts

FONTS_DIR = "fonts"
FAMILY_PREFIX = "Campaign "  # "Campaign sans", "Campaign khmer": never mistaken for a system font


def project_fonts() -> dict[str, Path]:
    """The fonts the project ships, by family: every default family of a template, and the font
    of each script the cards set in a font of its own (Thai, Burmese), where installed."""
    out = {}
    for family, source in default_fonts().items():
        if source.package:
            out[family] = package_font(source.package, source.file, source.italic)
    for script in DEFAULTS:
        if script not in out:
            try:
                out[script] = default_font(script)
            except CardError:
                continue  # not installed: the cards refuse that script by name, the page shows boxes
    return out


def ship_fonts(out: Path, fonts: dict[str, Path] | None = None) -> tuple[str, str]:
    """Copy ``fonts`` (default: the project's) into ``out/fonts/``; returns the ``@font-face``
    rules (relative urls) and the CSS font-family list naming them, before the fallbacks."""
    fonts = project_fonts() if fonts is None else fonts
    folder = out / FONTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    rules, names = [], []
    for family, path in fonts.items():
        file = f"{family}{path.suffix.lower()}"  # a plain name: no brackets or spaces to escape in a url
        target = folder / file
        if not target.is_file() or target.stat().st_size != path.stat().st_size:
            shutil.copyfile(path, target)
        name = FAMILY_PREFIX + family
        kind = "opentype" if path.suffix.lower() == ".otf" else "truetype"
        rules.append(f'@font-face{{font-family:"{name}";src:url("{FONTS_DIR}/{file}") format("{kind}");'
                     "font-weight:100 900;font-display:block}")
        names.append(f'"{name}"')
    return "\n".join(rules), ",".join(names)


__all__ = ["FAMILY_PREFIX", "FONTS_DIR", "project_fonts", "ship_fonts"]
