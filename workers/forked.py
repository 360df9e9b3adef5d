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

import argparse
import gc
import os
import signal
import sys
from collections.abc import Callable, Sequence


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


USAGE = "%(prog)s [--held] [--spare N] COUNT NAME -- CELERY_WORKER_ARGS..."


def _at_least(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.isdigit() or int(text) < low:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least {low}")
        return int(text)
    return parse


def parse(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """This command's own arguments (before ``--``) and the ``celery`` arguments after it;
    SystemExit(2) with the usage for anything else."""
    parser = argparse.ArgumentParser(prog="python -m workers.forked", usage=USAGE,
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--held", action="store_true", help="wait for a line on standard input before forking")
    parser.add_argument("--spare", type=_at_least(0), default=0, metavar="N",
                        help="the first N children leave out the last queue of -Q")
    parser.add_argument("count", type=_at_least(1), metavar="COUNT", help="how many workers")
    parser.add_argument("name", metavar="NAME", help="worker names: NAME-1@host, NAME-2@host...")
    argv = list(argv)
    if "--" not in argv:
        parser.parse_args(argv)  # --help, or what else is wrong first
        parser.error("the celery worker's arguments come after --")
    cut = argv.index("--")
    return parser.parse_args(argv[:cut]), argv[cut + 1:]


def main(argv: Sequence[str]) -> int:
    try:
        own, args = parse(argv)
    except SystemExit as stop:  # argparse printed the usage and what is wrong (or the help)
        return stop.code if isinstance(stop.code, int) else 2
    count, name, held, spare = own.count, own.name, own.held, own.spare
    import celery.bin.celery  # noqa: F401 - what every child runs, loaded once here
    import workers.app  # noqa: F401
    import workers.tasks  # noqa: F401

    gc.freeze()  # what is loaded now is shared with the children, and no collection of theirs scans it
    if held and not sys.stdin.readline():
        return 0  # the caller went away (or changed its mind) before releasing them
    children: list[int] = []
    for i in range(1, count + 1):
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
