"""The facts about a person as of a date, detention by detention.

A person's status on a day follows only from their events up to that day:

    arrested -> detained -> (charged) -> (convicted: imprisoned) -> released -> (arrested again) ...

A release closes a detention; a re-arrest opens a new one with its own charge, conviction and
sentence (:class:`Detention`). ``facts(person, on)`` is pure: the same events and date always give
the same facts, and nothing dated after ``on`` is used (except a hearing already scheduled, which is
shown as "next hearing"). The people and their events are read by :mod:`campaign.roster`, which
re-exports what is defined here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from .words import DurationUnit, Stage, case_label, case_text, held, in_all

if TYPE_CHECKING:
    from .roster import Person, Sentence
    from .types import LocalText


# --- calendar arithmetic ----------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the end of a shorter month."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def months_and_days(start: date, end: date) -> tuple[int, int]:
    """Whole calendar months from ``start`` to ``end``, then the days left over."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months, (end - add_months(start, months)).days


# --- facts as of a date ------------------------------------------------------------------------


class Status(StrEnum):
    AT_LIBERTY = "at_liberty"  # before the first arrest
    DETAINED = "detained"  # held, not (yet) convicted
    IMPRISONED = "imprisoned"  # held after conviction
    RELEASED = "released"  # freed; charges and conviction may remain

    @property
    def held(self) -> bool:
        return self in (Status.DETAINED, Status.IMPRISONED)


@dataclass(frozen=True)
class Detention:
    """One spell behind bars, from an arrest to its release, with its own case.

    Events belong to the detention they fall in; those after a release and before the next arrest
    (a trial, a conviction, charges dropped while free) to the detention that release closed;
    those before the first arrest to the first detention. A re-arrest opens a new detention that
    knows only its own charge (the arrest's, or a later ``charged`` event's): nothing of an
    earlier case carries over."""

    start: date
    end: date | None  # None: still held on the facts' date
    charge: LocalText | None = None
    sentence: Sentence | None = None
    convicted_on: date | None = None
    release_note: LocalText | None = None
    charges_after_release: str | None = None  # "kept" | "dropped" | None (not recorded)

    def months_and_days(self, on: date) -> tuple[int, int]:
        """Whole calendar months, then days, from the arrest to the release (or to ``on``)."""
        return months_and_days(self.start, self.end or on)

    def days(self, on: date) -> int:
        return ((self.end or on) - self.start).days


@dataclass
class _Case:
    """What is known of one case while the events are read (frozen into a Detention)."""

    start: date | None = None
    end: date | None = None
    charge: LocalText | None = None
    sentence: Sentence | None = None
    convicted_on: date | None = None
    note: LocalText | None = None
    charges: str | None = None

    def freeze(self) -> Detention:
        assert self.start is not None  # the model's timeline check guarantees an arrest came first
        return Detention(self.start, self.end, self.charge, self.sentence, self.convicted_on, self.note, self.charges)


def add_up(spans: list[tuple[int, int]]) -> tuple[int, int]:
    """Months and days behind bars over several detentions: each detention is measured in whole
    calendar months and the days left over; the months add up, the days add up, and every 30
    of the summed days count as one more month (two detentions of 20 days each: 1 month and 10
    days). A single detention is left as measured (it may end on "30 days")."""
    months = sum(m for m, _ in spans)
    days = sum(d for _, d in spans)
    if len(spans) > 1:
        months, days = months + days // 30, days % 30
    return months, days


@dataclass(frozen=True)
class Facts:
    """What is true of one person on one date; the only thing a card or caption may state.

    ``charge``, ``sentence`` and ``convicted_on`` are the current detention's (while released, the
    most recent one's; before any arrest, what is known so far). ``days_detained`` and
    ``months_detained``/``days_remainder`` add up every detention (:func:`add_up`); ``detention``
    is the current one alone, with its own start and length."""

    person: Person
    on: date
    status: Status
    detentions: tuple[Detention, ...]
    days_detained: int
    months_detained: int
    days_remainder: int
    charge: LocalText | None
    sentence: Sentence | None
    convicted_on: date | None
    released_on: date | None
    release_note: LocalText | None
    next_hearing: date | None
    charges_after_release: str | None = None  # "kept" | "dropped" | None (not recorded), while released

    @property
    def held(self) -> bool:
        return self.status.held

    @property
    def detention(self) -> Detention | None:
        """The current detention (while released, the most recent); None before any arrest."""
        return self.detentions[-1] if self.detentions else None

    @property
    def in_all(self) -> bool:
        """Whether the time behind bars adds up several detentions (the words then say so)."""
        return len(self.detentions) > 1

    @property
    def since(self) -> date | None:
        """When the current (or most recent) detention began."""
        return self.detention.start if self.detention else None

    @property
    def detention_days(self) -> int:
        """Days of the current (or most recent) detention alone."""
        return self.detention.days(self.on) if self.detention else 0

    @property
    def stage(self) -> Stage | None:
        """How far the current case has gone: sentenced, convicted, charged, or None (nothing known)."""
        if self.sentence is not None:
            return "sentenced"
        if self.convicted_on is not None:
            return "convicted"
        return "charged" if self.charge is not None else None

    def total_text(self, lang: str, unit: DurationUnit = "years") -> str:
        """Time behind bars over every detention, without saying it is a sum."""
        return held(self.months_detained, self.days_remainder, lang, unit)

    def detained_text(self, lang: str, unit: DurationUnit = "years") -> str:
        """Time behind bars as a person would say it: ``1 year, 3 months and 11 days`` (``unit="months"``:
        ``15 months and 11 days``); ``... in all`` when it adds up several detentions."""
        text = self.total_text(lang, unit)
        return in_all(text, lang) if self.in_all else text

    def detention_text(self, lang: str, unit: DurationUnit = "years") -> str:
        """The length of the current (or most recent) detention alone ("" before any arrest)."""
        if self.detention is None:
            return ""
        return held(*self.detention.months_and_days(self.on), lang, unit)

    def case_text(self, lang: str) -> str:
        """``charged with X`` / ``convicted of X`` / ``sentenced to 2 years for X`` / nothing,
        for the current detention's case (:func:`campaign.words.case_text`)."""
        return case_text(self.stage, self.charge.get(lang) if self.charge else None,
                         self.sentence.text(lang) if self.sentence else None, lang)

    def case_label(self, lang: str) -> str:
        """:meth:`case_text` without the charge, to set above it: ``sentenced to 2 years for``."""
        if self.charge is None:
            return ""
        return case_label(self.stage, self.sentence.text(lang) if self.sentence else None, lang)

    def fingerprint(self) -> str:
        """A short hash of everything a card or caption about this person on this date may show.
        The pipeline compares it at publish time to refuse stale cards."""
        payload = {
            "person": self.person.model_dump(mode="json", exclude={"events", "sources"}),
            "on": self.on.isoformat(),
            "status": self.status.value,
            "days": self.days_detained,
            "charge": self.charge.root if self.charge else None,
            "sentence": self.sentence.model_dump() if self.sentence else None,
            "released_on": self.released_on.isoformat() if self.released_on else None,
            "note": self.release_note.root if self.release_note else None,
            "hearing": self.next_hearing.isoformat() if self.next_hearing else None,
        }
        # Keys added later appear only when they carry something, so older fingerprints stay valid
        # where they said nothing of it.
        if self.charges_after_release is not None:
            payload["charges"] = self.charges_after_release
        if self.convicted_on is not None:
            payload["convicted_on"] = self.convicted_on.isoformat()
        if self.in_all:  # the current detention's own start and length, beside the total
            payload["since"] = self.since.isoformat() if self.since else None
            # The total in months and days depends on how the earlier detentions fall in the
            # calendar, not only on the days and the current detention's start.
            payload["total"] = [self.months_detained, self.days_remainder]
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def facts(person: Person, on: date) -> Facts:
    """The facts about ``person`` as of the date ``on`` (events dated after it are not known yet).

    Each detention keeps its own case (see :class:`Detention`): after a re-arrest, the charge,
    conviction and sentence are the new detention's, never an earlier one's."""
    status = Status.AT_LIBERTY
    cases: list[_Case] = []
    pending = _Case()  # what is known before the first arrest
    next_hearing: date | None = None

    for event in person.events:
        if event.date > on:
            if event.type == "hearing" and next_hearing is None:
                next_hearing = event.date
            continue
        case = cases[-1] if cases else pending
        if event.type == "arrested":
            # A first arrest takes up what was known before it; a re-arrest starts afresh.
            new = _Case(start=event.date, charge=event.charge or case.charge, sentence=case.sentence,
                        convicted_on=case.convicted_on) if not cases else _Case(start=event.date, charge=event.charge)
            cases.append(new)
            status = Status.IMPRISONED if new.convicted_on else Status.DETAINED
        elif event.type == "charged":
            case.charge = event.charge or case.charge
        elif event.type == "convicted":
            case.charge = event.charge or case.charge
            case.sentence = event.sentence or case.sentence
            # A later `convicted` event of the same case (the sentence handed down after the
            # verdict, an appeal) keeps the day of the first verdict.
            case.convicted_on = case.convicted_on or event.date
            if status.held:
                status = Status.IMPRISONED
        elif event.type == "released":
            case.end, case.note, case.charges = event.date, event.note, event.charges
            status = Status.RELEASED
        elif event.type == "hearing" and event.date == on:
            next_hearing = event.date

    detentions = tuple(c.freeze() for c in cases)
    current = cases[-1] if cases else pending
    released = status is Status.RELEASED
    months, days = add_up([d.months_and_days(on) for d in detentions])
    return Facts(
        person=person,
        on=on,
        status=status,
        detentions=detentions,
        days_detained=sum(d.days(on) for d in detentions),
        months_detained=months,
        days_remainder=days,
        charge=current.charge,
        sentence=current.sentence,
        convicted_on=current.convicted_on,
        released_on=current.end if released else None,
        release_note=current.note if released else None,
        next_hearing=next_hearing,
        charges_after_release=current.charges if released else None,
    )
