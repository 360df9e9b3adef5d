"""Counting a Redis client's round trips: for the tests and benchmarks that state how many a piece of
work takes (a tick over 100 campaigns takes as many as a tick over one).

A round trip is one write to the server followed by its replies: a command sent alone, or a whole
pipeline (``send_packed_command`` is where redis-py sends both, and the health-check ``PING`` too).
"""

from __future__ import annotations

from typing import Any

import redis


class RoundTrips:
    """A Redis client whose connections count the round trips they make (``count``)."""

    def __init__(self, url: str):
        self.count = 0
        pool = redis.ConnectionPool.from_url(url)
        trips = self

        class Counted(pool.connection_class):  # type: ignore[name-defined,misc]
            def send_packed_command(self, command: Any, check_health: bool = True) -> None:
                trips.count += 1
                super().send_packed_command(command, check_health)

        pool.connection_class = Counted
        self.client = redis.Redis(connection_pool=pool)

    def since(self, start: int) -> int:
        """Round trips made since the count was ``start``."""
        return self.count - start


__all__ = ["RoundTrips"]
