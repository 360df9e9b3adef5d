"""A release post's card says the release: its texts and its alt text in every language, as the card
picks them for the people freed (by ``when:`` and language). A template written for weekly cards and
named as ``released_template`` would show a freed person's time behind bars with nothing to say it
ended, and describe them to people who cannot see the card as "behind bars": refused before anything
is queued, at the template's line.

A text says the release in its own words ("released", "freed": the words :mod:`.caption_facts`
reads a caption for) or through a field that states it as of the day (``{status}``,
``{released_on}``). Only the words the designer wrote are read, never a fact's value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..cards import fields as F
from ..cards.card import card_input
from ..plan import RELEASED, Slot
from ..roster import facts
from ..sources import Problem
from ..vocabulary import resolve, used
from .caption_facts import claims_in
from .glyphs import card_texts

if TYPE_CHECKING:
    from ..cards import Template
    from ..definition import CampaignFolder

SAYING_FIELDS = ("status", "released_on")  # fields whose value, on a release post's day, says the release


def says_release(template_text: str, lang: str) -> bool:
    """Whether ``template_text`` (as written, fields unfilled) states a release in ``lang``."""
    return (any(key == "released" for key, _ in claims_in(template_text, lang))
            or any(resolve(written)[0] in SAYING_FIELDS for written in used(template_text)))


def release_card_problems(folder: CampaignFolder, templates: Mapping[str, Template],
                          slots: Sequence[Slot]) -> list[Problem]:
    """One problem per template, language and part (the card, the alt text in a language) of a planned
    release post that says nothing of the release."""
    c = folder.campaign
    people = folder.roster.by_id()
    found: dict[tuple[str, ...], Problem] = {}
    seen: set[tuple[object, ...]] = set()
    for slot in slots:
        t = templates.get(slot.template)
        key = (slot.template, slot.language, slot.people)  # partner accounts of a language: the same card
        if slot.kind != RELEASED or t is None or key in seen or any(pid not in people for pid in slot.people):
            continue
        seen.add(key)
        group = tuple(facts(people[pid], slot.date) for pid in slot.people)
        card = card_input(c, c.account(slot.account), group, kind=slot.kind, week=slot.week, photos={}, logo=None)
        who = f"{slot.people[0]} (released on {group[0].released_on}; first {slot.id})"
        fix = ("add a text with `when: {status: released}` that says so, e.g. \"Freed on {released_on}\", or use "
               "the shipped 'released' template (released_template in campaign.yaml)")
        texts = list(card_texts(t, card))
        if not any(says_release(raw, slot.language) for _, _, raw, _, _ in texts):
            shown = "; ".join(filled for _, _, _, filled, _ in texts if filled)[:160]
            found.setdefault((t.name, slot.language, "card"), t.source.problem(
                ("layers",), f"template {t.name!r} draws the release post of {who} in {slot.language}, but no "
                f"text on the card says the release (it shows: {shown!r}); {fix}"))
        rules = t.spec.alt if isinstance(t.spec.alt, list) else None
        if rules is None:
            chosen, at = t.spec.alt, ("alt",)
        else:
            index = next((i for i, r in enumerate(rules) if F.matches(r.when, card)), None)
            chosen, at = (rules[index].text, ("alt", index, "text")) if index is not None else ({}, ("alt",))
        for lang, text in chosen.items():  # type: ignore[union-attr]
            if not says_release(text, lang):
                found.setdefault((t.name, lang, "alt"), t.source.problem(
                    (*at, lang), f"the alt text in {lang} of template {t.name!r} for the release post of {who} says "
                    f"nothing of the release: {text!r}; put an alt rule with `when: {{status: released}}` first "
                    f"that says it, e.g. \"{{name}}, freed on {{released_on}} after {{detained}} in detention\""))
    return list(found.values())


__all__ = ["SAYING_FIELDS", "release_card_problems", "says_release"]
