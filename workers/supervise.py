"""The supervisors of ``campaign run`` and ``campaign simulate``: the worker processes they start,
watched while the command runs and stopped in order when it ends.

A :class:`Supervisor` is used as a ``with`` block. Inside it, ``worker()``, ``alerts_worker()`` and ``beat()`` start real
``celery`` processes (``launch.py``), ``process()`` another the command needs (``campaign run``'s
dashboard), ``watch()`` paces the command, starts again one that stops on its own
(and says so: :class:`Restarted`) and raises :class:`ProcessDied` when one keeps stopping, and ``dispatch()`` sends the tick's work to the started workers.
Leaving the block, however it is left, stops the beat first, then the workers, and waits for each.
With ``signals``, SIGTERM and Ctrl-C (SIGINT, even where the command was started with SIGINT
ignored) raise ``KeyboardInterrupt`` inside the block, so the caller stops cleanly and says so.
The CLI only formats what happens; nothing else in ``campaign/`` knows these processes exist.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any

from .launch import ALERTS_QUEUE, Proc, start_beat, start_process, start_worker, start_workers

if TYPE_CHECKING:
    from .tasks import CeleryDispatch


#: How many times ``watch`` restarts one process within ``RESTART_WINDOW`` seconds before it gives up.
MAX_RESTARTS = 5
RESTART_WINDOW = 600.0


@dataclass(frozen=True)
class Restarted:
    """A process that stopped on its own and was started again: its name, exit code and how its log ended."""

    name: str
    returncode: int | None
    log_tail: str

    def __str__(self) -> str:
        last = self.log_tail.strip().splitlines()[-1:] or ["(empty log)"]
        return f"the {self.name} process stopped (exit {self.returncode}); restarted it. Its log ended: {last[0]}"


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
        self._starters: dict[str, Callable[[bool], Proc]] = {}  # how to start each process again
        self._restarts: dict[str, list[float]] = {}
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

    def worker(self, log_dir: Path, *, concurrency: int, name: str = "worker", wait: bool = True,
               pool: str = "prefork", queues: Sequence[str] = ("tick", "render", "publish")) -> Proc:
        """A ``celery worker`` on ``queues`` (the tick, render and publish queues), once it is consuming
        (without ``wait``, at once: ``launch.wait_ready(proc)`` before handing it work). ``pool="solo"``:
        one task at a time in the worker's own process (no pool to feed or to wind down)."""
        return self._start(name, lambda wait: start_worker(self.redis_url, log_dir, concurrency=concurrency,
                                                           env=self.env, name=name, wait=wait, pool=pool,
                                                           queues=queues), wait=wait)

    def workers(self, log_dir: Path, count: int, *, name: str = "worker",
                queues: Sequence[str] = ("tick", "render", "publish"), held: bool = False, spare: int = 0) -> Proc:
        """``count`` solo workers on ``queues`` forked from one process (``launch.start_workers``; ``held``:
        started by ``launch.release(proc)``; ``spare`` of them without the last queue), at once:
        ``launch.wait_ready(proc, count=count)`` before handing them work. Started again (``watch``), they are
        not held."""
        hold = [held]

        def starter(wait: bool) -> Proc:
            held, hold[0] = hold[0], False
            return start_workers(self.redis_url, log_dir, count, queues=queues, name=name, env=self.env, held=held,
                                 spare=spare)

        return self._start(name, starter, wait=False)

    def alerts_worker(self, log_dir: Path, name: str = "alerts") -> Proc:
        """A ``celery worker`` on the alerts queue alone (one task at a time), once it is consuming: an
        alert channel that is slow or down holds up this process only, never a render or a post."""
        return self._start(name, lambda wait: start_worker(self.redis_url, log_dir, queues=(ALERTS_QUEUE,),
                                                           concurrency=1, pool="solo", env=self.env, name=name,
                                                           wait=wait))

    def beat(self, state_dir: Path) -> Proc:
        """``celery beat``, which sends the tick every few seconds (its schedule file in ``state_dir``)."""
        return self._start("beat", lambda wait: start_beat(self.redis_url, state_dir, env=self.env))

    def process(self, name: str, args: Sequence[str], log_dir: Path, *, env: Mapping[str, str] | None = None) -> Proc:
        """Another process the command needs while it runs (``campaign run``'s dashboard: ``args`` is its
        command line), watched and stopped like the others (first, as it was started last)."""
        return self._start(name, lambda wait: start_process(self.redis_url, name, args, log_dir,
                                                            env={**self.env, **(env or {})}))

    def _start(self, name: str, starter: Callable[[bool], Proc], wait: bool = True) -> Proc:
        """Start a process (with ``wait``, waiting until a worker consumes) and keep how to start it again."""
        proc = starter(wait)
        self._starters[name] = starter
        self.procs.append(proc)
        return proc

    def _restart(self, index: int) -> Restarted:
        """Start the stopped process at ``index`` again in its place, or raise ProcessDied when it stopped
        ``MAX_RESTARTS`` times within ``RESTART_WINDOW`` seconds (or cannot be started again)."""
        dead = self.procs[index]
        now = time.monotonic()
        recent = [t for t in self._restarts.get(dead.name, []) if now - t < RESTART_WINDOW] + [now]
        self._restarts[dead.name] = recent
        starter = self._starters.get(dead.name)
        if starter is None or len(recent) > MAX_RESTARTS:
            raise ProcessDied(dead)
        notice = Restarted(dead.name, dead.popen.returncode, dead.tail(1500))
        self.procs[index] = starter(False)  # not waited for: the next rounds of watch see whether it stays up
        return notice

    def watch(self, duration: float | None = None, every: float = 1.0, *,
              restart: bool = True) -> Iterator[list[Restarted]]:
        """Yield every ``every`` seconds for ``duration`` seconds (None: until interrupted), with the
        processes that stopped on their own since the last yield and were started again (``restart``);
        raises ProcessDied naming one that stopped too often (or any, without ``restart``)."""
        began = time.monotonic()
        while duration is None or time.monotonic() - began < duration:
            restarted = []
            for index, proc in enumerate(self.procs):
                if not proc.alive():
                    if not restart:
                        raise ProcessDied(proc)
                    restarted.append(self._restart(index))
            yield restarted
            time.sleep(every)

    def dispatch(self, say_done: bool = False) -> CeleryDispatch:
        """How a tick in this process hands its work to the started workers (Celery tasks on this Redis);
        ``say_done``: each task says when it is done, for a replay waiting on them."""
        from .app import configure
        from .tasks import CeleryDispatch

        configure(self.redis_url)
        return CeleryDispatch(say_done=say_done)
