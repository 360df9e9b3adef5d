"""A post as the ledger stores it: one typed record, read and written here only.

The record owns its field names and how each value is written as text (the ``P post:<id>`` hash):
its slot (``id``, ``campaign``, ``account``, ``platform``, ``language``, ``date``, ``due`` as epoch
seconds and ``due_local`` as ISO time, ``week``, ``people`` as a JSON list, ``kind``, ``template``,
``variant``), ``plan_view`` (:func:`plan_view`: a hash of what re-planning compares), then one hash field per attribute below, under the attribute's own name. An attribute
that is ``None`` is absent from the hash. Epoch seconds are written with ``repr`` (read back exactly),
times as ISO text, lists and maps as JSON. Fields of the hash that the record does not know are
ignored (a newer version may have written them).

The ledger's operations (:mod:`campaign.ledger.moves`) write parts of a record with :func:`encode`,
which takes attribute names, so no other module spells a field or formats a value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from ..plan import Slot
from .states import APPROVED, PLANNED, QUEUED

T = TypeVar("T")


@dataclass(frozen=True)
class Codec(Generic[T]):
    """How one kind of value is written as the text of a hash field, and read back."""

    dump: Callable[[T], str]
    load: Callable[[str], T]


TEXT: Codec[str] = Codec(str, str)
INT: Codec[int] = Codec(str, int)
EPOCH: Codec[float] = Codec(repr, float)  # seconds; repr round-trips a float exactly
MOMENT: Codec[datetime] = Codec(datetime.isoformat, datetime.fromisoformat)
DAY: Codec[date] = Codec(date.isoformat, date.fromisoformat)
NAMES: Codec[tuple[str, ...]] = Codec(lambda v: json.dumps(list(v)), lambda s: tuple(json.loads(s)))
TEXTS: Codec[tuple[str, ...]] = Codec(lambda v: json.dumps(list(v), ensure_ascii=False), lambda s: tuple(json.loads(s)))
BY_LANGUAGE: Codec[Mapping[str, str]] = Codec(lambda v: json.dumps(dict(v), ensure_ascii=False), json.loads)
BY_PERSON: Codec[Mapping[str, str]] = Codec(lambda v: json.dumps(dict(v), sort_keys=True), json.loads)

#: The slot's fields other than ``due`` (written twice: epoch seconds and local ISO time).
_SLOT: dict[str, Codec[Any]] = {"id": TEXT, "campaign": TEXT, "account": TEXT, "platform": TEXT, "language": TEXT,
                                "date": DAY, "week": INT, "people": NAMES, "kind": TEXT, "template": TEXT,
                                "variant": INT}


def _stored(codec: Codec[Any]) -> Any:
    """An optional attribute of the record (``None``: absent from the hash), written with ``codec``."""
    return field(default=None, metadata={"codec": codec})


@dataclass(frozen=True)
class CardRef:
    """A drawn card as the render cache keeps it: the image blob's sha256, its format, its alt text
    per language and its warnings (layout overflows)."""

    card: str
    card_format: str
    alt: Mapping[str, str]
    warnings: tuple[str, ...]

    def to_fields(self) -> dict[str, str]:
        return encode(card=self.card, card_format=self.card_format, alt=self.alt, warnings=self.warnings)

    @classmethod
    def from_fields(cls, data: Mapping[str, str]) -> CardRef:
        return cls(data["card"], data["card_format"], BY_LANGUAGE.load(data["alt"]), TEXTS.load(data["warnings"]))


@dataclass(frozen=True)
class PostRecord:
    """One post of the ledger: its slot of the plan, its state, and what happened to it so far."""

    slot: Slot
    state: str = field(metadata={"codec": TEXT})
    plan_fp: str = field(metadata={"codec": TEXT})  # the facts of its people as planned
    render_at: float = field(metadata={"codec": EPOCH})  # campaign clock
    people_fp: Mapping[str, str] | None = _stored(BY_PERSON)  # each featured person's facts fingerprint
    state_at: datetime | None = _stored(MOMENT)  # campaign time of the last move
    planned_at: float | None = _stored(EPOCH)  # campaign clock when the plan that made (or re-planned) it was applied
    updated: float | None = _stored(EPOCH)  # wall clock of the last move
    # The card and caption it goes out with, and what they show (set when rendered).
    card: str | None = _stored(TEXT)
    card_format: str | None = _stored(TEXT)
    alt: Mapping[str, str] | None = _stored(BY_LANGUAGE)
    warnings: tuple[str, ...] | None = _stored(TEXTS)
    caption: str | None = _stored(TEXT)
    shown_fp: str | None = _stored(TEXT)  # card and caption: what a person approves
    rendered_fp: str | None = _stored(TEXT)  # the facts of its people when its card was made
    rendered_at: float | None = _stored(EPOCH)
    render_seconds: float | None = _stored(EPOCH)  # how long making its card and caption took (wall clock)
    draw_seconds: float | None = _stored(EPOCH)  # CPU time drawing its card took (None: found in the render cache)
    # A person's approval of that card and caption.
    approved_fp: str | None = _stored(TEXT)
    approved_at: datetime | None = _stored(MOMENT)
    approved_by: str | None = _stored(TEXT)
    # Publishing.
    attempts: int | None = _stored(INT)  # claims so far
    lease_until: float | None = _stored(EPOCH)
    worker: str | None = _stored(TEXT)
    error: str | None = _stored(TEXT)
    error_class: str | None = _stored(TEXT)
    waiting_until: float | None = _stored(EPOCH)  # queued again, not sent before this (wall clock)
    requeues: int | None = _stored(INT)  # times reconciliation queued it again
    looked_up: float | None = _stored(EPOCH)  # when a look-up on its platform last failed
    remote_id: str | None = _stored(TEXT)
    url: str | None = _stored(TEXT)
    posted_at: datetime | None = _stored(MOMENT)

    @property
    def id(self) -> str:
        return self.slot.id

    @property
    def due(self) -> float:
        """Its due time in epoch seconds (compare these: an aware time in a DST fold never equals one
        in another zone)."""
        return self.slot.due.timestamp()

    @classmethod
    def planned(cls, slot: Slot, *, plan_fp: str, people_fp: Mapping[str, str], render_at: float) -> PostRecord:
        """A new post for ``slot`` as planning makes it."""
        return cls(slot, PLANNED, plan_fp, render_at, people_fp)

    @property
    def plan_view(self) -> str:
        """What of its slot and plan, when changed, re-plans it (if pending), as one hash (:func:`plan_view`)."""
        return plan_view(self.slot, self.plan_fp)

    def plan_fields(self) -> dict[str, str]:
        """The fields planning writes: the slot, its people's facts fingerprints and its render time."""
        return {**_slot_fields(self.slot), "plan_view": self.plan_view,
                **encode(plan_fp=self.plan_fp, people_fp=self.people_fp, render_at=self.render_at)}

    def to_fields(self) -> dict[str, str]:
        """The whole record as hash fields (absent attributes left out)."""
        return {**_slot_fields(self.slot), "plan_view": self.plan_view,
                **encode(**{name: getattr(self, name) for name in CODECS})}

    @classmethod
    def from_fields(cls, data: Mapping[str, str]) -> PostRecord:
        """The record of a post's hash fields (already decoded to text)."""
        try:
            due = (MOMENT.load(data["due_local"]) if "due_local" in data
                   else datetime.fromtimestamp(float(data["due"]), UTC))
            slot = Slot(due=due, **{name: codec.load(data[name]) for name, codec in _SLOT.items()})
            values = {name: codec.load(data[name]) for name, codec in CODECS.items() if name in data}
        except (KeyError, ValueError) as exc:
            raise ValueError(f"post {data.get('id', '?')!r} in the ledger cannot be read: {exc!r}") from exc
        return cls(slot, **values)

    def alt_text(self, language: str) -> str:
        """The card's alt text in ``language``; else English; else any it has."""
        alt = self.alt or {}
        return alt.get(language) or alt.get("en") or next(iter(alt.values()), "")

    def has_approval(self, review_required: bool) -> bool:
        """Whether a person's approval stands behind its card (approved, or queued after approval)."""
        return self.state == APPROVED or (self.state == QUEUED and (bool(self.approved_at) or review_required))


#: Every attribute of the record stored under its own name, with how it is written.
CODECS: dict[str, Codec[Any]] = {f.name: f.metadata["codec"] for f in fields(PostRecord) if "codec" in f.metadata}
#: Every field of a post's hash that the record reads and writes.
FIELDS = frozenset(_SLOT) | {"due", "due_local", "plan_view"} | frozenset(CODECS)
#: What rendering and approving wrote: dropped when the card must be made again.
CARD_FIELDS = ("card", "card_format", "alt", "caption", "rendered_fp", "rendered_at", "render_seconds", "draw_seconds",
               "warnings", "shown_fp",
               "approved_fp", "approved_at", "approved_by")
#: What a failed attempt wrote: dropped when a person sends the post round again.
ERROR_FIELDS = ("error", "error_class", "requeues")


def encode(**values: Any) -> dict[str, str]:
    """Hash fields for some attributes of a record, by attribute name (``None``: left out)."""
    return {name: CODECS[name].dump(value) for name, value in values.items() if value is not None}


def plan_view(slot: Slot, plan_fp: str) -> str:
    """One hash of what of a post's slot and plan, when changed, re-plans it: its people, kind,
    template, caption variant, time, week and account, and ``plan_fp`` (its people's facts). Stored
    on the post, so a re-plan reads two short fields of an unchanged post instead of the whole post."""
    parts = (*slot.people, "", slot.kind, slot.template, str(slot.variant), plan_fp, repr(slot.due.timestamp()),
             str(slot.week), slot.account)
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def _slot_fields(slot: Slot) -> dict[str, str]:
    out = {name: codec.dump(getattr(slot, name)) for name, codec in _SLOT.items()}
    out.update(due=EPOCH.dump(slot.due.timestamp()), due_local=MOMENT.dump(slot.due))
    return out


__all__ = ["CARD_FIELDS", "CODECS", "CardRef", "ERROR_FIELDS", "FIELDS", "PostRecord", "encode", "plan_view"]
