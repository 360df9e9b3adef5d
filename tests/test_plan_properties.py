"""Properties of the plan over random campaigns (any cadence, pins, finale) and random rosters with
releases and re-arrests: the rules of ``rotation: spread`` and the rules every plan keeps."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date

from hypothesis import HealthCheck, given, settings

from campaign.definition import Campaign
from campaign.plan import FINALE, RELEASED, WEEKLY, Slot, cadence_dates, plan
from campaign.roster import Roster, facts
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
