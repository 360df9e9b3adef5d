"""The ledger: every Redis key of the pipeline and every state change of a post.

The ledger is the truth (rule 1): workers, beats, the CLI and the dashboard read and change posts
only through this class. Key layout (``P`` is the prefix, ``cs:`` unless told otherwise)::

    P campaigns                  set    applied campaign ids
    P c:<cid>                    hash   campaign.yaml / roster.yaml text, status (active|paused|
                                        cancelled), asset map, plan signature, settings
    P blob:<sha256>              string content-addressed bytes: photos, logos, template folders, cards
    P post:<post id>             hash   one post: the fields of its PostRecord (record.py): slot, state, card...
    P posts:<cid>                zset   every post of the campaign by due time (timeline)
    P due:<cid>                  zset   posts not yet queued, by due time        (campaign clock)
    P render:<cid>               zset   posts to render, by render time          (campaign clock)
    P rendering:<cid>            zset   render claims, by lease expiry           (wall clock)
    P queued:<cid>               zset   queued posts, by when to send (again)    (wall clock)
    P leases:<cid>               zset   publishing posts, by lease expiry        (wall clock)
    P doubt:<cid>                zset   in-doubt posts, by next reconciliation   (wall clock)
    P counts:<cid>               hash   posts per state and per account/state
    P states:<cid>               hash   post id -> its state (every move keeps it, like counts)
    P views:<cid>                hash   post id -> its plan_view (written with the post's plan): re-planning
                                        compares these two hashes with the plan, not every post
    P audit:<cid>                stream every transition: post, from, to, at, ts, worker, detail (an account's
                                        block and unblock: post "", account, to blocked|unblocked)
    P attempts:<post id>         list   JSON attempts: ts, at, worker, outcome, error_class, error
    P alert..., alerts:...       the alerts' incidents, pending sends and channel health (alerts.py)
    P wake, wake:real,           zset   campaign ids by when the tick must look at them (campaign clock, wall
      wake:before                       clock) and by when their plan signature began to hold (wake.py)
    P wake:built                 string set once every applied campaign has its place in the wake index
    P account:<cid>:<account>    hash   rate_limited_until, auth_failed (+ _at, blocked_by), budget_limit/remaining/reset/at
    P rcache:<key>               hash   rendered card cache: card sha, alt, format
    P drawing:<key>              string a replay's warm-up draws this card (set once, for a while)
    P clock                      string simulated time (epoch seconds); absent: the real clock
    P faults:<cid>               hash   a rehearsal's faults (``campaign simulate --faults``): spec, seed,
                                        kind:<post id>, met:<post id>, platform:<account> (pipeline/faults.py)

Campaign-clock scores are the campaign's notion of now (simulated in ``campaign simulate``);
wall-clock scores are about processes (leases, retries, rate limits) and always use real time.
Reads of the due window are ``ZRANGEBYSCORE`` over the head of a sorted set, so a tick costs the
same with 1,000 or 100,000 planned posts.

The package: ``keys`` (connection, key names), ``record`` (:class:`PostRecord`: a post's fields, typed,
read and written there only), ``states`` (the states and which each operation leaves), ``scripts``
(the Lua behind every move), ``moves`` (the named state changes of one post), ``batch`` (the tick's
moves of many posts), ``wake`` (which campaigns the tick must look at), ``accounts`` (holds and blocks),
``alerts`` (incidents and alert channels); :class:`Ledger` joins them.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

from ..errors import Refused
from .accounts import AccountMoves
from .alerts import AlertMoves
from .batch import BatchMoves
from .keys import DEFAULT_PREFIX, UnknownCampaign, UnknownPost, chunks, iso, sha256, text, person_name, worker_name
from .moves import PostMoves
from .record import CODECS, CardRef, PostRecord
from .states import (ACTIVE, APPROVED, AWAITING_REVIEW, CANCELLED, FINAL, IN_DOUBT, PAUSED, PENDING, PLANNED,
                     POSTED, QUEUED, RENDERED, RETRYABLE, STATES)
from .wake import WakeMoves

__all__ = ["Ledger", "TaskView", "PostRecord", "CardRef", "UnknownPost", "UnknownCampaign", "person_name", "worker_name", "STATES", "PENDING",
           "FINAL", "ACTIVE", "PAUSED", "CANCELLED", "PLANNED", "RENDERED", "AWAITING_REVIEW", "APPROVED", "QUEUED",
           "POSTED", "IN_DOUBT", "RETRYABLE"]


@dataclass(frozen=True)
class TaskView:
    """A task's first read (:meth:`Ledger.task_view`)."""

    clock: float | None  # the simulated time, or None for the real clock
    def_hash: str | None  # None: the campaign is not applied
    post: PostRecord | None

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock, UTC) if self.clock is not None else datetime.now(UTC)


class Ledger(PostMoves, BatchMoves, WakeMoves, AccountMoves, AlertMoves):
    """The pipeline's state in Redis; owns every key name and every script."""

    @classmethod
    def from_url(cls, url: str, prefix: str | None = None) -> Ledger:
        """A ledger on the Redis at ``url`` (prefix: ``$CAMPAIGN_KEY_PREFIX`` or ``cs:``)."""
        client = redis.Redis.from_url(url, health_check_interval=30)
        return cls(client, prefix if prefix is not None else os.environ.get("CAMPAIGN_KEY_PREFIX", DEFAULT_PREFIX))

    def close(self) -> None:
        """Close the Redis connections (the server is left running)."""
        self.r.close()

    # --- campaigns, definitions and blobs ----------------------------------------------------

    def campaigns(self) -> list[str]:
        return sorted(m.decode() for m in self.r.smembers(self.key("campaigns")))

    def store_campaign(self, cid: str, fields: Mapping[str, str]) -> None:
        """Store (or replace) a campaign's applied definition; a new campaign starts active. The next
        tick looks at it (as after every change of a campaign's fields)."""
        pipe = self.r.pipeline(transaction=True)
        pipe.sadd(self.key("campaigns"), cid)
        pipe.hset(self.key("c", cid), mapping=dict(fields))
        pipe.hsetnx(self.key("c", cid), "status", ACTIVE)
        self._wake(pipe, cid)
        pipe.execute()

    def _wake(self, pipe: redis.client.Pipeline, cid: str) -> None:
        """The next tick looks at the campaign (sent after the change that made work, in the same MULTI)."""
        pipe.zadd(self.key("wake"), {cid: float("-inf")}, lt=True)

    def campaign(self, cid: str) -> dict[str, str]:
        data = self.r.hgetall(self.key("c", cid))
        if not data:
            raise UnknownCampaign(cid)
        return text(data)

    def campaign_field(self, cid: str, name: str) -> str | None:
        value = self.r.hget(self.key("c", cid), name)
        return value.decode() if value is not None else None

    def set_campaign_field(self, cid: str, name: str, value: str) -> None:
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(self.key("c", cid), name, value)
        self._wake(pipe, cid)
        pipe.execute()

    def set_status(self, cid: str, status: str, *, at: datetime, worker: str = "", detail: str = "") -> str:
        """Pause, resume or cancel a campaign; returns the status it had. Cancelling also cancels
        every post not yet handed to a publisher."""
        if not self.r.exists(self.key("c", cid)):
            raise UnknownCampaign(cid)
        previous = (self.r.hget(self.key("c", cid), "status") or b"").decode()
        if previous == CANCELLED and status != CANCELLED:
            raise Refused(f"campaign {cid} is cancelled; apply it again to start over")
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(self.key("c", cid), "status", status)
        self._wake(pipe, cid)  # after the status: a tick between them sees it (resuming must wake it)
        pipe.execute()
        self.r.xadd(self.key("audit", cid), {"post": "", "from": previous, "to": status, "at": iso(at),
                                              "ts": str(time.time()), "worker": worker, "detail": detail or "campaign"})
        if status == CANCELLED:
            for post in self.posts(cid):
                if post.state in PENDING:
                    self.cancel(post.id, at=at, worker=worker)
        return previous

    def put_blob(self, data: bytes) -> str:
        """Store bytes under their sha256 (once) and return the hash."""
        digest = sha256(data)
        self.r.set(self.key("blob", digest), data, nx=True)
        return digest

    def get_blob(self, digest: str) -> bytes:
        data = self.r.get(self.key("blob", digest))
        if data is None:
            raise KeyError(f"blob {digest} is not in Redis; apply the campaign again")
        return data

    def has_blob(self, digest: str) -> bool:
        return bool(self.r.exists(self.key("blob", digest)))

    # --- posts -------------------------------------------------------------------------------

    def get_post(self, post_id: str) -> PostRecord | None:
        data = self.r.hgetall(self.post_key(post_id))
        return PostRecord.from_fields(text(data)) if data else None

    def post(self, post_id: str) -> PostRecord:
        """The post; raises UnknownPost."""
        data = self.get_post(post_id)
        if data is None:
            raise UnknownPost(post_id)
        return data

    def state(self, post_id: str) -> str | None:
        value = self.r.hget(self.post_key(post_id), "state")
        return value.decode() if value is not None else None

    def states(self, post_ids: Iterable[str]) -> dict[str, str | None]:
        ids = list(post_ids)
        pipe = self.r.pipeline(transaction=False)
        for pid in ids:
            pipe.hget(self.post_key(pid), "state")
        return {pid: (v.decode() if v is not None else None) for pid, v in zip(ids, pipe.execute())}

    def post_values(self, post_ids: Iterable[str], *names: str) -> list[tuple[Any, ...]]:
        """Some fields of each post (record attribute names), typed as the record types them (None:
        absent), in one round trip: for polling many posts without reading them whole."""
        codecs = [CODECS[name] for name in names]
        pipe = self.r.pipeline(transaction=False)
        for pid in post_ids:
            pipe.hmget(self.post_key(pid), *names)
        return [tuple(None if v is None else codec.load(v.decode()) for codec, v in zip(codecs, row))
                for row in pipe.execute()]

    def fields_of(self, post_ids: Iterable[str], *names: str, chunk: int = 5000) -> list[tuple[str | None, ...]]:
        """Some hash fields of many posts as stored (None: absent; no post: all None), read by a script
        ``chunk`` posts at a time, all in one round trip: for comparing many posts without reading them whole."""
        calls = [("POST_FIELDS", (), [self.prefix, len(names), *names, *part]) for part in chunks(list(post_ids), chunk)]
        n = len(names)
        out: list[tuple[str | None, ...]] = []
        for flat in self.run_scripts(calls) if calls else []:
            values = [v.decode() if v is not None else None for v in flat]
            out += [tuple(values[i:i + n]) for i in range(0, len(values), n)]
        return out

    def plan_views(self, cid: str) -> dict[str, tuple[str | None, str | None]]:
        """Every post of the campaign: its state and its ``plan_view`` (None: planned before plan views
        were kept), what re-planning needs of a post it does not change. Read from the campaign's
        states and views hashes (kept by the scripts that move posts) in one round trip; a post that
        is not in them (a ledger written before they were kept) is read from its own hash."""
        pipe = self.r.pipeline(transaction=False)
        pipe.zcard(self.key("posts", cid))
        pipe.hgetall(self.key("states", cid))
        pipe.hgetall(self.key("views", cid))
        total, states, views = pipe.execute()
        out = {k.decode(): (v.decode(), None) for k, v in states.items()}
        for k, v in views.items():
            pid = k.decode()
            if pid in out:
                out[pid] = (out[pid][0], v.decode())
        if len(out) < total:
            missing = [pid for pid in self.post_ids(cid) if pid not in out]
            out.update(zip(missing, self.fields_of(missing, "state", "plan_view")))  # type: ignore[arg-type]
        return out

    def post_ids(self, cid: str, start: float = float("-inf"), end: float = float("inf")) -> list[str]:
        """Post ids of the campaign by due time, optionally within [start, end] (epoch seconds)."""
        return [m.decode() for m in self.r.zrangebyscore(self.key("posts", cid), start, end)]

    def posts(self, cid: str, ids: Iterable[str] | None = None) -> list[PostRecord]:
        """Every post of the campaign (or the given ids, those that exist) in due order."""
        ids = list(ids) if ids is not None else self.post_ids(cid)
        out: list[PostRecord] = []
        for chunk in chunks(ids, 500):
            pipe = self.r.pipeline(transaction=False)
            for pid in chunk:
                pipe.hgetall(self.post_key(pid))
            for data in pipe.execute():
                if data:
                    out.append(PostRecord.from_fields(text(data)))
        return out

    def index(self, cid: str, name: str, start: float = float("-inf"), end: float = float("inf"),
              limit: int | None = None) -> list[tuple[str, float]]:
        """Members of one of the campaign's sorted sets with their scores (for status and tests)."""
        kwargs: dict[str, Any] = {"withscores": True}
        if limit is not None:
            kwargs.update(start=0, num=limit)
        return [(m.decode(), s) for m, s in self.r.zrangebyscore(self.key(name, cid), start, end, **kwargs)]

    def first_of(self, cid: str, ranges: Sequence[tuple[str, float | str, float | str]]) -> list[tuple[str, float] | None]:
        """For each (index name, min, max) in ``ranges`` (scores as ZRANGEBYSCORE takes them: ``"(t"`` leaves
        t out), the campaign's first member of that index in that range with its score (None: none), in one
        round trip."""
        pipe = self.r.pipeline(transaction=False)
        for name, low, high in ranges:
            pipe.zrangebyscore(self.key(name, cid), low, high, start=0, num=1, withscores=True)
        return [(rows[0][0].decode(), rows[0][1]) if rows else None for rows in pipe.execute()]

    def attempts(self, post_id: str) -> list[dict[str, Any]]:
        return [json.loads(a) for a in self.r.lrange(self.key("attempts", post_id), 0, -1)]

    def attempts_of(self, post_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """The attempts of many posts, by post id, in one round trip per 500 posts (metrics)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for chunk in chunks(list(post_ids), 500):
            pipe = self.r.pipeline(transaction=False)
            for pid in chunk:
                pipe.lrange(self.key("attempts", pid), 0, -1)
            for pid, rows in zip(chunk, pipe.execute()):
                out[pid] = [json.loads(a) for a in rows]
        return out

    def counts(self, cid: str) -> dict[str, int]:
        """Posts per state (``posted``) and per account and state (``cchr-en/posted``); zeros dropped."""
        return {k.decode(): int(v) for k, v in self.r.hgetall(self.key("counts", cid)).items() if int(v)}

    def audit(self, cid: str, count: int = 100, reverse: bool = True, before: str | None = None) -> list[dict[str, str]]:
        """The latest (or first) entries of the campaign's audit stream; with ``before`` (an entry id,
        newest first only), the ones older than it (a page of a long stream: XREVRANGE with a count)."""
        key = self.key("audit", cid)
        if before is not None and before.strip("0-") == "":
            return []  # older than the first id there can be: nothing (Redis refuses the interval "(0-0")
        if reverse:
            rows = self.r.xrevrange(key, max=f"({before}" if before else "+", count=count)
        else:
            rows = self.r.xrange(key, count=count)
        return [{"id": rid.decode(), **text(fields)} for rid, fields in rows]

    def version(self, cid: str) -> str | None:
        """What changes whenever anything a page shows of the campaign's posts changes, in one round
        trip: its latest audit entry's id (every move of a post and of the campaign appends one) and
        its definition's hash; None if no such campaign is applied."""
        pipe = self.r.pipeline(transaction=False)
        pipe.xrevrange(self.key("audit", cid), count=1)
        pipe.hget(self.key("c", cid), "def_hash")
        last, def_hash = pipe.execute()
        if def_hash is None:
            return None
        return f"{last[0][0].decode() if last else '-'}/{def_hash.decode()}"

    def iter_audit(self, cid: str) -> Iterator[dict[str, str]]:
        """Every audit entry of the campaign, oldest first."""
        key, start = self.key("audit", cid), "-"
        while True:
            rows = self.r.xrange(key, min=start, count=1000)
            for rid, fields in rows:
                yield {"id": rid.decode(), **text(fields)}
            if len(rows) < 1000:
                return
            start = "(" + rows[-1][0].decode()

    # --- render cache -------------------------------------------------------------------------------

    def cached_render(self, cache_key: str) -> CardRef | None:
        """The cached card of ``cache_key``, or None (also when its image is no longer stored)."""
        flat = self._scripts["CACHED_CARD"](keys=[self.key("rcache", cache_key)], args=[self.key("blob", "")])
        return CardRef.from_fields(text(dict(zip(flat[::2], flat[1::2], strict=True)))) if flat else None

    def cache_render(self, cache_key: str, card: CardRef, image: bytes | None = None) -> None:
        """Keep ``card`` in the render cache; with ``image`` (just drawn), store its bytes first, in the
        same step (one round trip)."""
        pipe = self.r.pipeline(transaction=True)
        self.queue_card(pipe, card, image, cache_key)
        pipe.execute()

    def claim_drawing(self, cache_key: str, ttl: float = 120.0) -> bool:
        """Whether this caller is the first (in ``ttl`` seconds) to set out to draw the card of ``cache_key``
        (a replay's warm-up: two workers drawing the same card at once draw it once)."""
        return bool(self.r.set(self.key("drawing", cache_key), "1", nx=True, px=int(ttl * 1000)))

    # --- clock ------------------------------------------------------------------------------------

    def task_view(self, post_id: str, *, with_post: bool = True) -> TaskView:
        """What a task reads before it acts, in one round trip: the campaign clock, the campaign's
        definition hash and (``with_post``) the post."""
        pipe = self.r.pipeline(transaction=False)
        pipe.get(self.key("clock"))
        pipe.hget(self.key("c", self.campaign_of(post_id)), "def_hash")
        if with_post:
            pipe.hgetall(self.post_key(post_id))
        clock, def_hash, *rest = pipe.execute()
        data = rest[0] if rest else None
        return TaskView(clock=float(clock) if clock is not None else None,
                        def_hash=def_hash.decode() if def_hash is not None else None,
                        post=PostRecord.from_fields(text(data)) if data else None)

    def simulated_time(self) -> float | None:
        value = self.r.get(self.key("clock"))
        return float(value) if value is not None else None

    def set_simulated_time(self, when: float | None) -> None:
        if when is None:
            self.r.delete(self.key("clock"))
        else:
            self.r.set(self.key("clock"), repr(when))

    # --- small helpers for the CLI and the benchmark --------------------------------------------

    def reply(self, key: str, value: str = "1") -> None:
        """Answer a ping (the benchmark's no-op round trip)."""
        self.r.rpush(self.key("reply", key), value)

    def wait_reply(self, key: str, timeout: float = 10.0) -> str | None:
        got = self.r.blpop([self.key("reply", key)], timeout=timeout)
        return got[1].decode() if got else None

    def wipe(self) -> None:
        """Delete every key under this ledger's prefix (tests and the benchmark)."""
        for chunk in chunks(list(self.r.scan_iter(match=self.prefix + "*", count=5000)), 1000):
            self.r.delete(*chunk)
