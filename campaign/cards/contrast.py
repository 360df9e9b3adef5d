"""Text contrast against what is really under it: WCAG 2 relative luminance and contrast ratio,
and :func:`contrast_problems`, which paints sample cards layer by layer and, for each text and
badge layer, grid's labels and flow's texts, compares its colour with the pixels actually under its glyphs (flat colours,
gradients, background photos and shapes painted before it alike). Pure.

The figure for a layer is the contrast that 90% of its ink reaches (the 10th percentile over the
pixels under the glyphs' cores): on a flat ground it is the WCAG ratio itself; over a gradient or a
photo it is where the text is worst placed, ignoring the odd speck. WCAG AA asks 4.5:1 for normal
text and 3:1 for large text: 18 pt (24 px) or 14 pt bold (18.7 px at weight 700 or more)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from PIL import Image

from . import fields as F
from .canvas import Canvas
from .card import CardInput
from .paint import paint_layer, shape_onto
from .flow import place_flow
from .template import BadgeLayer, FlowLayer, GridLayer, Layer, Template, TextLayer, TextStyle
from .text import fit_text, format_text
from .values import parse_color, per_size

AA_NORMAL = 4.5
AA_LARGE = 3.0
LARGE_PX = 24.0  # 18 pt at 96 px per inch
LARGE_BOLD_PX = 18.67  # 14 pt
BOLD = 700
PERCENTILE = 0.10  # the figure is what 90% of the ink reaches
CORE = 128  # a pixel is part of a glyph's core where the glyph covers at least half of it


def _linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[int, ...]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black .. 1 white)."""
    r, g, b = (_linear(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """WCAG 2 contrast ratio of two colours, 1 (none) .. 21 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def is_large(px: float, weight: int) -> bool:
    """Large text in WCAG's sense, at the card's pixel scale."""
    return px >= LARGE_PX or (weight >= BOLD and px >= LARGE_BOLD_PX)


def required(px: float, weight: int) -> float:
    return AA_LARGE if is_large(px, weight) else AA_NORMAL


@dataclass(frozen=True)
class Contrast:
    """One text layer on one sample card: its figure, what it needs, and where it sits."""

    template: str
    size: str  # canvas
    language: str
    layer: int  # index in layers
    kind: str  # text | badge | grid (its labels) | flow (one of its texts)
    field: str  # the layer's id, or its text
    color: str  # the text colour as written
    under: tuple[int, int, int]  # the background pixel at the figure
    figure: float
    needed: float
    font_px: int
    entry: int | None = None  # which text of a flow

    @property
    def loc(self) -> tuple[str | int, ...]:
        """Where its colour is written in template.yaml."""
        inner: tuple[str | int, ...] = (("label",) if self.kind == "grid" else
                                        ("layers", self.entry or 0, "text") if self.kind == "flow" else ())
        return ("layers", self.layer, self.kind) + inner + ("color",)

    @property
    def low(self) -> bool:
        return self.figure < self.needed

    def __str__(self) -> str:
        big = "large text" if self.needed == AA_LARGE else "text under 24 px (18.7 px bold)"
        under = "#{:02x}{:02x}{:02x}".format(*self.under)
        return (f"{self.template} ({self.size}, {self.language}): {self.field}: {self.color} over {under} is "
                f"{self.figure:.2f}:1, below WCAG AA {self.needed:g}:1 for {big} (set at {self.font_px} px); "
                f"make the text or what is under it lighter or darker")


def _text_size(canvas: Canvas, layer: Layer, box: tuple[int, int, int, int]) -> int:
    """The px size the layer's text is set at on this card (its smallest allowed size if unknown)."""
    spec = layer.spec
    given = per_size(spec.size, canvas.size)
    smallest = given if isinstance(given, int) else given[0]
    if isinstance(spec, BadgeLayer):
        x, y, w, h = box
        box = (x + spec.padding, y + spec.padding // 2, w - 2 * spec.padding, h - spec.padding)
    try:
        fitted = fit_text(format_text(spec, F.pick_text(spec.text, canvas.card.language), canvas), box, spec, canvas)
    except Exception:  # noqa: BLE001 - the render itself reports what cannot be set; here only the size matters
        return smallest
    return fitted.size if fitted is not None else smallest


def _probe(layer: Layer, entry: int | None = None) -> tuple[TextStyle, Layer]:
    """The layer's text style (a flow's: its ``entry``-th text's), and the layer changed to paint
    only those glyphs, white, on black (a badge's fill, a grid's faces, a flow's other texts
    black; no outline)."""
    spec = layer.spec
    if isinstance(spec, FlowLayer):
        assert entry is not None
        texts = [e.model_copy(update={"text": e.text.model_copy(
            update={"color": "#ffffff" if k == entry else "#000000", "stroke": None})}) for k, e in enumerate(spec.layers)]
        return spec.layers[entry].text, Layer.model_validate({layer.kind: spec.model_copy(update={"layers": texts})})
    if isinstance(spec, GridLayer):
        assert spec.label is not None
        black = spec.placeholder.model_copy(update={"fill": "#000000", "figure": "#000000", "initials": "#000000"})
        changed: Any = spec.model_copy(update={"label": spec.label.model_copy(update={"color": "#ffffff", "stroke": None}),
                                               "placeholder": black, "border": None})
        return spec.label, Layer.model_validate({layer.kind: changed})
    white = {"color": "#ffffff", "stroke": None} | ({"fill": "#000000"} if isinstance(spec, BadgeLayer) else {})
    return spec, Layer.model_validate({layer.kind: spec.model_copy(update=white)})


def _figure(cores: Image.Image, ground: Image.Image, color: tuple[int, ...]) -> tuple[float, tuple[int, int, int]] | None:
    """The contrast 90% of the ink reaches (pixels of ``ground`` under the ``cores`` mask), and
    the ground pixel where it does; None without ink."""
    box = cores.getbbox()
    if box is None:
        return None
    alpha = color[3] / 255
    inked = cores.crop(box)
    off = inked.histogram()[0]  # pixels of the box outside every core
    sentinel = Image.new("RGB", inked.size, (1, 2, 3))
    counts = Image.composite(ground.crop(box), sentinel, inked).getcolors(inked.size[0] * inked.size[1]) or []
    figures = []
    for n, bg in counts:
        if bg == (1, 2, 3):
            n -= off  # the sentinel stands for the pixels outside the cores (and any such ground pixel)
        if n > 0:
            ink = tuple(round(c * alpha + u * (1 - alpha)) for c, u in zip(color[:3], bg))
            figures.append((ratio(ink, bg), n, bg))
    figures.sort()
    at, seen = PERCENTILE * sum(n for _, n, _ in figures), 0
    for figure, n, under in figures:
        seen += n
        if seen > at:
            return figure, under
    return None


def _measure(t: Template, card: CardInput, size: str, i: int, layer: Layer, before: Image.Image,
             entry: int | None = None) -> Contrast | None:
    """Layer ``i`` (text, badge, a grid's labels, a flow's ``entry``-th text) on ``before`` (every
    earlier layer painted): its contrast figure."""
    spec = layer.spec
    style, changed = _probe(layer, entry)
    ground = before
    if isinstance(spec, BadgeLayer):  # its text sits on its own fill, itself over what is under it
        ground = before.copy()
        shape_onto(ground, per_size(spec.box, size), spec.fill, spec.radius)
    if style.stroke is not None:  # an outlined text is read against its outline
        ground = Image.new("RGB", before.size, parse_color(style.stroke.color)[:3])
    probe = Canvas(t, card, size)
    paint_layer(probe, i, changed)
    if not probe.texts:
        return None  # nothing to read (an empty field, or its when: does not hold)
    found = _figure(probe.image.convert("L").point(lambda v: 255 if v >= CORE else 0), ground, parse_color(style.color))
    if found is None:
        return None
    figure, under = found
    if isinstance(spec, GridLayer):  # one size per grid, fitted to the names: held to its smallest
        given = per_size(style.size, size)
        px, field = given if isinstance(given, int) else given[0], "labels"
    elif isinstance(spec, FlowLayer):
        placed = place_flow(probe, per_size(spec.box, size), spec)
        px = next((fitted.size for item, _, fitted, _, _ in placed if item is style), 0)
        field = style.id or F.pick_text(style.text, card.language)
    else:
        px, field = _text_size(probe, layer, per_size(spec.box, size)), spec.id or F.pick_text(spec.text, card.language)
    return Contrast(t.name, size, card.language, i, layer.kind, field, style.color, under, round(figure, 2),
                    required(px, style.weight), px, entry)


def card_contrasts(t: Template, card: CardInput, size: str) -> Iterator[Contrast]:
    """Every text, badge, grid label and flow text's contrast on one card, painting its layers in order."""
    canvas = Canvas(t, card, size)
    for i, layer in enumerate(t.spec.layers):
        spec = layer.spec
        entries: list[int | None] = (list(range(len(spec.layers))) if isinstance(spec, FlowLayer) else
                                     [None] if isinstance(spec, (TextLayer, BadgeLayer)) or
                                     (isinstance(spec, GridLayer) and spec.label) else [])
        if entries and F.matches(getattr(spec, "when", None), card, size=size):
            before = canvas.image.copy()
            for entry in entries:
                found = _measure(t, card, size, i, layer, before, entry)
                if found is not None:
                    yield found
        paint_layer(canvas, i, layer)


def contrast_problems(t: Template, cards: Iterable[tuple[str, CardInput]]) -> list[Contrast]:
    """The worst figure below WCAG AA of each (canvas, layer) over the sample ``cards`` ((canvas, card)
    pairs), in layer order: one line per layer and canvas, however many cards show it."""
    worst: dict[tuple[str, int], Contrast] = {}
    for size, card in cards:
        for c in card_contrasts(t, card, size):
            key = (c.size, c.layer, c.entry)
            if c.low and (key not in worst or c.figure < worst[key].figure):
                worst[key] = c
    return sorted(worst.values(), key=lambda c: (c.layer, c.entry or 0, list(t.sizes).index(c.size)))


__all__ = ["AA_LARGE", "AA_NORMAL", "Contrast", "card_contrasts", "contrast_problems", "is_large", "luminance", "ratio",
           "required"]
