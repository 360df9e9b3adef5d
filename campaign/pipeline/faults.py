"""Rehearsal faults: which posts of a ``campaign simulate --faults`` replay meet which fault, and the
publisher that makes them happen.

A spec such as ``auth:1,transient:3,in_doubt:1,missed:1`` asks for that many posts per kind of
fault; :func:`choose` picks them with a seeded random generator (the same seed, folder and window
always pick the same posts), and :func:`store_plan` keeps the choice in the ledger
(``P faults:<cid>``, a hash), so every worker process and the report read the same plan.

The faults happen at the real seams, so the pipeline, the ledger and the Celery worker handle them
exactly as they would in production:

* at the publisher: :class:`FaultInjector` is a publisher factory (the ``Publishers`` seam of
  :mod:`.settings`; a rehearsal worker uses it when ``$CAMPAIGN_REHEARSAL`` is set). It wraps each
  outbox publisher (never a real platform's) in a :class:`FaultyPublisher`, which raises the
  fault's error the first time a planned post reaches it, and publishes normally after that;
* ``missed`` at the dispatch: the simulation driver holds the post's publish task back, as in the
  queue of a worker that is down, until its time plus max_lateness has passed
  (:class:`campaign.pipeline.simulate.Outage`); the claim then finds it too late.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from ..definition import Account
from ..errors import Refused
from ..ledger import Ledger
from ..platforms import spec as platform_spec
from ..publishers import (AuthFailed, Context, Post, Published, Publisher, RateLimited, Rejected, Transient,
                          get_publisher)
from ..publishers.base import Factory, OutcomeUnknown

AUTH, TRANSIENT, RATE_LIMIT, REJECTED, IN_DOUBT, MISSED = (
    "auth", "transient", "rate_limit", "rejected", "in_doubt", "missed")
#: Every kind of fault, in the order posts are chosen for them.
KINDS: tuple[str, ...] = (AUTH, TRANSIENT, RATE_LIMIT, REJECTED, IN_DOUBT, MISSED)
#: What each kind stands for (the CLI's help and errors).
MEANING: dict[str, str] = {
    AUTH: "the account's credentials are refused (AuthFailed): the post fails and the account is blocked",
    TRANSIENT: "a 5xx-like passing fault (Transient): retried with backoff, then posted",
    RATE_LIMIT: "the account is rate limited (RateLimited) for a few seconds: the post waits, then goes out",
    REJECTED: "the platform refuses the post (Rejected): it fails and needs a person",
    IN_DOUBT: "no answer after the platform accepted the post (OutcomeUnknown): in doubt, then looked up",
    MISSED: "the worker is down past the post's time plus max_lateness: missed",
}
#: Wall-clock seconds a ``rate_limit`` fault holds its account (the simulated clock waits meanwhile).
RATE_LIMIT_SECONDS = 2.0
#: Marks every error a fault raises, so nobody takes a rehearsal's failure for a real one.
MARK = "[rehearsal fault]"


class FaultSpecError(Refused):
    """A ``--faults`` spec that cannot be read: the message names the bad part and lists the kinds."""


def kinds_help() -> str:
    return ", ".join(KINDS)


def parse_spec(text: str) -> dict[str, int]:
    """``auth:1,transient:3`` -> ``{"auth": 1, "transient": 3}`` (a bare kind counts 1). Every error
    names the bad part and lists the kinds."""
    usage = f"write KIND:COUNT[,KIND:COUNT...], e.g. auth:1,transient:3; the kinds: {kinds_help()}"
    if not text.strip():
        raise FaultSpecError(f"the spec is empty; {usage}")
    out: dict[str, int] = {}
    for part in text.split(","):
        item = part.strip()
        kind, sep, count = (s.strip() for s in item.partition(":"))
        if not item:
            problem = "an empty part (two commas, or one at an end)"
        elif kind not in KINDS:
            problem = f"no fault kind {kind!r}"
        elif kind in out:
            problem = f"{kind} is given twice (give each kind once, with its count)"
        elif sep and not (count.isascii() and count.isdigit() and int(count) >= 1):
            problem = f"the count {count!r} is not a whole number of posts, 1 or more"
        else:
            out[kind] = int(count) if sep else 1
            continue
        where = repr(item) + (f" in {text!r}" if item != text.strip() else "")
        raise FaultSpecError(f"{where}: {problem}; {usage}")
    return out


def spec_text(spec: Mapping[str, int]) -> str:
    """The spec written back in ``KINDS`` order: ``auth:1,transient:3``."""
    return ",".join(f"{k}:{spec[k]}" for k in KINDS if spec.get(k))


@dataclass(frozen=True)
class Candidate:
    """A post that may meet a fault: its id and account."""

    post: str
    account: str


def choose(candidates: Iterable[Candidate], spec: Mapping[str, int], seed: int) -> dict[str, str]:
    """Post id -> kind of fault, chosen with ``random.Random(seed)``: the same candidates, spec and seed
    always give the same choice. Each post meets one fault at most. An ``auth`` fault blocks its
    account, so the ``auth`` posts are on different accounts and no other fault is put on those
    accounts (a blocked account's later posts fail at their claim and would never meet theirs).
    Raises FaultSpecError when the campaign has too few posts or accounts for the spec."""
    pool = sorted(set(candidates), key=lambda c: c.post)
    rng = random.Random(seed)
    chosen: dict[str, str] = {}
    accounts = sorted({c.account for c in pool})
    wanted = spec.get(AUTH, 0)
    if wanted > len(accounts):
        raise FaultSpecError(f"auth:{wanted} blocks {wanted} accounts; the replay has {len(accounts)} with posts "
                             f"to meet it ({', '.join(accounts)})")
    for account in rng.sample(accounts, wanted):
        post = rng.choice([c for c in pool if c.account == account])
        chosen[post.post] = AUTH
    blocked = {c.account for c in pool if c.post in chosen}
    pool = [c for c in pool if c.account not in blocked]
    others = [(k, spec.get(k, 0)) for k in KINDS if k != AUTH and spec.get(k, 0)]
    need = sum(n for _, n in others)
    if need > len(pool):
        where = " not on an account the auth faults block" if chosen else ""
        raise FaultSpecError(f"{spec_text(spec)} asks for {need} posts besides the auth ones; the replay has "
                             f"{len(pool)} posts{where} that can meet a fault; ask for fewer")
    picked = rng.sample(pool, need)
    for kind, n in others:
        for c in picked[:n]:
            chosen[c.post] = kind
        picked = picked[n:]
    return chosen


# --- the plan in the ledger -------------------------------------------------------------------------

@dataclass(frozen=True)
class FaultPlan:
    """The faults of one rehearsal as stored in the ledger."""

    campaign: str
    spec: dict[str, int]
    seed: int
    posts: dict[str, str]  # post id -> kind
    met: dict[str, str]  # post id -> campaign time (ISO) the post met its fault
    platforms: dict[str, str]  # account -> the platform it stands for (the replay posts to the outbox)

    def kind(self, post_id: str) -> str | None:
        return self.posts.get(post_id)


def _key(ledger: Ledger, cid: str) -> str:
    return ledger.key("faults", cid)


def store_plan(ledger: Ledger, cid: str, spec: Mapping[str, int], seed: int, posts: Mapping[str, str],
               platforms: Mapping[str, str]) -> None:
    """Keep the rehearsal's plan in the ledger (replacing any earlier one of the campaign)."""
    fields = {"spec": spec_text(spec), "seed": str(seed)}
    fields.update({f"kind:{pid}": kind for pid, kind in posts.items()})
    fields.update({f"platform:{acc}": name for acc, name in platforms.items()})
    pipe = ledger.r.pipeline(transaction=True)
    pipe.delete(_key(ledger, cid))
    pipe.hset(_key(ledger, cid), mapping=fields)
    pipe.execute()


def load_plan(ledger: Ledger, cid: str) -> FaultPlan | None:
    """The campaign's rehearsal plan (None: the campaign is not a rehearsal)."""
    raw = {k.decode(): v.decode() for k, v in ledger.r.hgetall(_key(ledger, cid)).items()}
    if "spec" not in raw:
        return None

    def prefixed(prefix: str) -> dict[str, str]:
        return {k[len(prefix):]: v for k, v in raw.items() if k.startswith(prefix)}

    return FaultPlan(cid, parse_spec(raw["spec"]), int(raw["seed"]), prefixed("kind:"), prefixed("met:"),
                     prefixed("platform:"))


def meet(ledger: Ledger, post_id: str, at: datetime, kinds: Iterable[str] = KINDS) -> str | None:
    """The kind of fault ``post_id`` meets now: its planned kind (one of ``kinds``) the first time it is
    asked (noted in the plan, atomically, so two workers never both meet it); None after that, or
    if the post has no fault."""
    key = _key(ledger, ledger.campaign_of(post_id))
    kind = ledger.r.hget(key, f"kind:{post_id}")
    if kind is None or kind.decode() not in kinds:
        return None
    return kind.decode() if ledger.r.hsetnx(key, f"met:{post_id}", at.isoformat()) else None


# --- the publisher ----------------------------------------------------------------------------------

def fault_error(kind: str, account: str) -> Exception:
    """The error a publisher raises for a fault of ``kind`` (every message carries ``MARK``)."""
    if kind == AUTH:
        return AuthFailed(f"{account}: 401 Unauthorized {MARK}")
    if kind == TRANSIENT:
        return Transient(f"the platform answered 503 Service Unavailable {MARK}")
    if kind == RATE_LIMIT:
        return RateLimited(datetime.now(UTC) + timedelta(seconds=RATE_LIMIT_SECONDS),
                           f"the platform answered 429 Too Many Requests {MARK}")
    if kind == REJECTED:
        return Rejected(f"the image was not accepted {MARK}")
    if kind == IN_DOUBT:
        return OutcomeUnknown(f"the connection closed after the post was sent {MARK}")
    raise ValueError(f"no fault {kind!r} happens at the publisher")


class FaultyPublisher:
    """An outbox publisher in a rehearsal: a post of the plan meets its fault the first time it
    reaches the publisher (``in_doubt``: after it was written, so it is out); every other call
    publishes normally. A look-up answers as the platform the account stands for would: where that
    platform cannot find a post (Telegram), it cannot tell here either, so an in-doubt post waits
    for a person as it would in production."""

    platform: ClassVar[str] = "outbox"

    def __init__(self, inner: Publisher, ledger: Ledger, account: Account):
        self.inner, self.ledger, self.account = inner, ledger, account

    def publish(self, post: Post) -> Published:
        kind = meet(self.ledger, post.id, post.at or datetime.now(UTC), kinds=[k for k in KINDS if k != MISSED])
        if kind is not None and kind != IN_DOUBT:
            raise fault_error(kind, self.account.id)
        published = self.inner.publish(post)
        if kind == IN_DOUBT:
            raise fault_error(kind, self.account.id)
        return published

    def lookup(self, post: Post) -> Published | None:
        stands_for = self.ledger.r.hget(_key(self.ledger, self.ledger.campaign_of(post.id)),
                                        f"platform:{self.account.id}")
        name = stands_for.decode() if stands_for else self.platform
        if not platform_spec(name).lookup:
            raise NotImplementedError(f"{name} cannot find a post after an unknown outcome (rehearsal of a "
                                      f"{name} account)")
        return self.inner.lookup(post)

    def whoami(self) -> str:
        return self.inner.whoami()


class FaultInjector:
    """A publisher factory for rehearsals (``Publishers(factory=FaultInjector(...))``): the publishers
    ``inner`` builds, each outbox one wrapped in a :class:`FaultyPublisher`; a real platform's
    publisher is returned as it is (faults are never injected into real posts). The plan is read
    from ``ledger`` (default: a ledger on ``$REDIS_URL``, opened at the first publisher built)."""

    def __init__(self, ledger: Ledger | None = None, inner: Factory = get_publisher):
        self._ledger, self.inner = ledger, inner

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._ledger = Ledger.from_url(os.environ["REDIS_URL"])
        return self._ledger

    def __call__(self, account: Account, context: Context) -> Publisher:
        publisher = self.inner(account, context)
        if publisher.platform != "outbox":
            return publisher
        return FaultyPublisher(publisher, self.ledger, account)


__all__ = ["AUTH", "IN_DOUBT", "KINDS", "MARK", "MEANING", "MISSED", "RATE_LIMIT", "REJECTED", "TRANSIENT",
           "Candidate", "FaultInjector", "FaultPlan", "FaultSpecError", "FaultyPublisher", "choose", "fault_error",
           "kinds_help", "load_plan", "meet", "parse_spec", "spec_text", "store_plan"]
