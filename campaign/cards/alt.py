"""A card's alt text: the template's ``alt`` (one text per language, or rules whose first matching
``when:`` wins), filled from the people's facts as of the card's date. Pure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import fields as F
from .card import CardInput
from .template import Template


def alt_texts(t: Template, card: CardInput, values: Callable[[str], dict[str, Any]] | None = None,
              known: dict[int, Any] | None = None) -> dict[str, str]:
    """The alt text in every language the template gives, for this card: filled from the fields
    its texts are (``values``: those of a language, already built for the card's texts;
    ``known``: the people's fields its rules ask of, as :func:`fields.matches` keeps them)."""
    rules = t.spec.alt if isinstance(t.spec.alt, list) else None
    texts = t.spec.alt if rules is None else next((r.text for r in rules if F.matches(r.when, card, known=known)), {})
    fields = values or (lambda lang: F.card_namespace(card, lang))
    return {lang: F.fill(template_text, fields(lang)).strip()
            for lang, template_text in texts.items()}  # type: ignore[union-attr]


__all__ = ["alt_texts"]
