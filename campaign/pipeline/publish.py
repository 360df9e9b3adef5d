"""The publish task's work: claim, re-check, post, record (rule 3); and in-doubt reconciliation.

The claim (``queued -> publishing`` under a wall-clock lease) refuses a post whose campaign is
cancelled or paused, that is not due yet (the clock stepped back: it goes back to wait for its
time, so ``posted_at`` is never before the due time), whose time plus ``max_lateness`` (or the campaign's end) has passed, whose
account is blocked or rate limited. After the claim the people's facts are checked again; a card
rendered on facts that changed is never posted. The publisher's error type alone decides what
happens next:

    RateLimited(reset_at)  -> queued again at reset_at; the account waits (every worker sees it)
    Transient              -> queued again after a jittered backoff; failed after max attempts
    AuthFailed             -> failed, and the account is blocked until a person retries; first, its
                              env:/file: references are read again: a rotated token gets one more try
    Rejected(reason)       -> failed
    OutcomeUnknown / other -> in_doubt: looked up on the platform where it can tell, else a person

A look-up that finds an in-doubt post certainly absent queues it again, at most
``MAX_REQUEUES`` times per post: a post that keeps going in doubt (a publisher that fails the
same way after every send) then stays in doubt for a person instead of cycling
in_doubt -> queued -> in_doubt until its time runs out, posting again at every turn.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from ..clock import now_for
from ..credentials import NEEDED
from ..definition import Account
from ..errors import Refused
from ..ledger import Ledger, PostRecord, person_name, worker_name
from ..ledger.states import IN_DOUBT, POSTED, QUEUED
from ..platforms import spec
from ..publishers import (AuthFailed, Context, Post, Published, Publisher, RateLimited, Rejected, Transient,
                          Unreadable)
from ..publishers.http import RateLimitInfo
from .applied import Applied, load_applied
from .settings import Settings
from .tick import WITHDRAWN, current_fingerprint

#: How many times reconciliation may queue one in-doubt post again on its own (then: a person).
MAX_REQUEUES = 3

def publisher_for(applied: Applied, account_id: str, settings: Settings | None = None, *,
                  fresh: bool = False) -> Publisher:
    """The publisher of an account, built once per process (kept in ``settings.publishers``; ``fresh``:
    built again, its credential references read again). In a simulation (``force_outbox``) every
    account writes to the outbox, so real credentials are never used. ``settings`` gives the HTTP
    timeout and any platform base-URL overrides (``$CAMPAIGN_BASE_URLS``)."""
    settings = settings or Settings()
    hit = None if fresh else settings.publishers.built.get(_publisher_key(applied, account_id, settings))
    if hit is not None:
        return hit
    key, account, context = _publisher_parts(applied, account_id, settings)
    settings.publishers.read_with.put(key, credentials_digest(account, context))
    return settings.publishers.built.put(key, settings.publishers.factory(account, context))


def _publisher_key(applied: Applied, account_id: str, settings: Settings) -> tuple[str, ...]:
    """What a built publisher depends on: the account, the definition, the HTTP timeout, base-URL overrides."""
    return (applied.campaign.id, account_id, applied.def_hash, repr(settings.publish_timeout),
            *sorted(f"{k}={v}" for k, v in settings.base_urls.items()))


def _publisher_parts(applied: Applied, account_id: str, settings: Settings) -> tuple[tuple[str, ...], Account, Context]:
    outbox = applied.settings.get("outbox_dir")
    force = applied.settings.get("force_outbox") == "1"
    key = _publisher_key(applied, account_id, settings)
    account = applied.campaign.account(account_id)
    if force:
        account = account.model_copy(update={"platform": "outbox", "outbox": None, "credentials": None})
    # Relative file: credentials are read from the campaign folder (as `accounts check` reads them)
    # where this machine has it, else from the worker's own folder.
    folder = Path(applied.folder) if applied.folder else None
    secrets = folder if folder is not None and folder.is_dir() else None
    context = Context(base_dir=Path.cwd(), secrets_dir=secrets, outbox_dir=Path(outbox) if outbox else None,
                      timeout=settings.publish_timeout, base_urls=dict(settings.base_urls))
    return key, account, context


def credentials_digest(account: Account, context: Context) -> str | None:
    """A digest of the account's credentials as its ``env:``/``file:`` references read now (None: it
    has none, or one cannot be read). Never the values themselves."""
    if not account.credentials:
        return None
    names = NEEDED.get(account.platform) or ("token",)
    digest = hashlib.sha256()
    try:
        for name in names:
            digest.update(context.secret(account, name).reveal().encode() + b"\0")
    except AuthFailed:
        return None
    return digest.hexdigest()


def credentials_rotated(applied: Applied, account_id: str, settings: Settings) -> bool:
    """The account's references read differently now than when its publisher was built (a token
    rotated in its file, or in the environment of a restarted process): worth one more try."""
    key, account, context = _publisher_parts(applied, account_id, settings)
    now = credentials_digest(account, context)
    return now is not None and now != settings.publishers.read_with.get(key)


def share_budget(ledger: Ledger, cid: str, account: str, publisher: Publisher) -> None:
    """Store the account's rate-limit budget as the platform last reported it (its own headers) on
    the account in Redis; a spent budget holds the account until its reset, for every worker."""
    info: RateLimitInfo | None = getattr(publisher, "last_rate_limit", None)
    if info is None:
        return
    reset = info.reset_at.timestamp() if info.reset_at is not None else None
    ledger.note_budget(cid, account, limit=info.limit, remaining=info.remaining, reset_at=reset,
                       hold=info.exhausted and reset is not None)


def post_for(ledger: Ledger, applied: Applied, post: PostRecord, now: datetime, image: bytes | None = None) -> Post:
    """The publisher's view of a rendered post (``image``: its card's bytes, when already read)."""
    account = applied.campaign.account(post.slot.account)
    fmt = post.card_format or "jpeg"
    if post.card is None:
        raise KeyError(f"{post.id} has no card: it was never rendered")
    image = image if image is not None else ledger.get_blob(post.card)
    return Post(id=post.id, account=account, text=post.caption or "", image=image,
                alt=post.alt_text(account.language),
                language=account.language, image_type=f"image/{fmt}",
                card_name="card.jpg" if fmt == "jpeg" else f"card.{fmt}", at=now)


def _backoff(settings: Settings, attempt: int) -> float:
    """Exponential backoff with full jitter, capped below the broker's visibility timeout."""
    return random.uniform(0.5, 1.0) * min(settings.backoff_cap, settings.backoff_base * 2 ** max(0, attempt - 1))


def publish_post(ledger: Ledger, post_id: str, now: datetime | None = None, settings: Settings | None = None) -> str:
    """Publish one queued post; returns the outcome (posted, skip, paused, wait, missed, stale, ...).
    ``now`` None: the campaign clock, read with the campaign's definition in one round trip."""
    settings = settings or Settings()
    worker = worker_name()
    view = ledger.task_view(post_id, with_post=False)
    done_at = _outcome_clock(ledger, now, view.clock)
    now = now or view.now()
    applied = load_applied(ledger, ledger.campaign_of(post_id), view.def_hash)
    outcome, detail, post, image = ledger.claim_publish(post_id, now, lease=settings.lease,
                                                        max_lateness=applied.max_lateness,
                                                        end_limit=applied.end_limit,
                                                        resend_after=settings.resend_after, worker=worker)
    if outcome == "wait":  # the account is held until its rate-limit reset (detail: when)
        ledger.note_waiting(post_id, float(detail))
    if post is None:
        return outcome
    slot = post.slot
    if current_fingerprint(applied, now, slot.people, slot.date) != post.rendered_fp:
        why = "not posted: the people's facts changed since the card was rendered"
        ledger.record_stale(post, at=now, worker=worker, detail=f"{WITHDRAWN}{why}" if post.approved_at else why)
        ledger.set_campaign_field(applied.campaign.id, "plan_sig", "")  # the next tick re-plans it
        return "stale"
    p = post_for(ledger, applied, post, now, image)
    return _attempt(ledger, applied, post, p, settings, worker, done_at)


def _outcome_clock(ledger: Ledger, given: datetime | None, simulated: float | None) -> Callable[[], datetime]:
    """When an attempt's outcome is recorded: at its own time, read once it came (a platform may take
    long to answer), from the campaign's clock (real, or simulated: ``simulated`` is its reading at the
    claim); a ``now`` the caller gave is the time of everything."""
    if given is not None:
        return lambda: given
    if simulated is None:
        return lambda: datetime.now(UTC)
    return lambda: now_for(ledger)


def _attempt(ledger: Ledger, applied: Applied, post: PostRecord, p: Post, settings: Settings, worker: str,
             done_at: Callable[[], datetime]) -> str:
    """Send the claimed post and record its outcome, at the time ``done_at`` gives once the answer came."""
    cid, account, post_id = applied.campaign.id, post.slot.account, post.id
    attempt_no = post.attempts if post.attempts is not None else 1

    def fail(exc: BaseException, outcome: str) -> str:
        ledger.record_failed(post_id, exc, outcome=outcome, at=done_at(), worker=worker)
        return outcome

    def wait(exc: BaseException, outcome: str, until: float) -> str:
        # queued again: sent once the wait is over (the simulator watches ``waiting_until``)
        ledger.requeue(post_id, exc, outcome=outcome, until=until, at=done_at(), worker=worker)
        return outcome

    def send(publisher: Publisher) -> Published:
        if hasattr(publisher, "last_rate_limit"):
            publisher.last_rate_limit = None  # a reading from this attempt only, never a stale one
        try:
            return publisher.publish(p)
        finally:  # success or failure: the headers of this attempt say what budget is left
            share_budget(ledger, cid, account, publisher)

    try:
        try:
            published = send(publisher_for(applied, account, settings))
        except AuthFailed:
            # A token rotated while this worker runs: its references read differently now than when
            # the publisher was built. Build it again with them and try once more before blocking.
            if not credentials_rotated(applied, account, settings):
                raise
            published = send(publisher_for(applied, account, settings, fresh=True))
    except RateLimited as exc:
        until = exc.reset_at.timestamp()
        ledger.rate_limit(cid, account, until)
        return wait(exc, "rate_limited", until)
    except Transient as exc:
        if attempt_no >= settings.max_attempts:
            return fail(exc, "failed")
        return wait(exc, "retry", time.time() + _backoff(settings, attempt_no))
    except AuthFailed as exc:  # blocked either way; said as what it is (nothing was sent if unreadable)
        ledger.mark_auth_failed(cid, account, str(exc), at=done_at(), worker=worker)
        return fail(exc, "unreadable" if isinstance(exc, Unreadable) else "auth_failed")
    except Rejected as exc:
        return fail(exc, "rejected")
    except Exception as exc:  # noqa: BLE001 - OutcomeUnknown, a bug or an unmapped library error: it may have posted
        ledger.mark_in_doubt(post_id, exc, at=done_at(), worker=worker)
        return "in_doubt"
    ledger.record_posted(post_id, published.remote_id, published.url or "", at=done_at(), worker=worker)
    return "posted"


def _confirm(ledger: Ledger, post: PostRecord, published: Published, now: datetime, worker: str, detail: str) -> bool:
    """Record ``post``, read in doubt, as out after all, with its remote id. It went out before its
    doubt arose (its last move, into in_doubt), not when it was found or a person said so: that
    moment is its ``posted_at`` (what the publish-delay figures count), the audit keeps ``now``."""
    went = min(post.state_at, now) if post.state_at is not None else None
    return ledger.confirm_posted(post.slot.id, published.remote_id, published.url or "", at=now, worker=worker,
                                 detail=detail, posted_at=went)


def reconcile_post(ledger: Ledger, post_id: str, now: datetime, settings: Settings | None = None) -> str:
    """Look an in-doubt post up on its platform: found -> posted; certainly absent -> queued again
    (the claim then decides whether it is still on time), up to ``MAX_REQUEUES`` times, then
    ``held`` for a person; the platform cannot tell -> left for a person."""
    settings = settings or Settings()
    post = ledger.post(post_id)
    if post.state != IN_DOUBT:
        ledger.forget_doubt(post_id)
        return "skip"
    applied = load_applied(ledger, post.slot.campaign)
    try:
        publisher = publisher_for(applied, post.slot.account, settings)
        can_tell = spec(publisher.platform).lookup  # the platform's row: can a post be found there?
        found = publisher.lookup(post_for(ledger, applied, post, now)) if can_tell else None
    except NotImplementedError:  # nor can its API for this post
        can_tell, found = False, None
    except Exception as exc:  # noqa: BLE001 - the look-up itself failed: try again after reconcile_after
        ledger.note_lookup_failed(post_id, f"look-up failed: {exc}")
        return "retry"
    if not can_tell:
        ledger.forget_doubt(post_id)
        return "unknown"
    worker = worker_name()
    if found is not None:
        _confirm(ledger, post, found, now, worker, "found on the platform")
        return "posted"
    requeues = post.requeues or 0
    # Both moves check ``attempts`` (counted by every claim), which pins the in-doubt episode read
    # above: a look-up racing this one cannot move the post again on a stale count.
    if requeues >= MAX_REQUEUES:
        platform = getattr(publisher, "platform", post.slot.platform)
        held = (f"in doubt {requeues + 1} times, each time not found on {platform} and sent again; no longer "
                f"sent on its own: check {platform} by hand, then run: campaign resolve {post_id} --posted URL "
                "(or --not-posted)")
        return "held" if ledger.hold_in_doubt(post, why=held, at=now, worker=worker) else "skip"
    moved = ledger.requeue_in_doubt(post, at=now, worker=worker, detail=(
        f"not found on the platform: queued again ({requeues + 1} of {MAX_REQUEUES})"))
    return "queued" if moved else "skip"


#: The longest address a person may give for a post that went out (a platform's post link is far shorter).
MAX_POSTED_URL = 2048


def posted_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the address of a post on its platform, or None when it can: an ``http(s)://``
    address with a host, no spaces or control characters, at most :data:`MAX_POSTED_URL` characters. The
    dashboard and ``campaign resolve`` both ask here, so neither records a typo as where a post went out."""
    url = url.strip()
    if len(url) > MAX_POSTED_URL:
        return (f"the address given is {len(url):,} characters long; a post's address is at most "
                f"{MAX_POSTED_URL:,}: copy the post's own link from the platform")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or any(c.isspace() or ord(c) < 32 for c in url):
        return f"{url!r} is not a web address (http:// or https://); copy the post's own link from the platform"
    return None


def resolve_post(ledger: Ledger, post_id: str, now: datetime, *, posted_url: str | None, by: str | None = None) -> str:
    """A person's answer for an in-doubt post: it is out (with its URL), or it is not (queue it again).
    ``by``: who answers (the login name of who runs the command unless given). A ``posted_url`` that is not a web
    address (:func:`posted_url_problem`) is refused and changes nothing."""
    post = ledger.post(post_id)
    if post.state != IN_DOUBT:
        raise Refused(f"{post_id} is {post.state}, not in_doubt; only in-doubt posts are resolved")
    who = person_name(by)
    if posted_url is not None:
        problem = posted_url_problem(posted_url)
        if problem:
            raise Refused(f"posted_url: {problem}")
        posted_url = posted_url.strip()
        ok = _confirm(ledger, post, Published(remote_id=posted_url, url=posted_url), now, who,
                      "resolved by a person: posted")
        return POSTED if ok else ledger.state(post_id) or ""
    ledger.resolve_not_posted(post_id, at=now, worker=who)
    return QUEUED


__all__ = ["MAX_POSTED_URL", "MAX_REQUEUES", "posted_url_problem", "publish_post", "reconcile_post", "resolve_post",
           "publisher_for", "post_for", "share_budget"]
