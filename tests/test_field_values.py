"""What each field of the one vocabulary says (campaign/fields.py), one rule per test, for a roster
of its own (Cambodia, 2022-2023; not the example): Khmer and English names, a roster text in one
language only, a release with the charges kept and one with the charges dropped, a hearing ahead,
someone not yet arrested. Written against the mutants ``make mutate`` found alive."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.fields import Number, Post, Sample, Text, namespace, sample_values, value_of
from campaign.roster import Facts, Roster, facts
from campaign.words import LANGUAGES, digits

ROSTER = Roster.model_validate(yaml.safe_load("""\
people:
  - id: sopheap
    name: {km: សុភាព ចាន់, en: Sopheap Chan}
    group: {en: Mother Nature, km: មាតាធម្មជាតិ}
    role: {en: environmental activist, km: សកម្មជនបរិស្ថាន}
    events:
      - {date: 2022-06-01, type: arrested, charge: {en: plotting, km: ការឃុបឃិត}}
      - {date: 2022-11-20, type: convicted, sentence: 2 years}
      - {date: 2023-02-08, type: hearing}
  - id: dara
    name: {en: Dara Keo}
    role: {en: journalist}
    events:
      - {date: 2023-01-10, type: arrested, charge: {en: incitement}}
      - {date: 2023-03-01, type: released, note: {en: on bail}, charges: kept}
  - id: vanna
    name: {km: វណ្ណា, en: វណ្ណា}
    events:
      - {date: 2022-12-01, type: arrested}
      - {date: 2023-02-15, type: released, charges: dropped}
  - id: nimol
    name: {en: Nimol Sok}
    events:
      - {date: 2023-06-01, type: arrested}
  - id: kanha
    name: {km: កញ្ញា}
    events:
      - {date: 2022-09-09, type: arrested}
""")).by_id()


def values(ids: list[str], day: date, lang: str, post: Post | None = None) -> dict[str, Any]:
    return namespace([facts(ROSTER[i], day) for i in ids], lang, post or Post(week=3))


def said(ids: list[str], day: date, lang: str, written: str) -> str:
    return value_of(values(ids, day, lang), written)


# --- names ---------------------------------------------------------------------------------------------

JAN = date(2023, 1, 20)  # sopheap imprisoned, dara detained, vanna detained, kanha detained, nimol not yet arrested


@pytest.mark.parametrize("ids,primary,secondary", [
    (["sopheap"], "សុភាព ចាន់", "Sopheap Chan"),
    (["dara"], "Dara Keo", ""),  # no Khmer name: the English one is primary, and there is no secondary
    (["kanha"], "កញ្ញា", ""),  # no English name
    (["vanna"], "វណ្ណា", ""),  # the same in both: not said twice
    (["dara", "nimol"], "Dara Keo and Nimol Sok", ""),  # nobody has a Khmer name
    (["sopheap", "dara"], "សុភាព ចាន់ និង Dara Keo", "Sopheap Chan and Dara Keo"),
])
@pytest.mark.parametrize("lang", ["en", "km", "fr"])
def test_name_primary_is_the_khmer_name_and_secondary_the_english_one_only_when_both_exist_and_differ(
        ids: list[str], primary: str, secondary: str, lang: str) -> None:
    v = values(ids, JAN, lang)
    assert (value_of(v, "name.primary"), value_of(v, "name.secondary")) == (primary, secondary)


@pytest.mark.parametrize("lang,group,role", [("en", "Mother Nature", "environmental activist"),
                                             ("km", "មាតាធម្មជាតិ", "សកម្មជនបរិស្ថាន")])
def test_group_and_role_are_the_persons_own_in_the_posts_language(lang: str, group: str, role: str) -> None:
    assert said(["sopheap"], JAN, lang, "group") == group and said(["sopheap"], JAN, lang, "role") == role
    both = values(["sopheap", "dara"], JAN, "en")  # listed once each; dara has no group
    assert value_of(both, "role") == "environmental activist and journalist"
    assert value_of(both, "group") == "Mother Nature"


def test_a_roster_text_is_said_in_the_language_asked_and_is_empty_where_nobody_has_it() -> None:
    assert said(["sopheap"], JAN, "km", "charge") == "ការឃុបឃិត"
    assert said(["sopheap"], JAN, "km", "charge.en") == "plotting"
    assert said(["sopheap"], JAN, "en", "charge.km") == "ការឃុបឃិត"
    assert said(["dara"], JAN, "en", "charge.km") == ""  # an English charge is no Khmer charge
    released = date(2023, 3, 2)
    assert said(["dara"], released, "en", "release_note") == "on bail"
    assert said(["dara"], released, "en", "release_note.km") == ""
    assert said(["dara"], released, "km", "release_note.en") == "on bail"


# --- facts of the day ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_whole_months_behind_bars_are_written_in_the_posts_digits(lang: str) -> None:
    f = facts(ROSTER["sopheap"], JAN)
    assert f.months_detained == 7
    assert said(["sopheap"], JAN, lang, "months_detained") == digits(7, lang)


def test_the_conviction_and_the_next_hearing_are_dates_in_the_posts_language() -> None:
    assert said(["sopheap"], JAN, "en", "convicted_on") == "20 November 2022"
    assert said(["sopheap"], JAN, "km", "convicted_on") == "២០ វិច្ឆិកា ២០២២"
    assert said(["sopheap"], JAN, "en", "next_hearing") == "8 February 2023"
    assert said(["sopheap"], date(2023, 2, 9), "en", "next_hearing") == ""  # the hearing is past
    assert said(["dara"], JAN, "en", "convicted_on") == ""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_charges_remain_and_charges_dropped_are_said_only_of_a_release_that_records_it(lang: str) -> None:
    kept, dropped = facts(ROSTER["dara"], date(2023, 3, 2)), facts(ROSTER["vanna"], date(2023, 3, 2))
    assert kept.charges_after_release == "kept" and dropped.charges_after_release == "dropped"
    on_kept = namespace([kept], lang, Post(week=5))
    on_dropped = namespace([dropped], lang, Post(week=5))
    assert value_of(on_kept, "charges_remain") and value_of(on_kept, "charges_dropped") == ""
    assert value_of(on_dropped, "charges_dropped") and value_of(on_dropped, "charges_remain") == ""
    assert value_of(on_kept, "charges_remain") != value_of(on_dropped, "charges_dropped")
    held = values(["sopheap"], JAN, lang)
    assert value_of(held, "charges_remain") == value_of(held, "charges_dropped") == ""


def test_someone_not_yet_arrested_has_no_time_behind_bars() -> None:
    v = values(["nimol"], JAN, "en")
    assert value_of(v, "detained") == value_of(v, "since") == value_of(v, "duration") == ""
    assert value_of(values(["nimol"], date(2023, 6, 3), "en"), "detained") == "2 days"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_count_is_the_number_of_people_featured_unless_the_post_gives_its_own(lang: str) -> None:
    assert value_of(values(["sopheap", "dara", "kanha"], JAN, lang), "count") == digits(3, lang)
    assert value_of(values(["sopheap"], JAN, lang, Post(week=3, count=12)), "count") == digits(12, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_campaign_name_is_the_same_in_every_language_and_as_campaign_name(lang: str) -> None:
    v = values(["sopheap"], JAN, lang, Post(week=1, campaign="Free Them All"))
    assert value_of(v, "campaign") == value_of(v, "campaign.name") == "Free Them All"


# --- values as Python objects --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_value_reads_the_same_as_text_as_when_formatted(lang: str) -> None:
    for ids in (["sopheap"], ["sopheap", "dara", "kanha"]):
        v = values(ids, JAN, lang, Post(week=11, campaign="C", organisation="O", hashtags=("#A",)))
        for name, value in v.items():
            assert str(value) == format(value) == value_of(v, name), name


@settings(max_examples=30, deadline=None)
@given(n=st.integers(0, 10**6), first=st.sampled_from(LANGUAGES), then=st.sampled_from(LANGUAGES))
def test_a_number_can_be_written_in_another_languages_digits(n: int, first: str, then: str) -> None:
    again = Number(n, first).in_digits_of(then)
    assert again.lang == then and format(again) == str(again) == digits(n, then)
    assert format(Number(n, first)) == digits(n, first)


def test_a_name_starting_with_an_underscore_is_no_attribute_of_a_value() -> None:
    """So Python's own protocols (copy, pickle, ``hasattr(v, "__html__")`` in templating
    libraries) see plain objects, not a language called "__html__"."""
    v = values(["sopheap"], JAN, "en")
    for value in (v["name"], v["case"], v["campaign"], v["week"], v["days_detained"],
                  sample_values({"name": "A"})["name"]):
        assert isinstance(value, (Number, Sample, Text))
        with pytest.raises(AttributeError, match="_secret"):
            getattr(value, "_secret")
        assert not hasattr(value, "__html__")


# --- made-up values, to measure a caption --------------------------------------------------------------

ALL_WRITTEN = ["name", "name.en", "name.km", "name.fr", "names", "name_en", "name_km", "detained", "detained.km",
               "duration", "days_detained", "days", "charge", "charge.fr", "next_hearing", "campaign.name"]
NAMES_GIVEN = ["name", "names", "name_en", "name_km", "detained", "duration", "days_detained", "days", "charge",
               "campaign", "week"]


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(NAMES_GIVEN)))
def test_a_made_up_value_is_given_to_its_name_and_to_every_name_standing_for_it(given_names: set[str]) -> None:
    texts = {n: f"<{n}>" for n in given_names}
    s = sample_values(texts)

    def expected(written: str) -> str:
        root, _, attr = written.partition(".")
        if written in texts:
            return texts[written]
        alias = {"name.en": "name_en", "name.km": "name_km"}.get(written)
        if alias in texts:
            return texts[alias]  # {name.km} measures as the Khmer name given, like {name_km}
        target = {"names": "name", "name_en": "name.en", "name_km": "name.km", "duration": "detained",
                  "days": "days_detained"}.get(root)
        if target is not None:
            return expected(target)  # an alias not given measures as what it stands for
        if attr:
            return expected(root)  # any other attribute: the same made-up text in every language
        back = {"name": "names", "detained": "duration", "days_detained": "days"}.get(root)
        return texts.get(back, "") if back else ""  # a field not given: its older name's text, else nothing

    for written in ALL_WRITTEN:
        assert value_of(s, written) == expected(written), (written, texts)
