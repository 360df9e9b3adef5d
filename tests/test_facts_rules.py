"""Rules of a person's facts on a date that hold for any roster: before the first arrest nothing is
said of a detention; the current detention's length is said in the unit the campaign asks for;
every detention keeps its own case; the next hearing is the first on or after the day; the roster
as known on a day has that day's events; adding months clamps to the end of a shorter month."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from campaign.roster import Person, Status, add_months, facts
from campaign.words import LANGUAGES


def person(*events: dict) -> Person:
    return Person.model_validate({"id": "mony", "name": {"en": "Mony"}, "events": list(events)})


@pytest.mark.parametrize("lang", LANGUAGES)
def test_before_the_first_arrest_no_detention_is_said(lang: str) -> None:
    p = person({"date": "2022-05-03", "type": "charged", "charge": "defamation"},
               {"date": "2022-07-19", "type": "arrested"})
    f = facts(p, date(2022, 6, 1))
    assert f.status is Status.AT_LIBERTY and f.detention is None and f.since is None
    assert f.detention_text(lang) == "" == f.detention_text(lang, "months") and f.detention_days == 0


def test_the_current_detentions_length_is_said_in_the_unit_asked_for() -> None:
    p = person({"date": "2019-02-11", "type": "arrested"}, {"date": "2019-03-01", "type": "released"},
               {"date": "2022-05-03", "type": "arrested"})
    f = facts(p, date(2023, 9, 10))
    assert f.detention_text("en") == "1 year, 4 months and 7 days"
    assert f.detention_text("en", "months") == "16 months and 7 days"
    assert f.detention_text("km", "months") == "១៦ ខែ និង ៧ ថ្ងៃ"


def test_every_detention_keeps_its_own_case() -> None:
    p = person({"date": "2016-06-01", "type": "arrested", "charge": "rebellion"},
               {"date": "2016-11-20", "type": "convicted", "sentence": "2 years"},
               {"date": "2017-03-03", "type": "released", "note": "royal pardon", "charges": "dropped"},
               {"date": "2019-01-15", "type": "arrested"},
               {"date": "2019-02-01", "type": "charged", "charge": "incitement"},
               {"date": "2019-08-08", "type": "convicted", "sentence": "18 months"},
               {"date": "2020-02-02", "type": "released", "note": "sentence served", "charges": "kept"})
    first, second = facts(p, date(2021, 1, 1)).detentions
    assert (first.start, first.end, first.charge.get("en"), first.sentence.text("en"), first.convicted_on,
            first.release_note.get("en"), first.charges_after_release) == (
        date(2016, 6, 1), date(2017, 3, 3), "rebellion", "2 years", date(2016, 11, 20), "royal pardon", "dropped")
    assert (second.start, second.end, second.charge.get("en"), second.sentence.text("en"), second.convicted_on,
            second.release_note.get("en"), second.charges_after_release) == (
        date(2019, 1, 15), date(2020, 2, 2), "incitement", "1 year and 6 months", date(2019, 8, 8), "sentence served",
        "kept")


def test_the_next_hearing_is_the_first_on_or_after_the_day() -> None:
    p = person({"date": "2022-01-10", "type": "arrested"}, {"date": "2022-02-14", "type": "hearing"},
               {"date": "2022-04-04", "type": "hearing"})
    assert facts(p, date(2022, 1, 10)).next_hearing == date(2022, 2, 14)  # an arrest that day is no hearing
    assert facts(p, date(2022, 2, 14)).next_hearing == date(2022, 2, 14)  # a hearing today is the next one
    assert facts(p, date(2022, 2, 15)).next_hearing == date(2022, 4, 4)  # a past hearing is not
    assert facts(p, date(2022, 4, 5)).next_hearing is None


def test_the_roster_known_on_a_day_has_that_days_events_and_the_hearings_ahead() -> None:
    from campaign.roster import Roster

    r = Roster.model_validate({"people": [
        {"id": "mony", "name": {"en": "Mony"}, "events": [
            {"date": "2022-01-10", "type": "arrested"}, {"date": "2022-03-01", "type": "released"},
            {"date": "2022-05-02", "type": "hearing"}, {"date": "2022-06-01", "type": "arrested"}]},
        {"id": "later", "name": {"en": "Later"}, "events": [{"date": "2022-04-01", "type": "arrested"}]}]})
    known = r.known_as_of(date(2022, 3, 1))
    assert [p.id for p in known.people] == ["mony"]  # nobody whose every event is still to come
    assert [(e.date.isoformat(), e.type) for e in known.people[0].events] == [
        ("2022-01-10", "arrested"), ("2022-03-01", "released"), ("2022-05-02", "hearing")]
    assert r.known_as_of(None) is r


@given(st.dates(date(1990, 1, 1), date(2040, 12, 31)), st.integers(0, 400))
@example(date(2021, 3, 31), 1)  # to a 30-day month: the 30th
@example(date(2023, 10, 31), 4)  # to February of a leap year: the 29th
@example(date(2022, 12, 30), 2)  # to February of another year: the 28th
def test_adding_months_keeps_the_day_or_clamps_to_the_months_end(day: date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == min(day.day, calendar.monthrange(later.year, later.month)[1])
