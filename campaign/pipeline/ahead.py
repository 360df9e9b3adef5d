"""Cards drawn ahead: a replay has every core draw, before it starts, each card its renders will need.

A replay renders one moment after another, so on its own it draws one card at a time. Which cards
those will be is known beforehand: the roster as known changes only on the days its events become
known, the plan as known is a pure function of that roster (:func:`campaign.plan.plan`), and a card
shows the facts of its people as of its post's date. So for each span of days in which the known
roster stays the same, the cards drawn in it are those of the slots of the plan as known then that
are rendered in it (or were rendered before it and are still ahead: news re-plans them, and their
card is drawn again when it shows something else). :func:`cards_ahead` lists them, the workers draw
them into the card cache (:func:`prerender_slot`, the ``prerender`` task) all at once, and the
replay's renders then find them there.

What goes out cannot differ: a card is cached under everything it shows (``shown.card_key``), so a
render whose facts differ from what was guessed misses the cache and draws its own card. A guess
that is wrong only costs speed.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import NamedTuple

from ..cache import memo
from ..ledger import Ledger
from ..plan import Slot, plan
from ..roster import facts
from .applied import Applied, load_applied
from .render import draw_keys, render_card
from .replan import known_roster, local_day, render_at
from .settings import Settings


class Ahead(NamedTuple):
    """One card to draw ahead: the slot with id ``slot`` in the plan as known at ``at``, whose render
    in the replay comes at ``at`` or later (the jobs are sorted by it)."""

    slot: str
    at: datetime


def _day_key(applied: Applied, now: datetime) -> tuple[str, object]:
    return applied.def_hash, local_day(applied, now)


@memo(64, key=_day_key)
def slots_as_of(applied: Applied, now: datetime) -> dict[str, Slot]:
    """The plan as known at ``now``, by slot id; cached per definition and local day (every card drawn
    ahead for a span of days asks it)."""
    return {s.id: s for s in plan(applied.campaign, applied.roster, now=now)}


def _news_days(applied: Applied, start: datetime, end: datetime) -> list[datetime]:
    """``start``, then the local midnight of each day after it (up to ``end``) that a roster event is dated:
    the known roster, and so the plan, can change only then."""
    tz = applied.campaign.tz
    first, last = local_day(applied, start), local_day(applied, end)
    days = sorted({e.date for p in applied.roster.people for e in p.events if first < e.date <= last})
    return [start, *(datetime.combine(d, time.min, tzinfo=tz) for d in days)]


def cards_ahead(applied: Applied, start: datetime, end: datetime, settings: Settings | None = None) -> list[Ahead]:
    """The cards a replay from ``start`` to ``end`` will draw, in the order it renders them."""
    settings = settings or Settings()
    spans = _news_days(applied, start, end)
    jobs: list[tuple[float, float, Ahead]] = []
    for since, until in zip(spans, [*spans[1:], None]):
        for slot in slots_as_of(applied, since).values():
            rendered = render_at(applied, slot.due, settings)
            if slot.due < since or rendered > end or (until is not None and rendered >= until):
                continue  # gone out before this span, or rendered after it (in a later span)
            drawn = max(rendered, since)
            jobs.append((drawn.timestamp(), slot.due.timestamp(), Ahead(slot.id, since)))
    return [job for _, _, job in sorted(jobs)]


def prerender_slot(ledger: Ledger, slot_id: str, at: datetime, settings: Settings | None = None) -> str:
    """Draw the card of the slot ``slot_id`` of the plan as known at ``at``, as of what is known then,
    into the card cache, changing nothing else: "cached" (drawn, or there already), "drawing" (another
    worker set out to draw the same card: partner accounts of one language share it), or "skip" (no
    such slot then, or someone it features is not known then)."""
    settings = settings or Settings()
    applied = load_applied(ledger, Ledger.campaign_of(slot_id))
    slot = slots_as_of(applied, at).get(slot_id)
    people = known_roster(applied, at).by_id()
    if slot is None or any(pid not in people for pid in slot.people):
        return "skip"
    facts_list = tuple(facts(people[pid], slot.date) for pid in slot.people)
    key = draw_keys(ledger, applied, slot, facts_list, settings)[1]
    if not ledger.claim_drawing(key):
        return "drawing"
    render_card(ledger, applied, slot, facts_list, settings, key)
    return "cached"


__all__ = ["Ahead", "cards_ahead", "prerender_slot", "slots_as_of"]
