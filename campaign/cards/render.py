"""Paint a card: (template, facts as of a date, size) -> image bytes, alt text, warnings. Pure.

Layers are painted in order onto an RGB canvas. The leading layers that do not depend on the
people (backgrounds, unconditional shapes, fixed labels) are painted once per canvas size and
language and cached on the Template; so are masks, placeholders and loaded fonts. Every
card-level layer (no person's field in it; ``{campaign.name}``, ``{week}`` allowed) is painted
once per size, language, post and ``when`` outcome into a cached base, and the person's layers
are painted onto a copy of it, unless something they paint overlaps a card-level layer painted
after them (then every layer is painted in order). Where a person's layer lands on that base
untouched, what it paints there is cached already blended onto the base: a photo masked and
ringed (by the photo's content), a placeholder (by the initials), lines of text (by the exact
strings and where they go). Text is set and rasterised once per string (:mod:`.runs`). Facts
are never cached: every call formats its text afresh from the facts of its day, and every
cache is keyed by content, so none can go stale; a warm card is the same bytes as a cold one.

Output is deterministic: no timestamps or EXIF are written, and the JPEG quality steps down a
fixed sequence until the bytes fit ``max_bytes``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import math
import re
import string
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageDraw, ImageFont, ImageOps

from ..roster import Facts
from ..words import DurationUnit
from . import fields as F
from . import coverage, runs
from .layout import Fitted, block_top, font, has_khmer, initials, line_x, require_raqm
from .lru import LRU, image_bytes
from .photos import PhotoError, contain, cover, load_logo, load_photo
from .template import (BackgroundLayer, BadgeLayer, CardError, GridLayer, Layer, LogoLayer, PhotoLayer,
                       Placeholder, ShapeLayer, Stroke, Template, TextLayer, TextStyle, When, parse_color,
                       per_size)

JPEG_QUALITIES = (90, 85, 80, 75, 70, 65, 60, 50, 40, 30)
FORMATS = ("jpeg", "png")
SUPERSAMPLE = 4  # masks and silhouettes are drawn 4x and scaled down: smooth edges


@dataclass(frozen=True)
class CardInput:
    """Everything a card may show: the people's facts (as of the card's date) and the post's context.

    ``photos`` maps a person id to the raw bytes they sent (None or missing: a placeholder).
    ``photo_names`` maps a person id to the file's display path, so photo errors name the file
    (without it, a :class:`PhotoError` names the person; callers may catch and decorate it).
    """

    people: tuple[Facts, ...]
    photos: Mapping[str, bytes | None]
    language: str
    kind: str  # "weekly" | "finale" | "released"
    week: int
    campaign_name: str
    organisation: str = ""
    logo: bytes | None = None
    photo_names: Mapping[str, str] = field(default_factory=dict)
    logo_name: str = "logo"
    durations: DurationUnit = "years"  # the campaign's way of saying time behind bars (years or months)
    hashtags: tuple[str, ...] = ()  # the campaign's, for a template that writes {hashtags}


@dataclass(frozen=True)
class Overflow:
    """Text that did not fit its box even at the smallest size allowed."""

    template: str
    person: str  # person id, or "" for text about several people
    field: str  # the layer's id, or its text template
    text: str
    size: str  # canvas name
    font_size: int

    def __str__(self) -> str:
        who = f" {self.person}:" if self.person else ""
        return (f"{self.template} ({self.size}):{who} {self.field}: does not fit even at {self.font_size}px: "
                f"{self.text!r}")


@dataclass(frozen=True)
class Card:
    """A rendered card: encoded image, alt text per language, and what a person should check."""

    image: bytes
    format: str  # "jpeg" | "png"
    size: tuple[int, int]
    alt: dict[str, str]
    warnings: tuple[str, ...]
    overflows: tuple[Overflow, ...]
    texts: tuple[tuple[str, str], ...] = ()  # (layer id, text) of every text painted, in order
    quality: int | None = None  # the JPEG quality that fitted max_bytes


@functools.lru_cache(maxsize=1)
def _raqm_checked() -> bool:
    require_raqm()
    return True


class _Ctx:
    """One render's state: what is drawn where, and what went wrong."""

    def __init__(self, template: Template, card: CardInput, size: str):
        self.t, self.card, self.size = template, card, size
        self.people = card.people
        self.overflows: list[Overflow] = []
        self.warnings: list[str] = []
        self.texts: list[tuple[str, str]] = []
        # Fast path only: rectangles painted by the current layer (None: not tracked), the
        # rectangles painted by earlier person-dependent layers, and the static base's key.
        self.rects: list[tuple[int, int, int, int]] | None = None
        self.dirty: list[tuple[int, int, int, int]] = []
        self.base_key: tuple[Any, ...] | None = None
        self._values: dict[str, dict[str, Any]] = {}

    def person_id(self) -> str:
        return self.people[0].person.id if len(self.people) == 1 else ""

    def values(self, lang: str, people: Sequence[Facts] | None = None) -> dict[str, Any]:
        """The format fields for ``people`` (default: the card's), built once per language for the card's."""
        if people is None and lang in self._values:
            return self._values[lang]
        c = self.card
        out = F.namespace(people if people is not None else self.people, lang, week=c.week,
                          count=len(self.people), campaign=c.campaign_name, organisation=c.organisation,
                          durations=c.durations, hashtags=c.hashtags)
        if people is None:
            self._values[lang] = out
        return out


def matches(when: When | None, card: CardInput, people: Sequence[Facts] | None = None) -> bool:
    """Whether a layer's ``when:`` holds for this card."""
    if when is None:
        return True
    people = card.people if people is None else people
    if when.status is not None and not all(f.status.value in when.status for f in people):
        return False
    if when.kind is not None and card.kind not in when.kind:
        return False
    if when.language is not None and card.language not in when.language:
        return False
    n = len(people)
    if when.min_people is not None and n < when.min_people:
        return False
    if when.max_people is not None and n > when.max_people:
        return False
    for names, want in ((when.has, True), (when.lacks, False)):
        for f in people if names else ():
            values = F.namespace([f], card.language, week=card.week, durations=card.durations)
            if any(bool(format(values[n], "")) != want for n in names):  # type: ignore[index]
                return False
    if when.has_photo is not None:
        has = len(people) == 1 and card.photos.get(people[0].person.id) is not None
        if has != when.has_photo:
            return False
    return True


def pick_text(text: str | dict[str, str], lang: str) -> str:
    """A layer's text for the card language: ``{en: .., km: ..}`` or one string for all."""
    if isinstance(text, str):
        return text
    for key in (lang, "*", "en"):
        if key in text:
            return text[key]
    return next(iter(text.values()))


def _rgb(color: str) -> tuple[int, int, int]:
    return parse_color(color)[:3]


# --- static layers and caches ------------------------------------------------------------------


def _is_static(layer: Layer) -> bool:
    """A layer whose pixels depend only on the canvas size and card language."""
    spec = layer.spec
    when = getattr(spec, "when", None)
    if when is not None and set(when.model_fields_set) - {"language"}:
        return False
    if layer.kind in ("background", "shape"):
        return True
    if layer.kind in ("text", "badge"):
        texts = spec.text.values() if isinstance(spec.text, dict) else [spec.text]
        return all("{" not in t.replace("{{", "") for t in texts)
    return False


def _static_prefix(t: Template, size: str, ctx: _Ctx) -> tuple[Image.Image, int]:
    """The canvas with the leading static layers painted (cached), and where painting resumes."""
    layers = t.spec.layers
    n = 0
    while n < len(layers) and _is_static(layers[n]):
        n += 1
    key = ("prefix", size, ctx.card.language if any(layers[i].kind in ("text", "badge") or
                                                    getattr(layers[i].spec, "when", None) for i in range(n)) else "")
    cached = t.cache.get(key)
    if cached is None:
        w, h = t.sizes[size]
        canvas = Image.new("RGB", (w, h), (0, 0, 0))
        probe = _Ctx(t, ctx.card, size)
        for i in range(n):
            _paint(canvas, i, layers[i], probe)
        cached = (canvas, probe.texts, probe.overflows)
        t.cache[key] = cached
    canvas, texts, overflows = cached
    ctx.texts.extend(texts)
    ctx.overflows.extend(overflows)
    return canvas.copy(), n


# Format fields that belong to the post, not to anyone on it: text using only these is static.
_CARD_FIELDS = frozenset({"campaign", "week", "count", "organisation"})
BASE_CACHE_SIZE = 32  # static bases per template (sizes x languages x weeks x when outcomes)


def _is_card_level(layer: Layer) -> bool:
    """A layer whose pixels depend on the canvas size, language and post (campaign, week,
    number of people), never on a person's facts; its ``when`` may (its outcome is part of the key)."""
    if layer.kind in ("background", "shape"):
        return True
    if layer.kind not in ("text", "badge"):
        return False
    spec = layer.spec
    texts = spec.text.values() if isinstance(spec.text, dict) else [spec.text]
    for t in texts:
        for _, name, _, _ in string.Formatter().parse(t):
            if name is not None and re.split(r"[.\[]", name, maxsplit=1)[0] not in _CARD_FIELDS:
                return False
    return True


def _grow(r: tuple[int, int, int, int], by: int) -> tuple[int, int, int, int]:
    return (r[0] - by, r[1] - by, r[2] + by, r[3] + by)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _base(t: Template, size: str, card: CardInput) -> tuple[tuple[Any, ...], Image.Image, dict[int, Any]] | None:
    """Every card-level layer painted in order, skipping the person's (cached per key: size,
    language, campaign, week, organisation, number of people and each such layer's ``when``).

    Returns the key, the canvas and per painted layer (texts, overflows, rectangles it covers),
    or None when the template has no card-level layer after a person's.
    """
    layers = t.spec.layers
    static = t.cache.get("static layers")
    if static is None:
        static = frozenset(i for i, layer in enumerate(layers) if _is_card_level(layer))
        t.cache["static layers"] = static
    if not static or static == frozenset(range(len(static))):
        return None  # nothing to gain over the static prefix
    order = sorted(static)
    outcomes = tuple(matches(getattr(layers[i].spec, "when", None), card) for i in order)
    key = ("base", size, card.language, card.campaign_name, card.week, card.organisation, len(card.people), outcomes)
    bases: OrderedDict[Any, Any] = t.cache.setdefault("bases", OrderedDict())
    hit = bases.get(key)
    if hit is None:
        w, h = t.sizes[size]
        canvas = Image.new("RGB", (w, h), (0, 0, 0))
        painted = {}
        for i, on in zip(order, outcomes):
            if not on:
                continue
            probe = _Ctx(t, card, size)
            probe.rects = []
            _paint(canvas, i, layers[i], probe)
            painted[i] = (tuple(probe.texts), tuple(probe.overflows), tuple(probe.rects))
        hit = (canvas, painted)
        bases[key] = hit
        while len(bases) > BASE_CACHE_SIZE:
            bases.popitem(last=False)
    else:
        bases.move_to_end(key)
    return key, hit[0], hit[1]


def _render_fast(t: Template, card: CardInput, size: str) -> tuple[Image.Image, _Ctx] | None:
    """Paint the person's layers onto a copy of the cached card-level base. None if something
    a person's layer painted overlaps a card-level layer painted after it in the template (the
    order would matter): the caller then paints every layer in order."""
    based = _base(t, size, card)
    if based is None:
        return None
    key, base, painted = based
    ctx = _Ctx(t, card, size)
    ctx.base_key = key
    canvas = base.copy()
    layers = t.spec.layers
    static = t.cache["static layers"]
    later = [(i, r) for i, (_, _, rects) in painted.items() for r in rects]
    person = ctx.person_id()
    for i, layer in enumerate(layers):
        if i in painted:
            texts, overflows, _ = painted[i]
            ctx.texts.extend(texts)
            ctx.overflows.extend(dataclasses.replace(o, person=person) for o in overflows)
            continue
        if i in static:
            continue  # its when: does not hold for this card
        ctx.rects = []
        _paint(canvas, i, layer, ctx)
        mine = [r for r in ctx.rects if r[0] < r[2] and r[1] < r[3]]
        if any(j > i and _overlap(r, s) for j, s in later for r in mine):
            return None
        ctx.dirty.extend(mine)
    ctx.rects = None
    return canvas, ctx


def _gradient(size: tuple[int, int], g: Any) -> Image.Image:
    w, h = size
    ramp = Image.linear_gradient("L")  # 256x256, black (``from``) at the top
    if g.direction == "horizontal":
        ramp = ramp.rotate(90, expand=True)  # black on the left
    elif g.direction == "diagonal":
        ramp = ramp.resize((512, 512)).rotate(45, resample=Image.Resampling.BICUBIC, fillcolor=None)
        ramp = ramp.crop((128, 128, 384, 384))
    mask = ramp.resize((w, h), Image.Resampling.BICUBIC)
    return Image.composite(Image.new("RGB", (w, h), _rgb(g.to)), Image.new("RGB", (w, h), _rgb(g.from_)), mask)


def _mask(t: Template, w: int, h: int, shape: str, radius: int) -> Image.Image | None:
    """An antialiased shape mask, cached per template."""
    if shape == "rect":
        return None
    key = ("mask", w, h, shape, radius)
    m = t.cache.get(key)
    if m is None:
        s = SUPERSAMPLE
        big = Image.new("L", (w * s, h * s), 0)
        d = ImageDraw.Draw(big)
        if shape == "circle":
            d.ellipse((0, 0, w * s - 1, h * s - 1), fill=255)
        else:
            d.rounded_rectangle((0, 0, w * s - 1, h * s - 1), radius=radius * s, fill=255)
        m = big.resize((w, h), Image.Resampling.LANCZOS)
        t.cache[key] = m
    return m


def _ring(t: Template, w: int, h: int, shape: str, radius: int, width: int) -> Image.Image:
    """An antialiased outline mask of a shape (photo borders), cached per template."""
    key = ("ring", w, h, shape, radius, width)
    m = t.cache.get(key)
    if m is None:
        s = SUPERSAMPLE
        big = Image.new("L", (w * s, h * s), 0)
        d = ImageDraw.Draw(big)
        box = (0, 0, w * s - 1, h * s - 1)
        if shape == "circle":
            d.ellipse(box, outline=255, width=width * s)
        elif shape == "rounded":
            d.rounded_rectangle(box, radius=radius * s, outline=255, width=width * s)
        else:
            d.rectangle(box, outline=255, width=width * s)
        m = big.resize((w, h), Image.Resampling.LANCZOS)
        t.cache[key] = m
    return m


def _silhouette(t: Template, w: int, h: int, p: Placeholder) -> Image.Image:
    """A head-and-shoulders figure on a plain ground, for people without a photo (cached)."""
    key = ("silhouette", w, h, p)
    im = t.cache.get(key)
    if im is None:
        s = SUPERSAMPLE
        W, H = w * s, h * s
        big = Image.new("RGB", (W, H), _rgb(p.fill))
        d = ImageDraw.Draw(big)
        fig = _rgb(p.figure)
        r = 0.17 * min(W, H)
        cx, cy = W / 2, H * 0.36
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fig)
        d.ellipse((cx - 0.34 * min(W, H), H * 0.58, cx + 0.34 * min(W, H), H * 0.58 + 0.75 * min(W, H)), fill=fig)
        im = big.resize((w, h), Image.Resampling.LANCZOS)
        t.cache[key] = im
    return im


# --- painting ----------------------------------------------------------------------------------


def _paint(canvas: Image.Image, index: int, layer: Layer, ctx: _Ctx) -> None:
    spec = layer.spec
    if not matches(getattr(spec, "when", None), ctx.card):
        return
    box = per_size(spec.box, ctx.size) if hasattr(spec, "box") else None
    if ctx.rects is not None:
        if box is None:
            ctx.rects.append((-1 << 30, -1 << 30, 1 << 30, 1 << 30))  # the whole canvas
        elif not isinstance(spec, TextLayer):  # text records the lines it draws, wherever they go
            ctx.rects.append(_grow((box[0], box[1], box[0] + box[2], box[1] + box[3]), 2))
    if isinstance(spec, BackgroundLayer):
        _paint_background(canvas, index, spec, ctx)
    elif isinstance(spec, PhotoLayer):
        if len(ctx.people) != 1:
            raise CardError(f"template {ctx.t.name!r}: a photo layer shows one person, but the card features "
                            f"{len(ctx.people)}; use a grid layer")
        _paint_face(canvas, box, ctx.people[0], spec, ctx)
    elif isinstance(spec, ShapeLayer):
        _paint_shape(canvas, box, spec.fill, spec.radius, spec.outline)
    elif isinstance(spec, BadgeLayer):
        _paint_shape(canvas, box, spec.fill, spec.radius, None)
        x, y, w, h = box
        pad = spec.padding
        _paint_text(canvas, (x + pad, y + pad // 2, w - 2 * pad, h - pad), spec, pick_text(spec.text, ctx.card.language),
                    ctx, spec.id or f"layers[{index}].badge", ctx.person_id())
    elif isinstance(spec, TextLayer):
        text = pick_text(spec.text, ctx.card.language)
        _paint_text(canvas, box, spec, text, ctx, spec.id or text, ctx.person_id())
    elif isinstance(spec, LogoLayer):
        _paint_logo(canvas, box, spec, ctx)
    elif isinstance(spec, GridLayer):
        _paint_grid(canvas, box, spec, ctx)


def _paint_background(canvas: Image.Image, index: int, spec: BackgroundLayer, ctx: _Ctx) -> None:
    size = canvas.size
    key = ("background", index, size)
    im = ctx.t.cache.get(key)
    if im is None:
        if spec.color:
            rgba = parse_color(spec.color)
            im = Image.new("RGBA", size, rgba)
        elif spec.gradient:
            im = _gradient(size, spec.gradient).convert("RGBA")
        else:
            assert spec.image
            with Image.open(ctx.t.root / spec.image) as src:
                src = ImageOps.exif_transpose(src) or src
                im = cover(src.convert("RGBA"), size, 0.5)
        ctx.t.cache[key] = im
    canvas.paste(im, (0, 0), im if im.mode == "RGBA" and im.getextrema()[3][0] < 255 else None)


def _paint_shape(canvas: Image.Image, box: tuple[int, int, int, int], fill: str | None, radius: int,
                 outline: Stroke | None) -> None:
    x, y, w, h = box
    d = ImageDraw.Draw(canvas, "RGBA")  # RGBA ink blends onto the RGB canvas
    rect = (x, y, x + w - 1, y + h - 1)
    ink = parse_color(fill) if fill else None
    if radius:
        d.rounded_rectangle(rect, radius=radius, fill=ink, outline=parse_color(outline.color) if outline else None,
                            width=outline.width if outline else 1)
    else:
        d.rectangle(rect, fill=ink, outline=parse_color(outline.color) if outline else None,
                    width=outline.width if outline else 1)


def _set(box: tuple[int, int, int, int], style: TextStyle, template_text: str, ctx: _Ctx,
         people: Sequence[Facts] | None = None, sizes: tuple[int, int] | None = None,
         field: str = "") -> tuple[str, Fitted | None]:
    """Format a text layer's string and fit it to its box (not drawn yet)."""
    text = _format(style, template_text, ctx, people)
    return text, _fit(text, box, style, ctx, sizes, field)


def _format(style: TextStyle, template_text: str, ctx: _Ctx, people: Sequence[Facts] | None = None) -> str:
    """A text layer's string for ``people`` (default: the card's) in its language."""
    text = F.fill(template_text, ctx.values(style.lang or ctx.card.language, people)).strip()
    return text.upper() if style.uppercase else text


def _fit(text: str, box: tuple[int, int, int, int], style: TextStyle, ctx: _Ctx,
         sizes: tuple[int, int] | None = None, field: str = "") -> Fitted | None:
    """``text`` set in ``box`` at the largest size it fits (None: no text)."""
    if not text:
        return None
    if sizes is None:
        given = per_size(style.size, ctx.size)
        sizes = (given, given) if isinstance(given, int) else tuple(given)
    _, _, w, h = box
    family = style.font_khmer if has_khmer(text) else style.font
    path = ctx.t.fonts[family]
    try:
        return runs.fitted(text, path, style.weight, w, h, sizes, style.max_lines, style.line_spacing)
    except runs.MissingGlyphs as exc:
        raise CardError(_lacking(ctx, exc, family, field, text)) from None


def _lacking(ctx: _Ctx, exc: runs.MissingGlyphs, family: str, field: str, text: str) -> str:
    """What to say when a template's font cannot show some text (it would be drawn as boxes)."""
    khmer = any(has_khmer(ch) for ch in exc.chars)
    fix = ("set font_khmer on the layer to a family with Khmer glyphs, e.g. add "
           "khmer: {package: fontpkg_noto_sans_khmer} to fonts" if khmer else
           f"use a font family that has them for {field or 'this text'}")
    return (f"template {ctx.t.name!r}: {field + ': ' if field else ''}font {family!r} ({exc}) in {text!r}; "
            f"it would draw empty boxes. Fix: {fix}")


def _draw(canvas: Image.Image, box: tuple[int, int, int, int], style: TextStyle, text: str, fitted: Fitted,
          ctx: _Ctx, field_name: str, person: str) -> None:
    """Draw fitted text (recording an overflow if it did not fit)."""
    if not fitted.fits:
        ctx.overflows.append(Overflow(ctx.t.name, person, field_name, text, ctx.size, fitted.size))
    ctx.texts.append((field_name, text))
    x, y, w, h = box
    top = block_top(y, h, fitted.height, style.valign)
    fill = parse_color(style.color)
    f = fitted.font
    at = [(line_x(x, w, width, style.align), top + fitted.ascent + i * fitted.pitch)
          for i, width in enumerate(fitted.widths)]
    if style.stroke:
        d = ImageDraw.Draw(canvas, "RGBA")  # RGBA ink blends onto the RGB canvas
        stroke = {"stroke_width": style.stroke.width, "stroke_fill": parse_color(style.stroke.color)}
        for line, (lx, ly) in zip(fitted.lines, at):
            d.text((lx, ly), line, font=f, fill=fill, anchor="ls", **stroke)
            if ctx.rects is not None:
                l, t, r, b = f.getbbox(line, anchor="ls", stroke_width=style.stroke.width)  # type: ignore[union-attr]
                ctx.rects.append(_grow((int(lx) + l, int(ly) + t, int(lx) + r, int(ly) + b), 2))
        return
    placed = [place_line(f, xy, line) for line, xy in zip(fitted.lines, at)]
    rects = [(px, py, px + m.size[0], py + m.size[1]) for m, (px, py) in placed if m.size[0] and m.size[1]]
    if ctx.rects is not None:
        ctx.rects.extend(_grow(r, 2) for r in rects)
    if rects and ctx.base_key is not None and not any(_overlap(r, s) for r in rects for s in ctx.dirty):
        # The lines land on the untouched cached base: paste them already blended onto it
        # (cached by the exact strings and where they go), the same pixels as drawing them.
        cw, ch = canvas.size
        area = (max(0, min(r[0] for r in rects)), max(0, min(r[1] for r in rects)),
                min(cw, max(r[2] for r in rects)), min(ch, max(r[3] for r in rects)))
        if area[0] >= area[2] or area[1] >= area[3]:
            return
        def paint(target: Image.Image, at_: tuple[int, int]) -> None:
            for m, (px, py) in placed:
                _ink(target, (px - area[0] + at_[0], py - area[1] + at_[1]), m, fill)

        _on_base(canvas, ctx, area, ("text", f, fill, tuple(zip(fitted.lines, at))), paint)
        return
    for m, xy in placed:
        _ink(canvas, xy, m, fill)


def _ink(target: Image.Image, xy: tuple[int, int], mask: Image.Image, fill: tuple[int, ...]) -> None:
    """Paint ``fill`` through a coverage ``mask`` at ``xy``: the pixels ImageDraw's text drawing
    gives (RGBA ink blended onto RGB). An opaque colour goes in as a solid image pasted through
    the mask, which Pillow does about twice as fast as filling with a colour, to the same bytes."""
    if len(fill) == 3 or fill[3] == 255:
        target.paste(Image.new("RGB", mask.size, fill[:3]), xy, mask)
    else:
        d = ImageDraw.Draw(target, "RGBA")
        d.draw.draw_bitmap(xy, mask.im, d._getink(fill)[0])


def place_line(f: ImageFont.FreeTypeFont, xy: tuple[float, float], line: str) -> tuple[Image.Image, tuple[int, int]]:
    """Where ImageDraw.text would draw ``line`` anchored at ``xy`` ("ls"): its mask and top left."""
    start = (math.modf(xy[0])[0], math.modf(xy[1])[0])
    mask, offset = runs.line_mask(f, line, start)
    return mask, (int(xy[0]) + offset[0], int(xy[1]) + offset[1])


def draw_line(im: Image.Image, xy: tuple[float, float], line: str, f: ImageFont.FreeTypeFont,
              fill: tuple[int, ...]) -> tuple[int, int, int, int]:
    """``ImageDraw.Draw(im, "RGBA").text(xy, line, font=f, fill=fill, anchor="ls")`` for one line
    without stroke on an RGB image, the same pixels, also returning the rectangle the glyphs
    were drawn in."""
    mask, (x, y) = place_line(f, xy, line)
    _ink(im, (x, y), mask, fill)
    return (x, y, x + mask.size[0], y + mask.size[1])


def _paint_text(canvas: Image.Image, box: tuple[int, int, int, int], style: TextStyle, template_text: str,
                ctx: _Ctx, field_name: str, person: str) -> None:
    text, fitted = _set(box, style, template_text, ctx, field=field_name)
    if fitted is not None:
        _draw(canvas, box, style, text, fitted, ctx, field_name, person)


def _paint_face(canvas: Image.Image, box: tuple[int, int, int, int], person: Facts, spec: PhotoLayer | GridLayer,
                ctx: _Ctx) -> None:
    """A person's photo (or placeholder) cropped into the layer's shape, at ``box``."""
    x, y, w, h = box
    shape, radius, border, focus, grayscale = spec.shape, spec.radius, spec.border, spec.focus, spec.grayscale
    pid = person.person.id
    data = ctx.card.photos.get(pid)
    face: Image.Image | None = None
    if data is not None:  # b"": a zero-byte file, which load_photo refuses by name
        content: tuple[Any, ...] = _face_key(data, (w, h), focus, grayscale)
        face, small = _face(data, pid, ctx.card.photo_names.get(pid), (w, h), focus, grayscale, content)
        if small:
            ctx.warnings.append(f"photo of {pid} is only {small[0]}x{small[1]} px, shown at {w}x{h}: it will look blurry")
    else:
        letters = _initials(person)
        content = ("placeholder", spec.placeholder, letters)

    def paint(target: Image.Image, at: tuple[int, int]) -> None:
        im = face if face is not None else _placeholder(ctx, w, h, spec.placeholder, letters)
        target.paste(im, at, _mask(ctx.t, w, h, shape, radius))
        if border:
            ring = _ring(ctx.t, w, h, shape, radius, border.width)
            target.paste(Image.new("RGB", ring.size, _rgb(border.color)), at, ring)  # as a colour, twice as fast

    if ctx.base_key is not None and not any(_overlap(r, (x, y, x + w, y + h)) for r in ctx.dirty):
        # The box still shows the cached static base: paste the face (or placeholder) already
        # masked and ringed onto it, cached by the photo's content (or the initials).
        _on_base(canvas, ctx, (x, y, x + w, y + h), ("face", box, shape, radius, border, content), paint)
        return
    paint(canvas, (x, y))


IMAGE_CACHE_BYTES = 128 * 1024 * 1024  # decoded faces; faces, placeholders and text blended onto a base
_IMAGES: LRU[tuple[Image.Image, tuple[int, int] | None]] = LRU(IMAGE_CACHE_BYTES)


def _face(data: bytes, pid: str, name: str | None, size: tuple[int, int], focus: float, grayscale: bool,
          key: tuple[Any, ...]) -> tuple[Image.Image, tuple[int, int] | None]:
    """A photo decoded, normalised and cropped to ``size``; cached by the photo's content
    (``key``: its :func:`_face_key`).

    A person's photo is the same on every account's and size's card of the week, and decoding
    plus resampling is most of a card's cost. Keyed by a hash of the bytes, a cached face can
    never be stale; facts are not involved.
    """
    hit = _IMAGES.get(key)
    if hit is not None:
        return hit
    im = load_photo(data, pid, name, target=max(size))
    small = im.size if min(im.size) < 0.5 * min(size) else None
    im = cover(im, size, focus)
    if grayscale:
        im = im.convert("L").convert("RGB")
    _remember(key, (im, small))
    return im, small


def _face_key(data: bytes, size: tuple[int, int], focus: float, grayscale: bool) -> tuple[Any, ...]:
    return (hashlib.sha256(data).digest(), size, focus, grayscale)


def _on_base(canvas: Image.Image, ctx: _Ctx, area: tuple[int, int, int, int], what: tuple[Any, ...],
             paint: Callable[[Image.Image, tuple[int, int]], None]) -> None:
    """Paste what ``paint`` paints in ``area`` (at the offset it is given), blended onto the
    untouched cached base: painted once per template, base and ``what`` (a content key), then
    reused; the same pixels as painting onto the canvas."""
    key = (what[0], ctx.t.cache.setdefault("token", object()), ctx.base_key, *what[1:])
    hit = _IMAGES.get(key)
    if hit is None:
        done = canvas.crop(area)
        paint(done, (0, 0))
        _remember(key, (done, None))
    else:
        done = hit[0]
    canvas.paste(done, area[:2])


def _remember(key: tuple[Any, ...], value: tuple[Image.Image, tuple[int, int] | None]) -> None:
    _IMAGES.put(key, value, image_bytes(value[0]))


def clear_caches(fonts: bool = False) -> None:
    """Forget cached faces, faces composited onto backgrounds and set or rasterised text
    (benchmarks measuring cold renders; tests); ``fonts``: loaded fonts too (a font file may
    have changed: ``preview --watch``)."""
    _IMAGES.clear()
    runs.clear()
    if fonts:
        font.cache_clear()


def _initials(person: Facts) -> str:
    name = person.person.name
    return initials([name.get("en") if name.has("en") else "", name.get("km")])


def _placeholder(ctx: _Ctx, w: int, h: int, p: Placeholder, letters: str) -> Image.Image:
    """The silhouette with the person's initials."""
    im = _silhouette(ctx.t, w, h, p).copy()
    preferred = "khmer" if has_khmer(letters) else "sans"
    families = sorted(ctx.t.fonts, key=lambda fam: fam != preferred)  # the usual family first, then any
    path = next((ctx.t.fonts[fam] for fam in families if not coverage.missing(letters, ctx.t.fonts[fam])), None)
    if path is None:
        raise CardError(f"template {ctx.t.name!r}: no font in fonts ({', '.join(ctx.t.fonts)}) has glyphs for the "
                        f"initials {letters!r} of a person without a photo ({coverage.describe(coverage.missing(letters, ctx.t.fonts[families[0]]))}); "
                        "add one that does, e.g. khmer: {package: fontpkg_noto_sans_khmer}")
    f = font(path, max(8, int(min(w, h) * 0.16)), 700)
    ImageDraw.Draw(im).text((w / 2, h * 0.80), letters, font=f, fill=_rgb(p.initials), anchor="mm")
    return im


def _paint_logo(canvas: Image.Image, box: tuple[int, int, int, int], spec: LogoLayer, ctx: _Ctx) -> None:
    data = ctx.card.logo
    if data is None:  # b"": a zero-byte file, which load_logo refuses by name
        return
    x, y, w, h = box
    key = ("logo", hashlib.sha256(data).hexdigest(), w, h)
    im = ctx.t.cache.get(key)
    if im is None:
        im = contain(load_logo(data, ctx.card.logo_name), (w, h))
        ctx.t.cache[key] = im
    lx = line_x(x, w, im.size[0], spec.align)
    canvas.paste(im, (int(lx), y + (h - im.size[1]) // 2), im)


def grid_layout(n: int, width: int, height: int, gap: int, label_ratio: float,
                max_columns: int | None = None) -> tuple[int, int, int, int]:
    """Columns, rows, face side and label height that make the faces as large as possible."""
    return grid_layouts(n, width, height, gap, label_ratio, max_columns)[0]


def grid_layouts(n: int, width: int, height: int, gap: int, label_ratio: float, max_columns: int | None = None,
                 more_label: bool = False) -> list[tuple[int, int, int, int]]:
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


def _labels_fit(layout: tuple[int, int, int, int], box: tuple[int, int, int, int], spec: GridLayer,
                texts: list[str], ctx: _Ctx) -> bool:
    """Whether every label (longest first) fits under a face of ``layout`` at the smallest label size."""
    assert spec.label is not None
    cols, _, side, label_h = layout
    if side < 8 or label_h <= 4:
        return False
    lbox = (0, 0, int((box[2] - spec.gap * (cols - 1)) / cols), int(label_h * 0.92))
    given = per_size(spec.label.size, ctx.size)
    lo = given if isinstance(given, int) else given[0]
    return all(f is None or f.fits for f in (_fit(t, lbox, spec.label, ctx, (lo, lo), "grid.label") for t in texts))


def _paint_grid(canvas: Image.Image, box: tuple[int, int, int, int], spec: GridLayer, ctx: _Ctx) -> None:
    x, y, w, h = box
    n = len(ctx.people)
    label_ratio = spec.label_ratio if spec.label else 0
    layouts = grid_layouts(n, w, h, spec.gap, label_ratio, spec.max_columns, more_label=spec.label is not None)
    cols, rows, side, label_h = layouts[0]
    texts = [_format(spec.label, pick_text(spec.label.text, ctx.card.language), ctx, [p]) for p in ctx.people] \
        if spec.label else []  # each person's label, formatted once
    if spec.label:
        # The largest faces under which every name fits (at the smallest label size); if no
        # layout has room, the largest faces, and the names that do not fit are reported.
        longest = sorted(set(texts), key=len, reverse=True)
        cols, rows, side, label_h = next((lay for lay in layouts if _labels_fit(lay, box, spec, longest, ctx)), layouts[0])
    if side < 8:
        raise CardError(f"template {ctx.t.name!r}: {n} people do not fit the grid box {w}x{h} ({ctx.size})")
    col_w = (w - spec.gap * (cols - 1)) / cols
    cell_h = side + label_h
    total_h = rows * cell_h + (rows - 1) * spec.gap
    top = y + (h - total_h) / 2
    # One size for every name (a grid whose labels jump in size looks careless): each label is
    # fitted no larger than the smallest size so far, which also spares most of the search.
    labels = []
    given = per_size(spec.label.size, ctx.size) if spec.label else 0
    lo, common = (given, given) if isinstance(given, int) else tuple(given)
    for i, person in enumerate(ctx.people):
        r, c = divmod(i, cols)
        in_row = min(cols, n - r * cols)
        row_w = in_row * col_w + (in_row - 1) * spec.gap
        cx = x + (w - row_w) / 2 + c * (col_w + spec.gap)
        cy = top + r * (cell_h + spec.gap)
        fx = int(round(cx + (col_w - side) / 2))
        _paint_face(canvas, (fx, int(round(cy)), side, side), person, spec, ctx)
        if spec.label and label_h > 4:
            lbox = (int(cx), int(round(cy + side + max(2, label_h * 0.08))), int(col_w), int(label_h * 0.92))
            text = texts[i]
            fitted = _fit(text, lbox, spec.label, ctx, (lo, common), "grid.label")
            if fitted is not None:
                common = min(common, fitted.size)
            labels.append((lbox, person, text, fitted))
    for lbox, person, text, fitted in labels:
        if fitted is None:
            continue
        if fitted.size != common:
            fitted = _fit(text, lbox, spec.label, ctx, (common, common), "grid.label")
            assert fitted is not None
        _draw(canvas, lbox, spec.label, text, fitted, ctx, "grid.label", person.person.id)


# --- alt text and encoding ---------------------------------------------------------------------


def alt_texts(t: Template, card: CardInput) -> dict[str, str]:
    """The alt text in every language the template gives, for this card."""
    rules = t.spec.alt if isinstance(t.spec.alt, list) else None
    texts = t.spec.alt if rules is None else next((r.text for r in rules if matches(r.when, card)), {})
    out = {}
    for lang, template_text in texts.items():  # type: ignore[union-attr]
        values = F.namespace(card.people, lang, week=card.week, campaign=card.campaign_name,
                             organisation=card.organisation, durations=card.durations, hashtags=card.hashtags)
        out[lang] = F.fill(template_text, values).strip()
    return out


def encode(canvas: Image.Image, fmt: str, max_bytes: int | None) -> tuple[bytes, int | None]:
    """Encode deterministically (no metadata); JPEG steps quality down until it fits ``max_bytes``."""
    if fmt == "png":
        buf = io.BytesIO()
        canvas.save(buf, "PNG", compress_level=6)
        data = buf.getvalue()
        if max_bytes is not None and len(data) > max_bytes:
            raise CardError(f"the PNG card is {len(data):,} bytes, over the limit of {max_bytes:,}; use JPEG")
        return data, None
    last = 0
    for q in JPEG_QUALITIES:
        buf = io.BytesIO()
        canvas.save(buf, "JPEG", quality=q, optimize=False, progressive=False, subsampling=2)
        data = buf.getvalue()
        if max_bytes is None or len(data) <= max_bytes:
            return data, q
        last = len(data)
    raise CardError(f"the card is still {last:,} bytes at JPEG quality {JPEG_QUALITIES[-1]}, over the limit "
                    f"of {max_bytes:,}; use a smaller canvas or a plainer background")


def render(template: Template, card: CardInput, size: str = "square", fmt: str = "jpeg",
           max_bytes: int | None = None, strict: bool = False, in_order: bool = False) -> Card:
    """Render ``card`` with ``template`` on the canvas ``size``; pure and deterministic.

    Text that does not fit at its minimum size is drawn anyway at that size and reported in
    ``Card.overflows`` (``strict=True``: raised as CardError naming template, person and field).
    Raises PhotoError (a CardError) for an unusable photo, CardError for a bad size, format,
    byte limit or number of people. ``in_order=True`` paints every layer in template order
    without the cached card-level base: the same card, slower (tests compare the two).
    """
    _raqm_checked()
    if size not in template.sizes:
        raise CardError(f"template {template.name!r} has no size {size!r} (it has: {', '.join(template.sizes)})")
    if fmt not in FORMATS:
        raise CardError(f"format {fmt!r} is not supported; use jpeg or png")
    if not card.people:
        raise CardError("a card needs at least one person")
    limit = template.spec.max_people
    if limit and len(card.people) > limit:
        raise CardError(f"template {template.name!r} shows at most {limit} person(s); this card features {len(card.people)}")
    fast = None if in_order else _render_fast(template, card, size)
    if fast is not None:
        canvas, ctx = fast
    else:
        ctx = _Ctx(template, card, size)
        canvas, start = _static_prefix(template, size, ctx)
        for i in range(start, len(template.spec.layers)):
            _paint(canvas, i, template.spec.layers[i], ctx)
    if strict and ctx.overflows:
        raise CardError("; ".join(str(o) for o in ctx.overflows))
    data, quality = encode(canvas, fmt, max_bytes)
    if card.language == "km":
        for f in card.people:
            for label, value in (("name", f.person.name), ("group", f.person.group), ("charge", f.charge)):
                shown = value is not None and not value.has("km") and any(value.get("en") in t for _, t in ctx.texts)
                if shown and value is not None:
                    ctx.warnings.append(f"{f.person.id} has no Khmer {label}; the Khmer card shows {value.get('en')!r}")
    return Card(image=data, format=fmt, size=canvas.size, alt=alt_texts(template, card),
                warnings=tuple(dict.fromkeys(ctx.warnings)), overflows=tuple(ctx.overflows),
                texts=tuple(ctx.texts), quality=quality)


__all__ = ["Card", "CardInput", "Overflow", "PhotoError", "render", "encode", "grid_layout", "matches"]
