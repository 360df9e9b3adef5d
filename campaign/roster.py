"""People, their dated events, and the facts about them as of any date.

A person's status on a day follows only from their events up to that day:

    arrested -> detained -> (charged) -> (convicted: imprisoned) -> released -> (arrested again) ...

``facts(person, on)`` is pure: the same events and date always give the same facts, and nothing
dated after ``on`` is used (except a hearing already scheduled, which is shown as "next hearing").
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
import datetime as dt
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .types import LocalText, khmer_digits

ID_RE = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- sentences and durations -------------------------------------------------------------------

_SENTENCE_RE = re.compile(r"(\d+)\s*(years?|months?|days?|y|m|d)\b", re.I)


class Sentence(Model):
    """A prison term, as handed down: ``2 years``, ``20 months``, ``1 year 6 months``."""

    years: int = Field(0, ge=0, le=99)
    months: int = Field(0, ge=0, le=1200)
    days: int = Field(0, ge=0, le=36500)
    suspended: bool = False

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower()
            suspended = "suspended" in text
            parts = _SENTENCE_RE.findall(text)
            rest = _SENTENCE_RE.sub("", text).replace("suspended", "").replace("and", "").replace(",", "").strip()
            if not parts or rest:
                raise ValueError(f"{value!r} is not a sentence; write it like '2 years', '20 months' or '1 year 6 months'")
            out: dict[str, Any] = {"years": 0, "months": 0, "days": 0, "suspended": suspended}
            for number, unit in parts:
                key = {"y": "years", "m": "months", "d": "days"}[unit[0]]
                out[key] += int(number)
            return out
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Sentence:
        if not (self.years or self.months or self.days):
            raise ValueError("a sentence needs a length, e.g. '2 years'")
        return self

    def text(self, lang: str) -> str:
        return human_span(self.years * 12 + self.months, self.days, lang, years=True) + (
            (" (ព្យួរទោស)" if lang == "km" else " (suspended)") if self.suspended else ""
        )


_UNITS = {
    "en": {"year": ("year", "years"), "month": ("month", "months"), "day": ("day", "days"), "and": "and"},
    "km": {"year": ("ឆ្នាំ", "ឆ្នាំ"), "month": ("ខែ", "ខែ"), "day": ("ថ្ងៃ", "ថ្ងៃ"), "and": "និង"},
}


def human_span(months: int, days: int, lang: str, *, years: bool = False) -> str:
    """``15 months and 11 days`` / ``១៥ ខែ និង ១១ ថ្ងៃ``. Years are used only when ``years`` is set
    (sentences are said in years; time served, as campaigners say it, in months and days)."""
    units = _UNITS.get(lang, _UNITS["en"])
    parts: list[str] = []
    y, m = (divmod(months, 12) if years else (0, months))
    for n, unit in ((y, "year"), (m, "month"), (days, "day")):
        if n:
            word = units[unit][0 if n == 1 else 1]
            number = khmer_digits(str(n)) if lang == "km" else str(n)
            parts.append(f"{number} {word}")
    if not parts:
        return f"{khmer_digits('0') if lang == 'km' else '0'} {units['day'][1]}"
    if len(parts) == 1:
        return parts[0]
    sep = " " if lang == "km" else ", "
    return sep.join(parts[:-1]) + f" {units['and']} " + parts[-1]


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


# --- the roster file ---------------------------------------------------------------------------

EventType = Literal["arrested", "charged", "convicted", "released", "hearing"]
_FIELDS_BY_TYPE: dict[str, set[str]] = {
    "arrested": {"charge", "place"},
    "charged": {"charge"},
    "convicted": {"charge", "sentence", "court"},
    "released": {"note", "announce", "charges"},
    "hearing": {"court", "note"},
}


class Event(Model):
    """One dated thing that happened to a person, with where it was reported."""

    date: dt.date
    type: EventType
    charge: LocalText | None = None
    sentence: Sentence | None = None
    note: LocalText | None = None
    court: LocalText | None = None
    place: LocalText | None = None
    announce: bool | None = Field(None, description="released only: publish one 'released' post for this person")
    charges: Literal["kept", "dropped"] | None = Field(
        None, description="released only: whether the charges remain after the release (cards say so only when given)")
    source: str | None = Field(None, description="URL of the report")

    @model_validator(mode="after")
    def _fields_fit_type(self) -> Event:
        allowed = _FIELDS_BY_TYPE[self.type]
        for name in ("charge", "sentence", "note", "court", "place", "announce", "charges"):
            if getattr(self, name) is not None and name not in allowed:
                raise ValueError(f"'{name}' does not belong on a '{self.type}' event (it takes: {', '.join(sorted(allowed))})")
        return self


class Person(Model):
    """A human-rights defender on the roster."""

    id: str = Field(pattern=ID_RE)
    name: LocalText
    group: LocalText | None = None
    role: LocalText | None = None
    photo: str | None = None
    sources: list[str] = Field(default_factory=list)
    events: list[Event] = Field(min_length=1)

    @field_validator("sources")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not re.match(r"^https?://\S+$", url):
                raise ValueError(f"{url!r} is not a web address (http:// or https://)")
        return value

    @model_validator(mode="after")
    def _timeline(self) -> Person:
        # Events must be in date order and tell a possible story: no release while free,
        # no second arrest while held.
        detained = False
        previous: date | None = None
        for i, event in enumerate(self.events):
            if previous and event.date < previous:
                raise ValueError(f"events[{i}]: {event.type} on {event.date} is dated before the event above it ({previous}); list events in date order")
            previous = event.date
            if event.type == "arrested":
                if detained:
                    raise ValueError(f"events[{i}]: arrested on {event.date} while already detained; add the release first")
                detained = True
            elif event.type == "released":
                if not detained:
                    raise ValueError(f"events[{i}]: released on {event.date} while not detained; add the arrest first")
                detained = False
        return self


class Roster(Model):
    """The people of a campaign, in the order the organiser listed them."""

    people: list[Person] = Field(min_length=1)

    @field_validator("people", mode="before")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        if value is None or value == []:
            raise ValueError("the roster is empty; add at least one person under 'people:'")
        return value

    @model_validator(mode="after")
    def _unique(self) -> Roster:
        seen: set[str] = set()
        for i, person in enumerate(self.people):
            if person.id in seen:
                raise ValueError(f"people[{i}].id: {person.id!r} is used twice; ids must be unique")
            seen.add(person.id)
        return self

    def by_id(self) -> dict[str, Person]:
        return {p.id: p for p in self.people}

    def known_as_of(self, day: date | None) -> Roster:
        """The roster as it could have been known on ``day``: later events are dropped, except
        scheduled hearings. Used to replay a campaign as it unfolded."""
        if day is None:
            return self
        people = []
        for p in self.people:
            events = [e for e in p.events if e.date <= day or e.type == "hearing"]
            if events:
                people.append(p.model_copy(update={"events": events}))
        return Roster.model_construct(people=people)


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
    start: date
    end: date | None  # None: still held on the facts' date


@dataclass(frozen=True)
class Facts:
    """What is true of one person on one date; the only thing a card or caption may state."""

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
    announce_release: bool | None = None
    charges_after_release: str | None = None  # "kept" | "dropped" | None (not recorded), while released

    @property
    def held(self) -> bool:
        return self.status.held

    def detained_text(self, lang: str) -> str:
        """Time behind bars as a person would say it: ``15 months and 11 days``."""
        return human_span(self.months_detained, self.days_remainder, lang)

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
        if self.charges_after_release is not None:  # only when recorded: older fingerprints stay valid
            payload["charges"] = self.charges_after_release
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def facts(person: Person, on: date) -> Facts:
    """The facts about ``person`` as of the date ``on`` (events dated after it are not known yet)."""
    status = Status.AT_LIBERTY
    detentions: list[Detention] = []
    start: date | None = None
    charge: LocalText | None = None
    sentence: Sentence | None = None
    convicted_on: date | None = None
    released_on: date | None = None
    note: LocalText | None = None
    announce: bool | None = None
    charges: str | None = None
    next_hearing: date | None = None

    for event in person.events:
        if event.date > on:
            if event.type == "hearing" and next_hearing is None:
                next_hearing = event.date
            continue
        if event.type == "arrested":
            start = event.date
            status = Status.DETAINED
            released_on, note, announce, charges = None, None, None, None
            charge = event.charge or charge
        elif event.type == "charged":
            charge = event.charge or charge
        elif event.type == "convicted":
            charge = event.charge or charge
            sentence = event.sentence or sentence
            convicted_on = event.date
            if status.held:
                status = Status.IMPRISONED
        elif event.type == "released":
            assert start is not None  # the model's timeline check guarantees an arrest came first
            detentions.append(Detention(start, event.date))
            start = None
            status = Status.RELEASED
            released_on, note, announce, charges = event.date, event.note, event.announce, event.charges
        elif event.type == "hearing" and event.date == on:
            next_hearing = event.date

    if start is not None:
        detentions.append(Detention(start, None))

    total_days = 0
    months = days = 0
    for d in detentions:
        end = d.end or on
        total_days += (end - d.start).days
        m, dd = months_and_days(d.start, end)
        months, days = months + m, days + dd
    # Several detentions: carry whole 30-day runs of leftover days into months.
    if len(detentions) > 1:
        months, days = months + days // 30, days % 30

    return Facts(
        person=person,
        on=on,
        status=status,
        detentions=tuple(detentions),
        days_detained=total_days,
        months_detained=months,
        days_remainder=days,
        charge=charge,
        sentence=sentence,
        convicted_on=convicted_on,
        released_on=released_on,
        release_note=note,
        next_hearing=next_hearing,
        announce_release=announce,
        charges_after_release=charges,
    )
