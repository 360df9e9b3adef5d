"""The Redis the ledger lives on, as an operator needs to know it: does it keep what it is told
after a restart, does it ever drop keys on its own, and is it out of memory right now.

``config_warnings`` is what ``campaign apply``, ``run`` and ``web`` print loudly before they start
(each names the risk and the fix); ``memory`` is what ``status`` and the dashboard show. Both only
read (CONFIG GET and INFO), so they work while Redis refuses writes. A managed Redis that hides
CONFIG is read through INFO where INFO tells the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis


@dataclass(frozen=True)
class RedisMemory:
    """How full Redis is: ``used`` and ``limit`` in bytes (limit 0: no ``maxmemory``), its policy."""

    used: int
    limit: int
    policy: str

    @property
    def out_of_memory(self) -> bool:
        """At ``maxmemory`` with ``noeviction``: Redis refuses every write (posts wait where they are)."""
        return self.limit > 0 and self.used >= self.limit

    @property
    def nearly_full(self) -> bool:
        return self.limit > 0 and self.used >= 0.9 * self.limit

    def describe(self) -> str:
        """One line for ``status`` and the dashboard ('' when there is nothing to say)."""
        if not self.nearly_full:
            return ""
        used, limit = _mb(self.used), _mb(self.limit)
        if self.out_of_memory:
            return (f"Redis is out of memory ({used} used of maxmemory {limit}): it refuses writes, so nothing is "
                    "rendered, queued or recorded until it has room; posts wait where they are and go out once it "
                    "does. Fix: raise maxmemory (redis-cli CONFIG SET maxmemory ...; and in redis.conf) or give "
                    "the server more memory")
        return f"Redis is nearly full ({used} used of maxmemory {limit}); raise maxmemory before it refuses writes"

    def as_dict(self) -> dict[str, object]:
        return {"used_memory": self.used, "maxmemory": self.limit, "policy": self.policy,
                "out_of_memory": self.out_of_memory, "message": self.describe()}


def _mb(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB"


def memory(client: redis.Redis) -> RedisMemory:
    """Read INFO memory (a read: answered even while Redis refuses writes)."""
    info = client.info("memory")
    return RedisMemory(int(info.get("used_memory", 0)), int(info.get("maxmemory", 0)),
                       str(info.get("maxmemory_policy", "")))


def _config(client: redis.Redis, name: str) -> str | None:
    """One CONFIG GET value; None where the server hides CONFIG (some managed Redis services)."""
    try:
        value = client.config_get(name).get(name)
    except redis.ResponseError:
        return None
    return None if value is None else str(value)


def config_warnings(client: redis.Redis) -> list[str]:
    """What in this Redis's configuration puts the ledger at risk, each with the risk and the fix."""
    out = []
    appendonly = _config(client, "appendonly")
    if appendonly is None:
        appendonly = "yes" if int(client.info("persistence").get("aof_enabled", 0)) else "no"
    save = _config(client, "save")
    if appendonly == "no" and save is not None and not save.strip():
        out.append("Redis persistence is off (appendonly no, save \"\"): after a Redis restart the ledger forgets "
                   "what went out and what is queued, and posts can go out twice or never. Fix: turn on the "
                   "append-only file (redis-cli CONFIG SET appendonly yes, and appendonly yes in redis.conf; "
                   "on a managed Redis, enable its persistence or backups)")
    policy = _config(client, "maxmemory-policy") or memory(client).policy
    if policy and policy != "noeviction":
        out.append(f"Redis maxmemory-policy is {policy}: when Redis is full it deletes keys on its own, such as "
                   "posts, the due index or queued tasks, and posts are lost or go out twice. Fix: set "
                   "maxmemory-policy noeviction (redis-cli CONFIG SET maxmemory-policy noeviction, and in "
                   "redis.conf; on a managed Redis, in its parameter group); a full Redis then refuses writes "
                   "and the workers wait until it has room")
    return out


__all__ = ["RedisMemory", "config_warnings", "memory"]
