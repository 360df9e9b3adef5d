"""Where a post's time goes with every card new: drawing apart from everything else, and CPU per process.

Used by ``python -m benchmarks.pipeline`` ("pipeline per post, every card new"); nothing runs on its own.

Drawing is what ``campaign.cards.render`` does (painting, the JPEG encode within the platform's byte
limit, alt text), as each worker records it on the post (``draw_seconds``: CPU time, which other
processes on a busy machine do not lengthen). Everything else is overhead: the tick, dispatch, each
task's reads, the render cache look-up, facts, caption, storing the card (its bytes, its cache entry
and the post's move in one step), the publish claim (which hands over the card's bytes), the outbox
write, recording the post, and the workers' "done" messages. Two worker processes draw side by side,
so the drawing's share of the wall clock is its time / 2, and the rest per post is the overhead.

The CPU each process used (read from ``/proc``: Linux only, else left out) says where the overhead
goes whatever else runs on the machine: the main process (the simulated beat), the worker's parent
(Celery's consumer), its children (the tasks, drawing included) and Redis.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from campaign.checks import load_checked
from campaign.clock import SimulatedClock
from campaign.ledger import Ledger
from campaign.pipeline import apply_folder, load_applied
from campaign.pipeline.simulate import run_simulation, simulation_window

T = TypeVar("T")
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) of one process so far."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            out += [int(c) for c in fh.read().split()]
    return out


def cpu_of(main: int, worker: int, redis: int) -> dict[str, float]:
    """CPU seconds so far of this process, the Celery worker's parent, its pool processes and Redis
    (empty without ``/proc``)."""
    try:
        return {"main": _cpu(main), "worker parent": _cpu(worker),
                "worker children": sum(_cpu(c) for c in _children(worker)), "redis": _cpu(redis)}
    except OSError:
        return {}


def metered(pids: tuple[int, int, int], run: Callable[[], T]) -> tuple[T, dict[str, float]]:
    """``run()``'s result and the CPU seconds each process used meanwhile."""
    before = cpu_of(*pids)
    result = run()
    after = cpu_of(*pids)
    return result, {k: after[k] - before[k] for k in before if k in after}


@dataclass
class Distinct:
    """The pipeline over posts that each have a card of their own."""

    posts: int
    seconds: float
    drawn: int  # cards the workers drew (each post's own: none from the render cache)
    draw_cpu: float  # mean CPU seconds per card drawn
    render_wall: float  # mean wall seconds of a render task's card and caption (drawing included)
    counts: dict[str, int]
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per process over the run


def distinct_cards(ledger: Ledger, work: Path, posts: int, pids: tuple[int, int, int],
                   folder: Callable[..., Path]) -> Distinct:
    """The full pipeline with a card of its own for every post (50 accounts of 50 organisations posting
    daily): tick, render task drawing the card, publish task to the outbox, recorded."""
    from workers.tasks import CeleryDispatch

    accounts, days = 50, max(1, -(-posts // 50))
    start = datetime(2021, 8, 30, tzinfo=UTC)
    SimulatedClock(ledger).set(start)
    checked = load_checked(folder(work / "distinct", "distinct", accounts, days, distinct=True))
    apply_folder(ledger, checked, start, {"outbox_dir": str(work / "outbox" / "distinct"), "force_outbox": "1"})
    applied = load_applied(ledger, "distinct")
    begin, end = simulation_window(applied)
    t0 = time.perf_counter()
    dispatch = CeleryDispatch(say_done=True)
    result, cpu = metered(pids, lambda: run_simulation(ledger, applied, dispatch, start=begin, until=end,
                                                       step_timeout=300))
    elapsed = time.perf_counter() - t0
    records = [ledger.post(pid) for pid in ledger.post_ids("distinct")]
    draws = [r.draw_seconds for r in records if r.draw_seconds is not None]
    walls = [r.render_seconds for r in records if r.render_seconds is not None]
    return Distinct(len(records), elapsed, len(draws), statistics.mean(draws) if draws else 0.0,
                    statistics.mean(walls) if walls else 0.0, result.counts, cpu)


def _per(cpu: Mapping[str, float], n: int) -> str:
    return ", ".join(f"{k} {v / n * 1000:.2f}" for k, v in cpu.items())


def report(d: Distinct, batch_ms: float, batch_cpu: Mapping[str, float], batch_n: int, processes: int = 2,
           target: float = 3.0) -> list[str]:
    """The lines ``benchmarks.pipeline`` prints: per post, drawing, beyond drawing (per post and per task,
    each against a batched no-op task), and the CPU of each process beside a no-op task's."""
    cost, draw_ms = d.seconds / d.posts * 1000, d.draw_cpu * 1000
    overhead = cost - draw_ms / processes  # the processes draw side by side
    lines = [
        f"pipeline per post, every card new: {cost:.2f} ms  ({d.posts} posts in {d.seconds:.1f}s, "
        f"{d.counts.get('posted', 0)} posted, {d.drawn} cards drawn: none from the cache)",
        f"  drawing a card (campaign.cards.render: paint, JPEG encode, alt text): {draw_ms:.1f} ms CPU in a worker "
        f"(the render task's card and caption: {d.render_wall * 1000:.1f} ms wall)",
        f"  beyond drawing ({processes} processes drawing at once): {overhead:.2f} ms per post = "
        f"{overhead / batch_ms:.1f}x a batched no-op task (target <= {target:.0f}x); a post is two tasks "
        f"(render, publish): {overhead / 2:.2f} ms per task = {overhead / 2 / batch_ms:.1f}x",
    ]
    if d.cpu and batch_cpu:
        spent = sum(d.cpu.values()) / d.posts * 1000 - draw_ms
        noop = sum(batch_cpu.values()) / batch_n * 1000
        lines += [f"  CPU per post, ms: {_per(d.cpu, d.posts)} (drawing {draw_ms:.2f} of the children's); beyond "
                  f"drawing {spent:.2f} = {spent / noop:.1f}x a no-op task's {noop:.2f} ({_per(batch_cpu, batch_n)})"]
    return lines
