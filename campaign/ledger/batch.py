"""The tick's batch moves: many posts at once, each script reading only the head of a sorted set.

Like every state change, each runs atomically in Redis (``scripts``), checks the state a post leaves,
counts it and appends to the audit stream. The ``*_for`` forms take many campaigns and send all
their scripts in one round trip, each script once for them all (``scripts.for_many``): a tick
over 100 campaigns makes as many round trips as a tick over one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from .keys import Call, LedgerBase, epoch, iso, text


def _ids(reply: list[bytes]) -> list[str]:
    return [i.decode() for i in reply]


class BatchMoves(LedgerBase):
    """Render claims, due posts, resends, expired leases and in-doubt look-ups (mixed into the Ledger)."""

    def campaign_fields(self, cids: Sequence[str], *names: str, clock: float | None = None) -> list[tuple[str | None, ...]]:
        """Some fields of each campaign's hash (None: absent), for many campaigns in one round trip; with
        ``clock``, the simulated time (epoch seconds) is set to it first, in the same round trip (a replay)."""
        if not cids:
            return []
        call: Call = ("HASH_FIELDS", [self.key("c", cid) for cid in cids], names)
        if clock is None:
            rows = self.run_scripts([call])[0]
        else:
            rows = self.run_after(lambda pipe: pipe.set(self.key("clock"), repr(clock)), call)
        return [tuple(v.decode() if v is not None else None for v in row) for row in rows]

    def campaign_hashes(self, cids: Sequence[str]) -> list[dict[str, str]]:
        """Each campaign's whole hash (empty: no such campaign), for many campaigns in one round trip."""
        pipe = self.r.pipeline(transaction=False)
        for cid in cids:
            pipe.hgetall(self.key("c", cid))
        return [text(data) for data in pipe.execute()] if cids else []

    def claim_renders(self, cid: str, now: datetime, lease: float, limit: int = 500) -> list[str]:
        """Posts whose render time has come, claimed for rendering under a wall-clock lease."""
        return self.claim_renders_for([cid], now, lease, limit)[0]

    def claim_renders_for(self, cids: Sequence[str], now: datetime, lease: float, limit: int = 500) -> list[list[str]]:
        """:meth:`claim_renders` of each campaign, in one round trip."""
        real = time.time()
        wake, wake_real, _ = self.wake_keys()
        calls: list[Call] = [("CLAIM_RENDERS", [self.key("render", cid), self.key("rendering", cid), wake, wake_real],
                              [epoch(now), real, real + lease, limit, cid]) for cid in cids]
        return [_ids(reply) for reply in self.run_for_many([calls])[0]]

    def release_render(self, post_id: str) -> None:
        """Drop a render claim (the render finished or was refused)."""
        self.r.zrem(self.key("rendering", self.campaign_of(post_id)), post_id)

    def queue_due(self, cid: str, now: datetime, max_lateness: float, *, resend_after: float,
                  worker: str = "", limit: int = 1000) -> tuple[list[str], list[str]]:
        """Move due, ready posts to queued (and too-late ones to missed); returns (queued, missed)."""
        reply = self.run_scripts([self._queue_due_call(cid, now, max_lateness, resend_after, worker, limit)])[0]
        return _ids(reply[0]), _ids(reply[1])

    def _queue_due_call(self, cid: str, now: datetime, max_lateness: float, resend_after: float, worker: str,
                        limit: int) -> Call:
        keys = [self.key("c", cid), self.key("due", cid), self.key("render", cid), self.key("rendering", cid),
                self.key("queued", cid), self.key("counts", cid), self.key("audit", cid), self.key("states", cid),
                self.wake_keys()[1]]
        return "QUEUE_DUE", keys, [self.prefix, epoch(now), repr(time.time()), max_lateness, limit, iso(now), worker,
                                   resend_after, cid]

    def resend_queued(self, cid: str, resend_after: float, limit: int = 1000) -> list[str]:
        """Queued posts whose send time has come (a lost task, a retry or a rate-limit wait is over)."""
        return _ids(self.run_scripts([self._resend_call(cid, resend_after, limit)])[0])

    def _resend_call(self, cid: str, resend_after: float, limit: int) -> Call:
        return ("RESEND_QUEUED", [self.key("c", cid), self.key("queued", cid), self.wake_keys()[1]],
                [repr(time.time()), resend_after, limit, cid])

    def queue_and_resend_for(self, lateness: Sequence[tuple[str, float]], now: datetime, *, resend_after: float,
                             worker: str = "", limit: int = 1000) -> list[tuple[list[str], list[str], list[str]]]:
        """:meth:`queue_due` then :meth:`resend_queued` of each campaign (with its max lateness), in one
        round trip; for each campaign (queued, missed, resent)."""
        due, resent = self.run_for_many([
            [self._queue_due_call(cid, now, late, resend_after, worker, limit) for cid, late in lateness],
            [self._resend_call(cid, resend_after, limit) for cid, _ in lateness]])
        return [(_ids(d[0]), _ids(d[1]), _ids(r)) for d, r in zip(due, resent)]

    def reap_leases(self, cid: str, now: datetime, limit: int = 1000) -> list[str]:
        """Publishing posts whose lease expired become in_doubt (never retried blindly)."""
        return _ids(self.run_scripts([self._reap_call(cid, now, limit)])[0])

    def _reap_call(self, cid: str, now: datetime, limit: int) -> Call:
        keys = [self.key("leases", cid), self.key("doubt", cid), self.key("counts", cid), self.key("audit", cid),
                self.key("states", cid), self.wake_keys()[1]]
        return "REAP_LEASES", keys, [self.prefix, repr(time.time()), iso(now), limit, cid]

    def due_doubts(self, cid: str, again_after: float, limit: int = 100) -> list[str]:
        """In-doubt posts due for a reconciliation look-up on their platform."""
        return _ids(self.run_scripts([self._doubts_call(cid, again_after, limit)])[0])

    def _doubts_call(self, cid: str, again_after: float, limit: int) -> Call:
        return "DUE_DOUBTS", [self.key("doubt", cid), self.wake_keys()[1]], [repr(time.time()), again_after, limit, cid]

    def reap_and_doubts_for(self, cids: Sequence[str], now: datetime, again_after: float, wakes: Sequence[Call] = ()
                            ) -> list[tuple[list[str], list[str]]]:
        """:meth:`reap_leases` then :meth:`due_doubts` of each campaign, then ``wakes`` (runs of ``WAKE``:
        when the tick must look at each campaign again, ``Ledger.wake_call``), in one round trip; for
        each campaign (in doubt now, due for a look-up)."""
        reaped, doubts, _ = self.run_for_many([[self._reap_call(cid, now, 1000) for cid in cids],
                                               [self._doubts_call(cid, again_after, 100) for cid in cids], wakes])
        return [(_ids(r), _ids(d)) for r, d in zip(reaped, doubts)]

    def forget_doubt(self, post_id: str) -> None:
        """Stop automatic look-ups for an in-doubt post (its platform cannot tell): a person resolves it."""
        self.r.zrem(self.key("doubt", self.campaign_of(post_id)), post_id)
