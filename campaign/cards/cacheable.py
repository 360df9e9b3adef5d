"""Which layers of a template the canvas may cache, and how widely. Pure.

A *static* layer's pixels depend only on the canvas size and the card's language (a background,
a shape, a fixed label): painted once per size and language. A *card-level* layer's depend on the
post too (the campaign, the week, the number of people) but never on a person's facts: painted
once per post into the cached base the person's layers go on (:mod:`.canvas`).
"""

from __future__ import annotations

import re
import string

from .template import Layer

# Format fields that belong to the post, not to anyone on it: text using only these is card-level.
CARD_FIELDS = frozenset({"campaign", "week", "count", "organisation"})


def is_static(layer: Layer) -> bool:
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


def is_card_level(layer: Layer) -> bool:
    """A layer whose pixels depend on the canvas size, language and post (campaign, week,
    number of people), never on a person's facts; its ``when`` may (its outcome is part of the key)."""
    if layer.kind in ("background", "shape", "qr"):  # a QR code shows the campaign's page
        return True
    if layer.kind not in ("text", "badge"):
        return False
    spec = layer.spec
    texts = spec.text.values() if isinstance(spec.text, dict) else [spec.text]
    for t in texts:
        for _, name, _, _ in string.Formatter().parse(t):
            if name is not None and re.split(r"[.\[]", name, maxsplit=1)[0] not in CARD_FIELDS:
                return False
    return True


__all__ = ["CARD_FIELDS", "is_card_level", "is_static"]
