"""The one canvas painters draw on, with every render cache behind it. Pure.

Painters (:mod:`.paint`, :mod:`.text`, :mod:`.faces`, :mod:`.grid`) draw on :attr:`Canvas.image`
and ask the canvas for what they would otherwise make again: :meth:`Canvas.kept` (masks,
backgrounds, logos: once per template), :meth:`Canvas.by_content` (a decoded photo: once per
photo's content), and :meth:`Canvas.blend` (what they paint in a box, which the canvas may take
from its cache already blended onto the base). They never know which path a card takes:

* The leading layers that do not depend on the people (backgrounds, unconditional shapes, fixed
  labels) are painted once per canvas size and language and cached on the Template.
* Every card-level layer (no person's field in it; ``{campaign.name}``, ``{week}`` allowed) is
  painted once per size, language, post and ``when`` outcome into a cached base, and the
  person's layers are painted onto a copy of it, unless something they paint overlaps a
  card-level layer painted after them (then every layer is painted in order).
* Where a person's layer lands on that base untouched, what it paints there is cached already
  blended onto the base: a photo masked and ringed (by the photo's content), a placeholder (by
  the initials), lines of text (by the exact strings and where they go).
* :func:`~.render.render`, which only encodes the pixels, has them painted on the cached base
  itself rather than on a copy of it (``borrow``), and the base is restored after: each area
  painted is pasted back from the base's own pixels there (kept per area), which costs a fraction
  of copying the whole canvas. Only painting through :meth:`Canvas.blend` can be restored so; a
  template whose person's layers paint otherwise (a shape, a logo, stroked text) is painted on a
  copy from then on. One card at a time paints on a base (a lock): a card in another thread
  meanwhile waits to copy it.

Facts are never cached: every call formats its text afresh from the facts of its day, and every
cache is keyed by content, so none can go stale; a warm card is the same bytes as a cold one.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from PIL import Image

from ..roster import Facts
from . import fields as F
from . import runs
from .cacheable import is_card_level, is_static
from .card import CardInput, Overflow
from .layout import font
from .lru import LRU, forget_digests, image_bytes
from .paint import paint_layer
from .template import Template

Rect = tuple[int, int, int, int]  # left, top, right, bottom
V = TypeVar("V")
N = TypeVar("N")

IMAGE_CACHE_BYTES = 128 * 1024 * 1024  # decoded faces; faces, placeholders and text blended onto a base
_IMAGES: LRU[tuple[Image.Image, Any]] = LRU(IMAGE_CACHE_BYTES)
BASE_CACHE_SIZE = 32  # card-level bases per template (sizes x languages x weeks x when outcomes)
_EVERYWHERE: Rect = (-1 << 30, -1 << 30, 1 << 30, 1 << 30)


# Bumped in a child process just forked: a base inherited from the parent may have been painted on
# (and its lock held) by another of the parent's threads at that moment, so the child makes its own.
_FORKS = [0]
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _FORKS.__setitem__(0, _FORKS[0] + 1))


class _NeedsCopy(BaseException):
    """A painter asked for the image outside :meth:`Canvas.blend` while the card was painted on the
    shared base: what it paints could not be restored, so the card is painted on a copy. A
    BaseException, so that no painter's ``except Exception`` can swallow it."""


def overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _put(target: Image.Image, pixels: Image.Image, area: Rect) -> None:
    """``target.paste(pixels, area[:2])`` where ``pixels`` is ``area``'s size, both RGB images in
    memory (a card's, a crop of one): Pillow's own checks skipped, a dozen times a card."""
    target.im.paste(pixels.im, (area[0], area[1], area[0] + pixels.size[0], area[1] + pixels.size[1]))


def _grow(r: Rect, by: int) -> Rect:
    return (r[0] - by, r[1] - by, r[2] + by, r[3] + by)


class Canvas:
    """One card being painted: its image, what was drawn on it (texts, overflows, warnings), and
    the caches painters use without knowing them."""

    def __init__(self, template: Template, card: CardInput, size: str, image: Image.Image | None = None):
        self.t, self.card, self.size = template, card, size
        self.people = card.people
        self._image = image  # None: black, made when first painted on (or an opaque background becomes it)
        self.overflows: list[Overflow] = []
        self.warnings: list[str] = []
        self.texts: list[tuple[str, str]] = []
        self.boxes: list[tuple[str, Rect]] = []  # (layer id, x, y, width, height) of each text block set
        # While the card-level base is made or used: rectangles painted by the current layer
        # (None: not tracked), those painted by earlier person-dependent layers, the base's key.
        self._rects: list[Rect] | None = None
        self._dirty: list[Rect] = []
        self._base_key: tuple[Any, ...] | None = None
        self._values: dict[str, dict[str, Any]] = {}
        self.known: dict[int, Any] = {}  # each person's fields for ``when:`` rules (fields.matches)
        # While painted on the shared base (borrowed): each area painted and its pixels before, and the lock held.
        self._undo: list[tuple[Rect, Image.Image]] | None = None
        self._lock: threading.Lock | None = None

    def person_id(self) -> str:
        return self.people[0].person.id if len(self.people) == 1 else ""

    def values(self, lang: str, people: Sequence[Facts] | None = None) -> dict[str, Any]:
        """The format fields for ``people`` (default: the card's), built once per language for the card's."""
        if people is None and lang in self._values:
            return self._values[lang]
        out = F.card_namespace(self.card, lang, people)
        if people is None:
            self._values[lang] = out
        return out

    # --- what painters ask of the canvas ---------------------------------------------------------

    @property
    def image(self) -> Image.Image:
        if self._undo is not None:
            raise _NeedsCopy()
        if self._image is None:
            self._image = Image.new("RGB", self.t.sizes[self.size], (0, 0, 0))
        return self._image

    @image.setter
    def image(self, image: Image.Image) -> None:
        self._image = image

    @property
    def unpainted(self) -> bool:
        """Nothing painted yet and no image given: an opaque background may become the image itself
        (one full-size image fewer to make and fill, which a fresh process pays for page by page)."""
        return self._image is None

    @property
    def tracking(self) -> bool:
        """Whether :meth:`mark` is listening (worth measuring what a layer paints)."""
        return self._rects is not None

    def mark(self, *rects: Rect) -> None:
        """Note that the layer being painted paints (a little around) ``rects``."""
        if self._rects is not None:
            self._rects.extend(_grow(r, 2) for r in rects)

    def mark_everywhere(self) -> None:
        """Note that the layer being painted covers the whole canvas."""
        if self._rects is not None:
            self._rects.append(_EVERYWHERE)

    def kept(self, key: tuple[Any, ...], make: Callable[[], V]) -> V:
        """What ``make()`` returns, made once per template and ``key`` (masks, backgrounds, logos)."""
        hit = self.t.cache.get(key)
        if hit is None:
            hit = make()
            self.t.cache[key] = hit
        return hit  # type: ignore[no-any-return]

    @staticmethod
    def by_content(key: tuple[Any, ...], make: Callable[[], tuple[Image.Image, N]]) -> tuple[Image.Image, N]:
        """What ``make()`` returns (an image and a note about it), made once per ``key`` (a hash of
        the content it is made from) in any template; kept in the cards' image cache, bounded by bytes."""
        hit = _IMAGES.get(key)
        if hit is not None:
            return hit
        made = make()
        _IMAGES.put(key, made, image_bytes(made[0]))
        return made

    def blend(self, area: Rect, what: tuple[Any, ...], paint: Callable[[Image.Image, tuple[int, int]], None]) -> None:
        """Have ``paint`` paint ``area`` (it is given an image and where ``area``'s top left is on it).

        Where the area lies on the cached base untouched by the card's own layers, it is painted
        once per template, base and ``what`` (a key of everything it shows), blended onto the
        base, and pasted from the cache: the same pixels. The whole area counts, not only where
        ``paint`` draws: the composite is pasted as one rectangle (tests/test_card_speed.py)."""
        image = self._image if self._undo is not None else self.image
        assert image is not None
        if self._undo is not None:
            self._undo.append((area, self._before(image, area)))
        if self._base_key is None or any(overlap(area, s) for s in self._dirty):
            paint(image, (area[0], area[1]))
            return
        key = (what[0], self.t.cache.setdefault("token", object()), self._base_key, *what[1:])
        hit = _IMAGES.get(key)
        if hit is not None:
            _put(image, hit[0], area)
            return
        paint(image, (area[0], area[1]))  # painted in place, then kept: one copy, not two
        done = image.crop(area)
        _IMAGES.put(key, (done, None), image_bytes(done))

    def _before(self, image: Image.Image, area: Rect) -> Image.Image:
        """The pixels of ``area`` on the borrowed base before this card paints it: the base's own
        (kept per base and area) unless this card already painted some of it."""
        assert self._undo is not None
        if any(overlap(area, a) for a, _ in self._undo):
            return image.crop(area)
        key = ("base pixels", self.t.cache.setdefault("token", object()), self._base_key, area)
        hit = _IMAGES.get(key)
        if hit is None:
            hit = _IMAGES.put(key, (image.crop(area), None), (area[2] - area[0]) * (area[3] - area[1]) * 4)
        return hit[0]

    def pixels(self) -> Image.Image:
        """The card's pixels (on a borrowed base, good until :meth:`restore`)."""
        return self._image if self._undo is not None and self._image is not None else self.image

    def restore(self) -> None:
        """Give back a borrowed base as it was (every area painted pasted back, last first); else nothing."""
        if self._undo is None:
            return
        assert self._image is not None and self._lock is not None
        undo, self._undo = self._undo, None
        try:
            for area, before in reversed(undo):
                _put(self._image, before, area)
        finally:
            self._image = None
            self._lock.release()


def clear_caches(fonts: bool = False) -> None:
    """Forget cached faces, faces composited onto backgrounds and set or rasterised text
    (benchmarks measuring cold renders; tests); ``fonts``: loaded fonts too (a font file may
    have changed: ``preview --watch``)."""
    _IMAGES.clear()
    forget_digests()
    runs.clear()
    if fonts:
        font.cache_clear()


# --- the two paths -----------------------------------------------------------------------------

def paint_card(t: Template, card: CardInput, size: str, in_order: bool = False, borrow: bool = False) -> Canvas:
    """Every layer of ``t`` painted: onto the cached card-level base where the order
    allows (unless ``in_order``), else in order after the cached static prefix.

    ``borrow``: painted on the cached base itself where it can be; the caller reads
    :meth:`Canvas.pixels` and must call :meth:`Canvas.restore` after (in a ``finally``)."""
    fast = None if in_order else _render_fast(t, card, size, borrow)
    if fast is not None:
        return fast
    canvas, start = _static_prefix(t, card, size)
    for i in range(start, len(t.spec.layers)):
        paint_layer(canvas, i, t.spec.layers[i])
    return canvas


def _static_prefix(t: Template, card: CardInput, size: str) -> tuple[Canvas, int]:
    """A canvas with the leading static layers painted (cached), and where painting resumes."""
    layers = t.spec.layers
    n = 0
    while n < len(layers) and is_static(layers[n]):
        n += 1
    key = ("prefix", size, card.language if any(layers[i].kind in ("text", "badge") or
                                                getattr(layers[i].spec, "when", None) for i in range(n)) else "")
    cached = t.cache.get(key)
    if cached is None:
        probe = Canvas(t, card, size)
        for i in range(n):
            paint_layer(probe, i, layers[i])
        cached = (probe.image, probe.texts, probe.overflows, probe.boxes)
        t.cache[key] = cached
    image, texts, overflows, boxes = cached
    canvas = Canvas(t, card, size, image.copy())
    canvas.texts.extend(texts)
    canvas.boxes.extend(boxes)
    canvas.overflows.extend(overflows)
    return canvas, n


def _base(t: Template, size: str, card: CardInput) -> tuple[tuple[Any, ...], Image.Image, dict[int, Any], threading.Lock] | None:
    """Every card-level layer painted in order, skipping the person's (cached per key: size,
    language, campaign, week, organisation, number of people and each such layer's ``when``).

    Returns the key, the image, per painted layer (texts, overflows, rectangles it covers) and
    the lock a card painting on the image itself holds, or None when the template has no
    card-level layer after a person's.
    """
    layers = t.spec.layers
    static = t.cache.get("static layers")
    if static is None:
        static = frozenset(i for i, layer in enumerate(layers) if is_card_level(layer))
        t.cache["static layers"] = static
    if not static or static == frozenset(range(len(static))):
        return None  # nothing to gain over the static prefix
    order = sorted(static)
    outcomes = tuple(F.matches(getattr(layers[i].spec, "when", None), card, size=size) for i in order)
    key = ("base", size, card.language, card.campaign_name, card.campaign_names, card.week, card.organisation,
           len(card.people), card.url, outcomes)
    bases: OrderedDict[Any, Any] = t.cache.setdefault("bases", OrderedDict())
    hit = bases.get(key)
    if hit is not None and hit[3] != _FORKS[0]:
        hit = None  # made before this process was forked: made again here
    if hit is None:
        image: Image.Image | None = None  # until the first layer paints (an opaque background may become it)
        painted = {}
        for i, on in zip(order, outcomes):
            if not on:
                continue
            probe = Canvas(t, card, size, image)
            probe._rects = []
            paint_layer(probe, i, layers[i])
            image = probe.image
            painted[i] = (tuple(probe.texts), tuple(probe.overflows), tuple(probe._rects), tuple(probe.boxes))
        hit = (image if image is not None else Image.new("RGB", t.sizes[size], (0, 0, 0)), painted, threading.Lock(),
               _FORKS[0])
        bases[key] = hit
        while len(bases) > BASE_CACHE_SIZE:
            bases.popitem(last=False)
    else:
        bases.move_to_end(key)
    return key, hit[0], hit[1], hit[2]


def _render_fast(t: Template, card: CardInput, size: str, borrow: bool = False) -> Canvas | None:
    """Paint the person's layers onto a copy of the cached card-level base (``borrow``: onto the
    base itself where it can be, see the module's docstring). None if something a person's layer
    painted overlaps a card-level layer painted after it in the template (the order would
    matter): the caller then paints every layer in order."""
    based = _base(t, size, card)
    if based is None:
        return None
    key, base, painted, lock = based
    if borrow and "paints outside blend" not in t.cache and lock.acquire(blocking=False):
        canvas = Canvas(t, card, size, base)
        canvas._undo, canvas._lock = [], lock
        try:
            return _person_layers(t, canvas, key, painted)
        except _NeedsCopy:  # (the base is restored already)
            t.cache["paints outside blend"] = True  # from now on painted on a copy
    with lock:  # not while a card is painted on it
        image = base.copy()
    return _person_layers(t, Canvas(t, card, size, image), key, painted)


def _person_layers(t: Template, canvas: Canvas, key: tuple[Any, ...], painted: dict[int, Any]) -> Canvas | None:
    """:func:`_render_fast`'s painting on ``canvas`` (the base or a copy of it); a borrowed base is
    restored before anything but a finished canvas leaves here."""
    canvas._base_key = key
    static = t.cache["static layers"]
    later = [(i, r) for i, (_, _, rects, _) in painted.items() for r in rects]
    person = canvas.person_id()
    try:
        for i, layer in enumerate(t.spec.layers):
            if i in painted:
                texts, overflows, _, boxes = painted[i]
                canvas.texts.extend(texts)
                canvas.boxes.extend(boxes)
                canvas.overflows.extend(dataclasses.replace(o, person=person) for o in overflows)
                continue
            if i in static:
                continue  # its when: does not hold for this card
            canvas._rects = []
            paint_layer(canvas, i, layer)
            mine = [r for r in canvas._rects if r[0] < r[2] and r[1] < r[3]]
            after = [s for j, s in later if j > i]  # what card-level layers painted after it cover
            if after and any(overlap(r, s) for s in after for r in mine):
                canvas.restore()
                return None
            canvas._dirty.extend(mine)
    except BaseException:
        canvas.restore()
        raise
    canvas._rects = None
    return canvas


__all__ = ["BASE_CACHE_SIZE", "IMAGE_CACHE_BYTES", "Canvas", "clear_caches", "overlap", "paint_card"]
