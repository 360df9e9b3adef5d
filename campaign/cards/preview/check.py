"""``campaign template check``'s sample cards: the sample people (typical, longest name,
Khmer-only, released; two people and a crowd when the template shows several) on every canvas
of a template, in every card language, and the overflows they show."""

from __future__ import annotations

from collections.abc import Iterator

from ...roster import Facts
from ..card import CardInput, Overflow
from ...errors import CardError
from ..lint import CARD_LANGUAGES
from ..render import render
from ..samples import crowd, sample_facts, sample_people
from ..template import Template

CROWD = 60  # the most people a sample card features


def _cases(t: Template) -> list[tuple[str, tuple[Facts, ...]]]:
    people = sample_facts()
    limit = t.spec.max_people or CROWD
    cases: list[tuple[str, tuple[Facts, ...]]] = [(f.person.id, (f,)) for f in people]
    if limit > 1:
        n = min(limit, CROWD)
        cases += [("two people", tuple(people[:2])), (f"{n} people", crowd(sample_people()[:3], n, people[0].on))]
    return cases


def sample_overflows(t: Template) -> Iterator[tuple[str, Overflow]]:
    """Each distinct overflow (canvas, language, field, text) on the sample cards, with the
    card's language, as it is found. Raises CardError naming the canvas, language and case of a
    sample card that cannot be made."""
    seen: set[tuple[str, str, str, str]] = set()
    cases = _cases(t)
    for size in t.sizes:
        for lang in CARD_LANGUAGES:
            for label, group in cases:
                kind = "released" if all(not f.held for f in group) else "weekly"
                try:
                    card = render(t, CardInput(people=group, photos={}, language=lang, kind=kind, week=6,
                                               campaign_name="Release Human Rights Defenders",
                                               organisation="Sample Organisation"), size=size)
                except CardError as exc:
                    raise CardError(f"{t.name}: {size}/{lang}/{label}: {exc}") from exc
                for o in card.overflows:
                    key = (o.size, lang, o.field, o.text)
                    if key not in seen:
                        seen.add(key)
                        yield lang, o


__all__ = ["sample_overflows"]
