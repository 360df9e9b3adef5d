"""Properties of the plan over random campaigns (any cadence, pins, finale) and random rosters with
releases and re-arrests: the rules of ``rotation: spread`` and the rules every plan keeps."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign.definition import Campaign
from campaign.plan import FINALE, RELEASED, WEEKLY, Slot, cadence_dates, plan
from campaign.roster import Event, Person, Roster, facts
from campaign.types import LocalText
from tests.plan_strategies import campaigns_and_rosters

PROPS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def held_on(roster: Roster, day: date) -> set[str]:
    return {p.id for p in roster.people if facts(p, day).held}


def pinned_on(campaign: Campaign, roster: Roster, day: date) -> set[str]:
    return {p for pin in campaign.pins if pin.date == day for p in pin.people} & held_on(roster, day)


def weekly_by_day(slots: list[Slot]) -> dict[date, dict[str, tuple[str, ...]]]:
    out: dict[date, dict[str, tuple[str, ...]]] = defaultdict(dict)
    for s in slots:
        if s.kind == WEEKLY:
            out[s.date][s.account] = s.people
    return out


# --- spread ------------------------------------------------------------------------------------

@PROPS
@given(campaigns_and_rosters(rotation="spread"))
def test_spread_accounts_of_a_date_feature_different_people(cr: tuple[Campaign, Roster]) -> None:
    """With enough people held, the accounts of a date feature different people (pins aside: a pin
    is on every account's post); with fewer, one person is on as few posts as the places allow."""
    c, r = cr
    for day, posts in weekly_by_day(plan(c, r)).items():
        pinned = pinned_on(c, r, day)
        others = held_on(r, day) - pinned
        uses = Counter(p for people in posts.values() for p in people if p not in pinned)
        places = sum(uses.values())
        assert places == len(c.accounts) * min(max(0, c.people_per_post - len(pinned)), len(others))
        if places:
            assert max(uses.values()) == math.ceil(places / len(others)), (day, posts)
        for people in posts.values():
            assert [p for p in people if p in pinned] == [p for p in people[:len(pinned)]]  # pins first
            assert pinned <= set(people) and len(set(people)) == len(people)


@PROPS
@given(campaigns_and_rosters(rotation="spread"))
def test_spread_nobody_twice_on_an_account_before_everyone_held_once(cr: tuple[Campaign, Roster]) -> None:
    """Each account goes round everyone held: within a round it features nobody twice, and the round
    ends when everyone held that day has been featured on it (people arrested or re-arrested join
    the round in progress). A pin counts as a feature and may repeat someone. The one exception:
    a person due on several accounts is featured by one of them per date, not stacked; an account
    may then feature someone again only if everyone still due for it is featured elsewhere that day."""
    c, r = cr
    by_day = weekly_by_day(plan(c, r))
    for account in c.accounts:
        seen: set[str] = set()
        for day in sorted(by_day):
            held, pinned = held_on(r, day), pinned_on(c, r, day)
            post = by_day[day][account.id]
            elsewhere = {p for a, people in by_day[day].items() if a != account.id for p in people}
            chosen = [p for p in post if p not in pinned]
            repeats = [p for p in chosen if p in seen]
            seen |= pinned | set(chosen)
            if repeats:
                still_due = held - seen  # held, and featured on this account neither in this round nor today
                assert still_due <= elsewhere, (account.id, day, post, sorted(still_due))
                if not still_due:  # the round ended within this post: the repeats open the next one
                    seen = set(repeats)
            if held <= seen:
                seen = set()


@PROPS
@given(campaigns_and_rosters(rotation="spread"), st.data())
def test_spread_steady_roster_every_account_features_everyone_once_a_lap(cr: tuple[Campaign, Roster],
                                                                           data: st.DataObject) -> None:
    """With nobody arrested or released during the campaign, no pins and enough people, each account
    features every person exactly once in each lap, with no exception."""
    c, _ = cr
    accounts, per_post = len(c.accounts), c.people_per_post
    n = data.draw(st.integers(accounts * per_post, accounts * per_post + 6))
    r = Roster(people=[Person(id=f"p{i}", name=LocalText({"en": f"P{i}"}),
                              events=[Event(date=c.start - timedelta(days=30), type="arrested")]) for i in range(n)])
    c = c.model_copy(update={"pins": []})
    by_day = weekly_by_day(plan(c, r))
    for account in c.accounts:
        walk = [p for day in sorted(by_day) for p in by_day[day][account.id]]
        laps = [walk[i:i + n] for i in range(0, len(walk) - n + 1, n)]
        assert all(sorted(lap) == sorted(p.id for p in r.people) for lap in laps), (account.id, walk)


# --- every plan --------------------------------------------------------------------------------

@PROPS
@given(campaigns_and_rosters())
def test_posts_inside_the_campaign_on_cadence_dates(cr: tuple[Campaign, Roster]) -> None:
    c, r = cr
    slots = plan(c, r)
    dates = set(cadence_dates(c))
    assert all(c.start <= s.date <= c.end for s in slots)
    assert all(s.due.date() == s.date or s.due.date() == s.date + timedelta(days=1) for s in slots)  # stagger
    weekly = Counter((s.date, s.account) for s in slots if s.kind == WEEKLY)
    assert all(day in dates and count == 1 for (day, _), count in weekly.items())
    finale = c.finale.date if c.finale else None
    for day in dates - {finale}:
        assert all(weekly[(day, a.id)] == (1 if held_on(r, day) else 0) for a in c.accounts), day
    assert all(s.date == finale for s in slots if s.kind == FINALE)
    assert len({s.id for s in slots}) == len(slots)
    assert all(s.id == f"{c.id}:{s.date.isoformat()}:{s.account}" for s in slots)


@PROPS
@given(campaigns_and_rosters())
def test_nobody_featured_while_not_held(cr: tuple[Campaign, Roster]) -> None:
    """A weekly or finale post features only people held on its date; a "released" post only
    people free that day after a release."""
    c, r = cr
    people = r.by_id()
    for s in plan(c, r):
        assert s.people
        for pid in s.people:
            f = facts(people[pid], s.date)
            assert (f.released_on is not None and not f.held) if s.kind == RELEASED else f.held, (s, pid)


@PROPS
@given(campaigns_and_rosters())
def test_deterministic(cr: tuple[Campaign, Roster]) -> None:
    c, r = cr
    first = plan(c, r)
    assert plan(c, r) == first
    assert plan(Campaign.model_validate(c.model_dump()), Roster.model_validate(r.model_dump(mode="json"))) == first


@PROPS
@given(campaigns_and_rosters(), st.data())
def test_news_changes_only_later_posts(cr: tuple[Campaign, Roster], data: st.DataObject) -> None:
    """A release or re-arrest on day D (after the person's last event) changes no post before D."""
    c, r = cr
    person = data.draw(st.sampled_from(r.people))
    day = person.events[-1].date + timedelta(days=data.draw(st.integers(1, 60)))
    kind = "arrested" if person.events[-1].type == "released" else "released"
    changed = person.model_copy(update={"events": [*person.events, Event(date=day, type=kind)]})
    r2 = Roster(people=[changed if p.id == person.id else p for p in r.people])
    assert [s for s in plan(c, r) if s.date < day] == [s for s in plan(c, r2) if s.date < day]
