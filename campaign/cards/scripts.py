"""Which font sets a text: by its script. Pure.

Latin, Cyrillic and Greek are set in the layer's ``font`` (Noto Sans covers all three); Khmer in
its ``font_khmer``; Thai and Burmese (Myanmar) in the template's ``thai`` and ``myanmar``
families when it declares them, else in the project's Noto fonts: Noto Sans Thai from its
package (``fontpkg-noto-sans-thai``), Noto Sans Myanmar shipped with the project
(``campaign/cards/fonts/``, SIL Open Font License). Every text is shaped with raqm
(:func:`.layout.font`). A script whose font is missing is an error naming the script and what
to install, never a row of empty boxes.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CardError

if TYPE_CHECKING:
    from .style import TextStyle
    from .template import Template

FONTS_DIR = Path(__file__).resolve().parent / "fonts"

# Scripts with a font of their own, in the order a mixed text is given one (the first found wins).
SCRIPTS: dict[str, re.Pattern[str]] = {
    "khmer": re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]"),
    "thai": re.compile(r"[\u0e00-\u0e7f]"),
    "myanmar": re.compile(r"[\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f]"),
}
NAMES = {"khmer": "Khmer", "thai": "Thai", "myanmar": "Burmese (Myanmar)"}
# The project's font for each script a template need not declare: (package, pip name) or a folder here.
DEFAULTS: dict[str, tuple[str, str]] = {
    "khmer": ("fontpkg_noto_sans_khmer", "fontpkg-noto-sans-khmer"),
    "thai": ("fontpkg_noto_sans_thai", "fontpkg-noto-sans-thai"),
    "myanmar": ("", "noto-sans-myanmar"),  # shipped: campaign/cards/fonts/noto-sans-myanmar/
}


def script_of(text: str) -> str | None:
    """The first script of ``text`` that needs a font of its own ("khmer", "thai", "myanmar"),
    or None (Latin, Cyrillic, Greek, digits: the layer's ``font``)."""
    for name, pattern in SCRIPTS.items():
        if pattern.search(text):
            return name
    return None


def font_for(t: Template, text: str, style: TextStyle) -> tuple[str, Path]:
    """The family and font file ``text`` is set in with ``style`` in template ``t``."""
    script = script_of(text)
    family = style.font if script is None else style.font_khmer if script == "khmer" else script
    if family in t.fonts:
        return family, t.fonts[family]
    if script is None:
        return family, t.fonts[family]  # a family the template does not declare: lint refuses it first
    return family, default_font(script, style.weight)


@functools.lru_cache(maxsize=32)
def default_font(script: str, weight: int = 400, package: str | None = None) -> Path:
    """The project's font file for ``script`` at ``weight`` (a static font's nearest weight)."""
    from .load import package_font

    pkg, name = DEFAULTS[script]
    pkg = pkg if package is None else package
    if not pkg:
        folder = FONTS_DIR / name
        files = sorted(folder.glob("*.ttf"))
        if not files:
            raise CardError(f"text in {NAMES[script]} script needs a {NAMES[script]} font, and the project's "
                            f"({folder}) is missing: reinstall the project (pip install -e .), or declare one in "
                            f"the template's fonts, e.g. {script}: {{file: fonts/NotoSans{script.title()}-Regular.ttf}}")
        bold = [f for f in files if "Bold" in f.name]
        regular = [f for f in files if "Bold" not in f.name]
        return (bold or files)[0] if weight >= 600 else (regular or files)[0]
    try:
        return package_font(pkg)
    except CardError as exc:
        raise CardError(f"text in {NAMES[script]} script needs a {NAMES[script]} font: {exc}; "
                        f"or declare one in the template's fonts, e.g. {script}: {{package: {pkg}}} "
                        f"or {script}: {{file: fonts/YourFont.ttf}}") from None


__all__ = ["DEFAULTS", "FONTS_DIR", "NAMES", "SCRIPTS", "default_font", "font_for", "script_of"]
