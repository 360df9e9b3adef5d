"""People on the roster and their dated events, as read from ``roster.yaml``.

What is true of a person on a given day (status, the current detention's charge, conviction
and sentence, time behind bars) is computed by :func:`campaign.facts.facts`, re-exported here.
"""

from __future__ import annotations

import re
import unicodedata
import datetime as dt
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from .facts import Detention, Facts, Status, add_months, add_up, facts, months_and_days
from .types import LocalText, Model
from .words import duration, sentence_text

__all__ = ["ID_RE", "Id", "check_id", "Detention", "Event", "EventType", "Facts", "Person", "Roster", "Sentence", "Status",
           "add_months", "add_up", "facts", "human_span", "months_and_days"]

ID_RE = r"^[a-z0-9][a-z0-9_-]{0,62}$"
MAX_NAME_CHARS = 300  # a person's name in one language: any longer is a paste gone wrong


def check_id(value: Any) -> Any:
    """``value`` if it is an id (lowercase a-z, digits, - and _; a letter or digit first; at most 63);
    else a ValueError saying which character is wrong and what to write instead. Ids name posts
    (``<campaign>:<date>:<account>``) and files, so nothing else may be in one."""
    if not isinstance(value, str) or re.fullmatch(ID_RE, value):
        return value  # not text: pydantic says so
    bad = next((c for c in value if not re.fullmatch(r"[a-z0-9_-]", c)), None)
    if not value:
        why = "it is empty"
    elif len(value) > 63:
        why = f"it is {len(value)} characters long (at most 63)"
    elif bad is not None and bad.isupper() and bad.isascii():
        why = f"{bad!r} at character {value.index(bad) + 1} is a capital letter"
    elif bad is not None:
        name = unicodedata.name(bad, "").lower() or "a control character"
        why = f"{bad!r} (U+{ord(bad):04X}, {name}) at character {value.index(bad) + 1} is not allowed"
    else:
        why = f"it starts with {value[0]!r}"
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    suggestion = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:63]
    kept = len(re.sub(r"[^a-z0-9]", "", plain)) == sum(ch.isalnum() for ch in value)  # no letter lost
    return_to = f"; e.g. {suggestion!r}" if kept and suggestion and re.fullmatch(ID_RE, suggestion) else ""
    raise ValueError(f"{value[:80]!r} is not an id: {why}; an id is lowercase letters a-z, digits, - and _, "
                     f"beginning with a letter or digit{return_to}")


#: An id as it is written in a file: checked by :func:`check_id` (the pattern stays for the JSON Schema).
Id = Annotated[str, Field(pattern=ID_RE), BeforeValidator(check_id)]


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
        """``2 years``, ``1 year and 8 months (suspended)``: always in years, in ``lang``'s words."""
        return sentence_text(self.years, self.months, self.days, self.suspended, lang)


def human_span(months: int, days: int, lang: str, *, years: bool = False) -> str:
    """``15 months and 11 days`` (``years=False``) or ``1 year, 3 months and 11 days``; see
    :func:`campaign.words.duration`."""
    return duration(months, days, lang, "years" if years else "months")


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

    id: Id
    name: LocalText
    group: LocalText | None = None
    role: LocalText | None = None
    photo: str | None = None
    sources: list[str] = Field(default_factory=list)
    events: list[Event] = Field(min_length=1)

    def texts(self) -> list[tuple[str, LocalText]]:
        """Every text of the person's given per language, with its field: name, group, role, and each
        event's charge and note."""
        given = [("name", self.name), ("group", self.group), ("role", self.role)]
        given += [(f, t) for e in self.events for f, t in (("charge", e.charge), ("note", e.note))]
        return [(f, t) for f, t in given if t is not None]

    @field_validator("name")
    @classmethod
    def _one_line(cls, value: LocalText) -> LocalText:
        for lang, text in value.root.items():
            label = "the name" if lang == "*" else f"the {lang} name"
            if "\n" in text or "\t" in text:
                what = "a line break" if "\n" in text else "a tab"
                raise ValueError(f"{label} {text[:40]!r} has {what}; write a name on one line (a card wraps it "
                                 "to its box itself)")
            if len(text) > MAX_NAME_CHARS:
                raise ValueError(f"{label} is {len(text):,} characters long (at most {MAX_NAME_CHARS}), beginning "
                                 f"{text[:40]!r}; write the name as it should appear on a card")
        return value

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
        seen: dict[str, int] = {}
        for i, person in enumerate(self.people):
            if person.id in seen:
                raise ValueError(f"people[{i}].id: {person.id!r} is used twice; ids must be unique (people[{seen[person.id]}] "
                                 "has it first)")
            seen[person.id] = i
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
