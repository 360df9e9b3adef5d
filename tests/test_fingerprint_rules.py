"""A person's facts fingerprint (``Facts.fingerprint``) says whether a rendered card or caption
is still true: the pipeline refuses to publish a post whose people's fingerprints changed since
it was rendered, and keeps an approval while they did not. So changing any fact a card or
caption may show about a person on a date changes the fingerprint, and nothing else does; and a
fingerprint is stored in the ledger, so the same facts keep the same fingerprint from one version
of the project to the next."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from campaign.fields import Post, namespace
from campaign.vocabulary import PERSON_FIELDS
from campaign.roster import Person, facts
from campaign.words import LANGUAGES, UNITS

CHARGES = [
    {"en": "treason", "km": "ក្បត់ជាតិ", "be": "здрада", "fr": "trahison"},
    {"en": "public disorder", "km": "បង្កអសន្តិសុខ", "be": "беспарадкі", "fr": "trouble à l’ordre public"},
]
SENTENCES = ["3 years", "1 year 4 months", "8 months suspended"]
NOTES = [{"en": "freed on bail", "km": "ដោះលែងដោយធានា"}, {"en": "pardoned"}]
START = date(2018, 3, 5)


def shown(person: Person, on: date) -> dict[str, Any]:
    """Everything a card, caption or alt text can say of ``person`` on ``on``: every person field of
    the vocabulary in every language and way of saying durations, and the photo."""
    f = facts(person, on)
    out: dict[str, Any] = {"photo": person.photo}
    for lang in LANGUAGES:
        for unit in UNITS:
            values = namespace([f], lang, Post(week=1, durations=unit))
            for name in (*PERSON_FIELDS, "days_detained", "months_detained"):
                out[f"{name}.{lang}.{unit}"] = format(values[name])
    return out


@st.composite
def people(draw: st.DrawFn) -> dict[str, Any]:
    """A person (as roster.yaml writes one) arrested once or twice, maybe convicted, released,
    with a hearing ahead; every optional fact present or not."""
    day = START + timedelta(days=draw(st.integers(0, 60)))
    events: list[dict[str, Any]] = []

    def later(lo: int, hi: int) -> date:
        nonlocal day
        day += timedelta(days=draw(st.integers(lo, hi)))
        return day

    def event(kind: str, when: date, **maybe: list[Any]) -> dict[str, Any]:
        """An event with each of its optional fields given or not."""
        out: dict[str, Any] = {"date": when, "type": kind}
        for key, values in maybe.items():
            if draw(st.booleans()):
                out[key] = draw(st.sampled_from(values))
        return out

    events.append(event("arrested", day, charge=CHARGES))
    if draw(st.booleans()):
        events.append(event("convicted", later(0, 150), sentence=SENTENCES))
    if draw(st.booleans()):
        events.append(event("released", later(1, 400), note=NOTES, charges=["kept", "dropped"], announce=[True, False]))
        if draw(st.booleans()):
            events.append(event("arrested", later(1, 300), charge=CHARGES))
    if draw(st.booleans()):
        events.append({"date": later(0, 200), "type": "hearing"})
    return {"id": "p", "name": {"en": "Sok Chea", "km": "សុខ ជា"}, "events": events}


def _shift_first_detention(p: dict[str, Any], days: int) -> None:
    """Move the first detention (arrest to release) later, keeping its length."""
    events = p["events"]
    ends = [i for i, e in enumerate(events) if e["type"] == "released"]
    assume(ends)
    end = ends[0]
    for e in events[: end + 1]:
        e["date"] += timedelta(days=days)
    assume(end + 1 == len(events) or events[end + 1]["date"] >= events[end]["date"])


def _event(p: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [e for e in p["events"] if e["type"] == kind]
    assume(found)
    return found[0]


def _shift(p: dict[str, Any], kind: str, days: int) -> None:
    events = p["events"]
    i = events.index(_event(p, kind))
    events[i]["date"] += timedelta(days=days)
    assume(all(a["date"] <= b["date"] for a, b in zip(events, events[1:])))


# Each edit changes one thing in roster.yaml (``assume`` skips an edit that does not apply).
EDITS = {
    "name": lambda p: p["name"].update(en="Chea Sok"),
    "name in Khmer": lambda p: p["name"].update(km="ជា សុខ"),
    "group": lambda p: p.update(group={"en": "Mother Nature", "km": "ម្តាយធម្មជាតិ"}),
    "role": lambda p: p.update(role={"en": "activist"}),
    "photo": lambda p: p.update(photo="photos/sok.jpg"),
    "sources": lambda p: p.update(sources=["https://example.org/report"]),
    "an event's source": lambda p: p["events"][-1].update(source="https://example.org/news"),
    "arrest charge": lambda p: p["events"][0].update(charge=CHARGES[1] if p["events"][0].get("charge") == CHARGES[0]
                                                     else CHARGES[0]),
    "no arrest charge": lambda p: p["events"][0].pop("charge", None),
    "sentence": lambda p: _event(p, "convicted").update(sentence="5 years"),
    "conviction a day earlier": lambda p: _shift(p, "convicted", -1),
    "release a day later": lambda p: _shift(p, "released", 1),
    "release note": lambda p: _event(p, "released").update(note={"en": "released after 2 years", "fr": "libéré"}),
    "charges after release": lambda p: _event(p, "released").update(
        charges="kept" if _event(p, "released").get("charges") != "kept" else "dropped"),
    "announce": lambda p: _event(p, "released").update(announce=not _event(p, "released").get("announce")),
    "hearing a day later": lambda p: _shift(p, "hearing", 1),
    "first detention moved": lambda p: _shift_first_detention(p, 31),
    "first detention moved a day": lambda p: _shift_first_detention(p, 1),
}


FREED = {"id": "p", "name": {"en": "Sok Chea", "km": "សុខ ជា"}, "events": [
    {"date": date(2018, 3, 10), "type": "arrested", "charge": CHARGES[0]},
    {"date": date(2018, 6, 1), "type": "convicted", "sentence": "3 years"},
    {"date": date(2019, 2, 1), "type": "released", "note": NOTES[0], "charges": "kept"},
    {"date": date(2019, 9, 9), "type": "hearing"}]}
HELD_AGAIN = {"id": "p", "name": {"en": "Sok Chea"}, "events": [
    {"date": date(2018, 3, 10), "type": "arrested"}, {"date": date(2018, 4, 10), "type": "released"},
    {"date": date(2018, 7, 2), "type": "arrested", "charge": CHARGES[1]},
    {"date": date(2018, 9, 3), "type": "convicted", "sentence": "1 year 4 months"},
    {"date": date(2019, 3, 1), "type": "hearing"}]}


@pytest.mark.parametrize("edit", EDITS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(base=people(), offset=st.integers(0, 1500))
@example(base=FREED, offset=(date(2019, 5, 1) - START).days)  # released, with everything a release may say
@example(base=HELD_AGAIN, offset=(date(2019, 1, 1) - START).days)  # held again, sentenced, a hearing ahead
def test_the_fingerprint_changes_exactly_when_what_a_post_shows_changes(edit: str, base: dict[str, Any],
                                                                         offset: int) -> None:
    on = START + timedelta(days=offset)
    edited = copy.deepcopy(base)
    EDITS[edit](edited)
    before, after = Person.model_validate(base), Person.model_validate(edited)
    same_fingerprint = facts(before, on).fingerprint() == facts(after, on).fingerprint()
    assert same_fingerprint == (shown(before, on) == shown(after, on)), (edit, on)


def _person(*events: dict[str, Any], **more: Any) -> Person:
    return Person.model_validate({"id": "vann-sophea", "name": {"en": "Vann Sophea", "km": "វ៉ាន់ សុភា"}, **more,
                                  "events": list(events)})


def test_two_totals_of_equal_days_from_differently_placed_detentions_differ() -> None:
    """31 days in January are 1 month; 31 days from February are 1 month and 3 days. With the same
    current detention, the totals ("... in all") differ: so do the fingerprints."""
    def twice(first: str, freed: str) -> Person:
        return _person({"date": first, "type": "arrested"}, {"date": freed, "type": "released"},
                       {"date": "2023-06-01", "type": "arrested"})

    january, february = twice("2023-01-01", "2023-02-01"), twice("2023-02-01", "2023-03-04")
    on = date(2023, 6, 11)
    assert facts(january, on).days_detained == facts(february, on).days_detained == 41
    assert facts(january, on).detained_text("en") == "1 month and 10 days in all"
    assert facts(february, on).detained_text("en") == "1 month and 13 days in all"
    assert facts(january, on).fingerprint() != facts(february, on).fingerprint()


def test_fingerprints_are_stable_from_one_version_to_the_next() -> None:
    """Values computed by this version: a change here makes every stored post look stale (its card
    refused at publish time, its approval withdrawn), so change them only on purpose."""
    convicted = _person({"date": "2019-04-02", "type": "arrested", "charge": {"en": "treason", "km": "ក្បត់ជាតិ"}},
                        {"date": "2019-10-15", "type": "convicted", "sentence": "2 years 3 months"},
                        {"date": "2020-12-01", "type": "released", "note": {"en": "pardoned"}, "charges": "dropped"},
                        {"date": "2021-02-01", "type": "hearing"}, group={"en": "Khmer Thavrak"}, role={"en": "student"},
                        photo="photos/vann.jpg")
    assert facts(convicted, date(2020, 1, 1)).fingerprint() == "f80a7c2e9bb6aafd"
    assert facts(convicted, date(2020, 12, 2)).fingerprint() == "be5012986e05050e"
    again = _person({"date": "2019-04-02", "type": "arrested"}, {"date": "2019-05-20", "type": "released"},
                    {"date": "2022-07-07", "type": "arrested", "charge": "incitement"},
                    {"date": "2022-09-09", "type": "convicted", "sentence": "18 months"})
    assert facts(again, date(2022, 10, 1)).fingerprint() == "ffd70a1a3241ec07"
