"""Rehearsal faults, their rules without worker processes: the spec, the seeded choice of posts, and
the fault-injecting publisher behind the Settings publishers seam (real Redis, the real outbox).

The replays through a real Celery worker are in test_rehearsal_replay.py (slow)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import main
from campaign.clock import SimulatedClock
from campaign.checks import load_checked
from campaign.definition import Account
from campaign.ledger import Ledger
from campaign.pipeline import apply_folder, load_applied
from campaign.pipeline.faults import (KINDS, Candidate, FaultInjector, FaultSpecError, choose, load_plan, parse_spec,
                                      store_plan)
from campaign.pipeline.rehearsal import plan_rehearsal
from campaign.pipeline.settings import PUBLISHERS, REHEARSAL_ENV, Settings
from campaign.pipeline.simulate import simulation_window
from campaign.publishers import (AuthFailed, Context, OutcomeUnknown, Post, RateLimited, Rejected, Transient,
                                 get_publisher)
from tests.pipeline_fixtures import *  # noqa: F403

KIND_LIST = ", ".join(KINDS)


# --- the spec -------------------------------------------------------------------------------------

def test_a_spec_reads_as_counts_per_kind() -> None:
    assert parse_spec("auth:1,transient:3,in_doubt:1,missed:1") == {"auth": 1, "transient": 3, "in_doubt": 1,
                                                                     "missed": 1}
    assert parse_spec(" rate_limit : 2 , rejected") == {"rate_limit": 2, "rejected": 1}  # a bare kind: one post


@pytest.mark.parametrize(("spec", "bad"), [
    ("auth:1,bogus:2", "'bogus:2'"), ("auth:0", "'auth:0'"), ("transient:three", "'transient:three'"),
    ("auth:1,auth:2", "'auth:2'"), ("auth:1,,missed:1", "''"), ("missed:-1", "'missed:-1'"), ("auth:²", "'auth:²'"),
    ("", "empty"), ("Auth:1", "'Auth:1'"),
])
def test_a_bad_spec_names_the_bad_part_and_lists_the_kinds(spec: str, bad: str) -> None:
    with pytest.raises(FaultSpecError) as err:
        parse_spec(spec)
    assert bad in str(err.value) and KIND_LIST in str(err.value)


def test_the_cli_refuses_a_bad_spec_before_starting_anything(small_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["simulate", str(small_folder), "--out", str(out), "--faults", "auth:1,oops:2"])
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--faults'" in result.output and "'oops:2'" in result.output
    assert KIND_LIST in result.output and "Traceback" not in result.output
    assert not out.exists()
    result = CliRunner().invoke(main, ["simulate", str(small_folder), "--out", str(out), "--seed", "4"])
    assert result.exit_code == 2 and "give --faults too" in result.output and not out.exists()


# --- which posts meet which fault ------------------------------------------------------------------

CANDIDATES = [Candidate(f"c:2021-11-{day:02d}:{acc}", acc) for day in range(1, 29) for acc in ("a", "b", "c", "d")]
SPEC = {"auth": 2, "transient": 3, "rate_limit": 1, "rejected": 2, "in_doubt": 1, "missed": 2}


@pytest.mark.parametrize("seed", range(12))
def test_the_choice_meets_the_spec_and_keeps_blocked_accounts_to_themselves(seed: int) -> None:
    chosen = choose(CANDIDATES, SPEC, seed)
    assert {k: list(chosen.values()).count(k) for k in SPEC} == SPEC
    assert set(chosen) <= {c.post for c in CANDIDATES}
    account = {c.post: c.account for c in CANDIDATES}
    blocked = [account[p] for p, k in chosen.items() if k == "auth"]
    assert len(set(blocked)) == len(blocked)  # one auth fault per account
    assert not [p for p, k in chosen.items() if k != "auth" and account[p] in blocked]


def test_the_same_seed_chooses_the_same_posts_whatever_the_order_of_candidates() -> None:
    shuffled = CANDIDATES[:]
    random.Random(99).shuffle(shuffled)
    for seed in range(5):
        assert choose(shuffled, SPEC, seed) == choose(CANDIDATES, SPEC, seed)
    assert len({tuple(sorted(choose(CANDIDATES, SPEC, seed).items())) for seed in range(10)}) > 1  # the seed matters


def test_asking_for_more_posts_or_accounts_than_there_are_is_refused() -> None:
    with pytest.raises(FaultSpecError, match="auth:5 blocks 5 accounts; the replay has 4"):
        choose(CANDIDATES, {"auth": 5}, 1)
    with pytest.raises(FaultSpecError, match="asks for 113 posts besides the auth ones; the replay has 84 posts"):
        choose(CANDIDATES, {"auth": 1, "transient": 113}, 1)


def test_a_rehearsal_plan_is_chosen_among_the_posts_that_will_be_tried(ledger: Ledger, small_folder: Path,
                                                                       tmp_path: Path) -> None:
    """The same folder, window and seed choose the same posts; a post withdrawn later by the roster's news
    is never chosen (it would not meet its fault)."""
    f = load_checked(small_folder)
    plans = []
    for _ in range(2):
        ledger.wipe()
        start = local("2021-11-06")
        SimulatedClock(ledger).set(start)
        apply_folder(ledger, f, start, {"outbox_dir": str(tmp_path / "outbox"), "force_outbox": "1"})
        applied = load_applied(ledger, f.campaign.id)
        plans.append(plan_rehearsal(ledger, applied, {"transient": 4, "missed": 2}, 11,
                                    end=simulation_window(applied)[1]))
    assert plans[0].posts == plans[1].posts and len(plans[0].posts) == 6
    assert plans[0] == load_plan(ledger, "small")


# --- the publisher seam -----------------------------------------------------------------------------

def _post(pid: str, account: Account) -> Post:
    return Post(id=pid, account=account, text="caption", image=b"\xff\xd8 card", alt="alt", language="en",
                at=datetime(2021, 11, 8, 3, tzinfo=UTC))


@pytest.mark.parametrize(("kind", "error"), [("auth", AuthFailed), ("transient", Transient),
                                             ("rate_limit", RateLimited), ("rejected", Rejected)])
def test_a_planned_post_meets_its_fault_once_then_publishes(ledger: Ledger, tmp_path: Path, kind: str,
                                                            error: type[Exception]) -> None:
    account = Account(id="a-en", organisation="A", platform="outbox", language="en", outbox=str(tmp_path / "box"))
    store_plan(ledger, "small", {kind: 1}, 1, {"small:2021-11-08:a-en": kind}, {"a-en": "mastodon"})
    publisher = FaultInjector(ledger)(account, Context())
    post = _post("small:2021-11-08:a-en", account)
    with pytest.raises(error, match=r"\[rehearsal fault\]"):
        publisher.publish(post)
    assert not list((tmp_path / "box").glob("*.json"))  # the fault came before anything was written
    assert publisher.publish(post).remote_id == post.id  # the next attempt goes out
    other = _post("small:2021-11-09:a-en", account)
    assert publisher.publish(other).remote_id == other.id  # a post without a fault is never touched
    assert load_plan(ledger, "small").met == {post.id: "2021-11-08T03:00:00+00:00"}  # type: ignore[union-attr]


@pytest.mark.parametrize(("stands_for", "can_tell"), [("mastodon", True), ("telegram", False)])
def test_an_in_doubt_post_is_out_and_looked_up_as_its_platform_would(ledger: Ledger, tmp_path: Path,
                                                                      stands_for: str, can_tell: bool) -> None:
    account = Account(id="b-km", organisation="B", platform="outbox", language="km", outbox=str(tmp_path / "box"))
    store_plan(ledger, "small", {"in_doubt": 1}, 1, {"small:2021-11-08:b-km": "in_doubt"}, {"b-km": stands_for})
    publisher = FaultInjector(ledger)(account, Context())
    post = _post("small:2021-11-08:b-km", account)
    with pytest.raises(OutcomeUnknown):
        publisher.publish(post)
    assert len(list((tmp_path / "box").glob("*.json"))) == 1  # accepted: it is out
    if can_tell:
        assert publisher.lookup(post) is not None
    else:
        with pytest.raises(NotImplementedError, match="telegram cannot find a post"):
            publisher.lookup(post)


def test_real_platforms_never_meet_faults_and_only_rehearsal_workers_inject(ledger: Ledger,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    real = Account(id="m", organisation="M", platform="mastodon", language="en", base_url="https://social.example",
                   credentials={"token": "env:UNSET_TOKEN"})
    publisher = FaultInjector(ledger)(real, Context())
    assert type(publisher) is type(get_publisher(real, Context()))
    monkeypatch.delenv(REHEARSAL_ENV, raising=False)
    assert Settings().publishers is PUBLISHERS
    monkeypatch.setenv(REHEARSAL_ENV, "1")
    assert isinstance(Settings().publishers.factory, FaultInjector)
    assert Settings().publishers is Settings().publishers  # one per process: publishers are built once
