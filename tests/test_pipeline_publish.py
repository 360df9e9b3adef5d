"""publish and reconcile over a real Redis with a scripted test publisher: each error type's decision."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

import campaign.pipeline.publish as publish_module
from campaign.clock import SimulatedClock
from campaign.checks import load_checked
from campaign.ledger import Ledger
from campaign.pipeline import (InlineDispatch, NoDispatch, Settings, apply_folder, publish_post, reconcile_post,
                               resolve_post, retry, tick)
from campaign.pipeline.applied import apply_definition
from campaign.pipeline.settings import Publishers
from campaign.publishers import AuthFailed, OutcomeUnknown, Published, RateLimited, Rejected, Transient
from tests.pipeline_fixtures import *  # noqa: F403


class Scripted:
    """A test publisher: each publish takes the next scripted outcome (an exception or 'ok').
    ``settings`` pass it in as every account's publisher."""

    platform = "outbox"
    max_image_bytes = 10_000_000

    def __init__(self, script: dict[str, list], found: dict[str, object]) -> None:
        self.script, self.found = script, found
        self.sent: list[str] = []
        self.settings = Settings(publishers=Publishers(lambda account, context: self))

    def publish(self, post):  # type: ignore[no-untyped-def]
        steps = self.script.get(post.account.id) or ["ok"]
        step = steps.pop(0) if len(steps) > 1 else steps[0]
        if isinstance(step, Exception):
            raise step
        self.sent.append(post.id)
        return Published(remote_id=f"r-{post.id}", url=f"https://example.org/{post.id}")

    def lookup(self, post):  # type: ignore[no-untyped-def]
        found = self.found.get(post.id, None)
        if isinstance(found, Exception):
            raise found
        return found

    def whoami(self) -> str:
        return "scripted"


@pytest.fixture
def scripted() -> Scripted:
    """One Scripted publisher for every account: passed in as ``scripted.settings``."""
    return Scripted({}, {})


def _due(ledger: Ledger, folder: Path, settings: Settings, run: dict[str, str] | None = None) -> tuple[str, datetime]:
    """Apply the small campaign and bring 8 November's posts to queued; returns (campaign, now)."""
    now = local("2021-11-07")
    SimulatedClock(ledger).set(now)
    f = load_checked(folder)
    apply_folder(ledger, f, now, {"force_outbox": "1", **(run or {})})
    now = local("2021-11-08", "09:30")
    SimulatedClock(ledger).set(now)
    tick(ledger, now, InlineDispatch(ledger, settings))
    now = local("2021-11-08", "10:25")
    SimulatedClock(ledger).set(now)
    return f.campaign.id, now


def test_rate_limit_holds_only_that_account(ledger: Ledger, small_folder: Path, scripted: Scripted) -> None:
    reset = datetime.now(UTC) + timedelta(seconds=60)
    scripted.script["a-en"] = [RateLimited(reset)]
    cid, now = _due(ledger, small_folder, scripted.settings)
    tick(ledger, now, InlineDispatch(ledger, scripted.settings))
    assert ledger.state(f"{cid}:2021-11-08:a-en") == "queued"
    assert ledger.state(f"{cid}:2021-11-08:b-km") == "posted"
    assert float(ledger.account_state(cid, "a-en")["rate_limited_until"]) == pytest.approx(reset.timestamp())
    assert [a["outcome"] for a in ledger.attempts(f"{cid}:2021-11-08:a-en")] == ["rate_limited"]
    assert ledger.resend_queued(cid, 60) == []  # not sent again before the reset


def test_transient_retries_then_fails(ledger: Ledger, small_folder: Path, scripted: Scripted,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_BACKOFF_SECONDS", "0.01")
    monkeypatch.setenv("CAMPAIGN_MAX_ATTEMPTS", "3")
    settings = Settings(publishers=scripted.settings.publishers)
    scripted.script["a-en"] = [Transient("502"), Transient("502"), Transient("502"), Transient("502")]
    cid, now = _due(ledger, small_folder, scripted.settings)
    pid = f"{cid}:2021-11-08:a-en"
    ledger.queue_due(cid, now, 6 * 3600, resend_after=60)
    for _ in range(3):
        assert ledger.state(pid) == "queued"
        publish_post(ledger, pid, now, settings)
        time.sleep(0.03)
    assert ledger.state(pid) == "failed"
    assert [a["error_class"] for a in ledger.attempts(pid)] == ["Transient"] * 3


def test_auth_failure_blocks_the_account_until_retry(ledger: Ledger, small_folder: Path, scripted: Scripted) -> None:
    scripted.script["a-en"] = [AuthFailed("a-en: token expired"), "ok"]
    cid, now = _due(ledger, small_folder, scripted.settings)
    tick(ledger, now, InlineDispatch(ledger, scripted.settings))
    pid = f"{cid}:2021-11-08:a-en"
    assert ledger.state(pid) == "failed"
    assert ledger.account_state(cid, "a-en")["auth_failed"] == "a-en: token expired"
    retry(ledger, pid, now)
    assert "auth_failed" not in ledger.account_state(cid, "a-en")
    tick(ledger, now, InlineDispatch(ledger, scripted.settings))
    tick(ledger, now, InlineDispatch(ledger, scripted.settings))
    assert ledger.state(pid) == "posted"


def test_rejected_fails_with_its_reason(ledger: Ledger, small_folder: Path, scripted: Scripted) -> None:
    scripted.script["b-km"] = [Rejected("duplicate content")]
    cid, now = _due(ledger, small_folder, scripted.settings)
    tick(ledger, now, InlineDispatch(ledger, scripted.settings))
    post = ledger.post(f"{cid}:2021-11-08:b-km")
    assert post.state == "failed" and post.error == "duplicate content"


@pytest.mark.parametrize("found, final", [("yes", "posted"), (None, "posted"), ("cannot-tell", "in_doubt")])
def test_outcome_unknown_is_reconciled_by_lookup(ledger: Ledger, small_folder: Path, scripted: Scripted,
                                                 found: object, final: str) -> None:
    cid, now = _due(ledger, small_folder, scripted.settings)
    pid = f"{cid}:2021-11-08:c-en"
    scripted.script["c-en"] = [OutcomeUnknown("timeout after sending"), "ok"]
    scripted.found[pid] = {"yes": Published("r1", "https://example.org/1"), None: None,
                           "cannot-tell": NotImplementedError()}[found]  # type: ignore[index]
    tick(ledger, now, NoDispatch())
    ledger.queue_due(cid, now, 6 * 3600, resend_after=60)
    publish_post(ledger, pid, now, scripted.settings)
    assert ledger.state(pid) == "in_doubt"
    outcome = reconcile_post(ledger, pid, now, scripted.settings)
    if outcome == "queued":
        publish_post(ledger, pid, now, scripted.settings)
    assert ledger.state(pid) == final
    assert scripted.sent.count(pid) == (1 if found is None else 0)  # sent again only when certainly absent
    if final == "in_doubt":
        doubted = ledger.post(pid).state_at
        later = now + timedelta(hours=5)  # a person answers hours later
        assert resolve_post(ledger, pid, later, posted_url="https://x.example/1") == "posted"
        post = ledger.post(pid)
        assert post.url == "https://x.example/1"
        # It went out before its doubt arose: that is its posting time, the answer's is the audit's.
        assert doubted is not None and post.posted_at == doubted and post.state_at == later
    elif found == "yes":
        assert ledger.post(pid).posted_at == now  # found when its doubt arose: the same moment


def test_stale_card_is_never_published(ledger: Ledger, small_folder: Path, scripted: Scripted) -> None:
    """The roster changes between queueing and publishing: the post goes back to planned, not out."""
    cid, now = _due(ledger, small_folder, scripted.settings)
    ledger.queue_due(cid, now, 6 * 3600, resend_after=60)
    pid = f"{cid}:2021-11-08:a-en"
    assert ledger.state(pid) == "queued"
    featured = ledger.post(pid).slot.people
    roster = yaml.safe_load((small_folder / "roster.yaml").read_text())
    for person in roster["people"]:
        if person["id"] in featured:
            person["events"][0]["charge"] = {"en": "a different charge"}
    write_folder(small_folder, roster=roster)
    apply_definition(ledger, load_checked(small_folder), {"force_outbox": "1"})  # stored, not yet re-planned
    assert publish_post(ledger, pid, now, scripted.settings) == "stale"
    assert pid not in scripted.sent and ledger.state(pid) == "planned"
    tick(ledger, now, InlineDispatch(ledger, scripted.settings))  # re-plans, re-renders with the new charge
    tick(ledger, now, InlineDispatch(ledger, scripted.settings))
    post = ledger.post(pid)
    assert post.state == "posted" and pid in scripted.sent


@pytest.fixture
def real_outbox() -> Settings:
    """The real outbox publisher, built afresh for this test (no publisher cached by an earlier one)."""
    return Settings(publishers=Publishers())


def test_outbox_that_is_a_file_fails_the_post_once(ledger: Ledger, small_folder: Path, tmp_path: Path,
                                                   real_outbox: Settings) -> None:
    """The folder cannot be written, so certainly nothing was posted: failed with what to do, never in doubt."""
    target = tmp_path / "outbox"
    target.write_text("a file, not a folder")
    cid, now = _due(ledger, small_folder, real_outbox, {"outbox_dir": str(target)})
    for _ in range(3):
        tick(ledger, now, InlineDispatch(ledger, real_outbox))
    pid = f"{cid}:2021-11-08:a-en"
    post = ledger.post(pid)
    error = post.error or ""
    assert post.state == "failed" and post.error_class == "Rejected"
    assert str(target) in error and "exists and is not a folder" in error
    assert f"campaign retry {pid}" in error
    assert [a["outcome"] for a in ledger.attempts(pid)] == ["rejected"]  # tried once, not round and round
    assert not [e for e in ledger.iter_audit(cid) if e["to"] == "in_doubt"]
    assert target.read_text() == "a file, not a folder"


def test_a_post_that_keeps_going_in_doubt_is_held_for_a_person(ledger: Ledger, small_folder: Path, tmp_path: Path,
                                                               real_outbox: Settings) -> None:
    """in_doubt -> (not found) queued -> in_doubt ... stops after MAX_REQUEUES: then a person decides."""
    outbox = tmp_path / "outbox"
    pid = "small:2021-11-08:a-en"
    (outbox / f"{pid.replace(':', '_')}.json" / "blocker").mkdir(parents=True)  # its record can never be put in place
    cid, now = _due(ledger, small_folder, real_outbox, {"outbox_dir": str(outbox)})
    for _ in range(publish_module.MAX_REQUEUES + 4):
        tick(ledger, now, InlineDispatch(ledger, real_outbox))
    post = ledger.post(pid)
    assert post.state == "in_doubt" and post.requeues == publish_module.MAX_REQUEUES
    assert [a["outcome"] for a in ledger.attempts(pid)] == ["in_doubt"] * (publish_module.MAX_REQUEUES + 1)
    assert f"campaign resolve {pid}" in (post.error or "") and "no longer sent on its own" in (post.error or "")
    assert pid not in dict(ledger.index(cid, "doubt"))  # no more automatic look-ups
    assert ledger.state(f"{cid}:2021-11-08:b-km") == "posted"  # the other accounts went on
    # A person says it did not go out: it is sent once more, and held again if it goes in doubt again.
    assert resolve_post(ledger, pid, now, posted_url=None) == "queued"
    for _ in range(3):
        tick(ledger, now, InlineDispatch(ledger, real_outbox))
    assert ledger.state(pid) == "in_doubt"
    assert len(ledger.attempts(pid)) == publish_module.MAX_REQUEUES + 2
