"""Painting text: a format string filled from the facts, fitted to its box (shrunk within its size
range, wrapped Khmer-aware: :mod:`.layout`, set once per string: :mod:`.runs`), and drawn line by
line through each line's coverage mask, the pixels ``ImageDraw.text`` gives. Pure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

from ..roster import Facts
from . import fields as F
from . import runs
from .card import Overflow
from ..errors import CardError
from .layout import Fitted, block_top, has_khmer, line_x
from .scripts import font_for
from .template import Template, TextStyle
from .values import parse_color, per_size

if TYPE_CHECKING:
    from .canvas import Canvas

Box = tuple[int, int, int, int]  # x, y, width, height


def paint_text(canvas: Canvas, box: Box, style: TextStyle, template_text: str, field_name: str, person: str) -> None:
    """A text layer (or a badge's text): ``template_text`` filled, fitted to ``box`` and drawn."""
    text = format_text(style, template_text, canvas)
    fitted = fit_text(text, box, style, canvas, field=field_name)
    if fitted is not None:
        draw_text(canvas, box, style, text, fitted, field_name, person)


def format_text(style: TextStyle, template_text: str, canvas: Canvas, people: Sequence[Facts] | None = None) -> str:
    """A text layer's string for ``people`` (default: the card's) in its language."""
    text = F.fill(template_text, canvas.values(style.lang or canvas.card.language, people)).strip()
    return text.upper() if style.uppercase else text


def fit_text(text: str, box: Box, style: TextStyle, canvas: Canvas, sizes: tuple[int, int] | None = None,
             field: str = "") -> Fitted | None:
    """``text`` set in ``box`` at the largest size it fits (None: no text)."""
    if not text:
        return None
    if sizes is None:
        given = per_size(style.size, canvas.size)
        sizes = (given, given) if isinstance(given, int) else tuple(given)
    _, _, w, h = box
    family, path = font_for(canvas.t, text, style)
    try:
        return runs.fitted(text, path, style.weight, w, h, sizes, style.max_lines, style.line_spacing, style.balance)
    except runs.MissingGlyphs as exc:
        raise CardError(_lacking(canvas.t, exc, family, field, text)) from None


def _lacking(t: Template, exc: runs.MissingGlyphs, family: str, field: str, text: str) -> str:
    """What to say when a template's font cannot show some text (it would be drawn as boxes)."""
    khmer = any(has_khmer(ch) for ch in exc.chars)
    line = t.source.line_of(("fonts", family))
    if khmer and family == "khmer" and line:  # the template declares a khmer family without Khmer
        fix = (f"fonts.khmer ({t.source.file}:{line}) is {exc.path.name}, which has no Khmer: declare a Khmer "
               "font there, e.g. khmer: {package: fontpkg_noto_sans_khmer}")
    else:
        fix = ("set font_khmer on the layer to a family with Khmer glyphs, e.g. add "
               "khmer: {package: fontpkg_noto_sans_khmer} to fonts" if khmer else
               f"use a font family that has them for {field or 'this text'}")
    return (f"template {t.name!r}: {field + ': ' if field else ''}font {family!r} ({exc}) in {text!r}; "
            f"it would draw empty boxes. Fix: {fix}")


def draw_text(canvas: Canvas, box: Box, style: TextStyle, text: str, fitted: Fitted, field_name: str,
              person: str) -> None:
    """Draw fitted text (recording an overflow if it did not fit)."""
    if not fitted.fits:
        canvas.overflows.append(Overflow(canvas.t.name, person, field_name, text, canvas.size, fitted.size))
    canvas.texts.append((field_name, text))
    x, y, w, h = box
    top = block_top(y, h, fitted.height, style.valign)
    canvas.boxes.append((field_name, (x, int(top), w, fitted.height)))
    fill = parse_color(style.color)
    f = fitted.font
    at = [(line_x(x, w, width, style.align), top + fitted.ascent + i * fitted.pitch)
          for i, width in enumerate(fitted.widths)]
    if style.stroke:
        d = ImageDraw.Draw(canvas.image, "RGBA")  # RGBA ink blends onto the RGB canvas
        stroke = {"stroke_width": style.stroke.width, "stroke_fill": parse_color(style.stroke.color)}
        for line, (lx, ly) in zip(fitted.lines, at):
            d.text((lx, ly), line, font=f, fill=fill, anchor="ls", **stroke)
            if canvas.tracking:
                l, t, r, b = f.getbbox(line, anchor="ls", stroke_width=style.stroke.width)  # type: ignore[union-attr]
                canvas.mark((int(lx) + l, int(ly) + t, int(lx) + r, int(ly) + b))
        return
    placed = [piece for line, xy, width in zip(fitted.lines, at, fitted.widths) for piece in place_line(f, xy, line, width)]
    rects = [(px, py, px + m.size[0], py + m.size[1]) for m, (px, py) in placed if m.size[0] and m.size[1]]
    canvas.mark(*rects)
    if not rects:
        return  # nothing but empty lines: no pixel to paint
    cw, ch = canvas.t.sizes[canvas.size]
    area = (max(0, min(r[0] for r in rects)), max(0, min(r[1] for r in rects)),
            min(cw, max(r[2] for r in rects)), min(ch, max(r[3] for r in rects)))
    if area[0] >= area[2] or area[1] >= area[3]:
        return  # every line falls outside the canvas

    def paint(target: Image.Image, at_: tuple[int, int]) -> None:
        for m, (px, py) in placed:
            _ink(target, (px - area[0] + at_[0], py - area[1] + at_[1]), m, fill)

    # cached by the exact strings and where they go, when they land on an untouched cached base
    canvas.blend(area, ("text", f, fill, tuple(zip(fitted.lines, at))), paint)


def _ink(target: Image.Image, xy: tuple[int, int], mask: Image.Image, fill: tuple[int, ...]) -> None:
    """Paint ``fill`` through a coverage ``mask`` at ``xy``: the pixels ImageDraw's text drawing
    gives (RGBA ink blended onto RGB). An opaque colour goes in as a solid image pasted through
    the mask, which Pillow does about twice as fast as filling with a colour, to the same bytes."""
    if len(fill) == 3 or fill[3] == 255:  # (Image.paste's own checks skipped: both are RGB, the mask L)
        w, h = mask.size
        target.im.paste(Image.core.fill("RGB", (w, h), fill[:3]), (xy[0], xy[1], xy[0] + w, xy[1] + h), mask.im)
    else:
        d = ImageDraw.Draw(target, "RGBA")
        d.draw.draw_bitmap(xy, mask.im, d._getink(fill)[0])


def place_line(f: ImageFont.FreeTypeFont, xy: tuple[float, float], line: str,
               width: float | None = None) -> list[runs.Piece]:
    """Where ImageDraw.text would draw ``line`` anchored at ``xy`` ("ls"): its masks and their
    top lefts (word by word when ``width``, its measured width, is given: :func:`runs.line_pieces`).
    ``xy[0]`` is taken to 1/64 px (half up), as Pillow places the pen."""
    return runs.line_pieces(f, line, math.floor(xy[0] * 64 + 0.5), xy[1], width)


def draw_line(im: Image.Image, xy: tuple[float, float], line: str, f: ImageFont.FreeTypeFont,
              fill: tuple[int, ...]) -> tuple[int, int, int, int]:
    """``ImageDraw.Draw(im, "RGBA").text(xy, line, font=f, fill=fill, anchor="ls")`` for one line
    without stroke on an RGB image, the same pixels, also returning the rectangle the glyphs
    were drawn in."""
    ((mask, (x, y)),) = place_line(f, xy, line)
    _ink(im, (x, y), mask, fill)
    return (x, y, x + mask.size[0], y + mask.size[1])


__all__ = ["draw_line", "draw_text", "fit_text", "format_text", "paint_text", "place_line"]
