"""The tick's batch moves: many posts at once, each script reading only the head of a sorted set.

Like every state change, each runs atomically in Redis (``scripts``), checks the state a post leaves,
counts it and appends to the audit stream.
"""

from __future__ import annotations

import time
from datetime import datetime

from .keys import LedgerBase, epoch, iso


class BatchMoves(LedgerBase):
    """Render claims, due posts, resends, expired leases and in-doubt look-ups (mixed into the Ledger)."""

    def claim_renders(self, cid: str, now: datetime, lease: float, limit: int = 500) -> list[str]:
        """Posts whose render time has come, claimed for rendering under a wall-clock lease."""
        real = time.time()
        ids = self._scripts["CLAIM_RENDERS"](keys=[self.key("render", cid), self.key("rendering", cid)],
                                             args=[epoch(now), real, real + lease, limit])
        return [i.decode() for i in ids]

    def release_render(self, post_id: str) -> None:
        """Drop a render claim (the render finished or was refused)."""
        self.r.zrem(self.key("rendering", self.campaign_of(post_id)), post_id)

    def queue_due(self, cid: str, now: datetime, max_lateness: float, *, resend_after: float,
                  worker: str = "", limit: int = 1000) -> tuple[list[str], list[str]]:
        """Move due, ready posts to queued (and too-late ones to missed); returns (queued, missed)."""
        keys = [self.key("c", cid), self.key("due", cid), self.key("render", cid), self.key("rendering", cid),
                self.key("queued", cid), self.key("counts", cid), self.key("audit", cid)]
        queued, missed = self._scripts["QUEUE_DUE"](
            keys=keys, args=[self.prefix, epoch(now), repr(time.time()), max_lateness, limit, iso(now), worker,
                             resend_after])
        return [i.decode() for i in queued], [i.decode() for i in missed]

    def resend_queued(self, cid: str, resend_after: float, limit: int = 1000) -> list[str]:
        """Queued posts whose send time has come (a lost task, a retry or a rate-limit wait is over)."""
        ids = self._scripts["RESEND_QUEUED"](keys=[self.key("c", cid), self.key("queued", cid)],
                                             args=[repr(time.time()), resend_after, limit])
        return [i.decode() for i in ids]

    def reap_leases(self, cid: str, now: datetime, limit: int = 1000) -> list[str]:
        """Publishing posts whose lease expired become in_doubt (never retried blindly)."""
        keys = [self.key("leases", cid), self.key("doubt", cid), self.key("counts", cid), self.key("audit", cid)]
        ids = self._scripts["REAP_LEASES"](keys=keys, args=[self.prefix, repr(time.time()), iso(now), limit])
        return [i.decode() for i in ids]

    def due_doubts(self, cid: str, again_after: float, limit: int = 100) -> list[str]:
        """In-doubt posts due for a reconciliation look-up on their platform."""
        ids = self._scripts["DUE_DOUBTS"](keys=[self.key("doubt", cid)], args=[repr(time.time()), again_after, limit])
        return [i.decode() for i in ids]

    def forget_doubt(self, post_id: str) -> None:
        """Stop automatic look-ups for an in-doubt post (its platform cannot tell): a person resolves it."""
        self.r.zrem(self.key("doubt", self.campaign_of(post_id)), post_id)
