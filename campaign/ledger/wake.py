"""The wake index: which campaigns a tick must look at, so that a tick over many campaigns costs
what is due, not how many campaigns there are (the schedule set of mature job schedulers).

Three sorted sets of campaign ids (``wake_scripts.WAKE`` says what each holds). The rule that keeps them
safe: a campaign's score is never later than the first moment the tick could do something for it.
Every script that adds to a campaign's render, due, rendering, queued, lease or doubt index, or makes
a post ready to queue, lowers the score in the same atomic step (``ZADD LT``); storing a definition,
changing a status or any campaign field sets it to -inf (the next tick looks); and after the tick's
moves of a campaign, ``WAKE`` works the score out again from the heads of its indexes, its status and
when its plan signature changes, all read in that one step. A spurious wake costs a tick some time;
a missed one would make posts late, so where in doubt, the campaign wakes.
"""

from __future__ import annotations

import math
import time
from datetime import datetime

from .keys import Call, LedgerBase, epoch

#: One campaign's row as the tick reads it: id, status, definition hash, plan signature (None: absent).
Row = tuple[str, str | None, str | None, str | None]


def _score(moment: float) -> str:
    return "+inf" if moment == math.inf else "-inf" if moment == -math.inf else repr(moment)


class WakeMoves(LedgerBase):
    """Reading and keeping the wake index (mixed into :class:`~campaign.ledger.Ledger`)."""

    def awake(self, now: datetime) -> list[Row]:
        """The applied campaigns the tick must look at ``now`` (campaign clock; the wall clock is read
        here), with their status, definition hash and plan signature, by id, in one round trip. A
        ledger written before the wake index had one wakes every campaign once."""
        keys = [self.key("campaigns"), *self.wake_keys(), self.key("wake", "built")]
        reply = self.run_scripts([("WAKE_READ", keys, [self.prefix, epoch(now), repr(time.time())])])[0]
        rows = [(row[0].decode(), *(None if v is None else v.decode() for v in row[1:4])) for row in reply]
        return sorted(rows)  # type: ignore[arg-type]

    def wake_call(self, cid: str, def_hash: str | None, plan_sig: str | None, since: float, until: float,
                  max_lateness: float) -> Call:
        """The run of ``WAKE`` that works out when the tick must look at ``cid`` again, after its moves:
        ``plan_sig`` is its plan signature under ``def_hash`` now, which holds from ``since`` until
        ``until`` (campaign clock); if the stored ones differ, the campaign stays awake."""
        keys = [self.key("c", cid), *(self.key(name, cid) for name in ("render", "due", "rendering", "queued",
                                                                        "leases", "doubt")), *self.wake_keys()]
        return "WAKE", keys, [cid, def_hash or "", plan_sig or "", _score(since), _score(until), max_lateness]

    def wake_scores(self, cid: str) -> tuple[float | None, float | None, float | None]:
        """The campaign's three wake scores (None: no entry): campaign clock, wall clock, signature since."""
        pipe = self.r.pipeline(transaction=False)
        for key in self.wake_keys():
            pipe.zscore(key, cid)
        at, real, since = pipe.execute()
        return at, real, since


__all__ = ["WakeMoves", "Row"]
