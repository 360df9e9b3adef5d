"""The supervisors of ``campaign run`` and ``campaign simulate``: the worker processes they start,
watched while the command runs and stopped in order when it ends.

A :class:`Supervisor` is used as a ``with`` block. Inside it, ``worker()``, ``alerts_worker()`` and ``beat()`` start real
``celery`` processes (``launch.py``), ``process()`` another the command needs (``campaign run``'s
dashboard), ``watch()`` paces the command and raises :class:`ProcessDied`
when one of them stops on its own, and ``dispatch()`` sends the tick's work to the started workers.
Leaving the block, however it is left, stops the beat first, then the workers, and waits for each.
With ``signals``, SIGTERM and Ctrl-C (SIGINT, even where the command was started with SIGINT
ignored) raise ``KeyboardInterrupt`` inside the block, so the caller stops cleanly and says so.
The CLI only formats what happens; nothing else in ``campaign/`` knows these processes exist.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any

from .launch import ALERTS_QUEUE, Proc, start_beat, start_process, start_worker

if TYPE_CHECKING:
    from .tasks import CeleryDispatch


class ProcessDied(RuntimeError):
    """A started process stopped while the command still needed it; ``log_tail`` is how its log ends."""

    def __init__(self, proc: Proc, tail: int = 1500):
        self.name, self.log_tail = proc.name, proc.tail(tail)
        super().__init__(f"the {proc.name} process stopped unexpectedly; its log ends:\n{self.log_tail}")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class Supervisor:
    """Worker and beat processes on one Redis, stopped in reverse order when the ``with`` block ends."""

    def __init__(self, redis_url: str, env: Mapping[str, str] | None = None, *, signals: bool = False):
        self.redis_url, self.env, self.signals = redis_url, dict(env or {}), signals
        self.procs: list[Proc] = []
        self._previous: list[tuple[int, Any]] = []

    def __enter__(self) -> Supervisor:
        if self.signals:
            self._previous = [(signal.SIGTERM, signal.signal(signal.SIGTERM, _interrupt)),
                              (signal.SIGINT, signal.signal(signal.SIGINT, signal.default_int_handler))]
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        for signum, handler in self._previous:
            signal.signal(signum, handler)
        self._previous = []
        while self.procs:
            self.procs.pop().stop()

    def worker(self, log_dir: Path, *, concurrency: int, name: str = "worker") -> Proc:
        """A ``celery worker`` on the tick, render and publish queues, once it is consuming."""
        proc = start_worker(self.redis_url, log_dir, concurrency=concurrency, env=self.env, name=name)
        self.procs.append(proc)
        return proc

    def alerts_worker(self, log_dir: Path, name: str = "alerts") -> Proc:
        """A ``celery worker`` on the alerts queue alone (one task at a time), once it is consuming: an
        alert channel that is slow or down holds up this process only, never a render or a post."""
        proc = start_worker(self.redis_url, log_dir, queues=(ALERTS_QUEUE,), concurrency=1, pool="solo",
                            env=self.env, name=name)
        self.procs.append(proc)
        return proc

    def beat(self, state_dir: Path) -> Proc:
        """``celery beat``, which sends the tick every few seconds (its schedule file in ``state_dir``)."""
        proc = start_beat(self.redis_url, state_dir, env=self.env)
        self.procs.append(proc)
        return proc

    def process(self, name: str, args: Sequence[str], log_dir: Path, *, env: Mapping[str, str] | None = None) -> Proc:
        """Another process the command needs while it runs (``campaign run``'s dashboard: ``args`` is its
        command line), watched and stopped like the others (first, as it was started last)."""
        proc = start_process(self.redis_url, name, args, log_dir, env={**self.env, **(env or {})})
        self.procs.append(proc)
        return proc

    def watch(self, duration: float | None = None, every: float = 1.0) -> Iterator[None]:
        """Yield every ``every`` seconds while every started process lives, for ``duration`` seconds
        (None: until interrupted); raises ProcessDied naming the first that stopped."""
        began = time.monotonic()
        while duration is None or time.monotonic() - began < duration:
            for proc in self.procs:
                if not proc.alive():
                    raise ProcessDied(proc)
            yield
            time.sleep(every)

    def dispatch(self) -> CeleryDispatch:
        """How a tick in this process hands its work to the started workers (Celery tasks on this Redis)."""
        from .app import configure
        from .tasks import CeleryDispatch

        configure(self.redis_url)
        return CeleryDispatch()
