"""The ledger: every Redis key of the pipeline and every state change of a post.

The ledger is the truth (rule 1): workers, beats, the CLI and the dashboard read and change posts
only through this class. Key layout (``P`` is the prefix, ``cs:`` unless told otherwise)::

    P campaigns                  set    applied campaign ids
    P c:<cid>                    hash   campaign.yaml / roster.yaml text, status (active|paused|
                                        cancelled), asset map, plan signature, settings
    P blob:<sha256>              string content-addressed bytes: photos, logos, template folders, cards
    P post:<post id>             hash   one post: slot fields, state, card, caption, remote id, lease...
    P posts:<cid>                zset   every post of the campaign by due time (timeline)
    P due:<cid>                  zset   posts not yet queued, by due time        (campaign clock)
    P render:<cid>               zset   posts to render, by render time          (campaign clock)
    P rendering:<cid>            zset   render claims, by lease expiry           (wall clock)
    P queued:<cid>               zset   queued posts, by when to send (again)    (wall clock)
    P leases:<cid>               zset   publishing posts, by lease expiry        (wall clock)
    P doubt:<cid>                zset   in-doubt posts, by next reconciliation   (wall clock)
    P counts:<cid>               hash   posts per state and per account/state
    P audit:<cid>                stream every transition: post, from, to, at, ts, worker, detail (an account's
                                        block and unblock: post "", account, to blocked|unblocked)
    P attempts:<post id>         list   JSON attempts: ts, at, worker, outcome, error_class, error
    P account:<cid>:<account>    hash   rate_limited_until, auth_failed (+ _at, blocked_by), budget_limit/remaining/reset/at
    P rcache:<key>               hash   rendered card cache: card sha, alt, format
    P clock                      string simulated time (epoch seconds); absent: the real clock

Campaign-clock scores are the campaign's notion of now (simulated in ``campaign simulate``);
wall-clock scores are about processes (leases, retries, rate limits) and always use real time.
Reads of the due window are ``ZRANGEBYSCORE`` over the head of a sorted set, so a tick costs the
same with 1,000 or 100,000 planned posts.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

from . import scripts
from .states import (ACTIVE, APPROVED, AWAITING_REVIEW, CANCELLED, FINAL, IN_DOUBT, PAUSED, PENDING,
                     PLANNED, POSTED, QUEUED, RENDERED, RETRYABLE, STATES)

__all__ = ["Ledger", "Moved", "UnknownPost", "UnknownCampaign", "post_alt", "worker_name", "STATES", "PENDING", "FINAL"]

DEFAULT_PREFIX = "cs:"


class UnknownPost(KeyError):
    """No post with this id in the ledger."""

    def __str__(self) -> str:
        return f"no post {self.args[0]!r} in the ledger (ids look like <campaign>:<YYYY-MM-DD>:<account>)"


class UnknownCampaign(KeyError):
    """No applied campaign with this id."""

    def __str__(self) -> str:
        return f"no campaign {self.args[0]!r} has been applied (run: campaign apply FOLDER)"


@dataclass(frozen=True)
class Moved:
    """The result of a transition: whether it happened and the state the post was in."""

    ok: bool
    previous: str


def worker_name() -> str:
    """Who is acting, for the audit trail: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def epoch(moment: datetime) -> float:
    return moment.timestamp()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Ledger:
    """The pipeline's state in Redis; owns every key name and every script."""

    def __init__(self, client: redis.Redis, prefix: str = DEFAULT_PREFIX):
        self.r = client
        self.prefix = prefix
        self._scripts = {name: client.register_script(getattr(scripts, name))
                         for name in ("TRANSITION", "CLAIM_RENDERS", "QUEUE_DUE", "RESEND_QUEUED",
                                      "CLAIM_PUBLISH", "REAP_LEASES", "DUE_DOUBTS", "NOTE_BUDGET")}

    @classmethod
    def from_url(cls, url: str, prefix: str | None = None) -> Ledger:
        """A ledger on the Redis at ``url`` (prefix: ``$CAMPAIGN_KEY_PREFIX`` or ``cs:``)."""
        client = redis.Redis.from_url(url, health_check_interval=30)
        return cls(client, prefix if prefix is not None else os.environ.get("CAMPAIGN_KEY_PREFIX", DEFAULT_PREFIX))

    def close(self) -> None:
        """Close the Redis connections (the server is left running)."""
        self.r.close()

    # --- key names ---------------------------------------------------------------------------

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def post_key(self, post_id: str) -> str:
        return self.key("post", post_id)

    def index_keys(self, cid: str) -> list[str]:
        return [self.key(name, cid) for name in scripts.INDEX_ORDER]

    @staticmethod
    def campaign_of(post_id: str) -> str:
        return post_id.split(":", 1)[0]

    # --- campaigns, definitions and blobs ----------------------------------------------------

    def campaigns(self) -> list[str]:
        return sorted(m.decode() for m in self.r.smembers(self.key("campaigns")))

    def store_campaign(self, cid: str, fields: Mapping[str, str]) -> None:
        """Store (or replace) a campaign's applied definition; a new campaign starts active."""
        pipe = self.r.pipeline(transaction=True)
        pipe.sadd(self.key("campaigns"), cid)
        pipe.hset(self.key("c", cid), mapping=dict(fields))
        pipe.hsetnx(self.key("c", cid), "status", ACTIVE)
        pipe.execute()

    def campaign(self, cid: str) -> dict[str, str]:
        data = self.r.hgetall(self.key("c", cid))
        if not data:
            raise UnknownCampaign(cid)
        return {k.decode(): v.decode() for k, v in data.items()}

    def campaign_field(self, cid: str, name: str) -> str | None:
        value = self.r.hget(self.key("c", cid), name)
        return value.decode() if value is not None else None

    def set_campaign_field(self, cid: str, name: str, value: str) -> None:
        self.r.hset(self.key("c", cid), name, value)

    def set_status(self, cid: str, status: str, *, at: datetime, worker: str = "", detail: str = "") -> str:
        """Pause, resume or cancel a campaign; returns the status it had. Cancelling also cancels
        every post not yet handed to a publisher."""
        if not self.r.exists(self.key("c", cid)):
            raise UnknownCampaign(cid)
        previous = (self.r.hget(self.key("c", cid), "status") or b"").decode()
        if previous == CANCELLED and status != CANCELLED:
            raise ValueError(f"campaign {cid} is cancelled; apply it again to start over")
        self.r.hset(self.key("c", cid), "status", status)
        self.r.xadd(self.key("audit", cid), {"post": "", "from": previous, "to": status, "at": iso(at),
                                              "ts": str(time.time()), "worker": worker, "detail": detail or "campaign"})
        if status == CANCELLED:
            for post in self.posts(cid):
                if post["state"] in PENDING:
                    self.transition(post["id"], PENDING, CANCELLED, at=at, worker=worker,
                                    zrem=["due", "render", "rendering", "queued"], detail="campaign cancelled")
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

    def get_post(self, post_id: str) -> dict[str, str] | None:
        data = self.r.hgetall(self.post_key(post_id))
        return {k.decode(): v.decode() for k, v in data.items()} if data else None

    def post(self, post_id: str) -> dict[str, str]:
        """The post's fields; raises UnknownPost."""
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

    def post_ids(self, cid: str, start: float = float("-inf"), end: float = float("inf")) -> list[str]:
        """Post ids of the campaign by due time, optionally within [start, end] (epoch seconds)."""
        return [m.decode() for m in self.r.zrangebyscore(self.key("posts", cid), start, end)]

    def posts(self, cid: str, ids: Iterable[str] | None = None) -> list[dict[str, str]]:
        """Every post of the campaign (or the given ids) in due order."""
        ids = list(ids) if ids is not None else self.post_ids(cid)
        out: list[dict[str, str]] = []
        for chunk in _chunks(ids, 500):
            pipe = self.r.pipeline(transaction=False)
            for pid in chunk:
                pipe.hgetall(self.post_key(pid))
            for data in pipe.execute():
                if data:
                    out.append({k.decode(): v.decode() for k, v in data.items()})
        return out

    def index(self, cid: str, name: str, start: float = float("-inf"), end: float = float("inf"),
              limit: int | None = None) -> list[tuple[str, float]]:
        """Members of one of the campaign's sorted sets with their scores (for status and tests)."""
        kwargs: dict[str, Any] = {"withscores": True}
        if limit is not None:
            kwargs.update(start=0, num=limit)
        return [(m.decode(), s) for m, s in self.r.zrangebyscore(self.key(name, cid), start, end, **kwargs)]

    def transition(self, post_id: str, from_states: Iterable[str] | str, to: str, *, at: datetime,
                   worker: str = "", detail: str = "", set: Mapping[str, Any] | None = None,
                   delete: Iterable[str] = (), zadd: Mapping[str, float] | None = None,
                   zrem: Iterable[str] = (), attempt: Mapping[str, Any] | None = None,
                   expect: Mapping[str, str] | None = None, pipe: redis.client.Pipeline | None = None) -> Moved:
        """Move one post from one of ``from_states`` to ``to`` atomically, or not at all.

        ``set``/``delete`` change the post's fields, ``zadd``/``zrem`` its index entries, ``attempt``
        is appended to its attempts; the audit stream and counters follow. ``expect`` names fields that
        must still hold the given values (else nothing moves). ``"new"`` in
        ``from_states`` allows creating the post. With ``pipe`` the call is queued (result None)."""
        froms = [from_states] if isinstance(from_states, str) else list(from_states)
        cid = self.campaign_of(post_id)
        ops: dict[str, Any] = {
            "set": {k: _text(v) for k, v in (set or {}).items()},
            "del": list(delete),
            "zadd": dict(zadd or {}),
            "zrem": list(zrem),
        }
        if not ops["set"]:
            del ops["set"]  # cjson turns {} into [], which the script would misread
        if not ops["zadd"]:
            del ops["zadd"]
        if expect:
            ops["expect"] = dict(expect)
        if attempt:
            ops["attempt"] = json.dumps({"ts": time.time(), "at": iso(at), "worker": worker, **attempt})
        keys = [self.post_key(post_id), self.key("counts", cid), self.key("audit", cid),
                self.key("attempts", post_id), *self.index_keys(cid)]
        args = [",".join(froms), to, json.dumps(ops), iso(at), repr(time.time()), worker, detail]
        result = self._scripts["TRANSITION"](keys=keys, args=args, client=pipe or self.r)
        if pipe is not None:
            return Moved(False, "")
        return Moved(bool(result[0]), result[1].decode() if isinstance(result[1], bytes) else str(result[1]))

    def create_posts(self, records: Iterable[Mapping[str, Any]], *, at: datetime, worker: str = "") -> None:
        """Add new posts in state planned, each into the timeline, due and render indexes.
        Posts that already exist are left alone (a replayed apply adds nothing)."""
        for chunk in _chunks(list(records), 1000):
            pipe = self.r.pipeline(transaction=False)
            for rec in chunk:
                fields = dict(rec)
                pid = fields["id"]
                self.transition(pid, "new", PLANNED, at=at, worker=worker, detail="planned", set=fields,
                                zadd={"due": float(fields["due"]), "render": float(fields["render_at"])}, pipe=pipe)
                pipe.zadd(self.key("posts", self.campaign_of(pid)), {pid: float(fields["due"])}, nx=True)
            pipe.execute()

    def annotate(self, post_id: str, fields: Mapping[str, str]) -> None:
        """Note fields on a post without changing its state (e.g. when a look-up last failed)."""
        self.r.hset(self.post_key(post_id), mapping=dict(fields))

    def attempts(self, post_id: str) -> list[dict[str, Any]]:
        return [json.loads(a) for a in self.r.lrange(self.key("attempts", post_id), 0, -1)]

    def counts(self, cid: str) -> dict[str, int]:
        """Posts per state (``posted``) and per account and state (``cchr-en/posted``); zeros dropped."""
        return {k.decode(): int(v) for k, v in self.r.hgetall(self.key("counts", cid)).items() if int(v)}

    def audit(self, cid: str, count: int = 100, reverse: bool = True) -> list[dict[str, str]]:
        """The latest (or first) entries of the campaign's audit stream."""
        key = self.key("audit", cid)
        rows = self.r.xrevrange(key, count=count) if reverse else self.r.xrange(key, count=count)
        return [{"id": rid.decode(), **{k.decode(): v.decode() for k, v in fields.items()}} for rid, fields in rows]

    def iter_audit(self, cid: str) -> Iterator[dict[str, str]]:
        """Every audit entry of the campaign, oldest first."""
        key, start = self.key("audit", cid), "-"
        while True:
            rows = self.r.xrange(key, min=start, count=1000)
            for rid, fields in rows:
                yield {"id": rid.decode(), **{k.decode(): v.decode() for k, v in fields.items()}}
            if len(rows) < 1000:
                return
            start = "(" + rows[-1][0].decode()

    # --- the tick's batch moves -----------------------------------------------------------------

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

    def claim_publish(self, post_id: str, now: datetime, *, lease: float, max_lateness: float, end_limit: float,
                      resend_after: float, worker: str = "") -> tuple[str, str, dict[str, str]]:
        """Claim a queued post for publishing (``claimed``, with the post's fields) or say why not:
        ``skip`` (not queued), ``paused``, ``wait`` (rate limited until detail), ``missed``,
        ``cancelled``, ``failed`` (account blocked)."""
        cid, account = self.campaign_of(post_id), post_id.rsplit(":", 1)[-1]  # ids are <cid>:<date>:<account>
        real = time.time()
        keys = [self.post_key(post_id), self.key("counts", cid), self.key("audit", cid),
                self.key("attempts", post_id), self.key("c", cid), self.key("account", cid, account),
                self.key("queued", cid), self.key("leases", cid)]
        reply = self._scripts["CLAIM_PUBLISH"](
            keys=keys, args=[epoch(now), repr(real), repr(real + lease), worker, iso(now), max_lateness, end_limit,
                             resend_after])
        outcome, detail, flat = reply[0].decode(), reply[1].decode(), reply[2:]
        if outcome == "skip" and not detail and not self.r.exists(self.post_key(post_id)):
            raise UnknownPost(post_id)
        fields = {flat[i].decode(): flat[i + 1].decode() for i in range(0, len(flat), 2)}
        return outcome, detail, fields

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

    # --- accounts ------------------------------------------------------------------------------

    def account_state(self, cid: str, account: str) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.r.hgetall(self.key("account", cid, account)).items()}

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

    # --- render cache -------------------------------------------------------------------------------

    def cached_render(self, cache_key: str) -> dict[str, str] | None:
        data = self.r.hgetall(self.key("rcache", cache_key))
        return {k.decode(): v.decode() for k, v in data.items()} if data else None

    def cache_render(self, cache_key: str, fields: Mapping[str, str]) -> None:
        self.r.hset(self.key("rcache", cache_key), mapping=dict(fields))

    # --- clock ------------------------------------------------------------------------------------

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
        for chunk in _chunks(list(self.r.scan_iter(match=self.prefix + "*", count=5000)), 1000):
            self.r.delete(*chunk)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# Re-exported for callers that check states without importing the states module.
__all__ += ["ACTIVE", "PAUSED", "CANCELLED", "PLANNED", "RENDERED", "AWAITING_REVIEW", "APPROVED", "QUEUED",
            "POSTED", "IN_DOUBT", "RETRYABLE"]


def post_alt(post: Mapping[str, str], language: str) -> str:
    """A rendered post's alt text in ``language``; else English; else any it has."""
    alt = json.loads(post.get("alt") or "{}")
    return alt.get(language) or alt.get("en") or next(iter(alt.values()), "")
