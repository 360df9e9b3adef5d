"""tick, render and publish in this process over a real Redis: planning, re-planning, idempotence."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from campaign.clock import SimulatedClock
from campaign.checks import load_checked
from campaign.ledger import Ledger
from campaign.pipeline import InlineDispatch, apply_folder, load_applied, tick
from campaign.pipeline.simulate import run_simulation, simulation_window
from campaign.roster import facts
from tests.pipeline_fixtures import *  # noqa: F403


class Collect:
    """A dispatch that only records what the tick handed out (nothing runs)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def render(self, ids):  # type: ignore[no-untyped-def]
        self.sent += [("render", i) for i in ids]

    def publish(self, ids):  # type: ignore[no-untyped-def]
        self.sent += [("publish", i) for i in ids]

    def reconcile(self, ids):  # type: ignore[no-untyped-def]
        self.sent += [("reconcile", i) for i in ids]


def _apply(ledger: Ledger, folder: Path, day: str = "2021-11-07", outbox: Path | None = None) -> str:
    now = local(day)
    SimulatedClock(ledger).set(now)
    f = load_checked(folder)
    apply_folder(ledger, f, now, {"outbox_dir": str(outbox or folder / "outbox"), "force_outbox": "1"})
    return f.campaign.id


def test_apply_plans_every_slot_once(ledger: Ledger, small_folder: Path) -> None:
    cid = _apply(ledger, small_folder)
    assert ledger.counts(cid)["planned"] == 21
    before = len(ledger.audit(cid, count=1000))
    report = apply_folder(ledger, load_checked(small_folder), local("2021-11-07"))
    assert not report.changes  # applying the same folder again changes nothing
    assert len(ledger.audit(cid, count=1000)) == before


def test_replayed_tick_and_two_beats_change_nothing_twice(ledger: Ledger, small_folder: Path) -> None:
    cid = _apply(ledger, small_folder)
    now = local("2021-11-08", "09:30")
    SimulatedClock(ledger).set(now)
    a, b = Collect(), Collect()
    tick(ledger, now, a)
    tick(ledger, now, b)
    assert len(a.sent) == 3 and b.sent == []  # three renders (one per account) handed out once
    InlineDispatch(ledger).render([pid for _, pid in a.sent])
    now = local("2021-11-08", "10:30")
    SimulatedClock(ledger).set(now)
    a, b = Collect(), Collect()
    tick(ledger, now, a)
    tick(ledger, now, b)
    assert sorted(k for k, _ in a.sent) == ["publish", "publish", "publish"] and b.sent == []
    audit = Counter((e["post"], e["to"]) for e in ledger.iter_audit(cid))
    assert all(n == 1 for n in audit.values())


@pytest.mark.parametrize("told", [True, False])
def test_a_replays_tick_sets_the_clock_its_tasks_read(ledger: Ledger, small_folder: Path, told: bool) -> None:
    """``set_clock``: the simulated now is the tick's before anything is handed out, whether the tick is
    told its campaigns (a replay) or looks for those awake; without it the clock is left alone."""
    cid = _apply(ledger, small_folder)
    campaigns = [cid] if told else None
    clock = SimulatedClock(ledger)
    before = local("2021-11-08", "08:00")
    clock.set(before)
    tick(ledger, local("2021-11-08", "08:10"), Collect(), campaigns=campaigns)
    assert clock.now() == before
    now = local("2021-11-08", "09:30")
    seen: list[object] = []

    class Reads(Collect):
        def render(self, ids):  # type: ignore[no-untyped-def]
            seen.append(clock.now())
            super().render(ids)

    tick(ledger, now, Reads(), campaigns=campaigns, set_clock=True)
    assert seen == [now] and clock.now() == now


def test_render_is_true_as_of_the_due_date(ledger: Ledger, small_folder: Path) -> None:
    cid = _apply(ledger, small_folder)
    now = local("2021-11-08", "09:30")
    SimulatedClock(ledger).set(now)
    tick(ledger, now, InlineDispatch(ledger))
    post = ledger.post(f"{cid}:2021-11-08:a-en")
    assert post.state == "rendered" and post.caption and post.card and post.alt
    applied = load_applied(ledger, cid)
    person = applied.roster.by_id()[post.slot.people[0]]
    days = facts(person, local("2021-11-08").date()).days_detained
    assert str(days) in post.caption or person.name.get("en") in post.caption
    assert ledger.get_blob(post.card)[:2] == b"\xff\xd8"  # a JPEG
    assert post.alt["en"]


def test_release_known_before_due_replans_rendered_posts(ledger: Ledger, small_folder: Path) -> None:
    """The roster changes after a card is rendered and before it is due: it is re-rendered, never stale."""
    cid = _apply(ledger, small_folder)
    SimulatedClock(ledger).set(local("2021-11-08", "09:30"))
    tick(ledger, local("2021-11-08", "09:30"), InlineDispatch(ledger))
    pid = f"{cid}:2021-11-08:a-en"
    featured = ledger.post(pid).slot.people
    assert ledger.state(pid) == "rendered"
    roster = yaml.safe_load((small_folder / "roster.yaml").read_text())
    for person in roster["people"]:
        if person["id"] == featured[0]:
            person["events"] = [e for e in person["events"] if e["type"] != "released"]
            person["events"].append({"date": "2021-11-08", "type": "released"})
    write_folder(small_folder, roster=roster)
    report = apply_folder(ledger, load_checked(small_folder), local("2021-11-08", "09:40"))
    assert pid in report.changes.replanned
    post = ledger.post(pid)
    assert post.state == "planned" and featured[0] not in post.slot.people
    assert any(featured[0] in line for line in report.lines())


def test_whole_small_campaign_inline(ledger: Ledger, small_folder: Path, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    cid = _apply(ledger, small_folder, outbox=outbox)
    applied = load_applied(ledger, cid)
    start, end = simulation_window(applied)
    result = run_simulation(ledger, applied, InlineDispatch(ledger), start=start, until=end)
    states = assert_exactly_once(ledger, cid, outbox)
    assert Counter(states.values()) == {"posted": 21}
    # Rong Chhun is released on 12 Nov (known only from that day): never featured from then on.
    for rec in outbox_records(outbox):
        if rec["id"] >= f"{cid}:2021-11-12":
            assert "Rong Chhun" not in rec["caption"]
    assert result.steps > 10


def test_clock_jumping_days_ahead_misses_never_posts_late(ledger: Ledger, small_folder: Path, tmp_path: Path) -> None:
    cid = _apply(ledger, small_folder, outbox=tmp_path / "outbox")
    dispatch = InlineDispatch(ledger)
    now = local("2021-11-08", "09:30")
    SimulatedClock(ledger).set(now)
    tick(ledger, now, dispatch)  # rendered
    jump = local("2021-11-11", "10:30")  # three days later
    SimulatedClock(ledger).set(jump)
    result = tick(ledger, jump, dispatch)
    for day in ("08", "09", "10"):
        for account in ("a-en", "b-km", "c-en"):
            assert ledger.state(f"{cid}:2021-11-{day}:{account}") == "missed"
    assert not any(rec["id"] < f"{cid}:2021-11-11" for rec in outbox_records(tmp_path / "outbox"))
    assert len(result.missed) == 9


def test_review_waits_for_approval(ledger: Ledger, small_folder: Path) -> None:
    from campaign.pipeline import approve

    campaign = yaml.safe_load((small_folder / "campaign.yaml").read_text())
    campaign["review"] = {"required": True, "window": "1d"}
    write_folder(small_folder, campaign=campaign)
    cid = _apply(ledger, small_folder)
    now = local("2021-11-08", "10:30")
    SimulatedClock(ledger).set(now)
    dispatch = InlineDispatch(ledger)
    tick(ledger, now, dispatch)
    pid = f"{cid}:2021-11-08:a-en"
    assert ledger.state(pid) == "awaiting_review"
    tick(ledger, now, dispatch)
    assert ledger.state(pid) == "awaiting_review"  # never posted without approval
    approved = approve(ledger, cid, now, week=ledger.post(pid).slot.week)
    assert pid in approved
    tick(ledger, now, dispatch)
    assert ledger.state(pid) == "posted"


def test_tick_cost_does_not_grow_with_far_future_posts(ledger: Ledger, small_folder: Path) -> None:
    cid = _apply(ledger, small_folder)
    # The due window only: far-future posts are never read by a tick.
    tick(ledger, local("2021-11-07", "01:00"), Collect())  # warms this process's cache of the definition
    before = ledger.r.info("commandstats").get("cmdstat_hgetall", {}).get("calls", 0)
    tick(ledger, local("2021-11-07", "02:00"), Collect())
    after = ledger.r.info("commandstats").get("cmdstat_hgetall", {}).get("calls", 0)
    assert after - before == 0


def test_a_card_drawn_is_stored_cached_and_timed_with_its_render(ledger: Ledger, small_folder: Path) -> None:
    """A post whose card is new: its card is drawn, its bytes stored and kept in the render cache, and the
    time drawing took recorded (part of the render's); the same card again is found in the cache: not
    drawn, no drawing time."""
    from campaign.ledger import PostRecord
    from campaign.pipeline import render_post

    cid = _apply(ledger, small_folder)
    now = local("2021-11-08", "09:30")
    SimulatedClock(ledger).set(now)
    pid = f"{cid}:2021-11-08:a-en"
    assert render_post(ledger, pid, now) == "rendered"
    post = ledger.post(pid)
    assert post.card and post.draw_seconds is not None and post.render_seconds is not None
    assert 0 < post.draw_seconds <= post.render_seconds
    [key] = [k.decode().removeprefix(ledger.key("rcache", "")) for k in ledger.r.scan_iter(ledger.key("rcache", "*"))]
    cached = ledger.cached_render(key)
    assert cached is not None and cached.card == post.card and ledger.get_blob(post.card)[:2] == b"\xff\xd8"
    again = PostRecord.planned(post.slot, plan_fp=post.plan_fp, people_fp=post.people_fp or {}, render_at=post.render_at)
    assert ledger.replan(again, at=now, worker="t", detail="drawn again")  # back to planned, its card dropped
    assert ledger.post(pid).card is None
    assert render_post(ledger, pid, now) == "rendered"
    post = ledger.post(pid)
    assert post.card == cached.card and post.draw_seconds is None and post.render_seconds is not None
