"""Rules of the words table that hold for every language, present and to come: each unit has a
form for every plural category its language's rule gives; Belarusian's "few" is CLDR's (2-4 after
any hundreds, but never 12-14); an unknown language's error names what the project can write;
durations given in months are said in months unless years are asked for."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign import words as W
from campaign.roster import human_span
from campaign.words import LANGUAGES, UnknownLanguage, count, words


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_unit_has_a_form_for_every_plural_category(lang: str) -> None:
    """A unit declares one form per plural category of its language, in the rule's order: the rule
    never asks for a form the language did not declare, and no declared form goes unused (English:
    two forms, Khmer: one, Belarusian: three; French "mois" is written twice, as both its forms)."""
    w = words(lang)
    categories = {w.plural(n) for n in range(0, 1000)}
    for unit in ("year", "month", "day"):
        assert categories == set(range(len(getattr(w, unit)))), (lang, unit, categories)


@given(st.integers(0, 10_000))
def test_belarusian_few_is_2_to_4_after_the_tens_except_12_to_14(n: int) -> None:
    tens, units = n % 100, n % 10
    expected = ("год" if units == 1 and tens != 11 else
                "гады" if 2 <= units <= 4 and not 12 <= tens <= 14 else "гадоў")
    assert count(n, "year", "be") == f"{n} {expected}"


@pytest.mark.parametrize("n,form", [(112, "гадоў"), (113, "гадоў"), (214, "гадоў"), (102, "гады"), (122, "гады"),
                                    (1013, "гадоў"), (1004, "гады")])
def test_belarusian_hundreds_follow_the_last_two_digits(n: int, form: str) -> None:
    assert count(n, "year", "be") == f"{n} {form}"


def test_an_unknown_language_is_named_with_the_languages_the_project_can_write() -> None:
    with pytest.raises(UnknownLanguage) as err:
        words("uk")
    assert err.value.lang == "uk"
    can = ", ".join(f"{c} ({W.words(c).name})" for c in LANGUAGES)
    assert str(err.value) == (f"the project has no words for the language 'uk' (it can write: {can}); "
                              "use one of these, or add the language to campaign/words.py")
    assert "en (English), km (Khmer)" in can


def test_human_span_says_months_unless_years_are_asked_for() -> None:
    assert human_span(27, 4, "en") == "27 months and 4 days"
    assert human_span(27, 4, "en", years=True) == "2 years, 3 months and 4 days"
    assert human_span(13, 0, "km", years=True) == "១ ឆ្នាំ និង ១ ខែ"
    assert human_span(13, 0, "km") == "១៣ ខែ"


def test_a_sentenced_case_without_its_sentence_is_refused_with_what_is_missing() -> None:
    with pytest.raises(ValueError, match=r"^a 'sentenced' case needs the sentence's text$"):
        W.case_text("sentenced", "arson", "", "fr")


def test_a_code_with_several_subtags_uses_its_languages_words() -> None:
    assert W.supported("fr-Latn-CA") and words("fr-Latn-CA").code == "fr"
    assert words("km-Khmr-KH").code == "km" and not W.supported("xx-fr-CA")
