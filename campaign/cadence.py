"""How often a campaign posts: ``cadence:`` in ``campaign.yaml`` (``every: week`` or ``every: N weeks``
on one weekday or several, or ``every: day``, at a local time), read as people write it
(``wed``, ``Wednesday``, ``2 weeks``) and refused with a hint when it is not a cadence."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import Field, model_validator

from .sources import did_you_mean
from .types import LocalTime, Model

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


_EVERY_RE = re.compile(r"^(?:(\d+)\s*)?(week|day)s?$")
_EVERY_HINT = "write every: week, every: 2 weeks (any whole number of weeks) or every: day"


def _parse_every(value: Any) -> str:
    """``week`` | ``day`` | ``N weeks`` -> the canonical ``week``, ``day`` or ``N weeks``."""
    text = re.sub(r"\s+", " ", str(value).strip().lower())
    m = _EVERY_RE.match(text)
    n = int(m.group(1)) if m and m.group(1) else 1
    if not m or n < 1 or (m.group(2) == "day" and n != 1):
        raise ValueError(f"every: {value!r} is not a cadence; {_EVERY_HINT}")
    return m.group(2) if n == 1 else f"{n} weeks"


def _parse_weekday(value: Any, where: str) -> str:
    text = str(value).strip().lower()
    for day in WEEKDAYS:
        if text in (day, day[:3]):
            return day
    raise ValueError(f"{where}: {value!r} is not a weekday{did_you_mean(text, WEEKDAYS, cutoff=0.5)}; use monday ... sunday")


def _parse_weekdays(value: Any) -> tuple[str, ...]:
    """``wednesday`` or ``[monday, thursday]`` -> weekday names in week order."""
    if not isinstance(value, (list, tuple)):
        return (_parse_weekday(value, "weekday"),)
    if not value:
        raise ValueError("weekday: the list is empty; name at least one day, e.g. weekday: [monday, thursday]")
    days: list[str] = []
    for i, item in enumerate(value):
        day = _parse_weekday(item, f"weekday[{i}]")
        if day in days:
            raise ValueError(f"weekday[{i}]: {day} is listed twice; list each day once")
        days.append(day)
    return tuple(sorted(days, key=WEEKDAYS.index))


class Cadence(Model):
    """How often the weekly slots come round: ``every: week`` (or ``every: 2 weeks``) on one
    ``weekday`` or several (``[monday, thursday]``), or ``every: day``; at local ``time``.
    Every N weeks posts in campaign weeks 1, 1+N, 1+2N... (a week is seven days from the start)."""

    every: str = Field("week", description="week | N weeks (e.g. 2 weeks) | day")
    weekday: str | tuple[str, ...] | None = Field(None, description="a weekday, or a list of weekdays")
    time: LocalTime = dt.time(9, 0)

    @model_validator(mode="before")
    @classmethod
    def _read(cls, data: Any) -> Any:
        # Read here, not per field, so a bad list item is reported at its own line (weekday[1]: ...).
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if data.get("every") is not None:
            data["every"] = _parse_every(data["every"])
        if data.get("weekday") is not None:
            data["weekday"] = _parse_weekdays(data["weekday"])
        return data

    @model_validator(mode="after")
    def _weekday_needed(self) -> Cadence:
        if self.weeks is not None and not self.weekdays:
            raise ValueError("a weekly cadence needs a weekday, e.g. weekday: wednesday (or several: weekday: [monday, thursday])")
        if self.weeks is None and self.weekdays:
            raise ValueError("weekday: every: day posts every day; remove weekday, or write every: week")
        return self

    @property
    def weeks(self) -> int | None:
        """Weeks between posting weeks (1: every week), or None for a daily cadence."""
        if self.every == "day":
            return None
        return 1 if self.every == "week" else int(self.every.split()[0])

    @property
    def weekdays(self) -> tuple[str, ...]:
        """The posting weekdays, in week order (empty for a daily cadence)."""
        return self.weekday if isinstance(self.weekday, tuple) else ((self.weekday,) if self.weekday else ())

    @property
    def weekday_indexes(self) -> tuple[int, ...]:
        return tuple(WEEKDAYS.index(d) for d in self.weekdays)

    def describe(self) -> str:
        """``every day``, ``every wednesday``, ``every 2 weeks on monday and thursday``."""
        if self.weeks is None:
            return "every day"
        days = " and ".join([", ".join(self.weekdays[:-1]), self.weekdays[-1]] if len(self.weekdays) > 1 else self.weekdays)
        return f"every {days}" if self.weeks == 1 else f"every {self.weeks} weeks on {days}"
