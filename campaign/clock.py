"""Real and simulated time (rule 5: time is a parameter).

The pipeline asks :func:`now_for` for ``now``: the system time, or the simulated time kept in a
:class:`TimeStore` (the ledger is one), so the ``campaign simulate`` driver, the Celery worker
processes and any second worker all share one simulated now. Leases, retries and rate limits
are about processes, not the campaign's calendar, and always use the wall clock.

This module imports nothing of the project: whatever keeps the simulated time is passed in.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import Protocol


class TimeStore(Protocol):
    """Where the shared simulated time lives (epoch seconds; None: the real clock), e.g. the ledger."""

    def simulated_time(self) -> float | None: ...

    def set_simulated_time(self, when: float | None) -> None: ...


class SimulatedClock:
    """A campaign time kept in the store and moved only by ``set``; every process sees the same now."""

    def __init__(self, store: TimeStore):
        self.store = store

    def now(self) -> datetime:
        when = self.store.simulated_time()
        if when is None:
            raise RuntimeError("no simulated time is set")
        return datetime.fromtimestamp(when, UTC)

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("simulated time must be timezone-aware")
        self.store.set_simulated_time(moment.timestamp())

    def clear(self) -> None:
        self.store.set_simulated_time(None)


def now_for(store: TimeStore) -> datetime:
    """The campaign's now: the store's simulated time if set, else the system time (one read)."""
    when = store.simulated_time()
    return datetime.fromtimestamp(when, UTC) if when is not None else datetime.now(UTC)


def readable(moment: datetime | str | None, zone: tzinfo | None = None, named: bool = True) -> str:
    """A moment as people read it, in ``zone`` (else its own timezone), naming the zone:
    ``Wed 15 Sep 2021, 08:10 (Asia/Phnom_Penh)``. An ISO text is read first; '' for none. The one way
    the dashboard and the alerts show a time (machines get ISO: the JSON API, ``--json``).
    ``named=False``: without the zone (a table's cells, whose heading names it once)."""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment) if moment else None
        except ValueError:
            return moment
    if moment is None:
        return ""
    if zone is not None and moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    name = zone_name(moment) if named else ""
    return f"{moment:%a %d %b %Y, %H:%M}" + (f" ({name})" if name else "")


def zone_name(moment: datetime) -> str:
    """The name of ``moment``'s timezone (``Asia/Phnom_Penh``; an offset's ``UTC+07:00``), '' for none."""
    return getattr(moment.tzinfo, "key", None) or (moment.tzname() or "")


#: An aware ISO moment written into a message (``2021-09-15T01:10:00+00:00``).
ISO_MOMENT = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})")


def readable_times(text: str, zone: tzinfo | None) -> str:
    """``text`` with each ISO moment in it as :func:`readable` writes it, in ``zone``."""
    def one(found: re.Match[str]) -> str:
        try:
            return readable(datetime.fromisoformat(found.group(0).replace("Z", "+00:00")), zone)
        except ValueError:
            return found.group(0)

    return ISO_MOMENT.sub(one, text)
