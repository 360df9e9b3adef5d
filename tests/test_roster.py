"""Roster facts as of a date: status, time behind bars, charges, releases and re-arrests."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign.definition import load_folder
from campaign.roster import Person, Sentence, Status, add_months, facts, human_span, months_and_days


def person(*events: dict) -> Person:
    return Person.model_validate({"id": "p", "name": {"en": "P"}, "events": list(events)})


def test_seed_check_fifteen_months_and_eleven_days() -> None:
    # Rong Chhun: arrested 1 Aug 2020, released 12 Nov 2021 "at 15 months and 11 days".
    p = person({"date": "2020-08-01", "type": "arrested"}, {"date": "2021-11-12", "type": "released"})
    f = facts(p, date(2021, 11, 12))
    assert f.status is Status.RELEASED
    assert f.detained_text("en", "months") == "15 months and 11 days"
    assert f.detained_text("km", "months") == "១៥ ខែ និង ១១ ថ្ងៃ"
    # Said in years (the default), the middle part stays.
    assert f.detained_text("en") == "1 year, 3 months and 11 days"
    assert f.detained_text("km") == "១ ឆ្នាំ ៣ ខែ និង ១១ ថ្ងៃ"
    assert f.days_detained == (date(2021, 11, 12) - date(2020, 8, 1)).days == 468
    # After release the count stops.
    assert facts(p, date(2021, 12, 10)).days_detained == 468
    assert facts(p, date(2021, 12, 10)).released_on == date(2021, 11, 12)


def test_example_roster_rong_chhun(example_folder) -> None:
    f = load_folder(example_folder)
    rc = f.roster.by_id()["rong-chhun"]
    before = facts(rc, date(2021, 11, 11))
    assert before.status is Status.IMPRISONED and before.held
    assert before.sentence and before.sentence.text("en") == "2 years"
    assert before.charge and before.charge.get("en") == "incitement to commit a felony"
    after = facts(rc, date(2021, 11, 12))
    assert after.status is Status.RELEASED and not after.held
    assert after.release_note and "charges not dropped" in after.release_note.get("en")
    # The charge is kept after release.
    assert after.charge and after.charge.get("en") == "incitement to commit a felony"


def test_status_timeline_and_rearrest_sums_detentions() -> None:
    p = person(
        {"date": "2020-01-01", "type": "arrested"},
        {"date": "2020-01-05", "type": "charged", "charge": {"en": "incitement", "km": "ញុះញង់"}},
        {"date": "2020-03-01", "type": "convicted", "sentence": "1 year 6 months"},
        {"date": "2020-04-01", "type": "released"},
        {"date": "2021-01-01", "type": "arrested"},
    )
    assert facts(p, date(2019, 12, 31)).status is Status.AT_LIBERTY
    assert facts(p, date(2020, 2, 1)).status is Status.DETAINED
    assert facts(p, date(2020, 3, 1)).status is Status.IMPRISONED
    assert facts(p, date(2020, 6, 1)).status is Status.RELEASED
    again = facts(p, date(2021, 1, 11))
    assert again.status is Status.DETAINED  # a new detention: not yet convicted for it
    assert again.held and again.released_on is None
    first = (date(2020, 4, 1) - date(2020, 1, 1)).days
    assert again.days_detained == first + 10
    assert len(again.detentions) == 2
    # The new detention's case: the roster says nothing of its charge, so nothing is said
    # (before the rule was per detention, the first detention's charge and sentence carried over).
    assert again.charge is None and again.sentence is None and again.convicted_on is None


def test_later_events_are_not_known_yet() -> None:
    p = person({"date": "2020-01-01", "type": "arrested"}, {"date": "2020-06-01", "type": "released"},
               {"date": "2020-07-01", "type": "hearing"})
    f = facts(p, date(2020, 5, 31))
    assert f.held and f.released_on is None
    assert f.next_hearing == date(2020, 7, 1)  # a scheduled hearing is known ahead


def test_fingerprint_changes_only_with_facts() -> None:
    p = person({"date": "2020-01-01", "type": "arrested"})
    q = person({"date": "2020-01-01", "type": "arrested"}, {"date": "2021-01-01", "type": "charged", "charge": "x"})
    day = date(2020, 12, 1)
    assert facts(p, day).fingerprint() == facts(q, day).fingerprint()  # charge not yet known then
    assert facts(p, date(2021, 2, 1)).fingerprint() != facts(q, date(2021, 2, 1)).fingerprint()


@pytest.mark.parametrize("text,expected", [
    ("2 years", "2 years"), ("20 months", "1 year and 8 months"), ("18 months", "1 year and 6 months"),
    ("1 year 6 months", "1 year and 6 months"), ("3 months 2 days", "3 months and 2 days"),
])
def test_sentence_parsing(text: str, expected: str) -> None:
    assert Sentence.model_validate(text).text("en") == expected


def test_sentence_khmer_digits() -> None:
    assert Sentence.model_validate("20 months").text("km") == "១ ឆ្នាំ ៨ ខែ".replace(" ៨", " និង ៨")


def test_human_span_singular_and_zero() -> None:
    assert human_span(1, 1, "en") == "1 month and 1 day"
    assert human_span(0, 0, "en") == "0 days"
    assert human_span(0, 5, "km") == "៥ ថ្ងៃ"


@given(st.dates(date(2000, 1, 1), date(2030, 1, 1)), st.integers(0, 2000))
def test_months_and_days_roundtrip(start: date, span: int) -> None:
    from datetime import timedelta

    end = start + timedelta(days=span)
    months, days = months_and_days(start, end)
    assert months >= 0 and 0 <= days < 31
    assert add_months(start, months) + timedelta(days=days) == end


def test_what_became_of_the_charges_is_recorded_on_the_release_only() -> None:
    base = {"id": "p", "name": {"en": "P"}}
    freed = Person.model_validate({**base, "events": [
        {"date": "2021-01-01", "type": "arrested"},
        {"date": "2021-06-01", "type": "released", "charges": "kept"},
        {"date": "2021-09-01", "type": "arrested"}]})
    assert facts(freed, date(2021, 7, 1)).charges_after_release == "kept"
    assert facts(freed, date(2021, 10, 1)).charges_after_release is None  # held again: no longer "after release"
    assert facts(freed, date(2021, 7, 1)).fingerprint() != facts(
        freed.model_copy(update={"events": [e.model_copy(update={"charges": "dropped"}) for e in freed.events]}),
        date(2021, 7, 1)).fingerprint()
    with pytest.raises(ValueError, match="'charges' does not belong on a 'arrested' event"):
        Person.model_validate({**base, "events": [{"date": "2021-01-01", "type": "arrested", "charges": "kept"}]})
    with pytest.raises(ValueError, match="kept"):
        Person.model_validate({**base, "events": [{"date": "2021-01-01", "type": "arrested"},
                                                  {"date": "2021-02-01", "type": "released", "charges": "maybe"}]})


# --- ids: what is wrong with a bad one, and what to write instead -------------------------------

def _refused(value: str) -> str:
    from campaign.roster import check_id

    with pytest.raises(ValueError) as caught:
        check_id(value)
    return str(caught.value)


@given(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,62}", fullmatch=True))
def test_an_id_is_kept_as_written(value: str) -> None:
    from campaign.roster import check_id

    assert check_id(value) is value


def test_what_is_not_text_is_left_to_pydantic() -> None:
    from campaign.roster import check_id

    assert check_id(5) == 5 and check_id(None) is None


TAIL = "; an id is lowercase letters a-z, digits, - and _, beginning with a letter or digit"


@pytest.mark.parametrize(("value", "message"), [
    ("", "'' is not an id: it is empty" + TAIL),
    ("a" * 64, f"{'a' * 64!r} is not an id: it is 64 characters long (at most 63)" + TAIL + f"; e.g. {'a' * 63!r}"),
    ("Sok", "'Sok' is not an id: 'S' at character 1 is a capital letter" + TAIL + "; e.g. 'sok'"),
    ("soKK", "'soKK' is not an id: 'K' at character 3 is a capital letter" + TAIL + "; e.g. 'sokk'"),  # the first
    ("A" + "a" * 62, f"{'A' + 'a' * 62!r} is not an id: 'A' at character 1 is a capital letter" + TAIL
     + f"; e.g. {'a' * 63!r}"),  # 63 characters are not too many
    ("sok Dara", "'sok Dara' is not an id: ' ' (U+0020, space) at character 4 is not allowed" + TAIL + "; e.g. 'sok-dara'"),
    ("sok.dara", "'sok.dara' is not an id: '.' (U+002E, full stop) at character 4 is not allowed" + TAIL + "; e.g. 'sok-dara'"),
    ("-sok", "'-sok' is not an id: it starts with '-'" + TAIL + "; e.g. 'sok'"),
    ("_sok_", "'_sok_' is not an id: it starts with '_'" + TAIL + "; e.g. 'sok'"),
    ("sok\x01", "'sok\\x01' is not an id: '\\x01' (U+0001, a control character) at character 4 is not allowed" + TAIL
     + "; e.g. 'sok'"),
    ("élise", "'élise' is not an id: 'é' (U+00E9, latin small letter e with acute) at character 1 is not allowed"
     + TAIL + "; e.g. 'elise'"),
    ("សុខ", "'សុខ' is not an id: 'ស' (U+179F, khmer letter sa) at character 1 is not allowed" + TAIL),  # no letter kept
    ("sokសុខ", "'sokសុខ' is not an id: 'ស' (U+179F, khmer letter sa) at character 4 is not allowed" + TAIL),  # letters lost
    ("..", "'..' is not an id: '.' (U+002E, full stop) at character 1 is not allowed" + TAIL),  # nothing to suggest
])
def test_a_bad_id_says_exactly_what_is_wrong_and_suggests_only_an_id_that_keeps_every_letter(value: str, message: str) -> None:
    assert _refused(value) == message


def test_a_long_bad_id_is_quoted_to_eighty_characters_and_its_suggestion_cut_to_sixty_three() -> None:
    value = "Sok " * 30
    said = _refused(value)
    assert said.startswith(f"{value[:80]!r} is not an id: it is 120 characters long (at most 63)")
    suggestion = said.rsplit("; e.g. ", 1)[1].strip("'")
    assert suggestion == ("sok-" * 16)[:63]
