"""Real and simulated time (rule 5: time is a parameter).

The pipeline asks :func:`now_for` for ``now``: the system time, or the simulated time kept in a
:class:`TimeStore` (the ledger is one), so the ``campaign simulate`` driver, the Celery worker
processes and any second worker all share one simulated now. Leases, retries and rate limits
are about processes, not the campaign's calendar, and always use the wall clock.

This module imports nothing of the project: whatever keeps the simulated time is passed in.
"""

from __future__ import annotations

from datetime import UTC, datetime
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
