"""Real and simulated time (rule 5: time is a parameter).

The pipeline asks :func:`now_for` for ``now``: the system time, or the simulated time stored in
the ledger, so the ``campaign simulate`` driver, the Celery worker
processes and any second worker all share one simulated now. Leases, retries and rate limits
are about processes, not the campaign's calendar, and always use the wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .ledger import Ledger


class SimulatedClock:
    """A campaign time kept in Redis and moved only by ``set``; every process sees the same now."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def now(self) -> datetime:
        when = self.ledger.simulated_time()
        if when is None:
            raise RuntimeError("no simulated time is set")
        return datetime.fromtimestamp(when, UTC)

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("simulated time must be timezone-aware")
        self.ledger.set_simulated_time(moment.timestamp())

    def clear(self) -> None:
        self.ledger.set_simulated_time(None)


def now_for(ledger: Ledger) -> datetime:
    """The campaign's now: the ledger's simulated time if set, else the system time (one Redis read)."""
    when = ledger.simulated_time()
    return datetime.fromtimestamp(when, UTC) if when is not None else datetime.now(UTC)
