"""Hypothesis strategies for the planner: campaigns with any cadence, and rosters built from
``campaign.roster`` models with arrests, releases and re-arrests around and inside the campaign."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from campaign.cadence import WEEKDAYS
from campaign.definition import Campaign
from campaign.roster import Event, Person, Roster
from campaign.types import LocalText


@st.composite
def rosters(draw: st.DrawFn, start: date, end: date, max_people: int = 9) -> Roster:
    """People arrested before or during the campaign, some released, some re-arrested (several
    times), some released and re-arrested on one day; releases announced or not."""
    span = (end - start).days
    people = []
    for i in range(draw(st.integers(1, max_people))):
        day = start + timedelta(days=draw(st.integers(-90, span)))
        events, held = [], False
        for _ in range(draw(st.integers(1, 6))):
            if held:
                announce = draw(st.sampled_from([None, True, False]))
                events.append(Event(date=day, type="released", announce=announce))
            else:
                events.append(Event(date=day, type="arrested"))
            held = not held
            day += timedelta(days=draw(st.integers(0, 45)))
        people.append(Person(id=f"p{i}", name=LocalText({"en": f"Person {i}"}), events=events))
    return Roster(people=people)


def campaign_data(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "c", "name": "C", "timezone": "Asia/Phnom_Penh",
        "start": "2021-08-11", "end": "2021-12-10",
        "cadence": {"every": "week", "weekday": "wednesday", "time": "10:00"},
        "captions": {"en": ["{name}", "{name}!", "Free {name}"], "km": ["{name}"]},
        "accounts": [
            {"id": "a", "organisation": "A", "platform": "outbox", "language": "en"},
            {"id": "b", "organisation": "B", "platform": "outbox", "language": "km"},
        ],
    }
    data.update(over)
    return data


def make_campaign(**over: Any) -> Campaign:
    return Campaign.model_validate(campaign_data(**over))


@st.composite
def cadences(draw: st.DrawFn) -> dict[str, Any]:
    every = draw(st.sampled_from(["week", "week", "2 weeks", "3 weeks", "day"]))
    if every == "day":
        return {"every": every, "time": "09:15"}
    days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True))
    return {"every": every, "weekday": days[0] if len(days) == 1 else days, "time": "09:15"}


@st.composite
def campaigns_and_rosters(draw: st.DrawFn, rotation: str | None = None) -> tuple[Campaign, Roster]:
    """A campaign of up to five months with 1-4 accounts, any cadence, 1-3 people per post, maybe a
    finale and pins (on posting dates, naming anyone on the roster), and a roster for it."""
    from campaign.plan import cadence_dates

    start = draw(st.dates(date(2021, 1, 1), date(2021, 6, 1)))
    end = start + timedelta(days=draw(st.integers(0, 150)))
    roster = draw(rosters(start, end))
    data = campaign_data(
        start=start.isoformat(), end=end.isoformat(), cadence=draw(cadences()),
        accounts=[{"id": f"acc{i}", "organisation": f"O{i}", "platform": "outbox", "language": "en"}
                  for i in range(draw(st.integers(1, 4)))],
        people_per_post=draw(st.integers(1, 3)), rotation=rotation or draw(st.sampled_from(["together", "spread"])),
        announce_releases=draw(st.booleans()),
    )
    if draw(st.booleans()):
        data["finale"] = {"date": (start + timedelta(days=draw(st.integers(0, (end - start).days)))).isoformat(),
                          "time": "08:00"}
    dates = cadence_dates(Campaign.model_validate(data))
    if dates:
        ids = [p.id for p in roster.people]
        pins = draw(st.lists(st.tuples(st.sampled_from(dates), st.lists(st.sampled_from(ids), min_size=1, max_size=2,
                                                                           unique=True)),
                             max_size=3, unique_by=lambda t: t[0]))
        data["pins"] = [{"date": d.isoformat(), "people": people} for d, people in pins]
    return Campaign.model_validate(data), roster
