"""The values a template's text and alt format strings may use: :mod:`campaign.fields`, the one
vocabulary of captions, cards and alt text, plus how a card fills them in (:func:`fill`) and
whether a layer's ``when:`` holds for a card (:func:`matches`).

``{name.km}`` is the Khmer name or nothing; bare ``{name}`` is the name in the layer's language
(falling back to English); ``{name.primary}``/``{name.secondary}`` are the name in the first of
the campaign's ``languages:`` the person has, and the name in the card's language (else the
next of the order) when it differs. Numbers written in Khmer use Khmer
digits. On a card featuring several people, person fields join every person's value
("A, B and C" / "A B និង C"), and a fact that differs between them is said with each name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..fields import LazyFields, Number, Post, lazy_namespace
from ..filling import fill
from ..vocabulary import ALIASES, PERSON_FIELDS, check, resolve, used
from ..roster import Facts
from ..types import format_date
from ..words import DurationUnit

if TYPE_CHECKING:
    from .card import CardInput
    from .template import When

__all__ = ["TEXT_FIELDS", "Number", "card_namespace", "check_format", "fill", "format_date", "matches", "namespace",
           "pick_text"]

# Fields a text or alt format string may use: the one vocabulary of captions, cards and alt text
# (campaign.fields). Text fields take a language attribute ({name.km}); bare, they are written in
# the layer's language (the card's, unless `lang:` is set).
TEXT_FIELDS = PERSON_FIELDS + tuple(a for a in ALIASES if resolve(a)[0] in PERSON_FIELDS)


def namespace(people: Sequence[Facts], lang: str, *, week: int, count: int | None = None,
              campaign: str = "", organisation: str = "", durations: DurationUnit = "years",
              hashtags: Sequence[str] = (), languages: Sequence[str] = (), url: str = "",
              campaign_names: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """Every field a format string may use, for ``people`` in the language ``lang``; time behind
    bars is said in ``durations`` (the campaign's choice: years or months); ``{name.primary}``
    follows ``languages`` (the campaign's order); ``campaign`` is its name in ``lang``, ``campaign_names``
    (Campaign.titles) in each."""
    return lazy_namespace(people, lang, Post(week=week, count=count, campaign=campaign, organisation=organisation,
                                         hashtags=tuple(hashtags), durations=durations, languages=tuple(languages),
                                         url=url, campaign_names=tuple(campaign_names)))


def card_namespace(card: CardInput, lang: str, people: Sequence[Facts] | None = None) -> dict[str, Any]:
    """Every field of ``card`` in ``lang`` for ``people`` (default: the card's): what its texts and
    its alt text say alike."""
    return namespace(card.people if people is None else people, lang, week=card.week, count=len(card.people),
                     campaign=card.campaign_name, organisation=card.organisation, durations=card.durations,
                     hashtags=card.hashtags, languages=card.languages, url=card.url,
                     campaign_names=card.campaign_names)


def texts_of(spec: Any) -> list[tuple[tuple[Any, ...], str | dict[str, str]]]:
    """Every text of a template (a TemplateSpec) with where it is: text and badge layers, grid
    labels, alt texts; each a format string or one per language."""
    out: list[tuple[tuple[Any, ...], str | dict[str, str]]] = []
    for i, layer in enumerate(spec.layers):
        inner = layer.spec
        if layer.kind in ("text", "badge"):
            out.append((("layers", i, layer.kind, "text"), inner.text))
        elif layer.kind == "grid" and inner.label is not None:
            out.append((("layers", i, "grid", "label", "text"), inner.label.text))
        elif layer.kind == "flow":
            out.extend((("layers", i, "flow", "layers", j, "text", "text"), e.text.text) for j, e in enumerate(inner.layers))
    if isinstance(spec.alt, dict):
        out.append((("alt",), spec.alt))
    else:
        out.extend((("alt", i, "text"), rule.text) for i, rule in enumerate(spec.alt))
    return out


def check_format(text: str) -> str | None:
    """None if ``text`` is a usable card/alt format string, else its first problem
    (:func:`campaign.vocabulary.check` gives them all)."""
    problems = check(text)
    return problems[0] if problems else None


def fields_used(spec: Any) -> set[str]:
    """The fields (not aliases: ``days`` counts as ``days_detained``) any text of a template uses."""
    found: set[str] = set()
    for _, text in texts_of(spec):
        for one in (text.values() if isinstance(text, dict) else [text]):
            found.update(resolve(name)[0] for name in used(one))
    return found


def pick_text(text: str | dict[str, str], lang: str) -> str:
    """A layer's text for the card language: ``{en: .., km: ..}`` or one string for all."""
    if isinstance(text, str):
        return text
    for key in (lang, "*", "en"):
        if key in text:
            return text[key]
    return next(iter(text.values()))


def _fields_of(f: Facts, card: CardInput, known: dict[int, tuple[Facts, LazyFields]] | None) -> LazyFields:
    """One person's fields on ``card`` (in its language), made when first asked for, once a card
    where ``known`` keeps them (the facts kept beside, so that their id names them while it lasts)."""
    hit = known.get(id(f)) if known is not None else None
    if hit is not None:
        return hit[1]
    values = lazy_namespace([f], card.language, Post(week=card.week, durations=card.durations))
    if known is not None:
        known[id(f)] = (f, values)
    return values


def matches(when: When | None, card: CardInput, people: Sequence[Facts] | None = None,
            size: str | None = None, known: dict[int, tuple[Facts, LazyFields]] | None = None) -> bool:
    """Whether a layer's ``when:`` holds for this card (on the canvas ``size``; None: any canvas).
    ``known``: each person's fields made so far for this card (a canvas's), by the facts' id."""
    if when is None:
        return True
    if when.size is not None and size is not None and size not in when.size:
        return False
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
            values = _fields_of(f, card, known)
            if any(bool(format(values[n], "")) != want for n in names):
                return False
    if when.has_photo is not None:
        has = len(people) == 1 and card.photos.get(people[0].person.id) is not None
        if has != when.has_photo:
            return False
    return True
