"""Start and stop Celery worker and beat processes for ``campaign run`` / ``simulate`` and tests.

Each is a real ``celery`` subprocess in its own process group, so Ctrl-C in the terminal reaches
only the CLI, which then stops them in order (beat, workers, then Redis) and waits for each.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: The queue of the alerts task (``workers.app`` routes it there), served by a worker of its own.
ALERTS_QUEUE = "alerts"
#: The queue of a replay's warm-up (``prerender``: cards drawn ahead), which its workers take last.
WARM_QUEUE = "warm"
#: The queues of a replay's workers, in the order they take them: the replay's own tasks first, then the warm-up.
REPLAY_QUEUES = ("render", "publish", "tick", WARM_QUEUE)
#: Set (to 1) in the environment of a replay's workers (``campaign simulate``): see ``workers.app.configure``.
REPLAY_ENV = "CAMPAIGN_REPLAY_WORKER"


@dataclass
class Proc:
    """One started process and where its output goes."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    terminating: bool = False

    def alive(self) -> bool:
        return self.popen.poll() is None

    def terminate(self) -> None:
        """Ask for a warm shutdown (SIGTERM: finish the current task) and return at once: the process
        winds down while the caller goes on (``stop`` then waits for it)."""
        if self.popen.poll() is None and not self.terminating:
            self.popen.send_signal(signal.SIGTERM)
            self.terminating = True

    def stop(self, timeout: float = 15.0) -> int | None:
        """Ask for a warm shutdown (SIGTERM: finish the current task), wait for it, then insist."""
        if self.popen.poll() is None:
            self.terminate()
            if not _ended_within(self.popen, timeout):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
        return self.popen.returncode

    def kill(self) -> None:
        """SIGKILL the whole process group, as a crash would (fault tests)."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def tail(self, n: int = 2000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""


def _ended_within(popen: subprocess.Popen[bytes], timeout: float) -> bool:
    """Whether the process ends within ``timeout`` seconds, seen the moment it does where the system
    can say so (a pidfd, Linux); elsewhere ``Popen.wait``, which looks every 50 ms at most."""
    try:
        fd = os.pidfd_open(popen.pid)
    except (AttributeError, OSError):  # not on this system (or it is gone already)
        try:
            popen.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False
    try:
        poller = select.poll()  # not select.select: it refuses descriptors past 1023, which a busy process has
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(timeout * 1000))
    finally:
        os.close(fd)


def _env(redis_url: str, extra: Mapping[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    env["REDIS_URL"] = redis_url
    env.update(extra or {})
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _worker_args(queues: Sequence[str], concurrency: int, pool: str, app: str) -> list[str]:
    return ["-A", app, "worker", "-Q", ",".join(queues), "-c", str(concurrency), "-P", pool, "--loglevel", "INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat"]


def start_worker(redis_url: str, log_dir: Path, *, queues: Sequence[str] = ("tick", "render", "publish"),
                 concurrency: int = 2, pool: str = "prefork", app: str = "workers.app", name: str | None = None,
                 env: Mapping[str, str] | None = None, wait: bool = True, timeout: float = 30.0,
                 cwd: Path | None = None) -> Proc:
    """Start ``celery worker`` on ``redis_url`` (in ``cwd``, default: this process's); with ``wait``,
    return once it is consuming (else :func:`wait_ready` later: the caller's own work overlaps the
    worker's start)."""
    name = name or f"campaign-{uuid.uuid4().hex[:8]}"
    args = [sys.executable, "-m", "celery", *_worker_args(queues, concurrency, pool, app), "-n", f"{name}@%h"]
    proc = _popen(redis_url, log_dir, name, args, env, cwd)
    if wait:
        wait_ready(proc, timeout)
    return proc


def start_workers(redis_url: str, log_dir: Path, count: int, *, queues: Sequence[str] = ("tick", "render", "publish"),
                  name: str = "worker", env: Mapping[str, str] | None = None, cwd: Path | None = None,
                  held: bool = False, spare: int = 0) -> Proc:
    """Start ``count`` solo workers (``<name>-1`` ...) forked from one process that loads the app once
    (``workers.forked``), at once: ``wait_ready(proc, count=count)`` before handing them work. The
    returned process stands for them all (stopping it stops them; one stopping stops it). ``held``: it
    loads, then waits for :func:`release` to start them (until then, none connects to ``redis_url``).
    ``spare``: that many of them leave out the last of ``queues`` (a replay's warm-up), so that a replay's
    own tasks always find one free."""
    args = [sys.executable, "-m", "workers.forked", *(["--held"] if held else []),
            *(["--spare", str(spare)] if spare else []), str(count), name, "--",
            *_worker_args(queues, 1, "solo", "workers.app")]
    return _popen(redis_url, log_dir, name, args, env, cwd, stdin=subprocess.PIPE if held else None)


def release(proc: Proc) -> None:
    """Start the workers of a ``start_workers(held=True)`` (once: a second call does nothing)."""
    if proc.popen.stdin is not None and not proc.popen.stdin.closed:
        try:
            proc.popen.stdin.write(b"go\n")
            proc.popen.stdin.close()
        except BrokenPipeError:  # it stopped already: wait_ready says so, with its log
            pass


def _popen(redis_url: str, log_dir: Path, name: str, args: Sequence[str], env: Mapping[str, str] | None,
           cwd: Path | None, stdin: int | None = None) -> Proc:
    """``args`` started on ``redis_url`` in a process group of its own, its output in ``log_dir/<name>.log``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}.log"
    with open(log, "ab") as out:
        popen = subprocess.Popen(list(args), stdin=stdin, stdout=out, stderr=subprocess.STDOUT,
                                 env=_env(redis_url, env), start_new_session=True, cwd=cwd)
    return Proc(name, popen, log)


def wait_ready(proc: Proc, timeout: float = 30.0, count: int = 1, poll: float = 0.05) -> Proc:
    """Return once the worker ``proc`` (or the ``count`` workers it stands for) is consuming (its log says
    ``ready.``, read every ``poll`` seconds); if it stops or takes longer than ``timeout`` seconds, kill it
    and raise, with how its log ends."""
    deadline = time.monotonic() + timeout
    while proc.tail(100_000).count("ready.") < count:
        if not proc.alive() or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the Celery worker did not start; its log ends:\n{proc.tail()}")
        time.sleep(poll)
    return proc


def start_beat(redis_url: str, state_dir: Path, env: Mapping[str, str] | None = None, name: str = "beat",
               cwd: Path | None = None) -> Proc:
    """Start ``celery beat`` (it sends ``tick`` every few seconds; in ``cwd``, default: this process's); its
    schedule file lives in ``state_dir``."""
    args = [sys.executable, "-m", "celery", "-A", "workers.app", "beat", "--loglevel", "INFO",
            "--schedule", str(state_dir / f"{name}-schedule"), "--pidfile", ""]
    return _popen(redis_url, state_dir, name, args, env, cwd)


def start_process(redis_url: str, name: str, args: Sequence[str], log_dir: Path,
                  env: Mapping[str, str] | None = None) -> Proc:
    """Start another process of the command's own (``campaign run``'s dashboard) on ``redis_url``, in
    its own process group like the workers, its output in ``log_dir/<name>.log``."""
    return _popen(redis_url, log_dir, name, args, env, None)
