"""Words per language: plural rules, durations as people write them, lists, digits, dates,
status and case phrases; a language without words is an error, never English."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign import words as W
from campaign.words import (LANGUAGES, UnknownLanguage, case_label, case_text, charges_text, count, date_text,
                            digits, duration, in_all, join, sentence_text, span, status_text, supported)

KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"


def test_the_declared_languages() -> None:
    assert {"en", "km", "be", "fr"} <= set(LANGUAGES)
    assert all(supported(lang) for lang in LANGUAGES)
    assert supported("fr-CA") and supported("en-GB")  # a regional code uses its language's words
    assert not supported("de") and not supported("th") and not supported("xx-KM")


@pytest.mark.parametrize("lang,unit,n,expected", [
    ("en", "year", 1, "1 year"), ("en", "year", 2, "2 years"), ("en", "day", 0, "0 days"),
    ("en", "month", 11, "11 months"), ("en", "day", 21, "21 days"),
    ("km", "year", 1, "១ ឆ្នាំ"), ("km", "year", 2, "២ ឆ្នាំ"), ("km", "month", 15, "១៥ ខែ"), ("km", "day", 11, "១១ ថ្ងៃ"),
    # Belarusian: one (1, 21, 101), few (2-4, 22-24 but not 12-14), many (0, 5-20, 25-30, 111)
    ("be", "year", 1, "1 год"), ("be", "year", 2, "2 гады"), ("be", "year", 4, "4 гады"), ("be", "year", 5, "5 гадоў"),
    ("be", "year", 11, "11 гадоў"), ("be", "year", 12, "12 гадоў"), ("be", "year", 14, "14 гадоў"),
    ("be", "year", 21, "21 год"), ("be", "year", 22, "22 гады"), ("be", "year", 111, "111 гадоў"),
    ("be", "month", 1, "1 месяц"), ("be", "month", 3, "3 месяцы"), ("be", "month", 15, "15 месяцаў"),
    ("be", "day", 1, "1 дзень"), ("be", "day", 2, "2 дні"), ("be", "day", 0, "0 дзён"), ("be", "day", 25, "25 дзён"),
    ("be", "day", 31, "31 дзень"),
    # French: 0 and 1 singular; mois is the same in both
    ("fr", "year", 1, "1 an"), ("fr", "year", 2, "2 ans"), ("fr", "month", 1, "1 mois"), ("fr", "month", 7, "7 mois"),
    ("fr", "day", 0, "0 jour"), ("fr", "day", 1, "1 jour"), ("fr", "day", 21, "21 jours"),
])
def test_units_take_the_languages_plural(lang: str, unit: str, n: int, expected: str) -> None:
    assert count(n, unit, lang) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("lang,parts,expected", [
    ("en", (6, 7, 21), "6 years, 7 months and 21 days"),
    ("en", (1, 6, 10), "1 year, 6 months and 10 days"),
    ("en", (1, 0, 0), "1 year"),
    ("en", (0, 3, 2), "3 months and 2 days"),
    ("en", (1, 0, 10), "1 year and 10 days"),
    ("en", (0, 0, 0), "0 days"),
    ("km", (1, 6, 10), "១ ឆ្នាំ ៦ ខែ និង ១០ ថ្ងៃ"),
    ("km", (0, 3, 2), "៣ ខែ និង ២ ថ្ងៃ"),
    ("km", (0, 0, 0), "០ ថ្ងៃ"),
    ("be", (1, 6, 10), "1 год, 6 месяцаў і 10 дзён"),
    ("be", (6, 7, 21), "6 гадоў, 7 месяцаў і 21 дзень"),
    ("be", (2, 0, 3), "2 гады і 3 дні"),
    ("fr", (1, 6, 10), "1 an, 6 mois et 10 jours"),
    ("fr", (2, 1, 1), "2 ans, 1 mois et 1 jour"),
])
def test_spans_keep_every_part_that_is_not_zero(lang: str, parts: tuple[int, int, int], expected: str) -> None:
    assert span(*parts, lang) == expected


def test_durations_use_years_unless_months_are_asked_for() -> None:
    assert duration(15, 11, "en") == "1 year, 3 months and 11 days"
    assert duration(15, 11, "en", "months") == "15 months and 11 days"
    assert duration(15, 11, "km", "months") == "១៥ ខែ និង ១១ ថ្ងៃ"
    assert duration(77, 5, "en") == "6 years, 5 months and 5 days"  # never "77 months and 5 days"
    assert duration(12, 0, "en") == "1 year" and duration(12, 0, "en", "months") == "12 months"
    assert duration(11, 30, "en") == "11 months and 30 days"
    with pytest.raises(ValueError, match="years or months"):
        duration(1, 1, "en", "weeks")  # type: ignore[arg-type]


def _unit_words(lang: str) -> dict[str, str]:
    w = W.words(lang)
    return {form: unit for unit in ("year", "month", "day") for form in getattr(w, unit)}


def _read_back(text: str, lang: str) -> dict[str, int]:
    """The numbers of a duration text, by unit, read with the language's own words and digits."""
    ascii_text = text.translate(str.maketrans(KHMER_DIGITS, "0123456789"))
    forms = _unit_words(lang)
    found: dict[str, int] = {}
    for number, word in re.findall(r"(\d+) ([^\s,]+)", ascii_text):
        unit = forms[word]
        assert unit not in found, text
        found[unit] = int(number)
    return found


@given(st.sampled_from(LANGUAGES), st.integers(0, 1300), st.integers(0, 30), st.sampled_from(W.UNITS))
def test_a_duration_reads_back_to_the_same_months_and_days(lang: str, months: int, days: int, unit: str) -> None:
    text = duration(months, days, lang, unit)  # type: ignore[arg-type]
    parts = _read_back(text, lang)
    assert parts.get("year", 0) * 12 + parts.get("month", 0) == months and parts.get("day", 0) == days
    assert all(n > 0 for n in parts.values()) or text == count(0, "day", lang)  # zero parts are left out
    if unit == "years":
        assert parts.get("month", 0) < 12
    else:
        assert "year" not in parts
    # written in the language's digits only
    if lang == "km":
        assert not re.search(r"[0-9]", text)
    else:
        assert not any(d in text for d in KHMER_DIGITS)
    # the parts are joined as the language joins a list: "A, B and C"
    last = W.words(lang).last_sep
    assert (last in text) == (len(parts) > 1)


@pytest.mark.parametrize("lang,plain,suspended", [
    ("en", "1 year and 8 months", "1 year and 8 months (suspended)"),
    ("km", "១ ឆ្នាំ និង ៨ ខែ", "១ ឆ្នាំ និង ៨ ខែ (ព្យួរទោស)"),
    ("be", "1 год і 8 месяцаў", "1 год і 8 месяцаў (умоўна)"),
    ("fr", "1 an et 8 mois", "1 an et 8 mois (avec sursis)"),
])
def test_sentences_are_said_in_years_and_keep_suspended(lang: str, plain: str, suspended: str) -> None:
    assert sentence_text(0, 20, 0, False, lang) == plain
    assert sentence_text(1, 8, 0, True, lang) == suspended


@pytest.mark.parametrize("lang,two,three", [
    ("en", "A and B", "A, B and C"),
    ("km", "A និង B", "A B និង C"),
    ("be", "A і B", "A, B і C"),
    ("fr", "A et B", "A, B et C"),
])
def test_lists_are_joined_as_the_language_joins_them(lang: str, two: str, three: str) -> None:
    assert join([], lang) == "" and join(["A"], lang) == "A"
    assert join(["A", "", "B"], lang) == two
    assert join(["A", "B", "A", "C"], lang) == three  # each item once


@pytest.mark.parametrize("lang,day,expected", [
    ("en", date(2021, 11, 12), "12 November 2021"),
    ("km", date(2021, 11, 12), "១២ វិច្ឆិកា ២០២១"),
    ("be", date(2021, 11, 12), "12 лістапада 2021"),
    ("be", date(2025, 10, 2), "2 кастрычніка 2025"),
    ("fr", date(2021, 11, 12), "12 novembre 2021"),
    ("fr", date(2021, 3, 1), "1er mars 2021"),
    ("en", date(2021, 3, 1), "1 March 2021"),
])
def test_dates(lang: str, day: date, expected: str) -> None:
    assert date_text(day, lang) == expected


def test_digits() -> None:
    assert digits(2021, "km") == "២០២១" and digits("15", "km") == "១៥"
    assert digits(2021, "en") == digits(2021, "be") == digits(2021, "fr") == "2021"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_every_word(lang: str) -> None:
    """A declared language says every status, every state of a case and what became of the charges."""
    from campaign.roster import Status

    for status in Status:
        assert status_text(status.value, lang).strip()
    assert len({status_text(s.value, lang) for s in Status}) == len(Status)  # four different things
    sentence = sentence_text(2, 0, 0, False, lang)
    phrases = {stage: case_text(stage, "CHARGE", sentence, lang) for stage in ("charged", "convicted", "sentenced")}
    assert all("CHARGE" in p for p in phrases.values()) and len(set(phrases.values())) == 3
    assert sentence in phrases["sentenced"] and sentence not in phrases["charged"] + phrases["convicted"]
    assert sentence in case_text("sentenced", None, sentence, lang)
    assert case_text("convicted", None, None, lang).strip()
    assert charges_text("kept", lang) != charges_text("dropped", lang)
    assert in_all("DURATION", lang) != "DURATION" and "DURATION" in in_all("DURATION", lang)
    assert len(W.words(lang).months) == 12


def test_case_phrases() -> None:
    assert case_text("charged", "incitement", None, "en") == "charged with incitement"
    assert case_text("convicted", "incitement", None, "en") == "convicted of incitement"
    assert case_text("sentenced", "incitement", "2 years", "en") == "sentenced to 2 years for incitement"
    assert case_text("sentenced", None, "2 years", "en") == "sentenced to 2 years"
    assert case_text("charged", None, None, "en") == "" and case_text(None, "x", None, "en") == ""
    assert case_text("sentenced", "ញុះញង់", "២ ឆ្នាំ", "km") == "ត្រូវបានកាត់ទោស ២ ឆ្នាំ ពីបទញុះញង់"
    assert case_label("sentenced", "2 years", "en") == "sentenced to 2 years for"
    assert case_label("charged", None, "en") == "charged with" and case_label("charged", None, "km") == "ការចោទប្រកាន់ពីបទ"
    assert case_label(None, None, "en") == ""
    with pytest.raises(ValueError, match="sentence"):
        case_text("sentenced", "incitement", None, "en")


@pytest.mark.parametrize("call", [
    lambda lang: count(2, "year", lang), lambda lang: span(1, 2, 3, lang), lambda lang: duration(3, 4, lang),
    lambda lang: sentence_text(2, 0, 0, True, lang), lambda lang: join(["a", "b"], lang),
    lambda lang: date_text(date(2021, 1, 2), lang), lambda lang: digits(5, lang), lambda lang: in_all("x", lang),
    lambda lang: status_text("detained", lang), lambda lang: case_text("charged", "x", None, lang),
    lambda lang: charges_text("kept", lang),
])
def test_a_language_without_words_is_an_error_not_english(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownLanguage) as err:
        call("de")
    message = str(err.value)
    assert "'de'" in message and all(lang in message for lang in LANGUAGES) and "campaign/words.py" in message


@pytest.mark.parametrize("stage,sentence", [("charged", None), ("convicted", None), ("sentenced", "2 ឆ្នាំ")])
def test_a_charge_not_in_khmer_is_set_apart_from_the_khmer_words_before_it(stage: str, sentence: str | None) -> None:
    """Khmer runs its words together ("ពីបទញុះញង់"); a charge the roster gives only in English
    takes a space after them ("ពីបទ incitement"), never "ពីបទincitement"."""
    from campaign.words import case_text
    assert case_text(stage, "ញុះញង់", sentence, "km").endswith("ពីបទញុះញង់")  # type: ignore[arg-type]
    assert case_text(stage, "incitement", sentence, "km").endswith("ពីបទ incitement")  # type: ignore[arg-type]
    assert case_text(stage, "incitement", sentence, "en").endswith(" incitement")  # type: ignore[arg-type]


def test_time_held_is_said_in_years_by_default_and_on_the_arrest_day_as_less_than_a_day() -> None:
    from campaign.words import LANGUAGES, duration, held, words

    assert held(15, 11, "en") == duration(15, 11, "en", "years") == "1 year, 3 months and 11 days"
    assert held(15, 11, "en", "months") == "15 months and 11 days"
    for lang in LANGUAGES:
        assert held(0, 0, lang) == held(0, 0, lang, "months") == words(lang).under_a_day
        assert held(0, 1, lang) == duration(0, 1, lang) != words(lang).under_a_day
