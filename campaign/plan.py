"""The plan: every post of a campaign, with who it features and when it is due. Pure.

``plan(campaign, roster, now=...)`` gives one slot per cadence date per account (when someone is
detained that day), a finale slot per account featuring everyone still detained, and, when asked
for, one "released" slot per release date. Rules:

* The truth as of the day: a slot features only people held on its date, judged from the events
  known at ``now`` (``now=None``: every event in the roster is known).
* Fair rotation. ``together``: every account features the least-featured people held that day
  (ties: roster order). ``spread``: each account rotates on its own and the accounts of a date
  feature different people (:mod:`campaign.rotation`). Pins win in both.
* Causal: a slot depends only on events dated on or before it, so changing a person's events
  from date D on never changes a slot before D; changing facts that do not change who is held
  (a charge, a sentence) changes nobody's slots.
* Deterministic and readable ids: ``<campaign>:<YYYY-MM-DD>:<account>``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

from .definition import Account, Campaign
from .roster import Roster, facts
from .rotation import Spread

WEEKLY, FINALE, RELEASED = "weekly", "finale", "released"


@dataclass(frozen=True)
class Slot:
    """One planned post: an account posting a card about some people at a local time."""

    id: str
    campaign: str
    account: str
    platform: str
    language: str
    date: date
    due: datetime  # aware, in the campaign's timezone
    week: int
    people: tuple[str, ...]
    kind: str
    template: str
    variant: int

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["date"] = self.date.isoformat()
        out["due"] = self.due.isoformat()
        out["people"] = list(self.people)
        return out


def post_id(campaign_id: str, day: date, account_id: str) -> str:
    return f"{campaign_id}:{day.isoformat()}:{account_id}"


def cadence_dates(campaign: Campaign) -> list[date]:
    """Every date from start to end (inclusive) on which the cadence posts: every day, or the
    cadence's weekdays in campaign weeks 1, 1+N, 1+2N... (``every: N weeks``; a campaign week is
    seven days from the start date, as :func:`week_of` counts)."""
    cadence = campaign.cadence
    out = []
    for offset in range((campaign.end - campaign.start).days + 1):
        day = campaign.start + timedelta(days=offset)
        if cadence.weeks is None or ((offset // 7) % cadence.weeks == 0 and day.weekday() in cadence.weekday_indexes):
            out.append(day)
    return out


def week_of(campaign: Campaign, day: date) -> int:
    """Campaign week number: week 1 is the seven days from the start date."""
    return (day - campaign.start).days // 7 + 1


def account_offsets(campaign: Campaign) -> dict[str, timedelta]:
    """Each account's delay after the slot time, so partner accounts do not post in the same minute."""
    return {a.id: a.stagger if a.stagger is not None else i * campaign.stagger for i, a in enumerate(campaign.accounts)}


def caption_variant(campaign: Campaign, account: Account, occasion: int) -> int:
    """Accounts of one language on one platform take different variants (X forbids identical posts
    across accounts), and each account moves on to its next variant with each occasion of a kind
    of post: ``occasion`` is 0 for the first posting date, 1 for the second... (weekly posts count
    cadence dates, "released" posts their announcement days; the finale is occasion 0)."""
    return variant_bases(campaign)[account.id] + occasion


def variant_bases(campaign: Campaign) -> dict[str, int]:
    """Each account's first caption variant: its place among the accounts of its language and platform
    (worked out once per plan, not once per slot)."""
    seen: dict[tuple[str, str], int] = defaultdict(int)
    out = {}
    for a in campaign.accounts:
        out[a.id] = seen[a.language, a.platform]
        seen[a.language, a.platform] += 1
    return out


def _due(tz: tzinfo, day: date, at: time, offset: timedelta) -> datetime:
    """``at`` on ``day`` in ``tz``, then ``offset`` (an account's stagger) of elapsed time later. A
    time the clocks skip on the day they go forward (02:30 where 02:00 becomes 03:00) is the moment
    it would have been (03:30); the stagger counts real minutes, so the accounts keep their order
    across a change of the clocks."""
    moment = datetime.combine(day, at, tzinfo=tz).astimezone(timezone.utc)
    return (moment + offset).astimezone(tz)


def plan(campaign: Campaign, roster: Roster, now: datetime | None = None) -> list[Slot]:
    """Every slot of the campaign, sorted by due time then account."""
    known = roster.known_as_of(now.astimezone(campaign.tz).date() if now else None)
    order = {p.id: i for i, p in enumerate(known.people)}
    offsets = account_offsets(campaign)
    variants = variant_bases(campaign)
    tz = campaign.tz  # a property: looked up each time it is asked
    finale_day = campaign.finale.date if campaign.finale else None
    pins: dict[date, list[str]] = defaultdict(list)
    for pin in campaign.pins:
        pins[pin.date].extend(p for p in pin.people if p not in pins[pin.date])

    counts: dict[str, int] = defaultdict(int)
    spread = Spread([a.id for a in campaign.accounts], order)
    slots: list[Slot] = []

    def held_on(day: date) -> list[str]:
        return [p.id for p in known.people if facts(p, day).held]

    def pick(held: list[str], pinned: list[str], k: int) -> list[str]:
        """``together``: the least-featured people held (ties: roster order); pins first."""
        chosen = [p for p in pinned if p in held]
        rest = sorted((p for p in held if p not in chosen), key=lambda p: (counts[p], order[p]))
        chosen += rest[: max(0, k - len(chosen))]
        for p in chosen:
            counts[p] += 1
        return chosen

    def add(day: date, account: Account, people: list[str], kind: str, template: str, at: time, occasion: int) -> None:
        week = week_of(campaign, day)
        slots.append(Slot(
            id=post_id(campaign.id, day, account.id), campaign=campaign.id, account=account.id,
            platform=account.platform, language=account.language, date=day,
            due=_due(tz, day, at, offsets[account.id]), week=week, people=tuple(people),
            kind=kind, template=template, variant=variants[account.id] + occasion,
        ))

    weekly_days = [d for d in cadence_dates(campaign) if d != finale_day]
    for occasion, day in enumerate(weekly_days):
        held = held_on(day)
        if not held:
            continue
        if campaign.rotation == "together":
            people = pick(held, pins.get(day, []), campaign.people_per_post)
            chosen = {account.id: people for account in campaign.accounts}
        else:
            chosen = spread.day(day, held, pins.get(day, []), campaign.people_per_post)
        for account in campaign.accounts:
            add(day, account, chosen[account.id], WEEKLY, campaign.template, campaign.cadence.time, occasion)

    if campaign.finale and finale_day:
        held = held_on(finale_day)
        if held:
            at = campaign.finale.time or campaign.cadence.time
            for account in campaign.accounts:
                add(finale_day, account, held, FINALE, campaign.finale.template, at, 0)

    for occasion, (day, people) in enumerate(_release_announcements(campaign, known)):
        for account in campaign.accounts:
            add(day, account, people, RELEASED, campaign.released_template, campaign.cadence.time, occasion)

    slots.sort(key=lambda s: (s.due, s.account))
    return slots


def busy_days(campaign: Campaign) -> set[date]:
    """Days with a weekly or finale post (or a cadence date with nobody held): no "released" post then."""
    return set(cadence_dates(campaign)) | ({campaign.finale.date} if campaign.finale else set())


def announce_day(released: date, busy: set[date]) -> date:
    """A release is announced on its day, or the next day without another post."""
    day = released
    while day in busy:
        day += timedelta(days=1)
    return day


def _release_announcements(campaign: Campaign, roster: Roster) -> list[tuple[date, list[str]]]:
    """The days of "released" posts and who each announces. A release is announced on its day,
    or the next day without another post (one post per account per day), unless the person is
    held again by then; releases announced on the same day share one post."""
    busy = busy_days(campaign)
    by_day: dict[date, list[str]] = defaultdict(list)
    for person in roster.people:
        for event in person.events:
            if event.type != "released":
                continue
            wanted = event.announce if event.announce is not None else campaign.announce_releases
            day = announce_day(event.date, busy)
            # Re-arrested by the announcement day (even the release day itself): not announced as free.
            if wanted and campaign.start <= day <= campaign.end and not facts(person, day).held:
                by_day[day].append(person.id)
    return sorted(by_day.items())
