"""Setting text in a box: fonts (raqm only), line wrapping at the breaks :mod:`.breaks` finds,
shrink-to-fit. Text is measured with the same raqm layout it is drawn with, so what fits when
measured fits when drawn. A text in a script written without spaces is first fitted breaking only
at its spaces (a name split at its spaces at a smaller size reads better than one split mid-word
at a larger size); inside its words only if that cannot fit even at the minimum size.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont, features

from ..errors import CardError
from .breaks import break_pieces, clusters, has_khmer, units, unspaced


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
        axes = []
    if axes:
        values = []
        for axis in axes:
            name = axis["name"].decode() if isinstance(axis["name"], bytes) else str(axis["name"])
            value = weight if name.lower() == "weight" else axis["default"]
            values.append(max(axis["minimum"], min(axis["maximum"], value)))
        f.set_variation_by_axes(values)
    # The first layout after the variation is set measures some strings a fraction of a pixel
    # differently from every later one (seen with Noto Sans at 11 px bold): lay out once here, so
    # a string measures the same on a fresh font as on a used one, and cards are the same bytes
    # in a fresh worker as in a busy one.
    f.getlength("x")
    return f


# --- wrapping and fitting ----------------------------------------------------------------------


def wrap(text: str, measure: Callable[[str], float], width: float, coarse: bool = False) -> list[str]:
    """Greedy line breaking of ``text`` to ``width``. A word wider than a whole line is split
    between clusters if Khmer, and left whole (over-wide) otherwise, for the fit to report.
    ``coarse``: break only at spaces (see :func:`units`)."""
    return [line for line, _ in wrap_measured(text, measure, width, coarse)]


def wrap_measured(text: str, measure: Callable[[str], float], width: float,
                  coarse: bool = False) -> list[tuple[str, float]]:
    """:func:`wrap`, with each line's width (measured while wrapping, never twice)."""
    lines: list[tuple[str, float]] = []
    line = ""  # the line being filled; may end with a space that vanishes if the line ends there
    known: float | None = 0.0  # the measured width of line.rstrip(" "), None if not measured

    def flush() -> None:
        nonlocal line, known
        kept = line.rstrip(" ")
        if kept.strip():
            lines.append((kept, known if known is not None else measure(kept)))
        line, known = "", 0.0

    for unit in units(text, coarse):
        if unit.space:
            if line:
                line += " "
            continue
        trial = measure(line + unit.text)
        if trial <= width:
            line, known = line + unit.text, trial
            continue
        alone = None if line else trial
        flush()
        if not unit.unspaced:
            line, known = unit.text, alone
            continue
        if alone is None:
            alone = measure(unit.text)
        if alone <= width:
            line, known = unit.text, alone
            continue
        for c in break_pieces(unit.text):
            if line:
                trial = measure(line + c)
                if trial > width:
                    flush()
                    line, known = c, None
                else:
                    line, known = line + c, trial
            else:
                line, known = c, None
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


Measure = Callable[[ImageFont.FreeTypeFont, str], float]  # a string's advance in px in a font


def getlength(fnt: ImageFont.FreeTypeFont, text: str) -> float:
    """The advance of ``text`` as raqm lays it out whole: what it is drawn with."""
    return fnt.getlength(text)


def set_text(text: str, fnt: ImageFont.FreeTypeFont, width: int, height: int, max_lines: int,
             line_spacing: float, fine: bool = True, balance: bool = False, by: Measure = getlength) -> Fitted:
    """Wrap ``text`` at one size and say whether it fits the box (``fine=False``: Khmer breaks
    only at spaces; ``balance``: lines of even length, see :func:`_balanced`; ``by``: how a
    string is measured)."""
    ascent, descent = fnt.getmetrics()
    pitch = max(1, round((ascent + descent) * line_spacing))
    measure = fnt.getlength if by is getlength else functools.partial(by, fnt)
    whole = measure(text) if "\n" not in text else width + 1
    if whole <= width:
        return Fitted(int(fnt.size), (text,), (whole,), ascent, descent, pitch,
                      ascent + descent <= height, fnt)  # the common case: no segmentation needed
    # Spaces first: they are where Khmer puts phrase (and name) boundaries; words from the
    # segmenter, then clusters (or, in English, after hyphens), only when a space-delimited
    # chunk cannot fit a line.
    measured = [lw for para in text.split("\n") for lw in (wrap_measured(para, measure, width, coarse=True) or [("", 0.0)])]
    if fine and (len(measured) > max_lines or any(w > width for _, w in measured)) and (
            "-" in text or unspaced(text)):
        measured = [lw for para in text.split("\n") for lw in (wrap_measured(para, measure, width) or [("", 0.0)])]
    lines, widths = [ln for ln, _ in measured], [w for _, w in measured]
    block = pitch * (len(lines) - 1) + ascent + descent
    ok = len(lines) <= max_lines and block <= height and all(w <= width + 0.5 for w in widths)
    if ok and balance and len(lines) > 1 and "\n" not in text:
        lines, widths = _balanced(text, measure, width, len(lines), lines, widths, fine)
    return Fitted(int(fnt.size), tuple(lines), tuple(widths), ascent, descent, pitch, ok, fnt)


def _balanced(text: str, measure: Callable[[str], float], width: int, n: int, lines: list[str],
              widths: list[float], fine: bool) -> tuple[list[str], list[float]]:
    """The same text on the same ``n`` lines, wrapped at the narrowest width that still needs
    only ``n`` (as CSS's ``text-wrap: balance``): "Drop the charges / against all of them."
    rather than "Drop the charges against all of / them."."""
    lo, hi = max(1, int(max(widths) * 0.5)), int(max(widths))
    best = (lines, widths)
    while hi - lo > 2:
        mid = (lo + hi) // 2
        trial = wrap_measured(text, measure, mid, coarse=not (fine and unspaced(text)))
        if len(trial) == n and all(w <= mid + 0.5 for _, w in trial):
            best, hi = ([ln for ln, _ in trial], [w for _, w in trial]), mid
        else:
            lo = mid
    return best


def fit(text: str, fonts: Callable[[int], ImageFont.FreeTypeFont], width: int, height: int,
        sizes: tuple[int, int], max_lines: int = 1, line_spacing: float = 1.0, balance: bool = False,
        by: Measure = getlength) -> Fitted:
    """The largest size in ``sizes`` (min, max) at which ``text`` fits the box; if none does, the
    text set at the minimum size with ``fits=False`` (never silently cut).

    Khmer text is first fitted breaking only at spaces (a name split at its spaces at a smaller
    size reads better than one split mid-word at a larger size); word and cluster breaks are
    used only if that cannot fit even at the minimum size.
    """
    passes = (False, True) if unspaced(text) else (True,)
    result: Fitted | None = None
    for fine in passes:
        result = _search(text, fonts, width, height, sizes, max_lines, line_spacing, fine, by)
        if result.fits:
            if balance and len(result.lines) > 1:
                return set_text(text, result.font, width, height, max_lines, line_spacing, fine, True, by)
            return result
    assert result is not None
    return result


def _search(text: str, fonts: Callable[[int], ImageFont.FreeTypeFont], width: int, height: int,
            sizes: tuple[int, int], max_lines: int, line_spacing: float, fine: bool, by: Measure) -> Fitted:
    """The largest size in ``sizes`` that fits, found from an estimate: text scales about linearly
    with the font size, so the setting at the largest size predicts where the answer lies; the
    search then steps from there (fitting is monotone in size for practical purposes), so a
    card's text is usually set three times, not eight."""
    lo, hi = sizes
    best = set_text(text, fonts(hi), width, height, max_lines, line_spacing, fine, by=by)
    if best.fits or lo == hi:
        return best
    guess = min(hi - 1, max(lo, _estimate(best, width, height, max_lines)))
    trial = set_text(text, fonts(guess), width, height, max_lines, line_spacing, fine, by=by)
    if not trial.fits and guess == lo:
        return trial  # overflow: does not fit even at the smallest size
    if trial.fits:  # gallop up to the first size that does not fit, below hi (known not to)
        good, bad, step = trial, hi, 1
        while good.size + step < bad:
            up = set_text(text, fonts(good.size + step), width, height, max_lines, line_spacing, fine, by=by)
            if not up.fits:
                bad = up.size
                break
            good, step = up, step * 2
    else:  # gallop down to a size that fits, or to lo (overflow)
        bad, step = trial.size, 1
        while True:
            size = max(lo, bad - step)
            down = set_text(text, fonts(size), width, height, max_lines, line_spacing, fine, by=by)
            if down.fits:
                good = down
                break
            if size == lo:
                return down
            bad, step = size, step * 2
    while bad - good.size > 1:  # binary search between the last fit and the first miss
        mid = (good.size + bad) // 2
        trial = set_text(text, fonts(mid), width, height, max_lines, line_spacing, fine, by=by)
        if trial.fits:
            good = trial
        else:
            bad = mid
    return good


def _estimate(at_hi: Fitted, width: int, height: int, max_lines: int) -> int:
    """The largest size at which the text set as ``at_hi`` (too big) would fit, were widths,
    line pitch and line height all proportional to the size and wrapping 90% efficient."""
    hi = at_hi.size
    total = sum(at_hi.widths) + 0.3 * hi * (len(at_hi.widths) - 1)  # the spaces lost at breaks
    best = 0.0
    for n in range(1, max_lines + 1):
        along = (1.0 if n == 1 else 0.9) * n * width / max(total, 1.0)
        tall = height / max(at_hi.pitch * (n - 1) + at_hi.ascent + at_hi.descent, 1)
        best = max(best, hi * min(along, tall))
    return int(best)


def _aligned(start: int, room: int, size: float, align: str, middle: str, end: str) -> float:
    """Where a thing of ``size`` starts in ``room`` from ``start``: centred for ``middle``, flush at
    the far side for ``end``, else at ``start``."""
    if align == middle:
        return start + (room - size) / 2
    if align == end:
        return start + room - size
    return start


def line_x(x: int, width: int, line_width: float, align: str) -> float:
    return _aligned(x, width, line_width, align, "center", "right")


def block_top(y: int, height: int, block: int, valign: str) -> float:
    return _aligned(y, height, block, valign, "middle", "bottom")


def initials(latin: str, khmer: str = "", khmer_cluster: bool = False) -> str:
    """A placeholder's initials, or "" for the silhouette alone.

    Only a real given and family name gives initials: the first letters of its first and last
    words, which must be capital letters (lower-case particles between them are fine). A
    description ("KSILA member (name withheld)": a remark in brackets, or a lower-case word at
    either end) gives none, and nor do scripts without capitals (Thai, Burmese). Khmer has no
    initials convention: a Khmer-only name gives the silhouette alone, or, with
    ``khmer_cluster`` (a template's ``placeholder: {khmer: first_cluster}``), the name's first
    syllable cluster.
    """
    words = [w for w in re.split(r"[\s\u200b]+", latin) if w]
    if words and "(" not in latin and ")" not in latin and not has_khmer(latin):
        first, last = words[0], words[-1]
        if first[0].isupper() and last[0].isupper():
            return first[0] + (last[0] if len(words) > 1 else "")
    if khmer_cluster and khmer.strip() and not words:
        return clusters(khmer.strip())[0]
    return ""
