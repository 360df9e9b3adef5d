"""The typed post record and the ledger's named state changes, on a real server.

Rules: any record written reads back equal (its hash fields are its own, in one place); every
named operation moves a post exactly from the states ``LEAVES`` gives it, and from any other state
it is refused with nothing changed (hash, counts, indexes, attempts, audit stream)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign.ledger import CardRef, Ledger, PostRecord
from campaign.ledger.record import (BY_LANGUAGE, BY_PERSON, CODECS, EPOCH, FIELDS, INT, MOMENT, TEXT, TEXTS,
                                    Codec)
from campaign.ledger.scripts import INDEX_ORDER
from campaign.ledger.states import LEAVES, PLANNED, STATES
from campaign.plan import Slot
from tests.pipeline_fixtures import *  # noqa: F403
from tests.pipeline_fixtures import put_in_state

NOW = datetime(2021, 11, 10, 3, 0, tzinfo=UTC)

texts = st.text(max_size=30)
epochs = st.floats(allow_nan=False, allow_infinity=False)
# Fixed offsets of whole seconds, as IANA zones have (an aware time in a DST fold never equals one in
# another zone, whatever its instant).
zones = st.integers(-86399, 86399).map(lambda s: timezone(timedelta(seconds=s)))
moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=zones)
names = st.lists(texts, max_size=4).map(tuple)
maps = st.dictionaries(texts, texts, max_size=3)
_BY_CODEC: dict[Codec[Any], st.SearchStrategy[Any]] = {
    TEXT: texts, INT: st.integers(-2**63, 2**63), EPOCH: epochs, MOMENT: moments, TEXTS: names, BY_LANGUAGE: maps,
    BY_PERSON: maps}
slots = st.builds(Slot, id=texts.map(lambda t: f"c1:{t}:acct"), campaign=texts, account=texts, platform=texts,
                  language=texts, date=st.dates(), due=moments, week=st.integers(-2**63, 2**63), people=names,
                  kind=texts, template=texts, variant=st.integers(-2**63, 2**63))
REQUIRED = ("state", "plan_fp", "render_at")
records = st.builds(PostRecord, slot=slots, **{name: _BY_CODEC[codec] if name in REQUIRED
                                               else st.none() | _BY_CODEC[codec] for name, codec in CODECS.items()})


@given(records)
def test_any_record_reads_back_equal_from_its_fields(record: PostRecord) -> None:
    fields = record.to_fields()
    assert set(fields) <= FIELDS
    assert PostRecord.from_fields(fields) == record


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(record=records)
def test_any_record_written_to_redis_reads_back_equal(ledger: Ledger, record: PostRecord) -> None:
    key = ledger.post_key(record.id)
    ledger.r.delete(key)
    ledger.r.hset(key, mapping=record.to_fields())
    assert ledger.post(record.id) == record
    assert ledger.posts("c1", [record.id]) == [record]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(slot=slots, plan_fp=texts, people_fp=maps, render_at=epochs)
def test_a_planned_post_reads_back_as_planned(ledger: Ledger, slot: Slot, plan_fp: str, people_fp: dict[str, str],
                                              render_at: float) -> None:
    slot = replace(slot, id=f"c1:{uuid.uuid4().hex}:acct")
    planned = PostRecord.planned(slot, plan_fp=plan_fp, people_fp=people_fp, render_at=render_at)
    ledger.create_posts([planned], at=NOW, worker="w")
    read = ledger.post(slot.id)
    assert read.slot.due.timestamp() == slot.due.timestamp()
    assert replace(read, state_at=None, updated=None, planned_at=None) == planned
    assert read.state_at == NOW and read.planned_at == NOW.timestamp()  # when the plan that made it was applied


@given(card=st.builds(CardRef, card=texts, card_format=texts, alt=maps, warnings=names))
def test_a_cached_card_reads_back_equal(card: CardRef) -> None:
    assert CardRef.from_fields(card.to_fields()) == card


def test_alt_text_falls_back_to_english_then_any() -> None:
    slot = Slot(id="c1:2021-11-10:a", campaign="c1", account="a", platform="outbox", language="km",
                date=NOW.date(), due=NOW, week=1, people=(), kind="weekly", template="t", variant=0)
    post = PostRecord(slot, PLANNED, "fp", 0.0, alt={"en": "english", "fr": "french"})
    assert (post.alt_text("fr"), post.alt_text("km")) == ("french", "english")
    assert replace(post, alt={"fr": "french"}).alt_text("km") == "french"
    assert replace(post, alt=None).alt_text("km") == ""


ERROR = RuntimeError("boom")
CARD = CardRef("abc", "jpeg", {"en": "alt"}, ())
_KW: dict[str, Any] = {"at": NOW, "worker": "t"}
#: Each named operation, called on a post as just read.
CALLS: dict[str, Callable[[Ledger, PostRecord], object]] = {
    "replan": lambda led, p: led.replan(p, detail="d", **_KW),
    "keep_card": lambda led, p: led.keep_card(p, p, approved=False, detail="d", **_KW),
    "withdraw": lambda led, p: led.withdraw(p.id, detail="d", **_KW),
    "cancel": lambda led, p: led.cancel(p.id, **_KW),
    "record_rendered": lambda led, p: led.record_rendered(p, CARD, "c", shown_fp="s", review=False, **_KW),
    "record_render_failed": lambda led, p: led.record_render_failed(p.id, ERROR, **_KW),
    "approve": lambda led, p: led.approve(p, by="t", at=NOW),
    "retry": lambda led, p: led.retry(p, detail="d", **_KW),
    "retry_approved": lambda led, p: led.retry_approved(p, rendered_fp="f", detail="d", **_KW),
    "record_stale": lambda led, p: led.record_stale(p, detail="d", **_KW),
    "record_posted": lambda led, p: led.record_posted(p.id, "r1", "https://example.org/1", **_KW),
    "confirm_posted": lambda led, p: led.confirm_posted(p.id, "r1", "", detail="d", **_KW),
    "record_failed": lambda led, p: led.record_failed(p.id, ERROR, outcome="rejected", **_KW),
    "requeue": lambda led, p: led.requeue(p.id, ERROR, outcome="retry", until=time.time() + 60, **_KW),
    "mark_in_doubt": lambda led, p: led.mark_in_doubt(p.id, ERROR, **_KW),
    "hold_in_doubt": lambda led, p: led.hold_in_doubt(p, why="w", **_KW),
    "requeue_in_doubt": lambda led, p: led.requeue_in_doubt(p, detail="d", **_KW),
    "resolve_not_posted": lambda led, p: led.resolve_not_posted(p.id, **_KW),
}


_PENDING = {"planned", "rendered", "awaiting_review", "approved", "queued"}
_RETRYABLE = {"failed", "missed", "cancelled", "expired"}
#: The rule: which states each operation moves a post out of (any other: refused).
EXPECTED = {
    "replan": _PENDING | {"expired"}, "keep_card": {"rendered", "awaiting_review", "approved", "queued"},
    "withdraw": _PENDING, "cancel": _PENDING, "record_rendered": {"planned"}, "record_render_failed": {"planned"},
    "approve": {"awaiting_review"}, "retry": _RETRYABLE, "retry_approved": _RETRYABLE, "record_stale": {"publishing"},
    "record_posted": {"publishing", "in_doubt"}, "confirm_posted": {"in_doubt"}, "record_failed": {"publishing"},
    "requeue": {"publishing"}, "mark_in_doubt": {"publishing"}, "hold_in_doubt": {"in_doubt"},
    "requeue_in_doubt": {"in_doubt"}, "resolve_not_posted": {"in_doubt"},
}


def test_every_named_operation_is_called_here() -> None:
    assert set(CALLS) == set(LEAVES) == set(EXPECTED)


def _snapshot(ledger: Ledger, pid: str) -> tuple[object, ...]:
    cid = ledger.campaign_of(pid)
    return (ledger.r.hgetall(ledger.post_key(pid)), ledger.counts(cid), ledger.r.xlen(ledger.key("audit", cid)),
            [ledger.r.zscore(ledger.key(name, cid), pid) for name in INDEX_ORDER],
            ledger.r.llen(ledger.key("attempts", pid)))


def _posts_in_every_state(ledger: Ledger) -> dict[str, str]:
    """One post per state (its id per state), as the pipeline would leave it there."""
    ids = {}
    for state in STATES:
        slot = Slot(id=f"c1:2021-11-10:{state}", campaign="c1", account=state, platform="outbox", language="en",
                    date=NOW.date(), due=NOW, week=1, people=("p1",), kind="weekly", template="t", variant=0)
        ledger.create_posts([PostRecord.planned(slot, plan_fp="fp", people_fp={}, render_at=NOW.timestamp())], at=NOW)
        if state != PLANNED:
            assert put_in_state(ledger, slot.id, PLANNED, state, at=NOW, shown_fp="s", attempts=1)
        ids[state] = slot.id
    return ids


@pytest.mark.parametrize("op", sorted(EXPECTED))
def test_a_named_operation_moves_exactly_the_states_it_leaves(ledger: Ledger, op: str) -> None:
    ledger.store_campaign("c1", {"def_hash": "x", "review_required": "0"})
    for state, pid in _posts_in_every_state(ledger).items():
        before = _snapshot(ledger, pid)
        moved = CALLS[op](ledger, ledger.post(pid))
        if state not in EXPECTED[op]:
            assert not moved, f"{op} moved a post that was {state}"
            assert _snapshot(ledger, pid) == before, f"{op} refused a {state} post but changed it"
            continue
        assert moved, f"{op} refused a post that was {state}"
        last = ledger.audit("c1", count=1)[0]
        assert (last["post"], last["from"]) == (pid, state)
        assert set(k.decode() for k in ledger.r.hkeys(ledger.post_key(pid))) <= FIELDS  # only fields the record knows


def test_a_move_checks_the_post_is_still_as_read(ledger: Ledger) -> None:
    """approve and keep_card check the card read (shown_fp); the in-doubt moves check the episode (attempts)."""
    ids = _posts_in_every_state(ledger)
    waiting, doubt = ledger.post(ids["awaiting_review"]), ledger.post(ids["in_doubt"])
    put_in_state(ledger, waiting.id, "awaiting_review", "awaiting_review", at=NOW, shown_fp="re-rendered")
    put_in_state(ledger, doubt.id, "in_doubt", "in_doubt", at=NOW, attempts=2)
    before = _snapshot(ledger, waiting.id), _snapshot(ledger, doubt.id)
    assert not ledger.approve(waiting, by="t", at=NOW)
    assert not ledger.keep_card(waiting, waiting, approved=False, detail="d", **_KW)
    assert not ledger.hold_in_doubt(doubt, why="w", **_KW)
    assert not ledger.requeue_in_doubt(doubt, detail="d", **_KW)
    assert (_snapshot(ledger, waiting.id), _snapshot(ledger, doubt.id)) == before


def test_fields_written_by_the_scripts_are_known_to_the_record(ledger: Ledger) -> None:
    ledger.store_campaign("c1", {"def_hash": "x", "review_required": "0"})
    pid = _posts_in_every_state(ledger)["queued"]
    outcome, _, post, _ = ledger.claim_publish(pid, NOW, lease=0.01, max_lateness=3600, end_limit=NOW.timestamp() + 1,
                                            resend_after=60, worker="w")
    assert outcome == "claimed" and post == ledger.post(pid)
    time.sleep(0.02)
    assert ledger.reap_leases("c1", NOW) == [pid]
    ledger.note_waiting(pid, time.time())
    ledger.note_lookup_failed(pid, "look-up failed: 503")
    assert set(k.decode() for k in ledger.r.hkeys(ledger.post_key(pid))) <= FIELDS
    post = ledger.post(pid)
    assert (post.state, post.attempts, post.worker, post.error) == ("in_doubt", 2, "w", "look-up failed: 503")
