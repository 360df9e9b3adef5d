"""On a person's arrest day, time behind bars is no count of zero days ("behind bars for 0 days"),
in any language the project writes, on a card, in its alt text and in a caption: it is "less than
a day" (a phrase that reads true after "behind bars for", "Time behind bars:", "held for"); the
next day it is a count again ("1 day")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from campaign.cards import Template, render
from campaign.fields import Post, namespace
from campaign.roster import Person, facts
from campaign.words import LANGUAGES, count, words

from .cards_fixtures import card_input, portrait, templates  # noqa: F401 - fixtures

ARRESTED = date(2021, 8, 13)


def _person(*events: dict[str, str]) -> Person:
    return Person.model_validate({"id": "p", "name": {"en": "Ales P", "km": "អាឡេស", "be": "Алесь П", "fr": "Alès P"},
                                  "events": [{"date": ARRESTED.isoformat(), "type": "arrested"}, *events]})


def _no_count(text: str, lang: str) -> bool:
    return bool(text) and not any(d in text for d in words(lang).digits + "0123456789")


@pytest.mark.parametrize("unit", ["years", "months"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_time_behind_bars_on_the_arrest_day_is_less_than_a_day_and_a_count_the_next(lang: str, unit: str) -> None:
    on_the_day = facts(_person(), ARRESTED)
    said = on_the_day.detained_text(lang, unit)
    assert _no_count(said, lang) and said == words(lang).under_a_day, said
    assert on_the_day.detention_text(lang, unit) == said
    assert facts(_person(), ARRESTED + timedelta(days=1)).detained_text(lang, unit) == count(1, "day", lang)
    # released the day of the arrest: the time it lasted, said the same way
    freed = facts(_person({"date": ARRESTED.isoformat(), "type": "released"}), ARRESTED + timedelta(days=30))
    assert freed.detained_text(lang, unit) == said
    # the fields every caption, card text and alt text is filled from
    values = namespace((on_the_day,), lang, Post(week=1, durations=unit))  # type: ignore[arg-type]
    for name in ("detained", "duration"):
        assert format(values[name]) == said
        for other in LANGUAGES:
            assert format(getattr(values[name], other)) == words(other).under_a_day


@pytest.mark.parametrize("lang", ["en", "km"])
def test_a_card_on_the_arrest_day_says_less_than_a_day(portrait: Template, lang: str) -> None:  # noqa: F811
    card = render(portrait, card_input((facts(_person(), ARRESTED),), lang))
    texts = dict(card.texts)
    assert texts["time behind bars"] == words(lang).under_a_day
    assert not any(zero in card.alt[lang] for zero in ("0 day", "០ ថ្ងៃ"))
    assert words(lang).under_a_day in card.alt[lang]
