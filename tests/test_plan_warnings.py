"""What ``validate`` warns of in a valid plan (``plan_warnings``), each warning for what it names
and nothing else: a pin on someone not held that day; people never held on a posting day; people
held but never featured, with the number of weekly places counted per post as the rotation fills
them; releases whose "released" post would fall after the end. And a plan's JSON (``plan --json``)
reads back to the same slots."""

from __future__ import annotations

import json

import pytest
from datetime import date, datetime

from campaign.checks.folder_lints import folder_warnings
from campaign.checks.plan_lints import plan_warnings
from campaign.plan import Slot, plan
from tests.plan_strategies import make_campaign
from tests.test_plan_rules import ALWAYS, accounts, roster

# Four Wednesdays: 6, 13, 20 and 27 October 2021.
OCTOBER = {"start": "2021-10-04", "end": "2021-10-29"}


def never_featured(warnings: list[str]) -> list[str]:
    return [w for w in warnings if "never featured (" in w or "(only in the finale)" in w]


# --- pins and people never held ----------------------------------------------------------------

def test_a_pin_warns_only_of_the_people_not_held_that_day() -> None:
    c = make_campaign(**OCTOBER, pins=[{"date": "2021-10-13", "people": ["held", "freed", "later"]}])
    r = roster([("held", ALWAYS), ("freed", [*ALWAYS, ("2021-10-12", "released")]),
                ("later", [("2021-10-14", "arrested")])])
    pins = [w for w in plan_warnings(c, r) if w.startswith("pin on")]
    assert pins == ["pin on 2021-10-13: freed is not detained that day, so is not featured",
                    "pin on 2021-10-13: later is not detained that day, so is not featured"]


def test_people_never_held_on_a_posting_day_are_named_together() -> None:
    # Held only between two Wednesdays, or only after the campaign: never on a posting day.
    c = make_campaign(**OCTOBER)
    r = roster([("held", ALWAYS), ("between", [("2021-10-14", "arrested"), ("2021-10-19", "released")]),
                ("after", [("2021-11-02", "arrested")])])
    never = [w for w in plan_warnings(c, r) if w.startswith("never detained")]
    assert never == ["never detained on a posting day, so never featured: between, after"]
    assert not [w for w in plan_warnings(c, roster([("held", ALWAYS)])) if w.startswith("never detained")]


# --- held but never featured -------------------------------------------------------------------

def test_the_unfeatured_count_one_accounts_places_when_accounts_post_together() -> None:
    # Three accounts posting the same person: 4 weekly places, not 12, for 5 people.
    c = make_campaign(**OCTOBER, accounts=accounts(3), captions={"en": ["{name}"]})
    r = roster([(f"p{i}", ALWAYS) for i in range(1, 6)])
    assert never_featured(plan_warnings(c, r)) == [
        "p5 is held during the campaign but is never featured (4 weekly slots for 5 people held); add posting days or pins"]
    alone = make_campaign(**OCTOBER, accounts=accounts(1), captions={"en": ["{name}"]})
    assert never_featured(plan_warnings(alone, r)) == [
        "p5 is held during the campaign but is never featured (4 weekly slots for 5 people held); add posting days or pins"]


def test_the_unfeatured_count_every_accounts_places_when_accounts_spread() -> None:
    c = make_campaign(**OCTOBER, accounts=accounts(2), captions={"en": ["{name}", "{name}!"]}, rotation="spread",
                      pins=[{"date": d, "people": ["p1"]} for d in ("2021-10-06", "2021-10-13", "2021-10-20")])
    r = roster([(f"p{i}", ALWAYS) for i in range(1, 5)])
    # Three dates pinned to p1 (one place per post, so 6 places), then one date with a place on each
    # account: p2 and p3, and p4 never.
    assert never_featured(plan_warnings(c, r)) == [
        "p4 is held during the campaign but is never featured (8 weekly slots for 4 people held); add posting days or pins"]


def test_many_never_featured_are_one_warning_naming_the_first_ten() -> None:
    """A roster of thousands held and a few posting days is one line, not thousands."""
    c = make_campaign(start="2021-10-04", end="2021-10-08", accounts=accounts(1), captions={"en": ["{name}"]})
    r = roster([(f"p{i:02d}", ALWAYS) for i in range(1, 26)])
    assert never_featured(plan_warnings(c, r)) == [
        "p02, p03, p04, p05, p06, p07, p08, p09, p10, p11 and 14 more are held during the campaign but are never "
        "featured (1 weekly slot for 25 people held); add posting days or pins"]
    ten = roster([(f"p{i:02d}", ALWAYS) for i in range(1, 12)])  # ten left out: all named, no "and 0 more"
    assert never_featured(plan_warnings(c, ten)) == [
        "p02, p03, p04, p05, p06, p07, p08, p09, p10, p11 are held during the campaign but are never "
        "featured (1 weekly slot for 11 people held); add posting days or pins"]


def test_one_weekly_place_is_one_slot() -> None:
    c = make_campaign(start="2021-10-04", end="2021-10-08", accounts=accounts(1), captions={"en": ["{name}"]})
    r = roster([("p1", ALWAYS), ("p2", ALWAYS)])
    assert never_featured(plan_warnings(c, r)) == [
        "p2 is held during the campaign but is never featured (1 weekly slot for 2 people held); add posting days or pins"]


def test_someone_featured_only_in_the_finale_is_told_so() -> None:
    c = make_campaign(**OCTOBER, finale={"date": "2021-10-27"},
                      pins=[{"date": "2021-10-13", "people": ["p1"]}, {"date": "2021-10-20", "people": ["p1"]}])
    r = roster([("p1", ALWAYS), ("p2", ALWAYS)])
    assert never_featured(plan_warnings(c, r)) == [
        "p2 is held during the campaign but is never featured in a weekly post (only in the finale) "
        "(3 weekly slots for 2 people held); add posting days or pins"]


def test_someone_held_only_on_the_finale_day_is_not_warned_of() -> None:
    """The finale date has no weekly post: a person arrested the day before it is featured by the
    finale, and no weekly post could have featured them."""
    c = make_campaign(**OCTOBER, finale={"date": "2021-10-27"})
    r = roster([("p1", ALWAYS), ("late", [("2021-10-26", "arrested")])])
    assert "late" in next(s.people for s in plan(c, r) if s.kind == "finale")
    assert never_featured(plan_warnings(c, r)) == []


# --- releases with no day left to announce them -------------------------------------------------

DAILY = {"cadence": {"every": "day", "time": "09:00"}, "start": "2021-10-04", "end": "2021-10-10"}


def unannounced(warnings: list[str]) -> list[str]:
    return [w for w in warnings if "gets no 'released' post" in w]


def test_releases_on_the_first_and_last_day_of_a_daily_campaign_are_warned_of() -> None:
    c = make_campaign(**DAILY, announce_releases=True)
    r = roster([("first", [*ALWAYS, ("2021-10-04", "released")]), ("last", [*ALWAYS, ("2021-10-10", "released")]),
                ("p3", ALWAYS)])
    assert unannounced(plan_warnings(c, r)) == [
        "the release of first on 2021-10-04 gets no 'released' post: a release is announced on the first day "
        "without another post, and every day from then to the end (2021-10-10) has one",
        "the release of last on 2021-10-10 gets no 'released' post: a release is announced on the first day "
        "without another post, and every day from then to the end (2021-10-10) has one"]


def test_releases_outside_the_campaign_and_arrests_are_not_warned_of() -> None:
    c = make_campaign(**DAILY, announce_releases=True)
    r = roster([("before", [*ALWAYS, ("2021-10-01", "released")]), ("after", [*ALWAYS, ("2021-10-11", "released")]),
                ("arrested", [("2021-10-06", "arrested")]), ("p4", ALWAYS)])
    assert unannounced(plan_warnings(c, r)) == []


def test_a_release_not_to_be_announced_is_not_warned_of() -> None:
    people = [("quiet", [*ALWAYS, ("2021-10-06", "released")]), ("p2", ALWAYS)]
    on = make_campaign(**DAILY, announce_releases=True)
    assert unannounced(plan_warnings(on, roster(people, announce={"quiet": False}))) == []
    off = make_campaign(**DAILY, announce_releases=False)
    assert unannounced(plan_warnings(off, roster(people))) == []
    assert len(unannounced(plan_warnings(off, roster(people, announce={"quiet": True})))) == 1


def test_a_release_announced_on_the_last_day_is_not_warned_of() -> None:
    # Posting on Wednesdays until Thursday 14 October: released on Wednesday 13, announced on the 14th.
    c = make_campaign(start="2021-10-04", end="2021-10-14", announce_releases=True)
    r = roster([("p1", [*ALWAYS, ("2021-10-13", "released")]), ("p2", ALWAYS)])
    assert [s.date for s in plan(c, r) if s.kind == "released"] == [date(2021, 10, 14)] * 2
    assert unannounced(plan_warnings(c, r)) == []


# --- the plan as JSON --------------------------------------------------------------------------

def test_a_plans_json_reads_back_to_the_same_slots() -> None:
    c = make_campaign(**OCTOBER, people_per_post=2, finale={"date": "2021-10-29", "time": "08:00"})
    slots = plan(c, roster([("p1", ALWAYS), ("p2", ALWAYS), ("p3", ALWAYS)]))
    for slot in slots:
        data = json.loads(json.dumps(slot.to_json()))
        assert set(data) == set(Slot.__dataclass_fields__)
        back = Slot(**{**data, "date": date.fromisoformat(data["date"]), "due": datetime.fromisoformat(data["due"]),
                       "people": tuple(data["people"])})
        assert back == slot


# --- posts that go out on the day after their date ---------------------------------------------

def test_accounts_staggered_past_midnight_are_warned_of_with_the_day_they_post() -> None:
    """Facts are as of a post's date; a slot at 23:55 with a 10-minute stagger sends the second
    account's post at 00:05 the next day, stating the day before's facts (a release that day is
    not shown): validate names each such account, and no other."""
    c = make_campaign(**OCTOBER, cadence={"every": "week", "weekday": "wednesday", "time": "23:55"},
                      accounts=accounts(3), captions={"en": ["{name}", "{name}!", "Free {name}"]})
    r = roster([("held", ALWAYS)])
    late = [w for w in plan_warnings(c, r) if "after midnight" in w]
    assert late == [
        "acc2, acc3 post after midnight (the slot time 23:55 plus their stagger): 8 posts go out on the day after "
        "their date, first nl:2021-10-06:acc2 on 2021-10-07 00:05, and state the facts of their date (someone "
        "released or arrested on the day they go out is not shown so); set an earlier time or a smaller stagger"
        .replace("nl:", "c:")]
    early = make_campaign(**OCTOBER, cadence={"every": "week", "weekday": "wednesday", "time": "23:35"},
                          accounts=accounts(3), captions={"en": ["{name}", "{name}!", "Free {name}"]})
    assert not [w for w in plan_warnings(early, r) if "after midnight" in w]  # 23:35, 23:45, 23:55


def test_one_account_and_one_post_after_midnight_are_said_in_the_singular() -> None:
    """One post from one account: "acc2 posts ... its stagger ... 1 post goes ... its date"."""
    c = make_campaign(start="2021-10-06", end="2021-10-06", cadence={"every": "day", "time": "23:55"},
                      accounts=accounts(2), captions={"en": ["{name}", "{name}!"]})
    [late] = [w for w in plan_warnings(c, roster([("held", ALWAYS)])) if "after midnight" in w]
    assert late.startswith("acc2 posts after midnight (the slot time 23:55 plus its stagger): 1 post goes out on the "
                           "day after its date, first c:2021-10-06:acc2 on 2021-10-07 00:05")


def test_two_posts_of_one_account_are_said_in_the_plural_and_a_finale_by_its_own_time() -> None:
    c = make_campaign(start="2021-10-06", end="2021-10-07", cadence={"every": "day", "time": "10:00"},
                      finale={"date": "2021-10-07", "time": "23:55"}, accounts=accounts(2),
                      captions={"en": {"weekly": ["{name}", "{name}!"], "finale": ["All", "All!"]}})
    [late] = [w for w in plan_warnings(c, roster([("held", ALWAYS)])) if "after midnight" in w]
    assert late.startswith("acc2 posts after midnight (the slot time 23:55 plus its stagger): 1 post goes")
    daily = make_campaign(start="2021-10-06", end="2021-10-07", cadence={"every": "day", "time": "23:55"},
                          accounts=accounts(2), captions={"en": ["{name}", "{name}!"]})
    [late] = [w for w in plan_warnings(daily, roster([("held", ALWAYS)])) if "after midnight" in w]
    assert "(the slot time 23:55 plus its stagger): 2 posts go out on the day after their date" in late
    with_finale = make_campaign(start="2021-10-06", end="2021-10-07", cadence={"every": "day", "time": "23:55"},
                                finale={"date": "2021-10-07", "time": "20:00"}, accounts=accounts(2),
                                captions={"en": {"weekly": ["{name}", "{name}!"], "finale": ["All", "All!"]}})
    [late] = [w for w in plan_warnings(with_finale, roster([("held", ALWAYS)])) if "after midnight" in w]
    assert "(the slot time 23:55 plus its stagger): 1 post goes" in late  # the weekly post's time, not the finale's


# --- the campaign's name per language ------------------------------------------------------------

def test_an_account_language_the_campaigns_names_lack_is_warned_of_with_the_name_its_posts_say() -> None:
    """``name: {be: ..., eng: ...}`` gives an English account no English name: its cards and captions
    say the Belarusian one. Said per language lacking, with the key that was probably meant."""
    r = roster([("held", ALWAYS)])
    langs = [{"id": "be1", "organisation": "A", "platform": "outbox", "language": "be"},
             {"id": "en1", "organisation": "B", "platform": "outbox", "language": "en"},
             {"id": "en2", "organisation": "C", "platform": "outbox", "language": "en"}]
    caps = {"be": ["{name}"], "en": ["{name}"]}
    c = make_campaign(**OCTOBER, accounts=langs, captions=caps, name={"be": "Свабоду", "eng": "Freedom"})
    named = [w for w in plan_warnings(c, r) if w.startswith("name:")]
    assert named == ["name: no name in 'en', the language of en1, en2: their posts say the campaign's name as "
                     "'Свабоду'; add en: to name ('eng' is no account's language: meant 'en'?)"]
    assert c.title("en") == "Свабоду"  # what the warning says the posts show
    for fine in ({"be": "Свабоду", "en": "Freedom", "fr": "Liberté"}, "Freedom"):
        c = make_campaign(**OCTOBER, accounts=langs, captions=caps, name=fine)
        assert not [w for w in plan_warnings(c, r) if w.startswith("name:")]


def test_a_lone_accounts_language_without_a_name_and_no_key_like_it_is_said_without_a_guess() -> None:
    """One account: "its posts"; no key of ``name:`` close to the language: no key is suggested."""
    r = roster([("held", ALWAYS)])
    one = [{"id": "km1", "organisation": "A", "platform": "outbox", "language": "km"},
           {"id": "en1", "organisation": "B", "platform": "outbox", "language": "en"}]
    c = make_campaign(**OCTOBER, accounts=one, captions={"km": ["{name}"], "en": ["{name}"]},
                      name={"ru": "Свобода", "en": "Freedom"})
    assert [w for w in plan_warnings(c, r) if w.startswith("name:")] == [
        f"name: no name in 'km', the language of km1: its posts say the campaign's name as '{c.title('km')}'; "
        "add km: to name"]


# --- a sentence served with no release recorded -------------------------------------------------

def _sentenced(pid: str, arrested: str, convicted: str, sentence: str, *later: tuple[str, str]) -> dict:
    return {"id": pid, "name": {"en": pid.upper()},
            "events": [{"date": arrested, "type": "arrested", "charge": {"en": "incitement"}},
                       {"date": convicted, "type": "convicted", "sentence": sentence},
                       *({"date": d, "type": t} for d, t in later)]}


ONE_ACCOUNT = {"accounts": [{"id": "a", "organisation": "A", "platform": "outbox", "language": "en"}]}
ANNOUNCED = {"announce_releases": True}  # a release gets a post of its own, featuring someone no longer held


@pytest.mark.parametrize(("person", "served_by", "over"), [
    (_sentenced("served", "2020-10-10", "2021-03-01", "1 year"), "2021-10-10", {}),
    (_sentenced("exact", "2019-10-20", "2020-05-01", "2 years"), "2021-10-20", {}),  # that day's post too
    (_sentenced("months", "2020-07-31", "2021-01-05", "14 months 3 days"), "2021-10-03", {}),  # 30 Sep + 3 days
    (_sentenced("last", "2019-10-27", "2020-05-01", "2 years"), "2021-10-27", ONE_ACCOUNT),  # one post: "says"
    # freed on 5 October (its post that day features them free), held again from the 7th, for one day
    ({"id": "again", "name": {"en": "AGAIN"}, "events": [
        {"date": "2019-01-01", "type": "arrested", "charge": {"en": "incitement"}},
        {"date": "2019-06-01", "type": "convicted", "sentence": "5 years"},
        {"date": "2021-10-05", "type": "released"},
        {"date": "2021-10-07", "type": "arrested", "charge": {"en": "incitement"}},
        {"date": "2021-10-07", "type": "convicted", "sentence": "1 day"}]}, "2021-10-08", ANNOUNCED),
    (_sentenced("long", "2020-10-10", "2021-03-01", "10 years"), None, {}),
    (_sentenced("suspended", "2020-10-10", "2021-03-01", "6 months suspended"), None, {}),
    (_sentenced("freed", "2020-10-10", "2021-03-01", "1 year", ("2021-10-11", "released")), None, ANNOUNCED),
])
def test_someone_still_featured_as_held_after_their_sentence_would_be_served_is_warned_of_once(
        person: dict, served_by: str | None, over: dict) -> None:
    from campaign.roster import Roster, facts

    c = make_campaign(**OCTOBER, **over)  # Wednesdays 6, 13, 20, 27 October 2021
    r = Roster.model_validate({"people": [person]})
    served = [w for w in plan_warnings(c, r) if "if it runs from the arrest" in w]
    if served_by is None:
        assert served == []
        return
    held = [s for s in plan(c, r) if s.date >= date.fromisoformat(served_by)]
    then = facts(r.people[0], held[0].date)  # the detention the posts show: its own sentence, from its arrest
    pid, start, sentence = person["id"], then.detention.start, then.sentence.text("en")
    posts = f"{len(held)} posts from {held[0].date} say" if len(held) != 1 else f"1 post from {held[0].date} says"
    assert served == [f"{pid}: sentenced to {sentence}, held since {start}: served by {served_by} "
                      f"if it runs from the arrest, yet {posts} they are still behind bars; record the release in "
                      "roster.yaml if they were freed (nothing is wrong if the sentence runs from a later day or was "
                      "extended)"]


# --- a charge recorded while free, before a re-arrest ---------------------------------------------

def _again(*events: tuple[str, str, str | None]) -> dict:
    """Arrested in 2020, released on 1 March 2021, then ``events`` (date, type, charge or None)."""
    return {"id": "again", "name": {"en": "AGAIN"}, "events": [
        {"date": "2020-05-01", "type": "arrested", "charge": {"en": "incitement"}},
        {"date": "2021-03-01", "type": "released"},
        *({"date": d, "type": t, **({"charge": {"en": c}} if c else {})} for d, t, c in events)]}


@pytest.mark.parametrize(("person", "warned"), [
    (_again(("2021-09-20", "charged", "plotting"), ("2021-10-01", "arrested", None)), ["2021-09-20"]),
    (_again(("2021-08-01", "charged", "a"), ("2021-09-20", "charged", "b"), ("2021-10-01", "arrested", None)),
     ["2021-08-01", "2021-09-20"]),
    # the arrest has its own charge, or a charge follows it in that detention: nothing to say
    (_again(("2021-09-20", "charged", "plotting"), ("2021-10-01", "arrested", "plotting")), []),
    (_again(("2021-09-20", "charged", "plotting"), ("2021-10-01", "arrested", None), ("2021-10-02", "charged", "x")), []),
    (_again(("2021-09-20", "charged", "plotting"), ("2021-10-01", "arrested", None), ("2021-10-02", "convicted", "x")), []),
    # charged before the first arrest (with or without saying what of): never "while free"
    ({"id": "again", "name": {"en": "AGAIN"}, "events": [
        {"date": "2020-04-01", "type": "charged", "charge": {"en": "plotting"}},
        {"date": "2020-05-01", "type": "arrested"}]}, []),
    ({"id": "again", "name": {"en": "AGAIN"}, "events": [
        {"date": "2020-04-01", "type": "charged"}, {"date": "2020-05-01", "type": "arrested"}]}, []),
    # held for a day: the posts of that day say no charge, whatever is charged after the release
    (_again(("2021-09-20", "charged", "plotting"), ("2021-10-01", "arrested", None), ("2021-10-01", "released", None),
            ("2021-10-09", "charged", "later")), ["2021-09-20"]),
    # charged while free with no arrest after it, or a conviction while free: the earlier case's
    (_again(("2021-09-20", "charged", "plotting")), []),
    (_again(("2021-09-20", "convicted", "incitement"), ("2021-10-01", "arrested", None)), []),
    # a charge after the new detention's release does not make the earlier arrest's own
    (_again(("2021-09-20", "charged", "plotting"), ("2021-10-01", "arrested", None), ("2021-10-05", "released", None),
            ("2021-10-09", "charged", "later")), ["2021-09-20"]),
])
def test_a_charge_recorded_while_free_before_a_chargeless_re_arrest_is_warned_of(person: dict,
                                                                                 warned: list[str]) -> None:
    from campaign.roster import Roster, facts

    r = Roster.model_validate({"people": [person]})
    got = [w for w in plan_warnings(make_campaign(**OCTOBER), r) if "while free" in w]
    if warned:  # what the warning says is so: the re-arrest's posts state no charge
        assert facts(r.people[0], date(2021, 10, 2)).charge is None
    if not warned:
        assert got == []
        return
    assert got == [f"again: charged on {' and '.join(warned)} while free (released on 2021-03-01): that charge "
                   "counts with the detention that release closed, so posts about the arrest on 2021-10-01 say "
                   "nothing of a charge; if it is that arrest's charge, put it on the arrested event (charge:) or "
                   "date the charged event on or after 2021-10-01"]


def test_roster_texts_in_a_language_nobody_posts_in_are_named_with_the_likely_one() -> None:
    """``kh:`` for ``km:`` (a common slip) is a valid code, shown only where a post has no text in its own
    language: one warning per such language, naming whose texts, and the close language meant."""
    from campaign.roster import Roster

    c = make_campaign(**OCTOBER, accounts=[*accounts(1), {"id": "k1", "organisation": "Org K", "platform": "outbox",
                                                           "language": "km"}],
                      captions={"en": ["{name}"], "km": ["{name}"]})
    r = Roster.model_validate({"people": [
        {"id": f"p{i}", "name": {"en": f"P {i}", "kh": "ក"}, "group": {"zz": "g"},
         "events": [{"date": "2020-01-01", "type": "arrested", "charge": {"en": "x", "kh": "ខ"}}]} for i in range(3)]})
    said = [w for w in folder_warnings(c, r) if w.startswith("roster.yaml has texts in")]
    assert said == [
        "roster.yaml has texts in 'kh' (p0's name, p0's charge, p1's name and 3 more), a language no account posts in "
        "and languages: does not list: they show only where a card or caption has no text in its own language (did "
        "you mean 'km'?)",
        "roster.yaml has texts in 'zz' (p0's group, p1's group, p2's group), a language no account posts in and "
        "languages: does not list: they show only where a card or caption has no text in its own language; check the "
        "language code"]


@pytest.mark.parametrize("url, said", [
    ("http://mastodon.example", "http:// sends its token unencrypted;"),
    ("https://127.0.0.1:6379", "it is this machine or a private network;"),
    ("http://169.254.169.254/latest", "http:// sends its token unencrypted and it is this machine or a private network"),
    ("https://localhost", "it is this machine or a private network;"),
    ("https://mastodon.social", None),
])
def test_an_api_address_that_sends_the_token_in_the_clear_or_inward_is_warned_of(url: str, said: str | None) -> None:
    c = make_campaign(**OCTOBER, accounts=[{"id": "m1", "organisation": "Org", "platform": "mastodon",
                                            "language": "en", "credentials": "env:TOKEN", "base_url": url}],
                      captions={"en": ["{name}"]})
    got = [w for w in folder_warnings(c, roster([("p1", ALWAYS)])) if w.startswith("account m1:")]
    assert got == ([] if said is None else [got[0]]) and (said is None or said in got[0]), got


def test_a_hashtag_bluesky_would_not_make_a_tag_is_warned_of_for_a_bluesky_campaign() -> None:
    tags = ["#FreeThemAll", "#12345", "#" + "a" * 70, "#ដោះលែង\u200bអ្នកការពារ"]
    sky = make_campaign(**OCTOBER, hashtags=tags, captions={"en": ["{name} {hashtags}"]},
                        accounts=[{"id": "b1", "organisation": "Org", "platform": "bluesky", "language": "en",
                                   "credentials": "env:TOKEN"}])
    said = [w for w in folder_warnings(sky, roster([("p1", ALWAYS)])) if w.startswith("hashtags:")]
    assert [w.split(" is no tag")[0] for w in said] == [f"hashtags: {t!r}" for t in tags[1:]]
    elsewhere = make_campaign(**OCTOBER, hashtags=tags, captions={"en": ["{name} {hashtags}"]}, accounts=accounts(1))
    assert not [w for w in folder_warnings(elsewhere, roster([("p1", ALWAYS)])) if w.startswith("hashtags:")]


def test_roster_words_missing_an_account_s_language_are_one_warning_per_language() -> None:
    """A group, charge or release note with no French goes out in English on French posts: said once
    for French, naming whose; names are not (a Latin name is the same name in French)."""
    from campaign.roster import Roster

    c = make_campaign(**OCTOBER, accounts=[*accounts(1), {"id": "f1", "organisation": "Org F", "platform": "outbox",
                                                          "language": "fr"}],
                      captions={"en": ["{name}"], "fr": ["{name}"]})
    r = Roster.model_validate({"people": [
        {"id": "p1", "name": {"en": "P One"}, "group": {"en": "Union", "fr": "Syndicat"},
         "events": [{"date": "2020-01-01", "type": "arrested", "charge": {"en": "high treason"}},
                    {"date": "2021-09-01", "type": "released", "note": {"en": "released early"}}]},
        {"id": "p2", "name": {"en": "P Two"}, "group": {"*": "Viasna"},
         "events": [{"date": "2020-01-01", "type": "arrested", "charge": {"en": "x", "fr": "x"}}]}]})
    said = [w for w in folder_warnings(c, r) if "with no '" in w]
    assert said == ["roster.yaml: 2 texts with no 'fr' (p1's charge, p1's note): the 'fr' accounts' posts show them in "
                    "another language (English first); add fr: where it matters, or keep it so knowingly"]
