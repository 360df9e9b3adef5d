"""A preview draws its cards on every core, and a card's bytes do not depend on how many processes
drew the preview, in which order, or what each process drew before."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from campaign.cards import template_at
from campaign.cards.canvas import clear_caches
from campaign.cards.preview import cores, prepare, render_jobs, template_names
from campaign.checks import load_consistent

EXAMPLE = Path(__file__).resolve().parents[1] / "config" / "campaigns" / "release-hrds-2021"


def _preview(out: Path, processes: int, size: str = "all", every: int = 7) -> dict[str, bytes]:
    folder = load_consistent(EXAMPLE)
    templates = {name: template_at(name, folder.root) for name in template_names(folder.campaign, None)}
    jobs = prepare(folder, templates, None, size, None, out)[::every]  # every size, every kind, a few of each
    clear_caches(fonts=True)
    results = list(render_jobs(jobs, templates, folder.root, out, processes=processes))
    assert [r.job for r in results] == jobs  # in the order of the jobs
    assert all(r.card is not None and r.error is None for r in results)
    return {f.name: f.read_bytes() for f in sorted(out.glob("*.jpg"))}


@pytest.mark.parametrize("processes", [2, 3])
def test_cards_are_the_same_bytes_from_one_process_and_from_several(tmp_path: Path, processes: int) -> None:
    several = _preview(tmp_path / "several", processes)  # forked from a process whose caches are cold
    one = _preview(tmp_path / "one", 1)
    assert len(one) >= 10 and one.keys() == several.keys()
    assert [name for name in one if one[name] != several[name]] == []


def test_cores_is_what_this_process_may_use() -> None:
    n = cores()
    assert 1 <= n <= (os.cpu_count() or 1)
    if hasattr(os, "sched_getaffinity"):
        assert n == len(os.sched_getaffinity(0))
