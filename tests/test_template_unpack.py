"""Template folders unpacked from Redis by several worker processes at once (``template_for``)."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from campaign.pipeline.applied import scratch_dir


def _scratch_in_child(target: Path, out: mp.Queue) -> None:  # type: ignore[type-arg]
    out.put(str(scratch_dir(target)))


def test_each_process_unpacks_a_template_into_a_folder_of_its_own(tmp_path: Path) -> None:
    """Celery's pool processes are forked from one parent and share its main thread's identity: a scratch
    folder named by the thread alone was shared, and the process whose folder another had just renamed
    into place failed its render (a replay then waited for the render's lease, stuck on its first card)."""
    ctx = mp.get_context("fork")
    target = tmp_path / "templates" / "0123abcd"
    out = ctx.Queue()
    children = [ctx.Process(target=_scratch_in_child, args=(target, out)) for _ in range(2)]
    for child in children:
        child.start()
    names = {out.get(timeout=30) for _ in children}
    for child in children:
        child.join(30)
    names.add(str(scratch_dir(target)))
    assert len(names) == 3  # the parent's and each child's: all different
    assert all(Path(n).parent == target.parent for n in names)  # beside the target: a rename, not a copy
