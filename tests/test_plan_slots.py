"""What each planned slot carries: its campaign, its account's platform and language, the template
of its kind of post, and a caption variant that differs between accounts of one language on one
platform, starting from the first for each such group (the finale counts as a first occasion).
A plan made at ``now`` knows the events of ``now``'s date in the campaign's timezone; a release on
the finale's date is announced the day after."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from campaign.definition import Campaign
from campaign.plan import FINALE, RELEASED, WEEKLY, plan
from tests.plan_strategies import make_campaign
from tests.test_plan_rules import ALWAYS, roster

ACCOUNTS = [
    {"id": "x-en-1", "organisation": "A", "platform": "x", "language": "en", "credentials": "env:A"},
    {"id": "x-km", "organisation": "B", "platform": "x", "language": "km", "credentials": "env:B"},
    {"id": "x-en-2", "organisation": "C", "platform": "x", "language": "en", "credentials": "env:C"},
    {"id": "box-en", "organisation": "D", "platform": "outbox", "language": "en"},
]


def campaign(**over: Any) -> Campaign:
    data: dict[str, Any] = {
        "start": "2022-05-02", "end": "2022-06-24", "accounts": ACCOUNTS, "announce_releases": True,
        "template": "portrait", "released_template": "free", "finale": {"date": "2022-06-24", "template": "wall"},
        "captions": {"en": ["A {name}", "B {name}", "C {name}"], "km": ["ក {name}", "ខ {name}"]}}
    return make_campaign(**(data | over))


PEOPLE = roster([("sok", ALWAYS), ("chea", [*ALWAYS, ("2022-05-20", "released")]), ("vann", ALWAYS)])


def test_every_slot_names_its_campaign_account_and_the_template_of_its_kind() -> None:
    c = campaign()
    slots = plan(c, PEOPLE)
    accounts = {a.id: a for a in c.accounts}
    assert {s.kind for s in slots} == {WEEKLY, RELEASED, FINALE}
    templates = {WEEKLY: "portrait", RELEASED: "free", FINALE: "wall"}
    for s in slots:
        assert s.campaign == c.id
        assert (s.platform, s.language) == (accounts[s.account].platform, accounts[s.account].language)
        assert s.template == templates[s.kind], s


def test_caption_variants_start_from_the_first_in_each_language_and_platform() -> None:
    """Two English X accounts take variants 0 and 1 on their first date; the Khmer X account, alone
    in its language, and the English outbox account, alone on its platform, take variant 0."""
    slots = plan(campaign(), PEOPLE)
    for kind in (WEEKLY, RELEASED, FINALE):
        first_date = min(s.date for s in slots if s.kind == kind)
        first = {s.account: s.variant for s in slots if s.kind == kind and s.date == first_date}
        assert first == {"x-en-1": 0, "x-km": 0, "x-en-2": 1, "box-en": 0}, kind


def test_a_plan_made_at_now_knows_the_events_of_nows_date_where_the_campaign_is() -> None:
    # 20:00 UTC on 19 May is 03:00 on 20 May in Phnom Penh: chea's release that day is known.
    c = campaign()
    now = datetime(2022, 5, 19, 20, 0, tzinfo=timezone.utc)
    assert [s.date for s in plan(c, PEOPLE, now=now) if s.kind == RELEASED][:1] == [date(2022, 5, 20)]
    before = datetime(2022, 5, 19, 16, 0, tzinfo=timezone.utc)  # 23:00 on the 19th there: not yet
    assert not [s for s in plan(c, PEOPLE, now=before) if s.kind == RELEASED]


def test_a_release_on_the_finale_day_is_announced_the_day_after() -> None:
    """One post per account per day: the finale's date, even off the cadence, has its post."""
    c = campaign(finale={"date": "2022-06-17", "template": "wall"})  # a Friday; posting on Wednesdays
    r = roster([("sok", ALWAYS), ("chea", [*ALWAYS, ("2022-06-17", "released")])])
    days = {(s.date, s.kind) for s in plan(c, r) if s.date >= date(2022, 6, 17)}
    assert days == {(date(2022, 6, 17), FINALE), (date(2022, 6, 18), RELEASED), (date(2022, 6, 22), WEEKLY)}


def test_across_a_change_of_the_clocks_each_account_posts_its_stagger_after_the_slot_time() -> None:
    """Where the clocks change (St John's: 02:00 becomes 03:00 on 14 March 2027, 02:00 becomes 01:00 on
    7 November), every post is a real moment, the accounts post in file order, each its stagger of
    elapsed time after the slot time; a slot time the clocks skip is the moment it would have been."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("America/St_Johns")
    for time_, start in (("02:30", "2027-03-10"), ("01:50", "2027-11-03"), ("02:30", "2027-11-03")):
        c = campaign(timezone="America/St_Johns", start=start, end=(date.fromisoformat(start) + timedelta(days=9)).isoformat(),
                     cadence={"every": "day", "time": time_}, stagger="30m", finale=None, announce_releases=False)
        by_date: dict[date, list[Any]] = {}
        for s in plan(c, PEOPLE):
            by_date.setdefault(s.date, []).append(s)
        assert len(by_date) == 10
        for day, slots in by_date.items():
            slots.sort(key=lambda s: [a.id for a in c.accounts].index(s.account))
            first = slots[0].due
            wall = datetime.combine(day, datetime.strptime(time_, "%H:%M").time())
            assert first.astimezone(tz).replace(tzinfo=None) >= wall, (day, first)  # never before the slot time
            assert first - wall.replace(tzinfo=tz) <= timedelta(hours=1)  # a skipped time: the moment it would be
            for i, s in enumerate(slots):
                assert s.due == s.due.astimezone(timezone.utc).astimezone(tz)  # a moment that exists
                assert s.due.astimezone(timezone.utc) - first.astimezone(timezone.utc) == timedelta(minutes=30 * i), (day, s)
