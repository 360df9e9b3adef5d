"""Text runs set and rasterised once per string: the cards' glyph-run cache. Pure.

Shaping, measuring and rasterising a line of text is most of a card's cost after encoding, and
the same strings come back card after card: a person's name, group and charge on every
account's card of the week and in every week's preview, the labels, the week badge. These two
caches are keyed by the string itself (and the font, box and sizes it is set in), exactly like a
text engine's glyph cache: a fact that changes changes the string, so nothing here can go stale.
Facts are never cached; every card formats its text afresh from the facts of its own day.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import Image, ImageFont

from .coverage import describe, missing
from .layout import Fitted, fit, font
from .lru import LRU, image_bytes

FITTED_CACHE_SIZE = 4096  # strings set in a box (small: lines, widths, metrics)
MASK_CACHE_BYTES = 32 * 1024 * 1024  # rasterised lines (a 490x100 name at 80px is 49 KB)


class MissingGlyphs(ValueError):
    """The font has no glyph for some characters of the text (they would be drawn as boxes)."""

    def __init__(self, chars: list[str], path: Path):
        super().__init__(f"font file {path.name} has no glyph for {describe(chars)}")
        self.chars, self.path = chars, path


@functools.lru_cache(maxsize=FITTED_CACHE_SIZE)
def fitted(text: str, path: Path, weight: int, width: int, height: int, sizes: tuple[int, int],
           max_lines: int, line_spacing: float, balance: bool = False) -> Fitted:
    """:func:`layout.fit` of ``text`` in the font at ``path`` and ``weight``, set once per arguments.

    Raises MissingGlyphs if the font cannot show every character of ``text``."""
    lacking = missing(text, path)
    if lacking:
        raise MissingGlyphs(lacking, path)
    return fit(text, lambda px: font(path, px, weight), width, height, sizes, max_lines, line_spacing, balance)


_MASKS: LRU[tuple[Image.Image, tuple[int, int]]] = LRU(MASK_CACHE_BYTES)


def line_mask(f: ImageFont.FreeTypeFont, line: str, start: tuple[float, float]) -> tuple[Image.Image, tuple[int, int]]:
    """``f.getmask2(line, "L", anchor="ls", start=start)`` as an image: the line's coverage
    (what ImageDraw.text paints through) and its offset from the anchor, rasterised once per
    font, string and sub-pixel start."""
    key = (f, line, start)
    hit = _MASKS.get(key)
    if hit is not None:
        return hit
    core, offset = f.getmask2(line, "L", anchor="ls", start=start)
    mask = Image.Image()._new(core)
    return _MASKS.put(key, (mask, offset), image_bytes(mask))


def clear() -> None:
    """Forget every set and rasterised string (benchmarks measuring cold renders; tests)."""
    fitted.cache_clear()
    _MASKS.clear()


__all__ = ["MissingGlyphs", "fitted", "line_mask", "clear"]
