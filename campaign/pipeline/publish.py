"""The publish task's work: claim, re-check, post, record (rule 3); and in-doubt reconciliation.

The claim (``queued -> publishing`` under a wall-clock lease) refuses a post whose campaign is
cancelled or paused, whose time plus ``max_lateness`` (or the campaign's end) has passed, whose
account is blocked or rate limited. After the claim the people's facts are checked again; a card
rendered on facts that changed is never posted. The publisher's error type alone decides what
happens next:

    RateLimited(reset_at)  -> queued again at reset_at; the account waits (every worker sees it)
    Transient              -> queued again after a jittered backoff; failed after max attempts
    AuthFailed             -> failed, and the account is blocked until a person retries
    Rejected(reason)       -> failed
    OutcomeUnknown / other -> in_doubt: looked up on the platform where it can tell, else a person

A look-up that finds an in-doubt post certainly absent queues it again, at most
``MAX_REQUEUES`` times per post: a post that keeps going in doubt (a publisher that fails the
same way after every send) then stays in doubt for a person instead of cycling
in_doubt -> queued -> in_doubt until its time runs out, posting again at every turn.
"""

from __future__ import annotations

import random
import time
from datetime import datetime
from pathlib import Path

from ..ledger import Ledger, post_alt, worker_name
from ..ledger.states import FAILED, IN_DOUBT, PLANNED, POSTED, PUBLISHING, QUEUED
from ..publishers import (AuthFailed, Context, OutcomeUnknown, Post, Published, Publisher, RateLimited, Rejected,
                          Transient)
from ..publishers.base import RateLimitInfo
from .applied import Applied, load_applied
from .settings import Settings
from .tick import CARD_FIELDS, WITHDRAWN, current_fingerprint, slot_of

#: How many times reconciliation may queue one in-doubt post again on its own (then: a person).
MAX_REQUEUES = 3

def publisher_for(applied: Applied, account_id: str, settings: Settings | None = None) -> Publisher:
    """The publisher of an account, built once per process (kept in ``settings.publishers``). In a
    simulation (``force_outbox``) every account writes to the outbox, so real credentials are never
    used. ``settings`` gives the HTTP timeout and any platform base-URL overrides (``$CAMPAIGN_BASE_URLS``)."""
    settings = settings or Settings()
    outbox = applied.settings.get("outbox_dir")
    force = applied.settings.get("force_outbox") == "1"
    key = (applied.campaign.id, account_id, applied.def_hash, repr(settings.publish_timeout),
           *sorted(f"{k}={v}" for k, v in settings.base_urls.items()))
    hit = settings.publishers.built.get(key)
    if hit is not None:
        return hit
    account = applied.campaign.account(account_id)
    if force:
        account = account.model_copy(update={"platform": "outbox", "outbox": None, "credentials": None})
    # Relative file: credentials are read from the campaign folder (as `accounts check` reads them)
    # where this machine has it, else from the worker's own folder.
    folder = Path(applied.folder) if applied.folder else None
    secrets = folder if folder is not None and folder.is_dir() else None
    context = Context(base_dir=Path.cwd(), secrets_dir=secrets, outbox_dir=Path(outbox) if outbox else None,
                      timeout=settings.publish_timeout, base_urls=dict(settings.base_urls))
    return settings.publishers.built.put(key, settings.publishers.factory(account, context))


def share_budget(ledger: Ledger, cid: str, account: str, publisher: Publisher) -> None:
    """Store the account's rate-limit budget as the platform last reported it (its own headers) on
    the account in Redis; a spent budget holds the account until its reset, for every worker."""
    info: RateLimitInfo | None = getattr(publisher, "last_rate_limit", None)
    if info is None:
        return
    reset = info.reset_at.timestamp() if info.reset_at is not None else None
    ledger.note_budget(cid, account, limit=info.limit, remaining=info.remaining, reset_at=reset,
                       hold=info.exhausted and reset is not None)


def post_for(ledger: Ledger, applied: Applied, post: dict[str, str], now: datetime) -> Post:
    """The publisher's view of a rendered post."""
    account = applied.campaign.account(post["account"])
    fmt = post.get("card_format", "jpeg")
    return Post(id=post["id"], account=account, text=post.get("caption", ""), image=ledger.get_blob(post["card"]),
                alt=post_alt(post, account.language),
                language=account.language, image_type=f"image/{fmt}",
                card_name="card.jpg" if fmt == "jpeg" else f"card.{fmt}", at=now)


def _backoff(settings: Settings, attempt: int) -> float:
    """Exponential backoff with full jitter, capped below the broker's visibility timeout."""
    return random.uniform(0.5, 1.0) * min(settings.backoff_cap, settings.backoff_base * 2 ** max(0, attempt - 1))


def publish_post(ledger: Ledger, post_id: str, now: datetime, settings: Settings | None = None) -> str:
    """Publish one queued post; returns the outcome (posted, skip, paused, wait, missed, stale, ...)."""
    settings = settings or Settings()
    worker = worker_name()
    applied = load_applied(ledger, ledger.campaign_of(post_id))
    outcome, detail, post = ledger.claim_publish(post_id, now, lease=settings.lease,
                                                 max_lateness=applied.max_lateness, end_limit=applied.end_limit,
                                                 resend_after=settings.resend_after, worker=worker)
    if outcome == "wait":  # the account is held until its rate-limit reset (detail: when)
        ledger.annotate(post_id, {"waiting_until": detail})
    if outcome != "claimed":
        return outcome
    slot = slot_of(post, applied)
    if current_fingerprint(applied, now, slot.people, slot.date) != post.get("rendered_fp"):
        why = "not posted: the people's facts changed since the card was rendered"
        ledger.transition(post_id, PUBLISHING, PLANNED, at=now, worker=worker,
                          detail=f"{WITHDRAWN}{why}" if post.get("approved_at") else why,
                          delete=CARD_FIELDS, zadd={"due": float(post["due"]), "render": 0.0}, zrem=["leases"])
        ledger.set_campaign_field(applied.campaign.id, "plan_sig", "")  # the next tick re-plans it
        return "stale"
    p = post_for(ledger, applied, post, now)
    return _attempt(ledger, applied, post, p, now, settings, worker)


def _attempt(ledger: Ledger, applied: Applied, post: dict[str, str], p: Post, now: datetime, settings: Settings,
             worker: str) -> str:
    cid, account, post_id = applied.campaign.id, post["account"], post["id"]
    attempt_no = int(post.get("attempts", "1"))

    def fail(to: str, exc: BaseException, outcome: str, wait_until: float | None = None, **more: object) -> str:
        info = {"outcome": outcome, "error_class": type(exc).__name__, "error": str(exc)}
        fields = {"error": str(exc), "error_class": type(exc).__name__}
        if wait_until is not None:  # queued again: sent once the wait is over (the simulator watches this)
            fields["waiting_until"] = repr(wait_until)
            more["zadd"] = {"queued": wait_until}
        ledger.transition(post_id, PUBLISHING, to, at=now, worker=worker, detail=f"{outcome}: {exc}",
                          set=fields, zrem=["leases"], attempt=info, **more)  # type: ignore[arg-type]
        return outcome

    try:
        publisher = publisher_for(applied, account, settings)
        if hasattr(publisher, "last_rate_limit"):
            publisher.last_rate_limit = None  # a reading from this attempt only, never a stale one
        try:
            published = publisher.publish(p)
        finally:  # success or failure: the headers of this attempt say what budget is left
            share_budget(ledger, cid, account, publisher)
    except RateLimited as exc:
        until = exc.reset_at.timestamp()
        ledger.rate_limit(cid, account, until)
        return fail(QUEUED, exc, "rate_limited", wait_until=until)
    except Transient as exc:
        if attempt_no >= settings.max_attempts:
            return fail(FAILED, exc, "failed")
        return fail(QUEUED, exc, "retry", wait_until=time.time() + _backoff(settings, attempt_no))
    except AuthFailed as exc:
        ledger.mark_auth_failed(cid, account, str(exc), at=now, worker=worker)
        return fail(FAILED, exc, "auth_failed")
    except Rejected as exc:
        return fail(FAILED, exc, "rejected")
    except OutcomeUnknown as exc:
        return fail(IN_DOUBT, exc, "in_doubt", zadd={"doubt": time.time()})
    except Exception as exc:  # noqa: BLE001 - a bug or an unmapped library error: it may have posted
        return fail(IN_DOUBT, exc, "in_doubt", zadd={"doubt": time.time()})
    record(ledger, post_id, published, now, worker, from_states=(PUBLISHING, IN_DOUBT))
    return "posted"


def record(ledger: Ledger, post_id: str, published: Published, now: datetime, worker: str,
           from_states: tuple[str, ...], detail: str = "posted") -> bool:
    """Record a post as out, with its remote id, at once (also from in_doubt: a slow worker whose
    lease ran out still knows best that its post went out)."""
    return ledger.transition(post_id, from_states, POSTED, at=now, worker=worker, detail=detail,
                             set={"remote_id": published.remote_id, "url": published.url or "",
                                  "posted_at": now.isoformat()},
                             delete=("error", "error_class", "lease_until", "waiting_until"), zrem=["leases", "doubt"],
                             attempt={"outcome": "posted", "error_class": "", "remote_id": published.remote_id}).ok


def reconcile_post(ledger: Ledger, post_id: str, now: datetime, settings: Settings | None = None) -> str:
    """Look an in-doubt post up on its platform: found -> posted; certainly absent -> queued again
    (the claim then decides whether it is still on time), up to ``MAX_REQUEUES`` times, then
    ``held`` for a person; the platform cannot tell -> left for a person."""
    settings = settings or Settings()
    worker = worker_name()
    post = ledger.post(post_id)
    if post["state"] != IN_DOUBT:
        ledger.forget_doubt(post_id)
        return "skip"
    applied = load_applied(ledger, post["campaign"])
    try:
        publisher = publisher_for(applied, post["account"], settings)
        found = publisher.lookup(post_for(ledger, applied, post, now))
    except NotImplementedError:
        ledger.forget_doubt(post_id)
        return "unknown"
    except Exception as exc:  # noqa: BLE001 - the look-up itself failed: try again after reconcile_after
        ledger.annotate(post_id, {"looked_up": repr(time.time()), "error": f"look-up failed: {exc}"})
        return "retry"
    if found is not None:
        record(ledger, post_id, found, now, worker, from_states=(IN_DOUBT,), detail="found on the platform")
        return "posted"
    requeues = int(post.get("requeues") or 0)
    # ``attempts`` (counted by every claim) pins the in-doubt episode read above: a look-up racing
    # this one cannot move the post again on a stale count.
    expect = {"attempts": post["attempts"]} if "attempts" in post else None
    if requeues >= MAX_REQUEUES:
        platform = getattr(publisher, "platform", post["platform"])
        held = (f"in doubt {requeues + 1} times, each time not found on {platform} and sent again; no longer "
                f"sent on its own: check {platform} by hand, then run: campaign resolve {post_id} --posted URL "
                "(or --not-posted)")
        moved = ledger.transition(post_id, IN_DOUBT, IN_DOUBT, at=now, worker=worker,
                                  detail=f"held for a person: {held}", zrem=["doubt"], expect=expect,
                                  set={"error": f"{post.get('error') or 'outcome unknown'}; {held}"})
        return "held" if moved.ok else "skip"
    moved = ledger.transition(post_id, IN_DOUBT, QUEUED, at=now, worker=worker,
                              detail=f"not found on the platform: queued again ({requeues + 1} of {MAX_REQUEUES})",
                              set={"requeues": str(requeues + 1)}, zrem=["doubt"], zadd={"queued": time.time()},
                              expect=expect)
    return "queued" if moved.ok else "skip"


def resolve_post(ledger: Ledger, post_id: str, now: datetime, *, posted_url: str | None) -> str:
    """A person's answer for an in-doubt post: it is out (with its URL), or it is not (queue it again)."""
    post = ledger.post(post_id)
    if post["state"] != IN_DOUBT:
        raise ValueError(f"{post_id} is {post['state']}, not in_doubt; only in-doubt posts are resolved")
    who = f"person@{worker_name()}"
    if posted_url is not None:
        ok = record(ledger, post_id, Published(remote_id=posted_url, url=posted_url), now, who,
                    from_states=(IN_DOUBT,), detail="resolved by a person: posted")
        return POSTED if ok else ledger.state(post_id) or ""
    ledger.transition(post_id, IN_DOUBT, QUEUED, at=now, worker=who, detail="resolved by a person: not posted",
                      zrem=["doubt"], zadd={"queued": time.time()})
    return QUEUED


__all__ = ["MAX_REQUEUES", "publish_post", "reconcile_post", "resolve_post", "publisher_for", "post_for", "record",
           "share_budget"]
