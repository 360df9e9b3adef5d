"""Approvals follow the card: re-planning keeps an approval exactly while the post's card and
caption stay the same, says (in ``campaign apply`` and in the audit stream) which approvals it
withdrew and why, and ``campaign retry`` says when a post must be approved again.

Real Redis (the session's private server), the real CLI (click's runner) and the real pipeline in
this process on a simulated clock; the small campaign runs daily 8-14 November 2021 with three
people in rotation (rong-chhun, sar-kanika, ton-nimol) on three accounts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from campaign.cli import main
from campaign.clock import SimulatedClock
from campaign.ledger import Ledger
from campaign.pipeline import InlineDispatch, tick
from tests.pipeline_fixtures import *  # noqa: F403

PREFIX = "cli:"
BEFORE = local("2021-11-07", "12:00")  # the day before the campaign starts


@pytest.fixture
def cli(redis_server, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``campaign ...`` against db 2 of the session's redis-server, on a simulated clock."""
    url = db_url(redis_server, 2)
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setenv("CAMPAIGN_KEY_PREFIX", PREFIX)
    led = Ledger.from_url(url, prefix=PREFIX)
    led.wipe()
    SimulatedClock(led).set(BEFORE)

    def invoke(*args: object, code: int = 0):  # type: ignore[no-untyped-def]
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    invoke.ledger = led  # type: ignore[attr-defined]
    yield invoke
    led.wipe()
    led.r.close()


def _reviewed(folder: Path, cli) -> Ledger:  # type: ignore[no-untyped-def]
    """Apply the small campaign with review (window 10 days: every card renders at once), render
    every card and approve them all; returns the ledger."""
    campaign = yaml.safe_load((folder / "campaign.yaml").read_text())
    campaign["review"] = {"required": True, "window": "10d"}
    write_folder(folder, campaign=campaign)
    cli("apply", folder, "--outbox", folder / "outbox")
    led = cli.ledger
    tick(led, BEFORE, InlineDispatch(led))
    assert set(json.loads(cli("status", "--json").output)["states"]) == {"awaiting_review"}
    assert "approved 21 posts" in cli("approve", "small", "--week", "1").output
    return led


def _edit(folder: Path, name: str, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load((folder / name).read_text())
    change(data)
    (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _states(led: Ledger) -> dict[str, str]:
    return {p.id: p.state for p in led.posts("small")}


def _features(led: Ledger, person: str) -> set[str]:
    return {p.id for p in led.posts("small") if person in p.slot.people}


def test_a_featured_persons_new_facts_withdraw_only_their_approvals(cli, small_folder: Path) -> None:  # type: ignore[no-untyped-def]
    led = _reviewed(small_folder, cli)
    tons = _features(led, "ton-nimol")
    assert len(tons) == 6  # 10 and 13 November, three accounts each

    def new_charge(roster: dict) -> None:
        roster["people"][2]["events"][0]["charge"] = {"en": "plotting against the state"}

    _edit(small_folder, "roster.yaml", new_charge)
    result = cli("apply", small_folder)
    # Said in apply: how many, why, the first ids, and how to approve them again.
    assert "small: 6 approvals withdrawn (the card or caption changed):" in result.output
    shown = sorted(tons)[:3]
    assert f"  facts of ton-nimol changed: {', '.join(shown)} and 3 more" in result.output
    assert "campaign approve small --week N (week 1)" in result.output
    states = _states(led)
    assert {states[pid] for pid in tons} == {"planned"}
    # Everyone else's card did not change: their approvals stand, nothing said about them.
    assert {s for pid, s in states.items() if pid not in tons} == {"approved"}
    # The audit stream has each withdrawal with its reason, in the same atomic move.
    moves = [e for e in led.iter_audit("small") if e["post"] in tons and e["to"] == "planned" and e["from"]]
    assert len(moves) == 6
    assert all(e["from"] == "approved" and e["detail"] == "re-planned, approval withdrawn: facts of ton-nimol changed"
               for e in moves)
    # status lists them while they wait for a new approval ...
    status = json.loads(cli("status", "--json").output)["unapproved"]
    assert sorted(w["post"] for w in status) == sorted(tons)
    assert {w["reason"] for w in status} == {"facts of ton-nimol changed"}
    assert ("approvals withdrawn (the card or caption changed; approve again once rendered; times in Asia/Phnom_Penh):"
            in cli("status").output)
    # ... re-rendered, the new cards wait for a person again; approved, they are settled.
    tick(led, BEFORE, InlineDispatch(led))
    assert {_states(led)[pid] for pid in tons} == {"awaiting_review"}
    assert "approved 6 posts" in cli("approve", "small", "--week", "1").output
    assert json.loads(cli("status", "--json").output)["unapproved"] == []


def test_an_unrelated_persons_new_facts_keep_every_approval_of_others(cli, small_folder: Path) -> None:  # type: ignore[no-untyped-def]
    led = _reviewed(small_folder, cli)
    before = {p.id: (p.shown_fp, p.approved_fp, p.card) for p in led.posts("small")}
    tons = _features(led, "ton-nimol")

    def hearing(roster: dict) -> None:  # a hearing for ton-nimol: his facts change, nobody else's
        roster["people"][2]["events"].append({"date": "2021-12-01", "type": "hearing"})

    _edit(small_folder, "roster.yaml", hearing)
    result = cli("apply", small_folder)
    assert "approvals withdrawn" in result.output and "facts of ton-nimol changed" in result.output
    after = {p.id: p for p in led.posts("small")}
    for pid, (shown, approved, card) in before.items():
        if pid in tons:
            continue
        post = after[pid]
        assert post.state == "approved", pid
        assert (post.shown_fp, post.approved_fp, post.card) == (shown, approved, card)
    assert not any(pid in result.output for pid in before if pid not in tons)


def test_a_new_time_keeps_the_approval_of_the_same_card(cli, small_folder: Path) -> None:  # type: ignore[no-untyped-def]
    led = _reviewed(small_folder, cli)
    before = {p.id: p for p in led.posts("small")}
    _edit(small_folder, "campaign.yaml", lambda c: c["cadence"].update(time="11:30"))
    result = cli("apply", small_folder)
    assert "approvals withdrawn" not in result.output
    assert "small: 21 approvals kept: card and caption unchanged" in result.output
    for post in led.posts("small"):
        old = before[post.id]
        assert post.state == "approved"
        assert post.due > old.due  # re-timed ...
        assert (post.card, post.caption, post.approved_fp) == (old.card, old.caption, old.approved_fp)
    due = dict(led.index("small", "due"))
    assert all(due[p.id] == p.due for p in led.posts("small"))  # ... in the due index too
    kept = [e for e in led.iter_audit("small") if e["detail"].startswith("re-planned, card and caption unchanged")]
    assert len(kept) == 21 and all(e["from"] == e["to"] == "approved" for e in kept)
    assert "approval kept" in kept[0]["detail"] and "11:30" in kept[0]["detail"]


def test_a_new_caption_withdraws_the_approvals_of_the_posts_using_it(cli, small_folder: Path) -> None:  # type: ignore[no-untyped-def]
    led = _reviewed(small_folder, cli)
    posts = {p.id: p for p in led.posts("small")}
    variant0_en = {pid for pid, p in posts.items() if p.slot.language == "en" and p.slot.variant % 2 == 0}
    assert variant0_en

    def reword(c: dict) -> None:
        c["captions"]["en"]["weekly"][0] = "Week {week}: free {name}, held for {duration}. {hashtags}"

    _edit(small_folder, "campaign.yaml", reword)
    result = cli("apply", small_folder)
    n = len(variant0_en)
    assert f"small: {n} approval{'s' if n != 1 else ''} withdrawn" in result.output
    assert "  caption changed: " in result.output
    states = _states(led)
    assert {states[pid] for pid in variant0_en} == {"planned"}
    assert {s for pid, s in states.items() if pid not in variant0_en} == {"approved"}


def test_retry_keeps_an_approval_whose_card_is_unchanged_and_says_so(cli, small_folder: Path) -> None:  # type: ignore[no-untyped-def]
    led = _reviewed(small_folder, cli)
    pid = "small:2021-11-09:a-en"
    put_in_state(led, pid, "approved", "failed", at=BEFORE, error="502")
    result = cli("retry", pid)
    assert result.output.startswith(f"{pid}: approved; its approval stands (the card and caption are the ones "
                                    "approved ")
    assert led.state(pid) == "approved"
    due = dict(led.index("small", "due"))
    assert pid in due  # it goes out at its time, with the card approved


def test_retry_says_when_the_post_must_be_approved_again_and_why(cli, small_folder: Path) -> None:  # type: ignore[no-untyped-def]
    led = _reviewed(small_folder, cli)
    failed = "small:2021-11-10:a-en"  # ton-nimol's
    put_in_state(led, failed, "approved", "failed", at=BEFORE, error="502")

    def new_charge(roster: dict) -> None:
        roster["people"][2]["events"][0]["charge"] = {"en": "plotting against the state"}

    _edit(small_folder, "roster.yaml", new_charge)
    cli("apply", small_folder)  # the failed post is not pending: apply leaves it alone
    result = cli("retry", failed)
    assert result.output.strip() == (
        f"{failed}: planned; it must be approved again before it goes out: facts of ton-nimol changed since it "
        f"was approved; its card is rendered again at the next tick, then: campaign approve {failed}")
    assert led.state(failed) == "planned"
    entry = next(e for e in led.audit("small", count=5) if e["post"] == failed)
    assert entry["detail"] == "retried by a person; to be approved again: facts of ton-nimol changed since it was approved"
    # A post that was never approved says so.
    missed = "small:2021-11-14:b-km"
    put_in_state(led, missed, "approved", "awaiting_review", at=BEFORE, delete=("approved_fp", "approved_at"))
    put_in_state(led, missed, "awaiting_review", "missed", at=BEFORE)
    assert "it has no approval on record (it was not approved before it was missed)" in cli("retry", missed).output


def test_retry_without_review_says_nothing_of_approval(cli, small_folder: Path) -> None:  # type: ignore[no-untyped-def]
    cli("apply", small_folder, "--outbox", small_folder / "outbox")
    pid = "small:2021-11-09:a-en"
    put_in_state(cli.ledger, pid, "planned", "failed", at=BEFORE)
    assert cli("retry", pid).output == f"{pid}: planned\n"


def test_an_action_from_the_command_line_is_recorded_under_the_login_name_of_who_ran_it() -> None:
    """``campaign approve`` and the others record who ran them (their login name, machine and
    process), not an anonymous ``person``; a person's name always has an ``@``, a worker's never."""
    import getpass

    from campaign.alerts.incidents import _is_person
    from campaign.ledger import person_name, worker_name

    me = person_name()
    assert me == f"{getpass.getuser()}@{worker_name()}" and person_name("sokha@web") == "sokha@web"
    assert _is_person({"worker": me}) and _is_person({"worker": "sokha@web"})
    assert not _is_person({"worker": worker_name()})
