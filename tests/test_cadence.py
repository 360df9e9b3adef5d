"""Cadence (every N weeks, several weekdays, every day) and timezone: what the file may say, the
errors when it says something else, and the posting dates that follow."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.cadence import WEEKDAYS
from campaign.definition import load_folder
from campaign.plan import cadence_dates, plan, week_of
from tests.folder_fixtures import CAMPAIGN, write_folder
from tests.plan_strategies import make_campaign
from tests.test_definition import line_of, one, problems
from tests.test_plan_rules import steady

CADENCE = '''cadence:
  every: week
  weekday: wednesday
  time: "10:00"
'''


def with_cadence(text: str) -> str:
    assert CADENCE in CAMPAIGN
    return CAMPAIGN.replace(CADENCE, text)


# --- the file ----------------------------------------------------------------------------------

@pytest.mark.parametrize("every, weekday, expected", [
    ("week", "wednesday", ("week", 1, ("wednesday",))),
    ("2 weeks", "wed", ("2 weeks", 2, ("wednesday",))),
    ("1 week", "[thursday, monday]", ("week", 1, ("monday", "thursday"))),
    ("3 Weeks", "[mon, fri]", ("3 weeks", 3, ("monday", "friday"))),
])
def test_cadence_forms_accepted(tmp_path: Path, every: str, weekday: str, expected: tuple) -> None:
    text = with_cadence(f"cadence:\n  every: {every}\n  weekday: {weekday}\n  time: \"10:00\"\n")
    cadence = load_folder(write_folder(tmp_path, text)).campaign.cadence
    assert (cadence.every, cadence.weeks, cadence.weekdays) == expected


def test_daily_cadence_has_no_weekday(tmp_path: Path) -> None:
    daily = load_folder(write_folder(tmp_path, with_cadence('cadence: {every: day, time: "08:00"}\n'))).campaign
    assert daily.cadence.weeks is None and daily.cadence.describe() == "every day"
    bad = with_cadence('cadence:\n  every: day\n  weekday: monday\n  time: "08:00"\n')
    msg = one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "weekday"), "cadence.weekday", "posts every day")
    assert "remove weekday, or write every: week" in msg


@pytest.mark.parametrize("every", ["fortnight", "2 days", "0 weeks", "weekly", "biweekly"])
def test_an_unknown_cadence_says_what_is_accepted(tmp_path: Path, every: str) -> None:
    bad = with_cadence(f"cadence:\n  every: {every}\n  weekday: wednesday\n  time: \"10:00\"\n")
    msg = one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "every:"), "cadence.every", "is not a cadence")
    assert "write every: week, every: 2 weeks (any whole number of weeks) or every: day" in msg


def test_a_bad_weekday_in_a_list_is_named_at_its_line(tmp_path: Path) -> None:
    bad = with_cadence('cadence:\n  every: week\n  weekday:\n    - monday\n    - thursdy\n  time: "10:00"\n')
    msg = one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "thursdy"), "cadence.weekday[1]", "not a weekday")
    assert "did you mean 'thursday'" in msg
    twice = with_cadence('cadence: {every: week, weekday: [monday, mon], time: "10:00"}\n')
    one(problems(tmp_path, twice), "campaign.yaml", line_of(twice, "cadence:"), "cadence.weekday[1]", "listed twice")
    empty = with_cadence('cadence: {every: 2 weeks, weekday: [], time: "10:00"}\n')
    one(problems(tmp_path, empty), "campaign.yaml", line_of(empty, "cadence:"), "cadence.weekday", "at least one day")


def test_a_weekly_cadence_needs_a_weekday(tmp_path: Path) -> None:
    bad = with_cadence('cadence: {every: 2 weeks, time: "10:00"}\n')
    one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "cadence:"), "cadence", "needs a weekday")


def test_a_pin_off_the_cadence_names_the_cadence(tmp_path: Path) -> None:
    bad = with_cadence('cadence: {every: 2 weeks, weekday: [monday, thursday], time: "10:00"}\n') \
        + "pins:\n  - date: 2021-08-23\n    people: [alice]\n"  # a Monday of the campaign's second week
    msg = one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "2021-08-23"), "pins[0].date", "has no slot")
    assert "the cadence posts every 2 weeks on monday and thursday" in msg


@pytest.mark.parametrize("zone", ["UTC+3", "+03:00", "GMT-5", "utc +7", "-0500", "Etc/GMT-3", "UTC\u22123"])
def test_a_timezone_offset_is_not_a_place(tmp_path: Path, zone: str) -> None:
    bad = CAMPAIGN.replace("Asia/Phnom_Penh", zone)
    msg = one(problems(tmp_path, bad), "campaign.yaml", 3, "timezone", "an offset is not a place: name the zone, e.g. Europe/Minsk")
    assert "did you mean" not in msg


def test_etc_gmt_names_are_explained() -> None:
    with pytest.raises(ValueError, match=r"Etc/GMT-3 means UTC\+3, the sign is reversed"):
        make_campaign(timezone="Etc/GMT-3")
    assert make_campaign(timezone="UTC").timezone == "UTC"  # UTC itself is a zone, not an offset


# --- the dates ---------------------------------------------------------------------------------

def oracle(start: date, end: date, weeks: int | None, weekdays: list[str]) -> list[date]:
    """Posting dates built another way: from each weekday's first date on or after the start,
    every ``weeks`` weeks (``None``: every day)."""
    if weeks is None:
        return [start + timedelta(days=i) for i in range((end - start).days + 1)]
    out = []
    for name in weekdays:
        day = start + timedelta(days=(WEEKDAYS.index(name) - start.weekday()) % 7)
        while day <= end:
            out.append(day)
            day += timedelta(weeks=weeks)
    return sorted(out)


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2020, 1, 1), date(2030, 1, 1)), st.integers(0, 200), st.sampled_from([None, 1, 2, 3, 5]),
       st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=4, unique=True))
def test_cadence_dates_match_an_independent_construction(start: date, days: int, weeks: int | None,
                                                         weekdays: list[str]) -> None:
    end = start + timedelta(days=days)
    cadence = {"every": "day", "time": "10:00"} if weeks is None else \
        {"every": f"{weeks} weeks", "weekday": weekdays, "time": "10:00"}
    c = make_campaign(start=start.isoformat(), end=end.isoformat(), cadence=cadence)
    assert cadence_dates(c) == oracle(start, end, weeks, weekdays)


def test_several_weekdays_give_unique_ids_and_the_week_containing_the_date() -> None:
    # Starts on a Wednesday: campaign weeks run Wednesday to Tuesday.
    c = make_campaign(cadence={"every": "week", "weekday": ["monday", "thursday"], "time": "10:00"})
    slots = plan(c, steady(3))
    assert len({s.id for s in slots}) == len(slots)
    assert all(s.week == week_of(c, s.date) == (s.date - c.start).days // 7 + 1 for s in slots)
    first_week = sorted({s.date for s in slots if s.week == 1})
    assert first_week == [date(2021, 8, 12), date(2021, 8, 16)]  # Thursday, then Monday: both in week 1


def test_every_two_weeks_posts_in_weeks_one_three_five() -> None:
    c = make_campaign(cadence={"every": "2 weeks", "weekday": "wednesday", "time": "10:00"})
    slots = plan(c, steady(3))
    assert sorted({s.week for s in slots}) == list(range(1, 19, 2))
    assert sorted({s.date for s in slots})[:3] == [date(2021, 8, 11), date(2021, 8, 25), date(2021, 9, 8)]
