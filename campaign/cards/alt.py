"""A card's alt text: the template's ``alt`` (one text per language, or rules whose first matching
``when:`` wins), filled from the people's facts as of the card's date. Pure."""

from __future__ import annotations

from . import fields as F
from .card import CardInput
from .template import Template


def alt_texts(t: Template, card: CardInput) -> dict[str, str]:
    """The alt text in every language the template gives, for this card."""
    rules = t.spec.alt if isinstance(t.spec.alt, list) else None
    texts = t.spec.alt if rules is None else next((r.text for r in rules if F.matches(r.when, card)), {})
    out = {}
    for lang, template_text in texts.items():  # type: ignore[union-attr]
        values = F.namespace(card.people, lang, week=card.week, campaign=card.campaign_name,
                             organisation=card.organisation, durations=card.durations, hashtags=card.hashtags)
        out[lang] = F.fill(template_text, values).strip()
    return out


__all__ = ["alt_texts"]
