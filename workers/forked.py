"""Several Celery workers forked from one process that loaded the app once (``campaign simulate``'s).

    python -m workers.forked [--held] [--spare N] COUNT NAME -- CELERY_WORKER_ARGS...

Each child is a real ``celery worker`` (the command's own code, with the arguments given and
``-n NAME-<i>@%h``), started by forking this process once it has imported Celery, the app and the
tasks: the start-up, about a second of CPU per worker, is paid once (on two cores, two workers are
ready in about 0.85 s instead of 1.3 s). Every child writes to this process's output (one log).

``--held``: once loaded, wait for a line on standard input before forking (``launch.release``): the
caller's own start-up overlaps this one, and no worker connects to the broker before the caller says
so (end of input instead: exit without starting any).

``--spare N``: the first N children leave out the last queue of ``-Q`` (a replay's warm-up, which
draws cards ahead): whatever the others draw, a replay's own tasks find one of them free.

This process forwards SIGTERM, SIGINT and SIGQUIT to the children and waits for them; when one
stops on its own, it stops the others, and exits with that child's code (a ``Supervisor`` sees the
group stop, as it would see a lone worker stop).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Sequence


def _run_worker(name: str, args: Sequence[str]) -> int:
    """In a child: the ``celery worker`` command with ``args``, named ``name``; its exit code."""
    from celery.bin.celery import celery

    try:
        celery.main(args=[*args, "-n", f"{name}@%h"], prog_name="celery")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


def _without_last_queue(args: Sequence[str]) -> list[str]:
    """``args`` with the last queue of their ``-Q`` left out (a spare child's)."""
    out = list(args)
    if "-Q" in out[:-1]:
        at = out.index("-Q") + 1
        out[at] = ",".join(out[at].split(",")[:-1]) or out[at]
    return out


def main(argv: Sequence[str]) -> int:
    rest, held, spare = list(argv), False, 0
    while rest[:1] in (["--held"], ["--spare"]):
        if rest.pop(0) == "--held":
            held = True
        else:
            spare = int(rest.pop(0)) if rest and rest[0].isdigit() else -1
    count, name, sep, *args = rest if len(rest) >= 3 else ["0", "", ""]
    if sep != "--" or not count.isdigit() or int(count) < 1 or spare < 0:
        print("usage: python -m workers.forked [--held] [--spare N] COUNT NAME -- CELERY_WORKER_ARGS...", file=sys.stderr)
        return 2
    import celery.bin.celery  # noqa: F401 - what every child runs, loaded once here
    import workers.app  # noqa: F401
    import workers.tasks  # noqa: F401

    gc.freeze()  # what is loaded now is shared with the children, and no collection of theirs scans it
    if held and not sys.stdin.readline():
        return 0  # the caller went away (or changed its mind) before releasing them
    children: list[int] = []
    for i in range(1, int(count) + 1):
        pid = os.fork()
        if pid == 0:  # the child: a worker, then out (never back into this loop)
            code = 1
            try:
                code = _run_worker(f"{name}-{i}", _without_last_queue(args) if i <= spare else args)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children.append(pid)

    def forward(signum: int, _frame: object) -> None:
        for pid in children:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        signal.signal(signum, forward)
    first: int | None = None
    while children:
        pid, status = os.wait()
        children.remove(pid)
        if first is None:
            first = os.waitstatus_to_exitcode(status)
            forward(signal.SIGTERM, None)  # one stopped (told to, or on its own): the others stop too
    return 0 if first is None else (first if first >= 0 else 128 - first)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
