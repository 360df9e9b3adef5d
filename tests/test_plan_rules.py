"""Rules of the plan that no test held before (each found by a surviving mutant), and the spread
rotation on small rosters that are not the example: fewer and more people than accounts, a
re-arrest, a release, pins."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from campaign.captions import caption_text
from campaign.plan import FINALE, RELEASED, WEEKLY, Slot, plan
from campaign.roster import Roster, facts
from campaign.rotation import Spread
from tests.plan_strategies import make_campaign

ALWAYS = [("2020-01-01", "arrested")]


def roster(people: list[tuple[str, list[tuple[str, str]]]], announce: dict[str, bool] | None = None) -> Roster:
    return Roster.model_validate({"people": [
        {"id": pid, "name": {"en": pid.upper()},
         "events": [{"date": d, "type": t, **({"announce": announce[pid]} if announce and pid in announce and t == "released" else {})}
                    for d, t in events]}
        for pid, events in people]})


def steady(n: int) -> Roster:
    return roster([(f"p{i}", ALWAYS) for i in range(1, n + 1)])


def accounts(n: int, platform: str = "outbox", language: str = "en") -> list[dict[str, str]]:
    extra = {"credentials": "env:TOKEN"} if platform != "outbox" else {}
    return [{"id": f"acc{i}", "organisation": f"Org {i}", "platform": platform, "language": language, **extra}
            for i in range(1, n + 1)]


def weekly(slots: list[Slot]) -> dict[date, dict[str, tuple[str, ...]]]:
    out: dict[date, dict[str, tuple[str, ...]]] = defaultdict(dict)
    for s in slots:
        if s.kind == WEEKLY:
            out[s.date][s.account] = s.people
    return out


# --- times and announcements -------------------------------------------------------------------

def test_a_wednesday_cadence_starting_on_a_thursday_posts_on_wednesdays() -> None:
    c = make_campaign(start="2021-08-12", end="2021-09-30")  # a Thursday; weekday: wednesday
    dates = sorted({s.date for s in plan(c, steady(2))})
    assert dates[0] == date(2021, 8, 18) and all(d.weekday() == 2 for d in dates)
    assert dates == [date(2021, 8, 18) + timedelta(weeks=i) for i in range(7)]


def test_an_accounts_own_stagger_is_its_delay_after_the_slot_time() -> None:
    own = accounts(3)
    own[2]["stagger"] = "45m"
    c = make_campaign(accounts=own, stagger="10m")
    first = {s.account: s.due.strftime("%H:%M") for s in plan(c, steady(3)) if s.date == date(2021, 8, 11)}
    assert first == {"acc1": "10:00", "acc2": "10:10", "acc3": "10:45"}


def test_the_finale_posts_at_its_own_time() -> None:
    c = make_campaign(finale={"date": "2021-12-10", "time": "08:30"})
    finale = sorted(s.due.strftime("%H:%M") for s in plan(c, steady(2)) if s.kind == FINALE)
    assert finale == ["08:30", "08:40"]
    no_time = make_campaign(finale={"date": "2021-12-10"})
    assert sorted(s.due.strftime("%H:%M") for s in plan(no_time, steady(2)) if s.kind == FINALE) == ["10:00", "10:10"]


def test_a_release_announced_or_not_as_its_event_says() -> None:
    people = [("p1", [*ALWAYS, ("2021-09-10", "released")]), ("p2", [*ALWAYS, ("2021-09-24", "released")]),
              ("p3", ALWAYS)]
    on = make_campaign(announce_releases=True)
    released = {s.date: s.people for s in plan(on, roster(people, announce={"p1": False})) if s.kind == RELEASED}
    assert released == {date(2021, 9, 24): ("p2",)}  # p1's release says announce: false
    off = make_campaign(announce_releases=False)
    released = {s.date: s.people for s in plan(off, roster(people, announce={"p1": True})) if s.kind == RELEASED}
    assert released == {date(2021, 9, 10): ("p1",)}  # the campaign says no, p1's release says yes


def test_releases_on_the_first_and_last_day_are_announced() -> None:
    # Tuesday 10 August to Friday 10 December, posting on Wednesdays: both ends are free days.
    c = make_campaign(start="2021-08-10", end="2021-12-10", announce_releases=True)
    people = [("first", [*ALWAYS, ("2021-08-10", "released")]), ("last", [*ALWAYS, ("2021-12-10", "released")]),
              ("p3", ALWAYS)]
    released = {s.date: s.people for s in plan(c, roster(people)) if s.kind == RELEASED}
    assert released == {date(2021, 8, 10): ("first",), date(2021, 12, 10): ("last",)}


# --- caption variants --------------------------------------------------------------------------

def test_two_x_accounts_never_post_the_same_text() -> None:
    c = make_campaign(accounts=accounts(2, "x"), captions={"en": ["Free {name}", "{name} is held"]})
    r = steady(3)
    people = r.by_id()
    texts: dict[date, list[str]] = defaultdict(list)
    for s in plan(c, r):
        texts[s.date].append(caption_text(c, s, [facts(people[p], s.date) for p in s.people]))
    assert all(len(set(day)) == len(day) == 2 for day in texts.values())


def test_each_account_moves_on_to_its_next_variant_every_posting_date() -> None:
    # Twice a week, every two weeks: the variant follows the posting dates, not the week number
    # (which would give both posts of a week, and every other week, the same variant).
    c = make_campaign(cadence={"every": "2 weeks", "weekday": ["monday", "thursday"], "time": "10:00"},
                      accounts=accounts(2, "x"), captions={"en": ["A {name}", "B {name}", "C {name}"]})
    for account in ("acc1", "acc2"):
        variants = [s.variant % 3 for s in plan(c, steady(4)) if s.account == account]
        assert len(variants) > 6 and all(b == (a + 1) % 3 for a, b in zip(variants, variants[1:])), variants


# --- spread ------------------------------------------------------------------------------------

def test_spread_with_more_people_than_accounts_goes_round_evenly() -> None:
    c = make_campaign(rotation="spread", accounts=accounts(3))
    posts = weekly(plan(c, steady(6)))
    days = sorted(posts)
    for day in days:
        assert len({posts[day][a] for a in posts[day]}) == 3  # different people every date
    # Each account features everyone once in six weeks, the accounts two people apart, so one
    # person's three posts come every other week, not in three weeks running.
    assert [posts[d]["acc1"][0] for d in days[:6]] == ["p1", "p2", "p3", "p4", "p5", "p6"]
    assert [posts[d]["acc2"][0] for d in days[:6]] == ["p3", "p4", "p5", "p6", "p1", "p2"]
    assert [posts[d]["acc3"][0] for d in days[:6]] == ["p5", "p6", "p1", "p2", "p3", "p4"]


def test_spread_with_fewer_people_than_accounts_uses_each_as_evenly_as_it_can() -> None:
    c = make_campaign(rotation="spread", accounts=accounts(3))
    for day, by_account in weekly(plan(c, steady(2))).items():
        featured = [p for people in by_account.values() for p in people]
        assert sorted(featured.count(p) for p in ("p1", "p2")) == [1, 2], day


def test_spread_a_re_arrest_is_not_stacked_on_every_account() -> None:
    # The case from the field: released, re-arrested during the campaign; three accounts.
    c = make_campaign(rotation="spread", accounts=accounts(3), start="2025-09-03", end="2025-12-31")
    people = [("again", [("2021-03-01", "arrested"), ("2022-09-01", "released"), ("2025-10-02", "arrested")]),
              *[(f"p{i}", ALWAYS) for i in range(1, 7)]]
    posts = weekly(plan(c, roster(people)))
    days = [d for d in sorted(posts) if d >= date(2025, 10, 2)]
    # Never on two accounts the same week; on each account once a round of seven weeks: the
    # first round (when every account owes them a post) has them on three weeks in a row, once
    # per account, where the old rotation put them on all three accounts at once, six times in three weeks.
    assert all(sum(people.count("again") for people in posts[d].values()) <= 1 for d in days)
    for account in ("acc1", "acc2", "acc3"):
        weeks = [i for i, d in enumerate(days) if "again" in posts[d][account]]
        assert weeks[0] <= 3 and all(b - a == 7 for a, b in zip(weeks, weeks[1:])), (account, weeks)
    # Everyone else keeps their place: each person's posts stay two weeks apart on the three accounts.
    for person in ("p1", "p4"):
        featured = [i for i, d in enumerate(sorted(posts)) if any(person in ps for ps in posts[d].values())]
        assert all(b - a >= 2 for a, b in zip(featured, featured[1:])), (person, featured)


def test_spread_a_release_closes_the_gap_without_doubling_anyone() -> None:
    c = make_campaign(rotation="spread", accounts=accounts(2))
    people = [("p1", ALWAYS), ("p2", [*ALWAYS, ("2021-08-20", "released")]), ("p3", ALWAYS), ("p4", ALWAYS)]
    for day, by_account in weekly(plan(c, roster(people))).items():
        assert len(set(by_account.values())) == 2, day
        assert day < date(2021, 8, 20) or all("p2" not in ps for ps in by_account.values())


def test_spread_pins_win_and_the_rotation_goes_on_around_them() -> None:
    c = make_campaign(rotation="spread", accounts=accounts(2), pins=[{"date": "2021-08-18", "people": ["p3"]}])
    posts = weekly(plan(c, steady(4)))
    assert posts[date(2021, 8, 18)] == {"acc1": ("p3",), "acc2": ("p3",)}  # a pin is on every account
    # acc1 goes p1, [pin: p3], p2, p4: the pin counts as p3's turn, so the round ends without
    # them and the next goes in the same order.
    assert [posts[d]["acc1"][0] for d in sorted(posts)[:6]] == ["p1", "p3", "p2", "p4", "p1", "p3"]
    two = make_campaign(rotation="spread", accounts=accounts(2), people_per_post=2,
                        pins=[{"date": "2021-08-18", "people": ["p3"]}])
    on_pin = weekly(plan(two, steady(5)))[date(2021, 8, 18)]
    assert all(people[0] == "p3" for people in on_pin.values())
    assert on_pin["acc1"][1] != on_pin["acc2"][1]  # the places left are still spread


def test_spread_gives_the_contested_person_to_the_account_that_needs_them() -> None:
    # acc1 may take p1 or p2; acc2 has only p1 left in its round. Taking the nearest for acc1
    # first would make acc2 repeat someone; the assignment gives each a person due.
    s = Spread(["acc1", "acc2"], {"p1": 0, "p2": 1, "p3": 2}, cursor={"acc1": 0, "acc2": 0},
               seen={"acc1": {"p3"}, "acc2": {"p2", "p3"}})
    assert s.day(date(2021, 8, 11), ["p1", "p2", "p3"], [], 1) == {"acc1": ["p2"], "acc2": ["p1"]}
