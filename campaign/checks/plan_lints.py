"""Plan lints: what is valid in a campaign's plan but will probably not do what the organiser meant
(a pin on someone not held that day, people never featured, a release that gets no post, a
sentence served with no release recorded, a charge recorded while free before a re-arrest).
``campaign validate`` prints them as warnings; nothing is refused."""

from __future__ import annotations

import difflib
from datetime import date, timedelta

from ..definition import Campaign
from ..facts import add_months
from ..plan import FINALE, WEEKLY, Slot, announce_day, busy_days, cadence_dates, plan
from ..roster import Person, Roster, facts
from ..types import LocalText


def plan_warnings(campaign: Campaign, roster: Roster) -> list[str]:
    """Things in a valid folder's plan that will not do what the organiser probably meant
    (caption warnings are :func:`campaign.checks.caption_lints.caption_problems`)."""
    warnings = []
    people = roster.by_id()
    for pin in campaign.pins:
        for pid in pin.people:
            if pid in people and not facts(people[pid], pin.date).held:
                warnings.append(f"pin on {pin.date}: {pid} is not detained that day, so is not featured")
    never = [p.id for p in roster.people if not any(facts(p, d).held for d in cadence_dates(campaign))]
    if never:
        warnings.append(f"never detained on a posting day, so never featured: {', '.join(never)}")
    slots = plan(campaign, roster)
    warnings.extend(_unfeatured(campaign, roster, slots))
    warnings.extend(_unannounced(campaign, roster))
    warnings.extend(_after_midnight(campaign, slots))
    warnings.extend(_unnamed_languages(campaign))
    warnings.extend(_served(roster, slots))
    warnings.extend(_charged_while_free(roster))
    return warnings


def _charged_while_free(roster: Roster) -> list[str]:
    """A ``charged`` event between a release and a later arrest whose detention, as the facts give
    it, has no charge of its own while it lasts: the charge counts with the detention that release
    closed (as every event while free does), so the later detention's posts say nothing of a
    charge; if it is that arrest's charge, it belongs on the arrest (or dated on or after it)."""
    out = []
    for person in roster.people:
        released: date | None = None
        pending: list[date] = []  # charges while free since the last release
        for event in person.events:
            if event.type == "released":
                released, pending = event.date, []
            elif event.type == "charged" and released is not None:
                pending.append(event.date)
            elif event.type == "arrested":
                if pending and _charge_while_held(person, event.date) is None:
                    days = " and ".join(str(d) for d in pending)
                    out.append(f"{person.id}: charged on {days} while free (released on {released}): that charge "
                               f"counts with the detention that release closed, so posts about the arrest on "
                               f"{event.date} say nothing of a charge; if it is that arrest's charge, put it on the "
                               f"arrested event (charge:) or date the charged event on or after {event.date}")
                released, pending = None, []
    return out


def _charge_while_held(person: Person, arrested: date) -> LocalText | None:
    """The charge the facts give the detention begun on ``arrested`` at its end (its release, or
    the roster's last event): what its posts can say, as of any of its days, at the most."""
    end = next((e.date for e in person.events if e.type == "released" and e.date >= arrested), person.events[-1].date)
    return facts(person, end).charge


def _served(roster: Roster, slots: list[Slot]) -> list[str]:
    """People featured as still held after a prison sentence counted from their arrest would have
    been served: their release has probably not been recorded (or the sentence runs from a later
    day, or was extended: then nothing is wrong)."""
    days: dict[str, list[date]] = {}
    for s in slots:
        for pid in s.people:
            days.setdefault(pid, []).append(s.date)
    people = roster.by_id()
    out = []
    for pid, on in days.items():
        for day in sorted(set(on)):
            f = facts(people[pid], day)
            d, sentence = f.detention, f.sentence
            if not f.held or d is None or sentence is None or sentence.suspended:
                continue
            served = add_months(d.start, 12 * sentence.years + sentence.months) + timedelta(days=sentence.days)
            if day < served:
                continue
            count = sum(1 for x in on if x >= day)
            posts = f"{count} posts from {day} say" if count != 1 else f"1 post from {day} says"
            out.append(f"{pid}: sentenced to {sentence.text('en')}, held since {d.start}: served by {served} if it runs "
                       f"from the arrest, yet {posts} they are still behind bars; record the release in roster.yaml if "
                       "they were freed (nothing is wrong if the sentence runs from a later day or was extended)")
            break
    return out


def _unnamed_languages(campaign: Campaign) -> list[str]:
    """Account languages a per-language ``name:`` lacks: those posts say the campaign's name in
    another language (``{be: ..., eng: ...}`` gives English cards the Belarusian name)."""
    if not campaign.names:
        return []
    by_lang: dict[str, list[str]] = {}
    for account in campaign.accounts:
        by_lang.setdefault(account.language, []).append(account.id)
    spare = [k for k in campaign.names if k not in by_lang]
    out = []
    for lang, ids in by_lang.items():
        if lang in campaign.names:
            continue
        close = difflib.get_close_matches(lang, spare, n=1, cutoff=0.5)
        hint = f" ('{close[0]}' is no account's language: meant '{lang}'?)" if close else ""
        whose = "its" if len(ids) == 1 else "their"
        out.append(f"name: no name in '{lang}', the language of {', '.join(ids)}: {whose} posts say the campaign's "
                   f"name as '{campaign.title(lang)}'; add {lang}: to name{hint}")
    return out


def _unfeatured(campaign: Campaign, roster: Roster, slots: list[Slot]) -> list[str]:
    """People held on a weekly posting day whom no weekly post features: too few slots for the
    people held (pins taking slots, few posting days)."""
    finale_day = campaign.finale.date if campaign.finale else None
    weekly_days = [d for d in cadence_dates(campaign) if d != finale_day]
    held = [p.id for p in roster.people if any(facts(p, d).held for d in weekly_days)]
    weekly = [s for s in slots if s.kind == WEEKLY]
    featured = {pid for s in weekly for pid in s.people}
    in_finale = {pid for s in slots if s.kind == FINALE for pid in s.people}
    # "together": every account posts the same people, so one account's posts are the slots.
    first = campaign.accounts[0].id
    places = sum(len(s.people) for s in weekly if campaign.rotation == "spread" or s.account == first)
    out = []
    for finale_only in (False, True):  # one line for each: a roster of thousands is not thousands of lines
        left = [pid for pid in held if pid not in featured and (pid in in_finale) == finale_only]
        if not left:
            continue
        named = ", ".join(left[:UNFEATURED_NAMED]) + (f" and {len(left) - UNFEATURED_NAMED:,} more"
                                                         if len(left) > UNFEATURED_NAMED else "")
        verb = "is" if len(left) == 1 else "are"
        out.append(f"{named} {verb} held during the campaign but {verb} never featured"
                   f"{' in a weekly post (only in the finale)' if finale_only else ''} ({places:,} weekly "
                   f"slot{'s' if places != 1 else ''} for {len(held):,} people held); add posting days or pins")
    return out


UNFEATURED_NAMED = 10  # people named in the never-featured warning before "and N more"


def _unannounced(campaign: Campaign, roster: Roster) -> list[str]:
    """Releases meant to be announced whose announcement would fall after the campaign's end:
    every day from the release on already has a post (a daily cadence, a release at the end)."""
    busy = busy_days(campaign)
    out = []
    for person in roster.people:
        for event in person.events:
            if event.type != "released" or not campaign.start <= event.date <= campaign.end:
                continue
            wanted = event.announce if event.announce is not None else campaign.announce_releases
            if wanted and announce_day(event.date, busy) > campaign.end:
                out.append(f"the release of {person.id} on {event.date} gets no 'released' post: a release is announced "
                           f"on the first day without another post, and every day from then to the end ({campaign.end}) "
                           "has one")
    return out


def _after_midnight(campaign: Campaign, slots: list[Slot]) -> list[str]:
    """Posts whose time (the slot time plus the account's stagger) falls on the day after their
    date: they state the facts of their date, not those of the day they go out."""
    late = [s for s in slots if s.due.date() != s.date]
    if not late:
        return []
    first = late[0]
    at = campaign.finale.time if first.kind == FINALE and campaign.finale and campaign.finale.time else campaign.cadence.time
    accounts = list(dict.fromkeys(s.account for s in late))
    return [f"{', '.join(accounts)} post{'s' if len(accounts) == 1 else ''} after midnight (the slot time {at:%H:%M} "
            f"plus {'its' if len(accounts) == 1 else 'their'} stagger): {len(late)} post{'s go' if len(late) != 1 else ' goes'} "
            f"out on the day after {'their' if len(late) != 1 else 'its'} date, first {first.id} on "
            f"{first.due:%Y-%m-%d %H:%M}, and state the facts of their date (someone released or arrested on the day "
            "they go out is not shown so); set an earlier time or a smaller stagger"]
