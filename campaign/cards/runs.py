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
import math
import re
import unicodedata
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

    def fonts(px: int) -> ImageFont.FreeTypeFont:
        return font(path, px, weight)

    def measure(f: ImageFont.FreeTypeFont, part: str) -> float:
        # The whole text at the largest size, where its words say it fits on one line, laid out
        # whole: most texts fit there, and then that one measurement is all their setting needs
        # (and all its check needs).
        summed = by_words(f, part)
        return _advance(f, part) / 64 if part == text and f.size == sizes[1] and summed <= width else summed

    quick = fit(text, fonts, width, height, sizes, max_lines, line_spacing, balance, by=measure)
    if _as_laid_out(quick, text):
        return quick
    return fit(text, fonts, width, height, sizes, max_lines, line_spacing, balance)  # measured whole


def by_words(f: ImageFont.FreeTypeFont, text: str) -> float:
    """``f.getlength(text)`` from the advances of its words and spaces (a number's from its
    digits', as :func:`_parts` sets it), each measured once: what a font gives that shapes
    nothing across a space or between two digits, which :func:`fitted` checks of every text it
    sets this way, and fits again measuring whole where it did not (a font that kerns across a
    space; a quotation mark after a Cyrillic word, which raqm shapes as Cyrillic). Fitting a new
    string measures it at several sizes and many of its prefixes while wrapping; its words are
    mostly known, and each call into raqm costs 20-50 us whatever the string."""
    words = text.split(" ")
    if len(words) > 1 and "" in words:  # spaces side by side, or at an end: measured whole
        return _advance(f, text) / 64
    return (sum(_set_as(f, word) for word in words) + _advance(f, " ") * (len(words) - 1)) / 64


@functools.lru_cache(maxsize=FITTED_CACHE_SIZE)
def _set_as(f: ImageFont.FreeTypeFont, word: str) -> int:
    """A word's advance in 1/64 px as :func:`_parts` sets it."""
    return sum(_advance(f, part) for part in _parts(f, word))


def _as_laid_out(quick: Fitted, text: str) -> bool:
    """Whether every line of ``quick`` (set :func:`by_words`) and each paragraph of ``text``
    measure the same laid out whole at its size: then the font shaped nothing across the
    spaces and digits the setting depended on, and the setting is the one measuring whole gives."""
    f = quick.font
    paragraphs = text.split("\n") if len(quick.lines) > 1 else []
    return (all(_advance(f, line) == round(width * 64) for line, width in zip(quick.lines, quick.widths))
            and all(_advance(f, p) == round(by_words(f, p) * 64) for p in paragraphs if p))


def _rasterise(f: ImageFont.FreeTypeFont, text: str, start: tuple[float, float]) -> tuple[Image.Image, tuple[int, int]]:
    """``f.getmask2(text, "L", anchor="ls", start=start)`` as an image: the coverage ImageDraw.text
    paints through, and its offset from the anchor."""
    core, offset = f.getmask2(text, "L", anchor="ls", start=start)
    return Image.Image()._new(core), offset


Piece = tuple[Image.Image, tuple[int, int]]  # a coverage mask and its top left on the card


def line_pieces(f: ImageFont.FreeTypeFont, line: str, x64: int, y: float, width: float | None = None) -> list[Piece]:
    """The line's coverage where ``ImageDraw.text`` would draw it anchored ("ls") at ``x64``/64
    and ``y``, as masks and their top lefts: one per word where the line can be set word by
    word, else the whole line's.

    A new person's card brings new strings but mostly known words (the group, the charge, the
    labels), and rasterising is most of a new string's cost: words are rasterised once each, and
    a number digit by digit (a new day's card differs in its numbers). Pillow places every glyph
    at its pen position rounded to a pixel, so a word set at the line's pen position (in 1/64
    px, as Pillow counts) has the line's pixels exactly; the line is set whole unless its
    pieces' advances add up to its measured ``width`` (no kerning or shaping across a space or
    between two digits), it is all left-to-right, and no two pieces' ink touches (Pillow blends
    overlapping glyphs, two pastes would not). tests/test_cards_words.py holds this."""
    yfrac = math.modf(y)[0]
    key = (f, line, x64, yfrac, width)
    known = _LINES.get(key)
    if known is None:
        pieces = _line_pieces(f, line, x64, yfrac, width)
        known = _LINES.put(key, pieces, sum(image_bytes(mask) for mask, _ in pieces))
    return [(mask, (x, int(y) + dy)) for mask, (x, dy) in known]


# A line's pieces where it was set, bounded by the bytes of the masks it holds (shared with _WORDS).
_LINES: LRU[list[Piece]] = LRU(MASK_CACHE_BYTES)


def _line_pieces(f: ImageFont.FreeTypeFont, line: str, x64: int, yfrac: float, width: float | None) -> list[Piece]:
    """:func:`line_pieces` with each piece's top relative to the baseline's pixel row."""
    words = line.split(" ")
    if width is not None and len(words) > 1 and _left_to_right(line):
        apart = _set_apart(f, words, x64, yfrac)
        if apart is not None and apart[1] - x64 == round(width * 64):
            return apart[0]
    mask, offset = _rasterise(f, line, ((x64 % 64) / 64, yfrac))
    return [(mask, (x64 // 64 + offset[0], offset[1]))]


def _set_apart(f: ImageFont.FreeTypeFont, words: list[str], x64: int, yfrac: float) -> tuple[list[Piece], int] | None:
    """The pieces of ``words`` set one after another from ``x64`` (each mask just its ink), and
    where the pen ends; None if one piece's ink reaches into the columns of the last one's."""
    pen, pieces, right = x64, [], -(1 << 30)
    for i, word in enumerate(words):
        pen += _advance(f, " ") if i else 0
        for part in _parts(f, word):
            mask, (dx, dy) = _word(f, part, pen % 64, yfrac)
            if mask.size[0]:
                left = pen // 64 + dx
                if left < right:
                    return None
                right = left + mask.size[0]
                pieces.append((mask, (left, dy)))
            pen += _advance(f, part)
    return pieces, pen


@functools.lru_cache(maxsize=FITTED_CACHE_SIZE)
def _parts(f: ImageFont.FreeTypeFont, word: str) -> tuple[str, ...]:
    """What a word is set as: a number digit by digit, else itself (nothing for an empty word).
    Where a font kerns two digits, the digits' advances do not add up to the line's measured
    width, and the line is set (and fitted) whole."""
    if len(word) > 1 and word.isdecimal():
        return tuple(word)
    return (word,) if word else ()


_WORDS: LRU[Piece] = LRU(MASK_CACHE_BYTES)


def _word(f: ImageFont.FreeTypeFont, word: str, frac64: int, yfrac: float) -> Piece:
    """A word's ink set at a pen position ``frac64``/64 px past a pixel: its mask cropped to the
    ink (empty: no ink) and the mask's offset from the pen."""
    if len(word) == 1 and word.isdecimal():
        # One glyph: Pillow draws it at its pen position rounded to a whole pixel, so which half of
        # a pixel the pen is in is all that changes its ink (and where it goes): a number's digits
        # are rasterised twice each, not at each of 64 positions (tests/test_cards_words.py).
        frac64 = 0 if frac64 < 32 else 32
    key = (f, word, frac64, yfrac)
    hit = _WORDS.get(key)
    if hit is not None:
        return hit
    mask, (dx, dy) = _rasterise(f, word, (frac64 / 64, yfrac))
    box = mask.getbbox() or (0, 0, 0, 0)
    ink = mask.crop(box)
    return _WORDS.put(key, (ink, (dx + box[0], dy + box[1])), image_bytes(ink))


@functools.lru_cache(maxsize=FITTED_CACHE_SIZE)
def _advance(f: ImageFont.FreeTypeFont, word: str) -> int:
    """A word's advance in 1/64 px (the same wherever it is set)."""
    return round(f.getlength(word) * 64)


_RTL = frozenset({"R", "AL", "AN", "RLE", "RLO", "LRE", "LRO", "PDF", "RLI", "LRI", "FSI", "PDI"})


# Every character whose bidirectional class is in _RTL lies in these ranges (the blocks Unicode
# keeps for right-to-left scripts, and the explicit controls): a line with none of them is left to
# right without asking of each character (tests/test_cards_words.py holds it for every code point).
_MAYBE_RTL = re.compile("[\u0590-\u08ff\u200f\u202a-\u202e\u2066-\u2069\ufb1d-\ufdff\ufe70-\ufeff"
                        "\U00010800-\U00010fff\U0001e800-\U0001efff]")


@functools.lru_cache(maxsize=4096)
def _left_to_right(line: str) -> bool:
    """No right-to-left letter or bidirectional control: the words run left to right in order."""
    return _MAYBE_RTL.search(line) is None or not any(unicodedata.bidirectional(ch) in _RTL for ch in line)


def clear() -> None:
    """Forget every set and rasterised string (benchmarks measuring cold renders; tests)."""
    fitted.cache_clear()
    _WORDS.clear()
    _LINES.clear()
    _set_as.cache_clear()
    _parts.cache_clear()
    _advance.cache_clear()


__all__ = ["MissingGlyphs", "Piece", "fitted", "line_pieces", "clear"]
