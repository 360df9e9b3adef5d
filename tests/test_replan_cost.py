"""Re-planning and the tick cost what changed, not what exists: rules counted in Redis round trips,
in the commands Redis ran (``INFO commandstats``) and in the audit stream."""

from __future__ import annotations

import copy
from pathlib import Path

from campaign.checks import load_checked
from campaign.ledger import Ledger
from campaign.ledger.trips import RoundTrips
from campaign.pipeline import apply_definition, apply_folder, load_applied, tick
from campaign.pipeline.replan import apply_plan
from campaign.pipeline.settings import Settings
from campaign.plan import Slot, plan
from campaign.redis_server import EmbeddedRedis
from campaign.roster import Roster, facts
from tests.pipeline_fixtures import *  # noqa: F403
from tests.pipeline_fixtures import TEST_PREFIX
from tests.test_pipeline_tick import Collect

NOW = "2021-11-07"


def _counted(redis_server: EmbeddedRedis) -> tuple[Ledger, RoundTrips]:
    """A second ledger on the test ledger's database and prefix, whose round trips are counted."""
    trips = RoundTrips(db_url(redis_server, 0))
    return Ledger(trips.client, prefix=TEST_PREFIX), trips


def _calls(ledger: Ledger, command: str) -> int:
    return int(ledger.r.info("commandstats").get(f"cmdstat_{command}", {}).get("calls", 0))


def _apply(ledger: Ledger, root: Path, cid: str = "small", end: str = "2021-11-14",
           roster: dict | None = None) -> str:
    campaign = {**SMALL_CAMPAIGN, "id": cid, "end": end}
    folder = write_folder(root / cid, campaign=campaign, roster=roster)
    apply_folder(ledger, load_checked(folder), local(NOW), {"outbox_dir": str(root / "outbox"), "force_outbox": "1"})
    return cid


def test_tick_round_trips_do_not_grow_with_campaigns(ledger: Ledger, redis_server: EmbeddedRedis,
                                                     tmp_path: Path) -> None:
    cids = [_apply(ledger, tmp_path, f"small-{i}") for i in range(6)]
    counted, trips = _counted(redis_server)
    tick(counted, local("2021-11-08", "01:00"), Collect(), campaigns=cids)  # loads each definition once
    now = local("2021-11-08", "09:30")  # every campaign has three renders to hand out
    one, every = Collect(), Collect()
    start = trips.count
    tick(counted, now, one, campaigns=cids[:1])
    alone = trips.since(start)
    start = trips.count
    tick(counted, now, every, campaigns=cids)
    together = trips.since(start)
    assert alone == together <= 5, (alone, together)
    assert len(one.sent) == 3 and len(every.sent) == 15  # the work is all done: the others' renders handed out


def test_a_replan_that_changes_nothing_reads_no_post_and_costs_the_same_round_trips(
        ledger: Ledger, redis_server: EmbeddedRedis, tmp_path: Path) -> None:
    counted, trips = _counted(redis_server)
    costs = {}
    for cid, end in (("short", "2021-11-14"), ("long", "2022-01-31")):
        _apply(ledger, tmp_path, cid, end)
        applied = load_applied(counted, cid)
        audit = len(ledger.audit(cid, count=100_000))
        reads, start = _calls(ledger, "hgetall"), trips.count
        changes = apply_plan(counted, applied, local(NOW), Settings())
        costs[cid] = trips.since(start)
        assert not changes
        assert _calls(ledger, "hgetall") - reads == 2  # the campaign's states and views hashes; no post read whole
        assert len(ledger.audit(cid, count=100_000)) == audit  # nothing moved
    assert len(ledger.post_ids("long")) > 10 * len(ledger.post_ids("short"))
    assert costs["short"] == costs["long"] <= 2, costs


def _hearing_roster() -> dict:
    """The small roster with a hearing ahead for one person: their facts change on every date before it."""
    roster = copy.deepcopy(SMALL_ROSTER)
    roster["people"][1]["events"].append({"date": "2021-11-11", "type": "hearing"})
    return roster


def _changed(before: list[Slot], after: list[Slot], old: Roster, new: Roster) -> set[str]:
    """Slots whose post must change, worked out from the two plans alone: another slot, or other facts."""
    was = {s.id: s for s in before}

    def fps(roster: Roster, slot: Slot) -> list[str]:
        people = roster.by_id()
        return [facts(people[p], slot.date).fingerprint() for p in slot.people]

    return {s.id for s in after if s.id in was and (s != was[s.id] or fps(old, was[s.id]) != fps(new, s))}


def _replan_after_a_hearing(ledger: Ledger, tmp_path: Path, forget_views: bool) -> tuple[set[str], set[str], int]:
    cid = _apply(ledger, tmp_path)
    if forget_views:  # as a ledger written before plan views were kept
        ledger.r.delete(ledger.key("states", cid), ledger.key("views", cid))
        for pid in ledger.post_ids(cid):
            ledger.r.hdel(ledger.post_key(pid), "plan_view")
    old = load_checked(tmp_path / cid)
    folder = write_folder(tmp_path / cid, campaign={**SMALL_CAMPAIGN, "id": cid}, roster=_hearing_roster())
    new = load_checked(folder)
    now = local(NOW)
    expected = _changed(plan(old.campaign, old.roster, now=now), plan(new.campaign, new.roster, now=now),
                        old.roster.known_as_of(now.date()), new.roster.known_as_of(now.date()))
    audit = {e["id"] for e in ledger.audit(cid, count=100_000)}
    applied = apply_definition(ledger, new, {"outbox_dir": str(tmp_path / "outbox"), "force_outbox": "1"})
    reads = _calls(ledger, "hgetall")
    changes = apply_plan(ledger, applied, now, Settings())
    read = _calls(ledger, "hgetall") - reads
    moved = {e["post"] for e in ledger.audit(cid, count=100_000) if e["id"] not in audit}
    assert set(changes.replanned) == moved and not (changes.added or changes.withdrawn or changes.kept)
    return expected, moved, read


def test_a_replan_moves_and_reads_whole_only_the_posts_whose_plan_changed(ledger: Ledger, tmp_path: Path) -> None:
    expected, moved, read = _replan_after_a_hearing(ledger, tmp_path, forget_views=False)
    assert expected and expected != set(ledger.post_ids("small"))  # some posts, not all
    assert moved == expected
    assert read == 2 + len(expected)  # the campaign's states and views hashes, then each moved post


def test_a_ledger_without_plan_views_replans_the_same_posts(ledger: Ledger, tmp_path: Path) -> None:
    expected, moved, _ = _replan_after_a_hearing(ledger, tmp_path, forget_views=True)
    assert moved == expected
    views = ledger.plan_views("small")
    assert all(views[pid][1] for pid in moved)  # written again with their new plan


def test_the_states_hash_follows_every_move(ledger: Ledger, small_folder: Path, tmp_path: Path) -> None:
    """Every move keeps the campaign's states hash equal to its posts' states, through a whole run."""
    from campaign.pipeline import InlineDispatch
    from campaign.pipeline.simulate import run_simulation, simulation_window

    cid = _apply(ledger, tmp_path)
    applied = load_applied(ledger, cid)
    begin, end = simulation_window(applied)
    run_simulation(ledger, applied, InlineDispatch(ledger), start=begin, until=end)
    states = {p.id: p.state for p in ledger.posts(cid)}
    assert set(states.values()) >= {"posted"}
    assert {pid: state for pid, (state, _) in ledger.plan_views(cid).items()} == states
    kept = {k.decode(): v.decode() for k, v in ledger.r.hgetall(ledger.key("states", cid)).items()}
    assert kept == states
