"""An account's state in the ledger: its rate-limit hold and budget, and its block (credentials refused).

``P account:<cid>:<account>`` holds ``rate_limited_until``, ``auth_failed`` (with ``auth_failed_at``
and ``blocked_by``) and the budget the platform last reported (``budget_limit``, ``budget_remaining``,
``budget_reset``, ``budget_at``). A block and its lifting are one MULTI each, with their audit entry.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import redis

from .keys import LedgerBase, iso, text


class AccountMoves(LedgerBase):
    """Holds, budgets and blocks of accounts (mixed into the Ledger)."""

    def account_state(self, cid: str, account: str) -> dict[str, str]:
        return text(self.r.hgetall(self.key("account", cid, account)))

    def rate_limit(self, cid: str, account: str, until: float) -> None:
        """Hold every post of the account until ``until`` (epoch seconds, wall clock); all workers see it.
        A later hold already in place is kept."""
        self._scripts["NOTE_BUDGET"](keys=[self.key("account", cid, account)], args=["{}", repr(until)])

    def note_budget(self, cid: str, account: str, *, limit: int | None, remaining: int | None,
                    reset_at: float | None, hold: bool) -> None:
        """Store the account's rate-limit budget from the platform's headers (limit, remaining, reset,
        when read); with ``hold`` (the budget is spent) the account waits until ``reset_at``."""
        fields: dict[str, str] = {"budget_at": repr(time.time())}
        for name, value in (("budget_limit", limit), ("budget_remaining", remaining), ("budget_reset", reset_at)):
            if value is not None:
                fields[name] = repr(value)
        until = repr(reset_at) if hold and reset_at is not None else ""
        self._scripts["NOTE_BUDGET"](keys=[self.key("account", cid, account)], args=[json.dumps(fields), until])

    def mark_auth_failed(self, cid: str, account: str, message: str, *, at: datetime | None = None,
                         by: str = "publish", worker: str = "") -> None:
        """Block the account: its posts fail at their claim until a person unblocks it. ``message``
        says why (it names credential references, never a value); ``by`` who found it (``publish``:
        the platform refused; ``credentials check``: ``campaign run`` found a reference unset).
        One MULTI with its audit entry."""
        when = at or datetime.now(UTC)
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(self.key("account", cid, account), mapping={"auth_failed": message, "auth_failed_at": iso(when),
                                                              "blocked_by": by})
        self._audit_account(pipe, cid, account, "blocked", when, worker, f"account {account} blocked ({by}): {message}")
        pipe.execute()

    def clear_account(self, cid: str, account: str, *, at: datetime | None = None, worker: str = "",
                      detail: str = "", rate_limit: bool = True) -> bool:
        """Lift the account's block (and, with ``rate_limit``, its rate-limit hold); returns whether it
        was blocked. One MULTI with its audit entry (when it was blocked)."""
        key = self.key("account", cid, account)
        blocked = self.r.hget(key, "auth_failed") is not None
        pipe = self.r.pipeline(transaction=True)
        pipe.hdel(key, "auth_failed", "auth_failed_at", "blocked_by", *(["rate_limited_until"] if rate_limit else []))
        if blocked:
            self._audit_account(pipe, cid, account, "unblocked", at or datetime.now(UTC), worker,
                                f"account {account} unblocked" + (f": {detail}" if detail else ""))
        pipe.execute()
        return blocked

    def _audit_account(self, pipe: redis.client.Pipeline, cid: str, account: str, to: str, at: datetime,
                       worker: str, detail: str) -> None:
        pipe.xadd(self.key("audit", cid), {"post": "", "account": account, "from": "", "to": to, "at": iso(at),
                                           "ts": str(time.time()), "worker": worker, "detail": detail},
                  maxlen=500000, approximate=True)
