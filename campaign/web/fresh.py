"""Views of a campaign's posts kept while the campaign stays as it is: a page that reads every post
(the Calendar: 340 posts for 20 accounts x 17 weeks) is made once per change of the ledger, not once
per request, and each request costs one Redis round trip to check (``Ledger.version``: the campaign's
latest audit entry and its definition's hash; every move of a post appends an audit entry).

Only what those two determine may be kept here: states, cards, slots and names, not the wall clock
or who is asking. :attr:`Fresh.made` counts the views made (the tests check a request that finds the
ledger unchanged makes none).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from ..cache import Cache
from ..ledger import Ledger, UnknownCampaign

V = TypeVar("V")


class Fresh:
    """At most ``size`` views, each with the campaign version it was made at."""

    def __init__(self, ledger: Ledger, size: int = 64):
        self.ledger = ledger
        self._views: Cache[tuple[str, Any]] = Cache(size)
        self.made = 0

    def get(self, name: str, cid: str, make: Callable[[], V]) -> V:
        """The view ``name`` of campaign ``cid``: kept, if the campaign has not changed since it was
        made, else ``make()`` (kept for next time). Raises UnknownCampaign."""
        version = self.ledger.version(cid)
        if version is None:
            raise UnknownCampaign(cid)
        key: Hashable = (name, cid)
        kept = self._views.get(key)
        if kept is not None and kept[0] == version:
            return kept[1]  # type: ignore[no-any-return]
        value = make()
        self.made += 1
        self._views.put(key, (version, value))
        return value


__all__ = ["Fresh"]
