"""Which words of a caption state a fact about the people featured, and the warning when that fact is
not true on a post's day (campaign/caption_facts.py ``phrases``, ``claims_in``, ``claim_problems``),
one rule per test, with the campaign of tests/caption_fixtures.py (not the example). Written
against the mutants ``make mutate`` found alive.

``phrases`` and ``claims_in`` keep their results for the process; each test here starts them
afresh, so it reads the words itself rather than a result an earlier test left behind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from campaign.checks.caption_facts import claim_problems, claims_in, phrases

from .caption_fixtures import campaign_for, person


@pytest.fixture(autouse=True)
def fresh_words() -> Iterator[None]:
    phrases.cache_clear()
    claims_in.cache_clear()
    yield


def warnings(people: list[dict[str, Any]], captions: dict[str, dict[str, list[str]]],
             accounts: tuple[tuple[str, str], ...] = (("en-1", "en"),)) -> list[str]:
    return claim_problems(*campaign_for(people, captions, accounts))


# --- the words -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang,pending,convicted", [
    ("en", ("charged with",), ("convicted", "sentenced to")),
    ("km", ("ការចោទប្រកាន់ពីបទ",), ("ត្រូវបានផ្តន្ទាទោស", "ត្រូវបានកាត់ទោស")),
    ("fr", ("inculpation pour",), ("condamnation", "condamnation à")),
    ("be", (), ("асуджэнне", "прысуд")),  # Belarusian names the charge in a sentence too: "charged" states nothing
])
def test_a_languages_words_for_a_case_are_its_case_words_before_the_charge_or_the_sentence(
        lang: str, pending: tuple[str, ...], convicted: tuple[str, ...]) -> None:
    words = phrases(lang)
    assert words["pending"][:len(pending)] == pending and bool(words["pending"]) == bool(pending)
    assert words["convicted"][:2] == convicted


@pytest.mark.parametrize("text,claim,words", [
    ("{name} was SENTENCED in March", "convicted", "SENTENCED"),
    ("Charged With {charge}: {name}", "pending", "Charged With"),
    ("{name}, Behind Bars", "held", "Behind Bars"),
])
def test_a_claims_words_are_read_whatever_their_capitals(text: str, claim: str, words: str) -> None:
    assert claims_in(text, "en") == ((claim, words),)


def test_words_inside_a_longer_word_state_nothing() -> None:
    assert claims_in("{name}, unreleased, undetained, reconvicted", "en") == ()


@pytest.mark.parametrize("text,claims", [
    ("{name}បានជាប់ឃុំអស់រយៈពេលយូរ", (("held", "ជាប់ឃុំ"),)),
    ("{name}ត្រូវបានកាត់ទោសហើយ", (("convicted", "ត្រូវបានកាត់ទោស"),)),
    ("{name}នៅតែជាប់ពន្ធនាគារ និងត្រូវបានផ្តន្ទាទោស", (("held", "ជាប់ពន្ធនាគារ"), ("convicted", "ត្រូវបានផ្តន្ទាទោស"))),
])
def test_khmer_words_are_read_between_other_khmer_words_written_without_spaces(
        text: str, claims: tuple[tuple[str, str], ...]) -> None:
    assert claims_in(text, "km") == claims


# --- the warnings ----------------------------------------------------------------------------------------


def test_a_claim_true_for_everyone_does_not_stop_the_next_claim_being_checked() -> None:
    charged = person("dara", events=[{"date": "2023-05-05", "type": "arrested", "charge": {"en": "incitement"}}])
    found = warnings([charged], {"en": {"weekly": ["{name}, behind bars, was sentenced for {charge}"]}})
    assert len(found) == 1 and "says 'sentenced' (convicted)" in found[0]


def test_a_claim_not_read_in_a_kind_of_post_does_not_stop_the_next_claim_being_checked() -> None:
    # a "released" post may recount the time behind bars, but "the charges remain" must be true
    freed = person("dara", events=[{"date": "2023-05-05", "type": "arrested"},
                                   {"date": "2024-01-15", "type": "released", "charges": "dropped"}])
    found = warnings([freed], {"en": {"released": ["{name}, behind bars since 2023, is free; the charges remain"]}})
    assert len(found) == 1 and found[0].startswith("captions.en.released[0] says 'the charges remain'")


def test_a_post_whose_kind_has_no_captions_does_not_stop_the_later_posts_being_counted() -> None:
    # (validate refuses such a campaign; the warnings still count every post they can read)
    freed = person("sokha", events=[{"date": "2023-05-05", "type": "arrested"}, {"date": "2024-01-04", "type": "released"}])
    [w] = warnings([freed, person("dara")], {"en": {"weekly": ["{name}, sentenced"], "released": None}})
    assert "not true on the day of 4 planned posts: first pp-2024:2024-01-03:en-1" in w  # 3, 10, 17 and 24 January


def test_a_conviction_without_a_sentence_is_stated_with_its_date() -> None:
    convicted = person("dara", events=[{"date": "2023-05-05", "type": "arrested", "charge": {"en": "incitement"}},
                                       {"date": "2023-09-01", "type": "convicted"}])
    [w] = warnings([convicted], {"en": {"weekly": ["{name}, charged with {charge}"]}})
    assert "featuring dara (imprisoned since 2023-05-05, convicted on 2023-09-01)" in w


@pytest.mark.parametrize("accounts,says", [((("en-1", "en"),), "on the day of 1 planned post: first"),
                                           ((("en-1", "en"), ("en-2", "en")), "on the day of 2 planned posts: first")])
def test_a_claim_warning_counts_the_posts_in_words_that_agree(accounts: tuple[tuple[str, str], ...], says: str) -> None:
    [w] = warnings([person("dara")], {"en": {"finale": ["{name}, sentenced unjustly"]}}, accounts)
    assert says in w
