"""Render a card: (template, facts as of a date, size) -> image bytes, alt text, warnings. Pure.

The layers are painted in order on a :class:`~.canvas.Canvas` (which takes what it can from its
caches, never anything about the facts: a warm card is the same bytes as a cold one), the
result encoded (:mod:`.encode`), the alt text filled (:mod:`.alt`). Output is deterministic.
"""

from __future__ import annotations

import functools

from .alt import alt_texts
from .canvas import Canvas, paint_card
from .card import Card, CardInput
from .encode import FORMATS, encode
from ..errors import CardError
from .layout import require_raqm
from .template import Template


@functools.lru_cache(maxsize=1)
def _raqm_checked() -> bool:
    require_raqm()
    return True


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
    canvas = paint_card(template, card, size, in_order, borrow=True)
    try:
        if strict and canvas.overflows:
            raise CardError("; ".join(str(o) for o in canvas.overflows))
        pixels = canvas.pixels()
        data, quality = encode(pixels, fmt, max_bytes)
    finally:
        canvas.restore()  # (painted on the cached base itself: given back as it was)
    return Card(image=data, format=fmt, size=pixels.size, alt=alt_texts(template, card, canvas.values, canvas.known),
                warnings=tuple(dict.fromkeys(canvas.warnings + _untranslated(canvas))),
                overflows=tuple(canvas.overflows), texts=tuple(canvas.texts), quality=quality,
                boxes=tuple(canvas.boxes))


def _untranslated(canvas: Canvas) -> list[str]:
    """On a Khmer card, each person's name, group or charge shown in English for want of Khmer."""
    if canvas.card.language != "km":
        return []
    out = []
    for f in canvas.people:
        for label, value in (("name", f.person.name), ("group", f.person.group), ("charge", f.charge)):
            shown = value is not None and not value.has("km") and any(value.get("en") in t for _, t in canvas.texts)
            if shown and value is not None:
                out.append(f"{f.person.id} has no Khmer {label}; the Khmer card shows {value.get('en')!r}")
    return out


__all__ = ["render"]
