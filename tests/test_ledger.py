"""The ledger on a real server (Valkey, or Redis in CI's second pass): atomic transitions that check the state they leave."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from campaign.ledger import CardRef, Ledger, PostRecord, UnknownPost
from campaign.ledger.keys import sha256
from campaign.plan import Slot
from tests.pipeline_fixtures import *  # noqa: F403

NOW = datetime(2021, 11, 10, 3, 0, tzinfo=UTC)
CARD = CardRef("abc", "jpeg", {"en": "Rong Chhun"}, ())


def _post(pid: str = "c1:2021-11-10:acct", due: datetime = NOW, render_at: datetime | None = None) -> PostRecord:
    slot = Slot(id=pid, campaign="c1", account=pid.rsplit(":", 1)[1], platform="outbox", language="en",
                date=due.date(), due=due, week=1, people=("p1",), kind="weekly", template="portrait", variant=0)
    return PostRecord(slot, "planned", "fp1", (render_at or due - timedelta(hours=1)).timestamp())


def _render(ledger: Ledger, pid: str) -> str | None:
    return ledger.record_rendered(ledger.post(pid), CARD, "caption", shown_fp="s1", review=False, at=NOW, worker="w")


def _campaign(ledger: Ledger, status: str = "active") -> None:
    ledger.store_campaign("c1", {"def_hash": "x", "review_required": "0"})
    ledger.set_campaign_field("c1", "status", status)


def test_create_is_idempotent_and_indexed(ledger: Ledger) -> None:
    ledger.create_posts([_post()], at=NOW)
    ledger.create_posts([_post()], at=NOW)
    assert ledger.state("c1:2021-11-10:acct") == "planned"
    assert ledger.counts("c1") == {"planned": 1, "acct/planned": 1}
    assert [e["to"] for e in ledger.audit("c1")] == ["planned"]
    assert ledger.post_ids("c1") == ["c1:2021-11-10:acct"]
    assert ledger.index("c1", "due") == [("c1:2021-11-10:acct", NOW.timestamp())]


def test_transition_checks_the_state_it_leaves(ledger: Ledger) -> None:
    ledger.create_posts([_post()], at=NOW)
    pid = "c1:2021-11-10:acct"
    assert not ledger.approve(ledger.post(pid), by="p", at=NOW)  # planned: nothing to approve
    assert _render(ledger, pid) == "rendered"
    assert ledger.post(pid).card == "abc"
    assert ledger.index("c1", "render") == []
    assert ledger.counts("c1") == {"rendered": 1, "acct/rendered": 1}
    assert _render(ledger, pid) is None  # a second render changes nothing
    assert [e["to"] for e in ledger.audit("c1", reverse=False)] == ["planned", "rendered"]


def test_expect_guards_a_transition(ledger: Ledger) -> None:
    ledger.create_posts([_post()], at=NOW)
    pid = "c1:2021-11-10:acct"
    stale = replace(ledger.post(pid), plan_fp="old")  # read before the post was planned again
    assert ledger.record_rendered(stale, CARD, "c", shown_fp="s", review=False, at=NOW, worker="w") is None
    assert ledger.record_rendered(ledger.post(pid), CARD, "c", shown_fp="s", review=True, at=NOW,
                                  worker="w") == "awaiting_review"


def test_only_one_of_many_concurrent_movers_wins(ledger: Ledger) -> None:
    ledger.create_posts([_post()], at=NOW)
    pid = "c1:2021-11-10:acct"
    wins = []

    def mover() -> None:
        other = Ledger.from_url(_url(ledger), prefix=ledger.prefix)
        if _render(other, pid):
            wins.append(1)

    threads = [threading.Thread(target=mover) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1


def _url(ledger: Ledger) -> str:
    kw = ledger.r.connection_pool.connection_kwargs
    return f"unix://{kw['path']}?db={kw.get('db', 0)}"


def test_queue_due_reads_only_the_due_window_and_checks_readiness(ledger: Ledger) -> None:
    _campaign(ledger)
    ready, waiting, later = "c1:2021-11-10:a", "c1:2021-11-10:b", "c1:2021-11-11:a"
    ledger.create_posts([_post(ready), _post(waiting), _post(later, due=NOW + timedelta(days=1))], at=NOW)
    _render(ledger, ready)
    queued, missed = ledger.queue_due("c1", NOW, 6 * 3600, resend_after=60)
    assert (queued, missed) == ([ready], [])
    assert ledger.queue_due("c1", NOW, 6 * 3600, resend_after=60) == ([], [])  # replayed: nothing twice
    assert ledger.state(waiting) == "planned" and ledger.state(later) == "planned"
    # Past its time plus max_lateness, a post that never got ready is missed, not sent late.
    queued, missed = ledger.queue_due("c1", NOW + timedelta(hours=7), 6 * 3600, resend_after=60)
    assert (queued, missed) == ([], [waiting])


def test_pause_holds_due_posts(ledger: Ledger) -> None:
    _campaign(ledger, "paused")
    pid = "c1:2021-11-10:a"
    ledger.create_posts([_post(pid)], at=NOW)
    _render(ledger, pid)
    assert ledger.queue_due("c1", NOW, 3600, resend_after=60) == ([], [])
    ledger.set_campaign_field("c1", "status", "active")
    assert ledger.queue_due("c1", NOW, 3600, resend_after=60) == ([pid], [])


def _queued(ledger: Ledger, pid: str = "c1:2021-11-10:a") -> str:
    _campaign(ledger)
    ledger.create_posts([_post(pid)], at=NOW)
    _render(ledger, pid)
    ledger.queue_due("c1", NOW, 3600, resend_after=60)
    return pid


def test_claim_publish_once_under_a_lease(ledger: Ledger) -> None:
    pid = _queued(ledger)
    kw = dict(lease=30, max_lateness=3600, end_limit=NOW.timestamp() + 86400, resend_after=60, worker="w1")
    outcome, _, post, _ = ledger.claim_publish(pid, NOW, **kw)
    assert outcome == "claimed" and post is not None and post.state == "publishing"
    assert ledger.claim_publish(pid, NOW, **kw)[:2] == ("skip", "publishing")
    post = ledger.post(pid)
    assert post.worker == "w1" and post.lease_until is not None and post.lease_until > time.time()
    assert post.attempts == 1


def test_claim_refuses_late_paused_blocked_and_rate_limited(ledger: Ledger) -> None:
    kw = dict(lease=30, max_lateness=3600, end_limit=NOW.timestamp() + 86400, resend_after=60, worker="w")
    pid = _queued(ledger, "c1:2021-11-10:late")
    assert ledger.claim_publish(pid, NOW + timedelta(hours=2), **kw)[0] == "missed"
    pid = _queued(ledger, "c1:2021-11-10:paused")
    ledger.set_campaign_field("c1", "status", "paused")
    assert ledger.claim_publish(pid, NOW, **kw)[0] == "paused"
    assert ledger.state(pid) == "queued"
    ledger.set_campaign_field("c1", "status", "active")
    pid = _queued(ledger, "c1:2021-11-10:limited")
    ledger.rate_limit("c1", "limited", time.time() + 100)
    outcome, until, _, _ = ledger.claim_publish(pid, NOW, **kw)
    assert outcome == "wait" and float(until) > time.time()
    assert ledger.resend_queued("c1", 60) == []  # held until the reset, by every worker
    pid = _queued(ledger, "c1:2021-11-10:blocked")
    ledger.mark_auth_failed("c1", "blocked", "token expired")
    assert ledger.claim_publish(pid, NOW, **kw)[:2] == ("failed", "account blocked: token expired")


@pytest.mark.parametrize("approved", [False, True])
def test_claim_before_its_time_sends_the_post_back_to_wait(ledger: Ledger, approved: bool) -> None:
    """A queued post is never claimed before its due time, whatever the clock did since it was queued:
    it goes back to waiting (approved or rendered, in the due index) and is queued again at its time."""
    pid = _queued(ledger)
    if approved:
        ledger.r.hset(ledger.post_key(pid), "approved_fp", "s1")
    kw = dict(lease=30, max_lateness=3600, end_limit=NOW.timestamp() + 86400, resend_after=60, worker="w")
    for early in (NOW - timedelta(hours=1), NOW - timedelta(seconds=1)):
        outcome, detail, post, _ = ledger.claim_publish(pid, early, **kw)
        assert (outcome, post) == ("early", None) and float(detail) == NOW.timestamp()
        post = ledger.post(pid)
        assert post.state == ("approved" if approved else "rendered") and post.attempts is None
        assert ledger.index("c1", "queued") == [] and ledger.index("c1", "due") == [(pid, NOW.timestamp())]
        assert ledger.queue_due("c1", early, 3600, resend_after=60) == ([], [])  # not yet
        assert ledger.queue_due("c1", NOW, 3600, resend_after=60) == ([pid], [])  # at its time
    outcome, _, post, _ = ledger.claim_publish(pid, NOW, **kw)
    assert outcome == "claimed" and post is not None and post.attempts == 1
    assert ledger.counts("c1")["publishing"] == 1 and not ledger.counts("c1").get("queued")


def test_expired_lease_becomes_in_doubt_never_queued(ledger: Ledger) -> None:
    pid = _queued(ledger)
    ledger.claim_publish(pid, NOW, lease=0.05, max_lateness=3600, end_limit=NOW.timestamp() + 86400,
                         resend_after=60, worker="w")
    assert ledger.reap_leases("c1", NOW) == []  # not yet
    time.sleep(0.1)
    assert ledger.reap_leases("c1", NOW) == [pid]
    assert ledger.state(pid) == "in_doubt"
    assert ledger.attempts(pid)[-1]["outcome"] == "lease_expired"
    assert ledger.due_doubts("c1", 60) == [pid]
    assert ledger.due_doubts("c1", 60) == []  # handed out once per interval


def test_unknown_post_is_a_clear_error(ledger: Ledger) -> None:
    with pytest.raises(UnknownPost, match="no post 'c1:nope'"):
        ledger.post("c1:nope")


def test_blobs_are_content_addressed(ledger: Ledger) -> None:
    digest = ledger.put_blob(b"card")
    assert ledger.put_blob(b"card") == digest
    assert ledger.get_blob(digest) == b"card"


def test_cancel_cancels_pending_posts(ledger: Ledger) -> None:
    _campaign(ledger)
    ledger.create_posts([_post("c1:2021-11-10:a"), _post("c1:2021-11-10:b")], at=NOW)
    _render(ledger, "c1:2021-11-10:b")
    ledger.set_status("c1", "cancelled", at=NOW)
    assert set(ledger.states(["c1:2021-11-10:a", "c1:2021-11-10:b"]).values()) == {"cancelled"}
    assert ledger.index("c1", "due") == []


def test_one_queue_step_over_many_posts_keeps_the_counts_equal_to_the_states(ledger: Ledger) -> None:
    """queue_due moves many posts in one script and sums its count changes: the counts per state and per
    account/state must still equal what the posts themselves say, for queued and missed alike."""
    _campaign(ledger)
    posts = [_post(f"c1:{i:03d}:acct-{i % 3}", due=NOW - timedelta(minutes=i)) for i in range(12)]
    ledger.create_posts(posts, at=NOW)
    for post in posts[::2]:
        _render(ledger, post.id)  # rendered: queued if in time; the others stay planned, missed if too late
    queued, missed = ledger.queue_due("c1", NOW, max_lateness=5 * 60, resend_after=60)
    assert queued and missed
    expected: dict[str, int] = {}
    for post in posts:
        state = ledger.state(post.id)
        for field in (state, f"{post.slot.account}/{state}"):
            expected[field] = expected.get(field, 0) + 1
    assert {k: v for k, v in ledger.counts("c1").items() if v} == expected


def test_a_card_just_drawn_is_stored_in_the_step_that_records_it(ledger: Ledger) -> None:
    """The card's bytes (under their sha256), its render-cache entry and the post's move: one step,
    also on a server that has lost its scripts (restarted): the move is then made on its own."""
    pid = "c1:2021-11-10:acct"
    _campaign(ledger)
    ledger.create_posts([_post(pid)], at=NOW)
    image = b"\xff\xd8 a card just drawn"
    card = CardRef(sha256(image), "jpeg", {"en": "Rong Chhun"}, ())
    ledger.r.script_flush()
    assert ledger.record_rendered(ledger.post(pid), card, "caption", shown_fp="s1", review=False, at=NOW, worker="w",
                                  draw_seconds=0.01, image=image, cache_key="k1") == "rendered"
    post = ledger.post(pid)
    assert post.card == card.card and post.draw_seconds == 0.01
    assert ledger.get_blob(card.card) == image and ledger.cached_render("k1") == card


def test_the_claim_hands_over_the_card_it_claims(ledger: Ledger) -> None:
    """A claimed post comes with its card's bytes (nothing to read after the claim); a card whose bytes are
    gone comes without them, and a post not claimed without either."""
    kw = dict(lease=30, max_lateness=3600, end_limit=NOW.timestamp() + 86400, resend_after=60, worker="w1")
    for pid, stored in (("c1:2021-11-10:a", True), ("c1:2021-11-10:b", False)):
        _queued(ledger, pid)
        image = b"\xff\xd8 the card"
        if stored:  # the test's card names a sha of its own: its bytes stored under it
            ledger.r.set(ledger.key("blob", CARD.card), image)
        claim = ledger.claim_publish(pid, NOW, **kw)
        assert claim.outcome == "claimed" and claim.post is not None and claim.post.card == CARD.card
        assert claim.image == (image if stored else None)
        ledger.r.delete(ledger.key("blob", CARD.card))
        assert ledger.claim_publish(pid, NOW, **kw) == ("skip", "publishing", None, None)
