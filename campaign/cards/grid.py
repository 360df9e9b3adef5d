"""The grid layer: everyone featured as faces with names under them. Its geometry (columns, rows,
face side and label height that make the faces as large as possible while the names fit) and
its painting (faces by :mod:`.faces`, one label size for every name by :mod:`.text`). Pure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import fields as F
from ..errors import CardError
from .faces import paint_face
from .template import GridLayer
from .text import draw_text, fit_text, format_text
from .values import per_size

if TYPE_CHECKING:
    from .canvas import Canvas

Layout = tuple[int, int, int, int]  # columns, rows, face side, label height


def grid_layout(n: int, width: int, height: int, gap: int, label_ratio: float,
                max_columns: int | None = None) -> Layout:
    """Columns, rows, face side and label height that make the faces as large as possible."""
    return grid_layouts(n, width, height, gap, label_ratio, max_columns)[0]


def grid_layouts(n: int, width: int, height: int, gap: int, label_ratio: float, max_columns: int | None = None,
                 more_label: bool = False) -> list[Layout]:
    """Every (columns, rows, face side, label height) for ``n`` people, largest faces first
    (on a tie, the template's own ``label_ratio`` first); ``more_label``: also with up to
    0.3 more of each cell given to the label, for names that do not fit under large faces."""
    ratios = [label_ratio]
    if more_label and label_ratio:
        ratios += [r for k in range(1, 7) if (r := round(label_ratio + 0.05 * k, 2)) <= 0.8]
    out = []
    for cols in range(1, (min(n, max_columns) if max_columns else n) + 1):
        rows = -(-n // cols)
        cell_w = (width - gap * (cols - 1)) / cols
        cell_h = (height - gap * (rows - 1)) / rows
        for rank, ratio in enumerate(ratios):
            side = int(min(cell_w, cell_h * (1 - ratio)))
            label = int(side * ratio / (1 - ratio)) if ratio else 0
            out.append((side, -rank, -cols, (cols, rows, side, label)))
    out.sort(reverse=True)
    return [layout for *_, layout in out] or [(1, n, 0, 0)]


def _labels_fit(layout: Layout, box: tuple[int, int, int, int], spec: GridLayer, texts: list[str],
                canvas: Canvas) -> bool:
    """Whether every label (longest first) fits under a face of ``layout`` at the smallest label size."""
    assert spec.label is not None
    cols, _, side, label_h = layout
    if side < 8 or label_h <= 4:
        return False
    lbox = (0, 0, int((box[2] - spec.gap * (cols - 1)) / cols), int(label_h * 0.92))
    given = per_size(spec.label.size, canvas.size)
    lo = given if isinstance(given, int) else given[0]
    return all(f is None or f.fits for f in (fit_text(t, lbox, spec.label, canvas, (lo, lo), "grid.label")
                                             for t in texts))


def paint_grid(canvas: Canvas, box: tuple[int, int, int, int], spec: GridLayer) -> None:
    x, y, w, h = box
    people = canvas.people
    n = len(people)
    label_ratio = spec.label_ratio if spec.label else 0
    layouts = grid_layouts(n, w, h, spec.gap, label_ratio, spec.max_columns, more_label=spec.label is not None)
    cols, rows, side, label_h = layouts[0]
    texts = [format_text(spec.label, F.pick_text(spec.label.text, canvas.card.language), canvas, [p])
             for p in people] if spec.label else []  # each person's label, formatted once
    if spec.label:
        # The largest faces under which every name fits (at the smallest label size); if no
        # layout has room, the largest faces, and the names that do not fit are reported.
        longest = sorted(set(texts), key=len, reverse=True)
        cols, rows, side, label_h = next((lay for lay in layouts if _labels_fit(lay, box, spec, longest, canvas)),
                                         layouts[0])
    if side < 8:
        raise CardError(f"template {canvas.t.name!r}: {n} people do not fit the grid box {w}x{h} ({canvas.size})")
    col_w = (w - spec.gap * (cols - 1)) / cols
    cell_h = side + label_h
    total_h = rows * cell_h + (rows - 1) * spec.gap
    top = y + (h - total_h) / 2
    # One size for every name (a grid whose labels jump in size looks careless): each label is
    # fitted no larger than the smallest size so far, which also spares most of the search.
    labels = []
    given = per_size(spec.label.size, canvas.size) if spec.label else 0
    lo, common = (given, given) if isinstance(given, int) else tuple(given)
    for i, person in enumerate(people):
        r, c = divmod(i, cols)
        in_row = min(cols, n - r * cols)
        row_w = in_row * col_w + (in_row - 1) * spec.gap
        cx = x + (w - row_w) / 2 + c * (col_w + spec.gap)
        cy = top + r * (cell_h + spec.gap)
        fx = int(round(cx + (col_w - side) / 2))
        paint_face(canvas, (fx, int(round(cy)), side, side), person, spec)
        if spec.label and label_h > 4:
            lbox = (int(cx), int(round(cy + side + max(2, label_h * 0.08))), int(col_w), int(label_h * 0.92))
            text = texts[i]
            fitted = fit_text(text, lbox, spec.label, canvas, (lo, common), "grid.label")
            if fitted is not None:
                common = min(common, fitted.size)
            labels.append((lbox, person, text, fitted))
    for lbox, person, text, fitted in labels:
        if fitted is None:
            continue
        if fitted.size != common:
            fitted = fit_text(text, lbox, spec.label, canvas, (common, common), "grid.label")
            assert fitted is not None
        draw_text(canvas, lbox, spec.label, text, fitted, "grid.label", person.person.id)


__all__ = ["grid_layout", "grid_layouts", "paint_grid"]
