"""What ``preview --watch`` waits on: the files under some paths, compared by modification time
and size, polled (no platform-specific file events, nothing to install)."""

from __future__ import annotations

import time
from pathlib import Path

Stamps = dict[str, tuple[int, int]]
POLL_SECONDS = 0.3  # how often to look; also how long to let an editor finish writing several files


def snapshot(paths: list[Path]) -> Stamps:
    """Every file under ``paths`` with its modification time and size."""
    out = {}
    for root in paths:
        for p in [root, *root.rglob("*")] if root.is_dir() else [root]:
            try:
                if p.is_file():
                    st = p.stat()
                    out[str(p)] = (st.st_mtime_ns, st.st_size)
            except OSError:  # deleted while we looked: the next look sees it gone
                continue
    return out


class Watcher:
    """Waits for a change to the files under the watched paths since a run began: an edit
    saved while the run was rendering still counts."""

    def __init__(self, paths: list[Path]):
        self.paths = paths
        self._before: Stamps = {}

    def begin(self) -> None:
        """A run begins: what it sees is what a change is measured against."""
        self._before = snapshot(self.paths)

    def wait(self, paths: list[Path]) -> None:
        """Block until a file under ``paths`` (what the run found it used) differs from when the
        run began, then a moment more for the rest of an editor's writes."""
        self.paths = paths
        before = {path: self._before.get(path, stamp) for path, stamp in snapshot(paths).items()}
        while True:
            time.sleep(POLL_SECONDS)
            if snapshot(paths) != before:
                break
        time.sleep(POLL_SECONDS)


__all__ = ["POLL_SECONDS", "Watcher", "snapshot"]
