"""``campaign template check``'s sample cards: the sample people (typical, longest name,
Khmer-only, released; long Cyrillic, Thai and Burmese names, each the first name; two people and a
crowd when the template shows several) on every canvas
of a template, in English, Khmer and every other language the template writes a text in, with
a sample campaign's hashtags and page (so ``{hashtags}``, ``{url}`` and qr layers are drawn); the
overflows they show, the contrast of their text against what is under it, and the cards
themselves for ``--out``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ...roster import Facts, facts
from ..card import Card, CardInput, Overflow
from ...errors import CardError
from ..contrast import Contrast, contrast_problems
from ..lint import sample_languages
from ..render import render
from ..samples import crowd, other_script_people, sample_facts, sample_people
from ..template import Template

CROWD = 60  # the most people a sample card features
SAMPLE_HASHTAGS = ("#FreeThemAll", "#StandWithHRDs")  # a sample campaign's, for {hashtags}
SAMPLE_URL = "https://example.org/free-them-all"  # a sample campaign's page, for {url} and qr layers


@dataclass(frozen=True)
class Sample:
    """One sample card: its canvas, language, case and input, and the card rendered."""

    size: str
    language: str
    label: str
    card: CardInput
    rendered: Card

    @property
    def file(self) -> str:
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in self.label)
        return f"{safe}_{self.language}_{self.size}.jpg"


Case = tuple[str, tuple[Facts, ...], tuple[str, ...]]  # label, people, the language order of their names


def _cases(t: Template) -> list[Case]:
    people = sample_facts()
    limit = t.spec.max_people or CROWD
    cases: list[Case] = [(f.person.id, (f,), ()) for f in people]
    # a roster's Cyrillic, Thai or Burmese name as the first name (languages: [th, en]), in its font
    cases += [(p.id, (facts(p, people[0].on),), (lang,)) for lang, p in other_script_people()]
    if limit > 1:
        n = min(limit, CROWD)
        cases += [("two people", tuple(people[:2]), ()), (f"{n} people", crowd(sample_people()[:3], n, people[0].on), ())]
    return cases


def sample_inputs(t: Template) -> Iterator[tuple[str, str, str, CardInput]]:
    """(canvas, language, case, card input) of every sample card of ``t``."""
    cases = _cases(t)
    langs = sample_languages(t)
    for size in t.sizes:
        for lang in langs:
            for label, group, order in cases:
                kind = "released" if all(not f.held for f in group) else "weekly"
                yield size, lang, label, CardInput(people=group, photos={}, language=lang, kind=kind, week=6,
                                                   campaign_name="Release Human Rights Defenders",
                                                   organisation="Sample Organisation",
                                                   hashtags=SAMPLE_HASHTAGS, url=SAMPLE_URL,
                                                   languages=(*order, lang) if order else ())


def sample_cards(t: Template) -> Iterator[Sample]:
    """Every sample card of ``t``, rendered. Raises CardError naming the canvas, language and case
    of a sample card that cannot be made."""
    for size, lang, label, card in sample_inputs(t):
        try:
            rendered = render(t, card, size=size)
        except CardError as exc:
            raise CardError(f"{t.name}: {size}/{lang}/{label}: {exc}") from exc
        yield Sample(size, lang, label, card, rendered)


def sample_overflows(t: Template, samples: Iterator[Sample] | None = None) -> Iterator[tuple[str, Overflow]]:
    """Each distinct overflow (canvas, language, field, text) on the sample cards (default: rendered
    here), with the card's language, as it is found. Raises CardError as :func:`sample_cards`."""
    seen: set[tuple[str, str, str, str]] = set()
    for s in samples if samples is not None else sample_cards(t):
        for o in s.rendered.overflows:
            key = (o.size, s.language, o.field, o.text)
            if key not in seen:
                seen.add(key)
                yield s.language, o


def sample_contrasts(t: Template) -> list[Contrast]:
    """Text below WCAG AA contrast on the sample cards (a crowd adds nothing a pair does not show):
    the worst figure of each layer on each canvas."""
    return contrast_problems(t, ((size, card) for size, _, label, card in sample_inputs(t)
                                 if len(card.people) <= 2))


__all__ = ["Sample", "sample_cards", "sample_contrasts", "sample_inputs", "sample_languages", "sample_overflows"]
