"""The wake index: a tick looks only at the campaigns that may have work now, and never misses one.

Rules, on a real server, over random sequences of the ledger's operations (plans applied again with
news, renders, approvals, claims and every outcome of a publish, look-ups, retries, pauses, cancels,
the clock moving on or set back):

* after every operation, each campaign's wake scores are no later than its earliest pending work:
  every index head, and the moment its plan signature changes;
* a tick that reads the wake index hands out exactly what a tick over every campaign hands out (on a
  twin ledger that went through the same operations), and leaves every post in the same state.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign.checks import CheckedFolder, load_checked
from campaign.ledger import CardRef, Ledger
from campaign.ledger.states import AWAITING_REVIEW, CANCELLED, IN_DOUBT, PAUSED, PLANNED, QUEUED, RETRYABLE
from campaign.ledger.trips import RoundTrips
from campaign.pipeline import apply_folder, load_applied, tick
from campaign.pipeline.replan import plan_signature, signature_window
from campaign.pipeline.settings import Settings
from campaign.pipeline.tick import TickResult
from campaign.redis_server import EmbeddedRedis
from tests.pipeline_fixtures import *  # noqa: F403
from tests.pipeline_fixtures import TEST_PREFIX
from tests.test_pipeline_tick import Collect

CARD = CardRef("abc", "jpeg", {"en": "alt"}, ())
START = local("2021-11-08", "08:00")  # the first render at 09:00, due at 10:00
OUTBOX = {"force_outbox": "1", "outbox_dir": "/nonexistent"}


def _roster(*news: dict) -> dict:
    """The small roster with ``news`` (events) for Sar Kanika."""
    people = [dict(p) for p in SMALL_ROSTER["people"]]
    people[1] = {**people[1], "events": [*people[1]["events"], *news]}
    return {"people": people}


class Folders(list[list[CheckedFolder]]):
    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return f"<{sum(map(len, self))} campaign folders>"


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Folders:
    """Two campaigns (one without review, one with), each in three versions: as it was, with a release
    ahead, and with a release ahead and another caption."""
    root = tmp_path_factory.mktemp("wake")
    review = {**SMALL_CAMPAIGN, "id": "rev", "review": {"required": True, "window": "1d"}, "max_lateness": "2h"}
    out = Folders()
    for campaign in (SMALL_CAMPAIGN, review):
        cid = campaign["id"]
        worded = {**campaign, "captions": {**campaign["captions"], "en": {"weekly": ["{name}: {days} days."]}}}
        released = _roster({"date": "2021-11-10", "type": "released"})
        out.append([load_checked(write_folder(root / f"{cid}-{i}", campaign=c, roster=r))
                    for i, (c, r) in enumerate(((campaign, None), (campaign, released), (worded, released)))])
    return out


@pytest.fixture
def twin(redis_server: EmbeddedRedis) -> Iterator[Ledger]:
    """A second ledger on the same server: the same operations, ticked over every campaign."""
    led = Ledger.from_url(db_url(redis_server, 0), prefix="twin:")
    led.wipe()
    yield led
    led.wipe()
    led.r.close()


def _head(ledger: Ledger, cid: str, name: str) -> float:
    first = ledger.index(cid, name, limit=1)
    return first[0][1] if first else math.inf


def assert_wake_covers(ledger: Ledger, now: datetime) -> None:
    """Each campaign's wake scores are no later than its earliest pending work (a cancelled campaign
    has none: the tick leaves it alone)."""
    for cid in ledger.campaigns():
        status = ledger.campaign_field(cid, "status")
        if status == CANCELLED:
            continue
        at, real, since = ledger.wake_scores(cid)
        real = math.inf if real is None else real
        since = -math.inf if since is None else since
        assert at is not None, f"{cid} has no wake entry"
        if at == -math.inf:
            continue  # awake (a field or its status just changed): the next tick looks at it and works its scores out
        applied = load_applied(ledger, cid)
        paused = status == PAUSED
        assert at <= _head(ledger, cid, "render"), f"{cid}: a render before its wake"
        assert at <= _head(ledger, cid, "due") + (applied.max_lateness if paused else 0), f"{cid}: a due post"
        for name in ("rendering", "leases", "doubt") + (() if paused else ("queued",)):
            assert real <= _head(ledger, cid, name), f"{cid}: {name} before its wake"
        t = now.timestamp()
        if ledger.campaign_field(cid, "plan_sig") != plan_signature(applied, now):
            assert at <= t or since > t, f"{cid}: its plan signature changed and it sleeps"
        else:
            begins, ends = signature_window(applied, now)  # the same signature only between these
            assert at <= ends, f"{cid}: it sleeps past the next change of its plan signature"
            assert since >= begins or at == -math.inf, f"{cid}: a clock set back before its signature began sleeps"


def _handed(result: TickResult) -> dict[str, object]:
    out: dict[str, object] = {name: sorted(getattr(result, name))
                              for name in ("render", "queued", "resent", "missed", "in_doubt", "reconcile")}
    out["changes"] = {cid: tuple(sorted(getattr(c, f)) for f in ("added", "replanned", "withdrawn", "kept"))
                      for cid, c in result.changes.items()}
    return out


@dataclass
class Run:
    """The same operations on two ledgers at the same campaign time."""

    ledgers: tuple[Ledger, Ledger]
    folders: list[list[CheckedFolder]]
    settings: Settings
    rng: random.Random
    now: datetime = START

    def each(self, act: Callable[[Ledger], object]) -> None:
        for ledger in self.ledgers:
            act(ledger)

    def pick(self, states: tuple[str, ...]) -> list[str]:
        """Some of the posts in ``states`` (each with even odds), as the workers would take them."""
        ledger = self.ledgers[0]
        return [pid for cid in ledger.campaigns() for pid, (state, _) in sorted(ledger.plan_views(cid).items())
                if state in states and self.rng.random() < 0.5]

    def tick(self) -> None:
        wake, every = self.ledgers
        woke = tick(wake, self.now, Collect(), self.settings)
        full = tick(every, self.now, Collect(), self.settings, campaigns=every.campaigns())
        assert _handed(woke) == _handed(full), "the wake index left out work a tick over every campaign found"


def _apply(run: Run) -> None:
    folder = run.rng.choice(run.rng.choice(run.folders))
    run.each(lambda led: apply_folder(led, folder, run.now, OUTBOX, run.settings))


def _time(run: Run) -> None:
    """The clock moves on, mostly by minutes or hours, now and then set back an hour or a day."""
    step = run.rng.choice([5, 10, 20, 30, 60, 120, 240, 720, -60]) if run.rng.random() > 0.03 else -1440
    run.now += timedelta(minutes=step)


def _render(run: Run) -> None:
    for pid in run.pick((PLANNED,)):
        failed = run.rng.random() < 0.1
        for led in run.ledgers:
            if failed:
                led.record_render_failed(pid, ValueError("no card"), at=run.now, worker="w")
            else:
                review = load_applied(led, led.campaign_of(pid)).review_required
                led.record_rendered(led.post(pid), CARD, "caption", shown_fp="s", review=review, at=run.now,
                                    worker="w")


def _approve(run: Run) -> None:
    for pid in run.pick((AWAITING_REVIEW,)):
        run.each(lambda led: led.approve(led.post(pid), by="person", at=run.now))  # noqa: B023


def _publish(run: Run) -> None:
    """Workers claim queued posts, then post each, fail, wait, are unsure, find it stale, or die."""
    for pid in run.pick((QUEUED,)):
        outcome = run.rng.choice(["posted", "posted", "failed", "requeue", "in_doubt", "stale", "died"])
        hold = run.rng.choice([0.0, 3600.0])
        for led in run.ledgers:
            _publish_one(led, pid, outcome, hold, run)


def _publish_one(led: Ledger, pid: str, outcome: str, hold: float, run: Run) -> None:
    applied = load_applied(led, led.campaign_of(pid))
    claimed, _, post, _ = led.claim_publish(pid, run.now, lease=hold, max_lateness=applied.max_lateness,
                                            end_limit=applied.end_limit, resend_after=run.settings.resend_after)
    if claimed != "claimed" or post is None:
        return
    error = RuntimeError(outcome)
    if outcome == "posted":
        led.record_posted(pid, "r1", "https://example.org/r1", at=run.now, worker="w")
    elif outcome == "failed":
        led.record_failed(pid, error, outcome="rejected", at=run.now, worker="w")
    elif outcome == "requeue":
        led.requeue(pid, error, outcome="retry", until=time.time() + hold, at=run.now, worker="w")
    elif outcome == "in_doubt":
        led.mark_in_doubt(pid, error, at=run.now, worker="w")
    elif outcome == "stale":
        led.record_stale(post, at=run.now, worker="w", detail="stale")


def _doubt(run: Run) -> None:
    for pid in run.pick((IN_DOUBT,)):
        how = run.rng.choice(["requeue", "resolve", "hold", "confirm"])
        for led in run.ledgers:
            post = led.post(pid)
            if how == "requeue":
                led.requeue_in_doubt(post, at=run.now, worker="w", detail="not found")
            elif how == "resolve":
                led.resolve_not_posted(pid, at=run.now, worker="person")
            elif how == "hold":
                led.hold_in_doubt(post, why="cannot look it up", at=run.now, worker="w")
            else:
                led.confirm_posted(pid, "r2", "https://example.org/r2", at=run.now, worker="w", detail="found")


def _retry(run: Run) -> None:
    for pid in run.pick(RETRYABLE):
        run.each(lambda led: led.retry(led.post(pid), at=run.now, worker="person", detail="retry"))  # noqa: B023


def _status(run: Run) -> None:
    ledger = run.ledgers[0]
    cids = [cid for cid in ledger.campaigns() if ledger.campaign_field(cid, "status") != CANCELLED]
    if not cids:
        return
    cid = run.rng.choice(cids)
    status = run.rng.choice([PAUSED] * 4 + ["active"] * 5 + [CANCELLED])
    run.each(lambda led: led.set_status(cid, status, at=run.now, worker="person"))


OPERATIONS: dict[str, Callable[[Run], None]] = {
    "apply": _apply, "time": _time, "render": _render, "approve": _approve, "publish": _publish,
    "doubt": _doubt, "retry": _retry, "status": _status, "tick": Run.tick,
}
#: The operations as often as a run meets them, roughly: ticks and time passing most.
STEPS = [*OPERATIONS, "tick", "tick", "tick", "time", "time", "render", "publish", "publish"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), quick=st.booleans(),
       steps=st.lists(st.sampled_from(STEPS), min_size=20, max_size=80))
def test_the_wake_index_covers_all_work_and_a_tick_over_it_hands_out_what_a_tick_over_every_campaign_does(
        ledger: Ledger, twin: Ledger, folders: list[list[CheckedFolder]], seed: int, quick: bool,
        steps: list[str]) -> None:
    ledger.wipe()
    twin.wipe()
    span = 0.0 if quick else 3600.0  # leases, resends and look-ups: all due at the next tick, or none
    run = Run((ledger, twin), folders, Settings(lease=span, render_lease=span, resend_after=span,
                                                reconcile_after=span), random.Random(seed))
    _apply(run)
    for step in ["tick", *steps, "tick"]:
        OPERATIONS[step](run)
        assert_wake_covers(ledger, run.now)
        states = [{pid: state for cid in led.campaigns() for pid, (state, _) in led.plan_views(cid).items()}
                  for led in run.ledgers]
        assert states[0] == states[1], f"after {step}, the two ledgers differ"


def test_a_tick_with_nothing_due_reads_only_the_wake_index(ledger: Ledger, redis_server: EmbeddedRedis,
                                                           small_folder: Path) -> None:
    """Over one campaign or six: one round trip, one script (the wake index read), however many campaigns."""
    trips = RoundTrips(db_url(redis_server, 0))
    counted = Ledger(trips.client, prefix=TEST_PREFIX)
    now = local("2021-11-07", "12:00")  # the first render is an hour before 10:00 tomorrow
    costs = []
    for n in (1, 6):
        for i in range(n):
            folder = write_folder(small_folder.parent / f"c{i}", campaign={**SMALL_CAMPAIGN, "id": f"c{i}"})
            apply_folder(ledger, load_checked(folder), now, OUTBOX)
        first = Collect()
        tick(counted, now, first)  # every campaign applied just now is looked at once
        assert first.sent == []
        scripts, start = _evalsha(ledger), trips.count
        result = tick(counted, now, Collect())
        costs.append((trips.since(start), _evalsha(ledger) - scripts))
        assert not any(_handed(result).values())
    assert costs == [(1, 1), (1, 1)]


def _evalsha(ledger: Ledger) -> int:
    return int(ledger.r.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0))


def test_a_campaign_sleeps_until_its_work_and_wakes_for_it(ledger: Ledger, small_folder: Path) -> None:
    """Its first render, its first due post, and the start of the day a roster event becomes known."""
    folder = write_folder(small_folder.parent / "news", roster=_roster({"date": "2021-11-10", "type": "released"}))
    start = local("2021-11-07", "12:00")
    apply_folder(ledger, load_checked(folder), start, OUTBOX)
    tick(ledger, start, Collect())
    first_render = _head(ledger, "small", "render")
    assert ledger.wake_scores("small")[0] == first_render == local("2021-11-08", "09:00").timestamp()
    for hm, renders, wakes in (("08:59", 0, "09:00"), ("09:00", 1, "09:10"), ("09:05", 0, "09:10"), ("09:20", 2, "10:00")):
        sent = Collect()
        tick(ledger, local("2021-11-08", hm), sent)  # the accounts' posts are ten minutes apart
        assert len(sent.sent) == renders
        assert ledger.wake_scores("small")[0] == local("2021-11-08", wakes).timestamp()  # the next render, then due
    for pid in ledger.post_ids("small"):
        if ledger.state(pid) == PLANNED:
            ledger.record_rendered(ledger.post(pid), CARD, "c", shown_fp="s", review=False, at=start, worker="w")
    moment = local("2021-11-09", "12:00")
    tick(ledger, moment, Collect())  # every post of the first two days is queued
    begins, ends = signature_window(load_applied(ledger, "small"), moment)
    assert (begins, ends) == (local("2020-08-07").timestamp(), local("2021-11-10").timestamp())  # her arrest, her release
    assert ledger.wake_scores("small")[0] == ends  # nothing else is due before her release becomes known
    assert tick(ledger, local("2021-11-09", "23:59"), Collect()).changes == {}
    result = tick(ledger, local("2021-11-10"), Collect())
    assert result.changes["small"]  # the posts about her after her release change


def test_a_ledger_from_before_the_wake_index_wakes_every_campaign(ledger: Ledger, small_folder: Path) -> None:
    """Also when a post of another campaign moved since (its campaign in the index, this one not)."""
    apply_folder(ledger, load_checked(small_folder), START, OUTBOX)
    ledger.r.delete(*ledger.wake_keys(), ledger.key("wake", "built"))
    other = write_folder(small_folder.parent / "other", campaign={**SMALL_CAMPAIGN, "id": "other"})
    apply_folder(ledger, load_checked(other), START, OUTBOX)  # written by this version: in the index
    assert ledger.r.zcard(ledger.key("wake")) < len(ledger.campaigns())
    again = Settings(render_lease=0.0)  # each tick hands out the same renders again
    sent = Collect()
    tick(ledger, local("2021-11-08", "09:30"), sent, again)
    assert sorted(pid.split(":")[0] for _, pid in sent.sent) == ["other"] * 3 + ["small"] * 3
    ledger.r.delete(*ledger.wake_keys(), ledger.key("wake", "built"))
    ledger.r.srem(ledger.key("campaigns"), "other")  # a campaign's posts, the campaign itself not (yet) applied
    ledger.replan(ledger.post("other:2021-11-09:a-en"), at=START, worker="w", detail="test")
    assert ledger.r.zcard(ledger.key("wake")) == len(ledger.campaigns()) == 1
    sent = Collect()
    tick(ledger, local("2021-11-08", "09:30"), sent, again)
    assert sorted(pid.split(":")[0] for _, pid in sent.sent) == ["small"] * 3


def test_resuming_a_paused_campaign_wakes_it(ledger: Ledger, small_folder: Path) -> None:
    """Paused, its due posts and its queued posts wait (it sleeps until its posts would be missed);
    resumed, the next tick queues and sends them."""
    start, resend = local("2021-11-08", "08:00"), Settings(resend_after=0.0)  # a queued post is sent again at once
    apply_folder(ledger, load_checked(small_folder), start, OUTBOX)
    for pid in ledger.post_ids("small"):
        ledger.record_rendered(ledger.post(pid), CARD, "c", shown_fp="s", review=False, at=start, worker="w")
    assert tick(ledger, local("2021-11-08", "10:00"), Collect(), resend).queued == ["small:2021-11-08:a-en"]
    ledger.set_status("small", PAUSED, at=start, worker="person")
    paused = local("2021-11-08", "10:30")
    assert tick(ledger, paused, Collect(), resend).publish == []  # b-km (10:10) and c-en (10:20) wait
    at, real, _ = ledger.wake_scores("small")
    assert at == local("2021-11-08", "10:10").timestamp() + 6 * 3600 and real is None  # missed then; nothing to send
    assert tick(ledger, paused, Collect(), resend).publish == []
    ledger.set_status("small", "active", at=paused, worker="person")
    result = tick(ledger, paused, Collect(), resend)
    assert sorted(result.queued) == ["small:2021-11-08:b-km", "small:2021-11-08:c-en"]
    assert "small:2021-11-08:a-en" in result.resent


def test_a_clock_set_back_before_a_roster_event_plans_again(ledger: Ledger, small_folder: Path) -> None:
    """Known on the 12th, Rong Chhun's release becomes unknown when the clock is set back to the 11th:
    the tick plans again (as a tick over every campaign would), though nothing else is due."""
    after = local("2021-11-12", "00:30")
    apply_folder(ledger, load_checked(small_folder), after, OUTBOX)
    tick(ledger, after, Collect())
    assert ledger.wake_scores("small")[2] == local("2021-11-12").timestamp()
    before = local("2021-11-11", "23:30")
    assert tick(ledger, before, Collect()).changes["small"]  # his posts of the 12th on say he is held
    assert tick(ledger, after, Collect()).changes["small"]  # and again that he is free
