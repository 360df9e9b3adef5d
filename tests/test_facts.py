"""The state of the case is per detention: a re-arrest never inherits an earlier detention's
charge, conviction or sentence; time behind bars adds up, and then the words say so."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.roster import Person, Status, add_up, facts, months_and_days
from campaign.words import LANGUAGES

INCITING = {"en": "inciting hatred", "be": "распальванне варожасці", "km": "ញុះញង់ឱ្យស្អប់", "fr": "incitation à la haine"}
EXTREMISM = {"en": "extremism", "be": "экстрэмізм", "km": "ជ្រុលនិយម", "fr": "extrémisme"}


def person(*events: dict[str, Any]) -> Person:
    return Person.model_validate({"id": "p", "name": {"en": "Ales P", "be": "Алесь П"}, "events": list(events)})


CONVICTED_THEN_FREED = (
    {"date": "2021-03-01", "type": "arrested", "charge": INCITING},
    {"date": "2021-09-01", "type": "convicted", "sentence": "1 year 6 months"},
    {"date": "2022-09-01", "type": "released", "charges": "dropped"},
)


def test_a_rearrest_on_a_new_charge_after_a_conviction() -> None:
    p = person(*CONVICTED_THEN_FREED, {"date": "2025-10-02", "type": "arrested", "charge": EXTREMISM})
    freed = facts(p, date(2024, 1, 1))
    assert freed.status is Status.RELEASED and freed.charges_after_release == "dropped"
    assert freed.case_text("en") == "sentenced to 1 year and 6 months for inciting hatred"
    assert freed.detained_text("en") == "1 year and 6 months" and not freed.in_all

    again = facts(p, date(2025, 11, 20))
    assert again.status is Status.DETAINED and again.held
    assert again.charge is not None and again.charge.get("en") == "extremism"
    assert again.sentence is None and again.convicted_on is None and again.stage == "charged"
    assert again.released_on is None and again.charges_after_release is None
    assert again.case_text("en") == "charged with extremism"
    assert again.case_text("be") == "абвінавачанне: экстрэмізм"
    for lang in LANGUAGES:  # nothing of the earlier case, in any language
        text = again.case_text(lang) + again.case_label(lang)
        assert INCITING[lang] not in text and again.detention_text(lang) not in ("", again.total_text(lang))
        assert "6" not in text and "៦" not in text
    # The current detention has its own start and length; the total says it adds up.
    assert again.detention is not None and again.detention.start == again.since == date(2025, 10, 2)
    assert again.detention_days == 49 and again.detention_text("en") == "1 month and 18 days"
    assert again.days_detained == (date(2022, 9, 1) - date(2021, 3, 1)).days + 49
    assert again.detained_text("en") == "1 year, 7 months and 18 days in all"
    assert again.detained_text("km") == "សរុប ១ ឆ្នាំ ៧ ខែ និង ១៨ ថ្ងៃ"
    assert again.detained_text("be") == "усяго 1 год, 7 месяцаў і 18 дзён"
    assert again.detained_text("fr") == "1 an, 7 mois et 18 jours au total"
    assert again.total_text("en", "months") == "19 months and 18 days"


def test_a_rearrest_with_no_charge_recorded_says_nothing_of_a_charge() -> None:
    p = person(*CONVICTED_THEN_FREED, {"date": "2025-10-02", "type": "arrested"},
               {"date": "2025-12-01", "type": "charged", "charge": EXTREMISM})
    held = facts(p, date(2025, 11, 1))
    assert held.charge is None and held.sentence is None and held.convicted_on is None and held.stage is None
    assert all(held.case_text(lang) == "" == held.case_label(lang) for lang in LANGUAGES)
    charged = facts(p, date(2025, 12, 1))  # once the roster records it, the new charge is said
    assert charged.case_text("en") == "charged with extremism"


def test_a_conviction_in_the_new_detention_is_its_own() -> None:
    p = person(*CONVICTED_THEN_FREED, {"date": "2025-10-02", "type": "arrested", "charge": EXTREMISM},
               {"date": "2026-02-02", "type": "convicted", "sentence": "3 years"})
    f = facts(p, date(2026, 3, 1))
    assert f.status is Status.IMPRISONED and f.convicted_on == date(2026, 2, 2)
    assert f.case_text("en") == "sentenced to 3 years for extremism"
    assert f.detentions[0].sentence is not None and f.detentions[0].sentence.text("en") == "1 year and 6 months"
    assert f.detentions[0].charges_after_release == "dropped" and f.detentions[1].charges_after_release is None


def test_a_sentence_handed_down_after_the_verdict_keeps_the_conviction_date() -> None:
    """Convicted on one day, sentenced weeks later (a second ``convicted`` event with the
    sentence): the case says the sentence from its day on, and ``convicted_on`` stays the day of
    the verdict, not the sentencing."""
    p = person({"date": "2026-06-01", "type": "arrested", "charge": INCITING},
               {"date": "2026-10-29", "type": "convicted"},
               {"date": "2026-11-15", "type": "convicted", "sentence": "3 years 6 months"})
    before = facts(p, date(2026, 11, 14))
    assert before.convicted_on == date(2026, 10, 29) and before.sentence is None
    assert before.case_text("en") == "convicted of inciting hatred"
    after = facts(p, date(2026, 11, 15))
    assert after.status is Status.IMPRISONED and after.convicted_on == date(2026, 10, 29)
    assert after.case_text("en") == "sentenced to 3 years and 6 months for inciting hatred"


@pytest.mark.parametrize("charges", ["kept", "dropped", None])
def test_a_release_keeps_its_detentions_case_and_records_the_charges(charges: str | None) -> None:
    release = {"date": "2021-06-01", "type": "released"} | ({"charges": charges} if charges else {})
    p = person({"date": "2021-01-10", "type": "arrested", "charge": INCITING}, release)
    f = facts(p, date(2021, 7, 1))
    assert f.status is Status.RELEASED and f.released_on == date(2021, 6, 1)
    assert f.charges_after_release == charges
    assert f.charge is not None and f.case_text("en") == "charged with inciting hatred"  # what the case was
    assert f.detention is not None and f.detention.end == date(2021, 6, 1)
    assert f.detention_text("en") == f.detained_text("en") == "4 months and 22 days"  # the count stopped


def test_events_between_a_release_and_the_next_arrest_belong_to_the_released_detention() -> None:
    """A trial after release (convicted while free) is the released detention's; the next arrest
    starts afresh."""
    p = person({"date": "2021-01-10", "type": "arrested", "charge": INCITING},
               {"date": "2021-06-01", "type": "released"},
               {"date": "2022-01-10", "type": "convicted", "sentence": "2 years suspended"},
               {"date": "2023-01-10", "type": "arrested"})
    free = facts(p, date(2022, 6, 1))
    assert free.status is Status.RELEASED  # a conviction while free does not put anyone behind bars
    assert free.case_text("en") == "sentenced to 2 years (suspended) for inciting hatred"
    held = facts(p, date(2023, 2, 1))
    assert held.stage is None and held.sentence is None and held.case_text("en") == ""


def test_a_charge_before_the_first_arrest_is_the_first_detentions() -> None:
    p = person({"date": "2021-01-01", "type": "charged", "charge": INCITING},
               {"date": "2021-02-01", "type": "arrested"})
    assert facts(p, date(2021, 1, 15)).status is Status.AT_LIBERTY
    assert facts(p, date(2021, 1, 15)).case_text("en") == "charged with inciting hatred"
    assert facts(p, date(2021, 3, 1)).case_text("en") == "charged with inciting hatred"
    # Sentenced in absentia, then arrested: held to serve the sentence (imprisoned), not "detained".
    q = person({"date": "2021-01-01", "type": "convicted", "charge": INCITING, "sentence": "3 years"},
               {"date": "2021-02-01", "type": "arrested"})
    f = facts(q, date(2021, 3, 1))
    assert f.status is Status.IMPRISONED and f.case_text("en") == "sentenced to 3 years for inciting hatred"


def test_two_detentions_of_twenty_days_read_one_month_and_ten_days() -> None:
    p = person({"date": "2021-01-01", "type": "arrested"}, {"date": "2021-01-21", "type": "released"},
               {"date": "2021-06-01", "type": "arrested"}, {"date": "2021-06-21", "type": "released"})
    f = facts(p, date(2021, 7, 1))
    assert f.days_detained == 40 and (f.months_detained, f.days_remainder) == (1, 10)
    assert f.detained_text("en") == "1 month and 10 days in all"
    assert f.total_text("en") == "1 month and 10 days" and f.detention_text("en") == "20 days"
    one = person({"date": "2021-01-01", "type": "arrested"}, {"date": "2021-01-31", "type": "released"})
    assert facts(one, date(2021, 7, 1)).detained_text("en") == "30 days"  # one detention: as measured


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 30)), min_size=1, max_size=6))
def test_adding_up_detentions_keeps_every_day(spans: list[tuple[int, int]]) -> None:
    months, days = add_up(spans)
    assert months * 30 + days == sum(m * 30 + d for m, d in spans)  # every 30 summed days make a month
    assert months >= sum(m for m, _ in spans)  # whole calendar months are never broken up
    if len(spans) > 1:
        assert days < 30
    else:
        assert (months, days) == spans[0]


# --- property: a detention's facts never leak into another --------------------------------------

CHARGES = ("alpha", "beta", "gamma", "delta")


@st.composite
def rosters(draw: st.DrawFn) -> tuple[Person, list[list[dict[str, Any]]]]:
    """A person with 1-4 detentions, each with or without an arrest charge, a later charge, a
    conviction (with or without a sentence) and a release (the last may still be open)."""
    day = date(2015, 1, 1) + timedelta(days=draw(st.integers(0, 300)))
    blocks: list[list[dict[str, Any]]] = []
    n = draw(st.integers(1, 4))
    for i in range(n):
        block: list[dict[str, Any]] = []
        arrest: dict[str, Any] = {"date": day, "type": "arrested"}
        if draw(st.booleans()):
            arrest["charge"] = draw(st.sampled_from(CHARGES))
        block.append(arrest)
        for kind in ("charged", "convicted"):
            if draw(st.booleans()):
                day += timedelta(days=draw(st.integers(0, 200)))
                event: dict[str, Any] = {"date": day, "type": kind}
                if kind == "charged" or draw(st.booleans()):
                    event["charge"] = draw(st.sampled_from(CHARGES))
                if kind == "convicted" and draw(st.booleans()):
                    event["sentence"] = f"{draw(st.integers(2, 9))} years"
                block.append(event)
        if i < n - 1 or draw(st.booleans()):
            day += timedelta(days=draw(st.integers(1, 400)))
            block.append({"date": day, "type": "released", "charges": draw(st.sampled_from(["kept", "dropped"]))})
            day += timedelta(days=draw(st.integers(1, 400)))
        blocks.append(block)
    p = Person.model_validate({"id": "p", "name": {"en": "P"}, "events": [e for b in blocks for e in b]})
    return p, blocks


@settings(max_examples=150, deadline=None)
@given(rosters(), st.integers(0, 4000))
def test_the_case_is_always_the_current_detentions(drawn: tuple[Person, list[list[dict[str, Any]]]], offset: int) -> None:
    p, blocks = drawn
    on = date(2015, 1, 1) + timedelta(days=offset)
    f = facts(p, on)
    # The detention in force on ``on``: the last block whose arrest is known by then.
    started = [b for b in blocks if b[0]["date"] <= on]
    if not started:
        assert f.status is Status.AT_LIBERTY and f.detention is None and f.charge is None
        return
    block = [e for e in started[-1] if e["date"] <= on]
    charges = [e["charge"] for e in block if e.get("charge")]
    sentences = [e["sentence"] for e in block if e.get("sentence")]
    convictions = [e["date"] for e in block if e["type"] == "convicted"]
    assert (f.charge.get("en") if f.charge else None) == (charges[-1] if charges else None)
    assert (f.sentence.text("en") if f.sentence else None) == (sentences[-1] if sentences else None)
    assert f.convicted_on == (convictions[0] if convictions else None)  # the first verdict's day
    assert len(f.detentions) == len(started) and f.since == block[0]["date"]
    released = block[-1]["type"] == "released"
    assert f.status is (Status.RELEASED if released else Status.IMPRISONED if convictions else Status.DETAINED)
    assert f.charges_after_release == (block[-1]["charges"] if released else None)
    # The phrase names the current charge only, and the sentence only when this detention has one.
    text = f.case_text("en")
    assert all(c not in text for c in CHARGES if c != (charges[-1] if charges else None))
    assert ("sentenced" in text) == bool(sentences)
    # Time behind bars: the current detention alone, and every detention added up.
    end = block[-1]["date"] if released else on
    assert f.detention_days == (end - block[0]["date"]).days
    assert f.days_detained == sum(d.days(on) for d in f.detentions) >= f.detention_days
    assert f.in_all == (len(started) > 1) and f.detained_text("en").endswith(" in all") == f.in_all
    assert f.detention_text("en", "months") == facts(p, on).detention_text("en", "months")
    assert (f.months_detained, f.days_remainder) == add_up([months_and_days(d.start, d.end or on) for d in f.detentions])


# --- fingerprints ----------------------------------------------------------------------------


def test_fingerprints_follow_the_current_detention() -> None:
    base = person(*CONVICTED_THEN_FREED, {"date": "2025-10-02", "type": "arrested"})
    charged = person(*CONVICTED_THEN_FREED, {"date": "2025-10-02", "type": "arrested", "charge": EXTREMISM})
    day = date(2025, 11, 1)
    assert facts(base, day).fingerprint() != facts(charged, day).fingerprint()
    assert facts(base, day).fingerprint() == facts(base, day).fingerprint()
    # A conviction without a sentence changes what a card says ("convicted of"): and the fingerprint.
    convicted = person({"date": "2021-01-10", "type": "arrested", "charge": INCITING},
                       {"date": "2021-02-01", "type": "convicted"}, {"date": "2021-03-01", "type": "released"})
    charged_only = person({"date": "2021-01-10", "type": "arrested", "charge": INCITING},
                          {"date": "2021-03-01", "type": "released"})
    assert facts(convicted, date(2021, 4, 1)).fingerprint() != facts(charged_only, date(2021, 4, 1)).fingerprint()
    # The same total behind bars, but a different current detention: a different fingerprint.
    early = person({"date": "2021-01-01", "type": "arrested"}, {"date": "2021-01-21", "type": "released"},
                   {"date": "2021-06-01", "type": "arrested"})
    late = person({"date": "2021-01-01", "type": "arrested"}, {"date": "2021-01-11", "type": "released"},
                  {"date": "2021-05-22", "type": "arrested"})
    same_day = date(2021, 6, 11)
    assert facts(early, same_day).days_detained == facts(late, same_day).days_detained
    assert facts(early, same_day).fingerprint() != facts(late, same_day).fingerprint()


def test_fingerprints_of_unchanged_facts_stay_as_they_were() -> None:
    """Posts rendered before detentions had their own cases keep their fingerprints where the
    facts did not change (one detention, no conviction): values computed by the earlier code."""
    p = Person.model_validate({"id": "p", "name": {"en": "P", "km": "ភ"}, "group": {"en": "G"}, "events": [
        {"date": "2021-01-10", "type": "arrested", "charge": {"en": "incitement", "km": "ញុះញង់"}},
        {"date": "2021-06-01", "type": "released", "charges": "kept"}]})
    assert facts(p, date(2021, 3, 1)).fingerprint() == "181df9d6519b0d8c"
    assert facts(p, date(2021, 7, 1)).fingerprint() == "3a25be56633c20fd"


# --- card fields ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang,case,detained,status", [
    ("en", "charged with extremism", "1 year, 7 months and 18 days in all", "detained"),
    ("be", "абвінавачанне: экстрэмізм", "усяго 1 год, 7 месяцаў і 18 дзён", "пад вартай"),
    ("km", "ការចោទប្រកាន់ពីបទជ្រុលនិយម", "សរុប ១ ឆ្នាំ ៧ ខែ និង ១៨ ថ្ងៃ", "ជាប់ឃុំ"),
])
def test_card_fields_state_the_current_detention_in_the_cards_language(lang: str, case: str, detained: str,
                                                                       status: str) -> None:
    from campaign.cards.fields import fill, namespace

    p = person(*CONVICTED_THEN_FREED, {"date": "2025-10-02", "type": "arrested", "charge": EXTREMISM})
    values = namespace([facts(p, date(2025, 11, 20))], lang, week=3)
    assert fill("{case}", values) == case and fill("{detained}", values) == detained
    assert fill("{status}", values) == status and fill("{sentence}", values) == ""
    assert fill("{case_label}", values) == case.replace(EXTREMISM[lang], "").strip(" :")
    months = namespace([facts(p, date(2025, 11, 20))], lang, week=3, durations="months")
    assert fill("{detained.en}", months) == "19 months and 18 days in all"
