"""Painting a flow: texts stacked in a column, each as tall as its lines. Pure.

Each text of the flow whose ``when:`` holds and whose text is not empty is fitted to the
flow's width and to the height left below the one before it (or its own ``height``, if
smaller), then placed a ``gap`` below it. So a missing field takes no room and the next moves
up, and a name that needs two lines pushes the rest down, never over it: what no longer fits
shrinks within its size range, and what cannot fit even at its smallest size is reported as
an overflow (drawn, never silently cut). The column is then aligned in the flow's box
(``valign``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import fields as F
from .card import Overflow
from .layout import Fitted, block_top, font
from .scripts import font_for
from .template import FlowLayer, FlowText
from .text import draw_text, fit_text, format_text
from .values import per_size

if TYPE_CHECKING:
    from .canvas import Canvas

Box = tuple[int, int, int, int]


def place_flow(canvas: Canvas, box: Box, spec: FlowLayer) -> list[tuple[FlowText, str, Fitted, int, bool]]:
    """Each shown text of the flow, fitted: (text layer, its text, how it is set, its top, whether
    it lies within the flow's box), in order.

    Each text may take the height left below the one before it, less what the texts after it
    need for one line at their smallest size: an early text grows (a long name), a later one
    is never squeezed out by it."""
    x, y, w, h = box
    lang = canvas.card.language
    shown: list[tuple[FlowText, str, int, int]] = []  # text layer, text, gap above, one line at its smallest
    for entry in spec.layers:
        item = entry.text
        if not F.matches(item.when, canvas.card, size=canvas.size, known=canvas.known):
            continue
        text = format_text(item, F.pick_text(item.text, lang), canvas)
        if not text:
            continue  # closes up: no room, no gap
        gap = per_size(item.gap if item.gap is not None else spec.gap, canvas.size) if shown else 0
        shown.append((item, text, gap, _one_line(canvas, item, text)))
    placed: list[tuple[FlowText, str, Fitted, int, bool]] = []
    cursor = y
    for i, (item, text, gap, least) in enumerate(shown):
        cursor += gap
        reserve = sum(g + n for _, _, g, n in shown[i + 1:])
        room = max(least, y + h - cursor - reserve)
        limit = per_size(item.height, canvas.size) if item.height is not None else room
        fitted = fit_text(text, (x, cursor, w, max(1, min(limit, room))), item, canvas, field=_name(item, lang))
        if fitted is None:
            continue
        placed.append((item, text, fitted, cursor, cursor + fitted.height <= y + h))
        cursor += fitted.height
    if placed:
        used = cursor - y
        shift = int(block_top(y, h, used, spec.valign)) - y if used < h else 0
        placed = [(item, text, fitted, top + shift, inside) for item, text, fitted, top, inside in placed]
    return placed


def _one_line(canvas: Canvas, item: FlowText, text: str) -> int:
    """The height of one line of ``text`` at the smallest size ``item`` allows."""
    given = per_size(item.size, canvas.size)
    smallest = given if isinstance(given, int) else given[0]
    ascent, descent = font(font_for(canvas.t, text, item)[1], smallest, item.weight).getmetrics()
    return ascent + descent


def paint_flow(canvas: Canvas, box: Box, spec: FlowLayer) -> None:
    """Paint a flow layer at ``box`` (its column)."""
    x, _, w, _ = box
    person = canvas.person_id()
    for item, text, fitted, top, inside in place_flow(canvas, box, spec):
        name = _name(item, canvas.card.language)
        if fitted.fits and not inside:  # it fits its own size range, but the column ran out
            canvas.overflows.append(Overflow(canvas.t.name, person, name, text, canvas.size, fitted.size))
        draw_text(canvas, (x, top, w, fitted.height), item, text, fitted, name, person)


def _name(item: FlowText, lang: str) -> str:
    return item.id or F.pick_text(item.text, lang)


__all__ = ["paint_flow", "place_flow"]
