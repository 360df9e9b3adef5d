"""Setting text in a box: fonts (raqm only), Khmer clusters and words, line wrapping, shrink-to-fit.

Khmer writes no spaces between words, and a "letter" on screen is a cluster: a consonant with
its subscripts (coeng U+17D2 + consonant), vowel signs and diacritics. A line may break

* between words (khmer-nltk's segmenter, results cached per string),
* at a zero-width space (U+200B) or a space in the data,
* and, only when one word is wider than the box, between clusters,

but never inside a cluster. English breaks at spaces (and after hyphens). Text is measured with
the same raqm layout it is drawn with, so what fits when measured fits when drawn.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont, features

from .template import CardError

ZWSP = "\u200b"
_KHMER_RE = re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]")
# A cluster: any base character, then everything that attaches to it. A coeng (U+17D2) takes
# the next character with it whatever that is, so a subscript is never separated from its sign.
_COMBINING = "\u17b4-\u17d1\u17d3\u17dd\u200c\u200d\u0300-\u036f"
_CLUSTER_RE = re.compile(rf"\u17d2.?|.(?:\u17d2.?|[{_COMBINING}])*", re.S)
# Khmer runs vs everything else, for segmenting mixed text.
_RUN_RE = re.compile(r"[\u1780-\u17ff\u19e0-\u19ff\u200c\u200d]+|[^\u1780-\u17ff\u19e0-\u19ff\u200c\u200d]+")


def has_khmer(text: str) -> bool:
    return bool(_KHMER_RE.search(text))


def require_raqm() -> None:
    """Stop unless Pillow can shape complex scripts (raqm with FriBiDi), naming the fix."""
    if not features.check("raqm"):
        raise CardError(
            "Pillow cannot shape Khmer: its raqm layout needs the FriBiDi library, which is missing. "
            "Install it (Debian/Ubuntu: sudo apt-get install libfribidi0; Fedora: sudo dnf install fribidi; "
            "macOS: brew install fribidi) and run again. Without it Khmer renders with dotted circles."
        )


@functools.lru_cache(maxsize=256)
def font(path: Path, size: int, weight: int = 400) -> ImageFont.FreeTypeFont:
    """A raqm-shaped font at ``size`` px and ``weight`` (variable fonts), loaded once per process."""
    try:
        f = ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)
    except OSError as exc:
        raise CardError(f"cannot load font {path}: {exc}") from None
    try:
        axes = f.get_variation_axes()
    except OSError:  # not a variable font: its one weight is what the designer chose
        return f
    values = []
    for axis in axes:
        name = axis["name"].decode() if isinstance(axis["name"], bytes) else str(axis["name"])
        value = weight if name.lower() == "weight" else axis["default"]
        values.append(max(axis["minimum"], min(axis["maximum"], value)))
    f.set_variation_by_axes(values)
    return f


# --- where a line may break --------------------------------------------------------------------


def clusters(text: str) -> list[str]:
    """``text`` split into grapheme clusters (Khmer-aware); ``"".join(clusters(t)) == t``."""
    return _CLUSTER_RE.findall(text)


def _silence_nltk() -> None:
    logging.getLogger("khmer-nltk").setLevel(logging.WARNING)


@functools.lru_cache(maxsize=4096)
def khmer_words(text: str) -> tuple[str, ...]:
    """A run of Khmer split into words (khmer-nltk), never inside a cluster.

    The segmenter is a statistical model: on odd input it may cut inside a cluster, so its cuts
    are kept only where they fall on a cluster boundary. If it is unavailable or fails, the
    whole run is one unit (cluster breaks still apply to over-long words).
    """
    try:
        from khmernltk import word_tokenize

        _silence_nltk()  # its logger is set to DEBUG at import; keep our CLI output clean

        words = [w for w in word_tokenize(text) if w]
    except Exception:  # noqa: BLE001 - a segmenter failure must not stop a card; clusters still work
        return (text,)
    if "".join(words) != text:
        return (text,)
    bounds, pos = set(), 0
    for c in clusters(text):
        pos += len(c)
        bounds.add(pos)
    out, start, pos = [], 0, 0
    for w in words:
        pos += len(w)
        if pos in bounds and pos > start:
            out.append(text[start:pos])
            start = pos
    if start < len(text):
        out.append(text[start:])
    return tuple(out)


@dataclass(frozen=True)
class Unit:
    """A piece of text between break opportunities; ``space`` units vanish at a line's end."""

    text: str
    space: bool = False
    khmer: bool = False


@functools.lru_cache(maxsize=4096)
def units(text: str, coarse: bool = False) -> tuple[Unit, ...]:
    """``text`` cut at every place a line may break, in order; ``coarse``: only at spaces and
    zero-width spaces (Khmer marks phrase and name boundaries with them: the best breaks)."""
    out: list[Unit] = []
    for piece in re.split(r"(\s+|\u200b)", text):
        if not piece:
            continue
        if piece == ZWSP:
            continue  # a break opportunity and nothing else
        if piece.isspace():
            out.append(Unit(" ", space=True))
            continue
        if coarse:
            out.append(Unit(piece))
            continue
        for run in _RUN_RE.findall(piece):
            if has_khmer(run):
                out.extend(Unit(w, khmer=True) for w in khmer_words(run))
            else:
                # English: keep hyphenated words breakable after the hyphen
                out.extend(Unit(p) for p in re.findall(r"[^-]+-?|-", run))
    return tuple(out)


# --- wrapping and fitting ----------------------------------------------------------------------


def wrap(text: str, measure: Callable[[str], float], width: float, coarse: bool = False) -> list[str]:
    """Greedy line breaking of ``text`` to ``width``. A word wider than a whole line is split
    between clusters if Khmer, and left whole (over-wide) otherwise, for the fit to report.
    ``coarse``: break only at spaces (see :func:`units`)."""
    lines: list[str] = []
    line = ""  # the line being filled; may end with a space that vanishes if the line ends there

    def flush() -> None:
        nonlocal line
        if line.strip():
            lines.append(line.rstrip(" "))
        line = ""

    for unit in units(text, coarse):
        if unit.space:
            if line:
                line += " "
            continue
        if measure(line + unit.text) <= width:
            line += unit.text
            continue
        flush()
        if not unit.khmer or measure(unit.text) <= width:
            line = unit.text
            continue
        for c in clusters(unit.text):
            if line and measure(line + c) > width:
                flush()
            line += c
    flush()
    return lines


@dataclass(frozen=True)
class Fitted:
    """Text set in a box: the size chosen, its lines and metrics; ``fits`` False means overflow."""

    size: int
    lines: tuple[str, ...]
    widths: tuple[float, ...]  # measured once here, reused for alignment when drawing
    ascent: int
    descent: int
    pitch: int
    fits: bool
    font: ImageFont.FreeTypeFont

    @property
    def height(self) -> int:
        return self.pitch * (len(self.lines) - 1) + self.ascent + self.descent if self.lines else 0


def set_text(text: str, fnt: ImageFont.FreeTypeFont, width: int, height: int, max_lines: int,
             line_spacing: float, fine: bool = True) -> Fitted:
    """Wrap ``text`` at one size and say whether it fits the box (``fine=False``: Khmer breaks
    only at spaces)."""
    ascent, descent = fnt.getmetrics()
    pitch = max(1, round((ascent + descent) * line_spacing))
    measure = fnt.getlength
    whole = measure(text) if "\n" not in text else width + 1
    if whole <= width:
        lines, widths = [text], [whole]  # the common case: no segmentation needed
    else:
        # Spaces first: they are where Khmer puts phrase (and name) boundaries; words from the
        # segmenter, then clusters, only when a space-delimited chunk cannot fit a line.
        lines = [ln for para in text.split("\n") for ln in (wrap(para, measure, width, coarse=True) or [""])]
        widths = [measure(ln) for ln in lines]
        if fine and has_khmer(text) and (len(lines) > max_lines or any(w > width for w in widths)):
            lines = [ln for para in text.split("\n") for ln in (wrap(para, measure, width) or [""])]
            widths = [measure(ln) for ln in lines]
    block = pitch * (len(lines) - 1) + ascent + descent
    ok = len(lines) <= max_lines and block <= height and all(w <= width + 0.5 for w in widths)
    return Fitted(int(fnt.size), tuple(lines), tuple(widths), ascent, descent, pitch, ok, fnt)


def fit(text: str, fonts: Callable[[int], ImageFont.FreeTypeFont], width: int, height: int,
        sizes: tuple[int, int], max_lines: int = 1, line_spacing: float = 1.0) -> Fitted:
    """The largest size in ``sizes`` (min, max) at which ``text`` fits the box; if none does, the
    text set at the minimum size with ``fits=False`` (never silently cut).

    Khmer text is first fitted breaking only at spaces (a name split at its spaces at a smaller
    size reads better than one split mid-word at a larger size); word and cluster breaks are
    used only if that cannot fit even at the minimum size.
    """
    passes = (False, True) if has_khmer(text) else (True,)
    result: Fitted | None = None
    for fine in passes:
        result = _search(text, fonts, width, height, sizes, max_lines, line_spacing, fine)
        if result.fits:
            return result
    assert result is not None
    return result


def _search(text: str, fonts: Callable[[int], ImageFont.FreeTypeFont], width: int, height: int,
            sizes: tuple[int, int], max_lines: int, line_spacing: float, fine: bool) -> Fitted:
    lo, hi = sizes
    best = set_text(text, fonts(hi), width, height, max_lines, line_spacing, fine)
    if best.fits or lo == hi:
        return best
    smallest = set_text(text, fonts(lo), width, height, max_lines, line_spacing, fine)
    if not smallest.fits:
        return smallest
    best, lo = smallest, lo + 1
    hi -= 1
    # Fitting is monotone in size for practical purposes: binary search the largest that fits.
    while lo <= hi:
        mid = (lo + hi) // 2
        trial = set_text(text, fonts(mid), width, height, max_lines, line_spacing, fine)
        if trial.fits:
            best, lo = trial, mid + 1
        else:
            hi = mid - 1
    return best


def line_x(x: int, width: int, line_width: float, align: str) -> float:
    if align == "center":
        return x + (width - line_width) / 2
    if align == "right":
        return x + width - line_width
    return x


def block_top(y: int, height: int, block: int, valign: str) -> float:
    if valign == "middle":
        return y + (height - block) / 2
    if valign == "bottom":
        return y + height - block
    return y


def initials(names: Sequence[str]) -> str:
    """Up to two initials from the first name that has any (Latin letters first: they read best)."""
    for name in names:
        words = [w for w in re.split(r"[\s\u200b]+", name) if w and not w.startswith("(")]
        if not words:
            continue
        if has_khmer(name):
            return "".join(clusters(w)[0] for w in words[:2])
        return "".join(w[0].upper() for w in words[:2] if w[0].isalnum())
    return "?"
