"""A preview's cards drawn on every core: a pool of forked processes, each with its own caches,
the results in the order of the jobs.

A card's bytes depend only on its template and what it shows, never on which process drew it or
what that process drew before (the caches are keyed by everything they hold), so a preview drawn
on N processes writes the same files as one drawn in one. Where processes cannot be forked
(Windows), or for a single card, the cards are drawn here, one after another.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ...errors import CardError
from ..card import Card
from ..load import find_named, load_template
from ..render import render
from ..template import Template
from .jobs import Job


@dataclass
class Result:
    job: Job
    card: Card | None
    error: str | None = None


def cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says, else every core)."""
    count = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if count is not None:
        return max(1, count() or 1)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on this system
        return max(1, os.cpu_count() or 1)


def _draw(templates: dict[str, Template], job: Job) -> tuple[Card | None, str | None]:
    try:
        return render(templates[job.template], job.card, size=job.size), None
    except CardError as exc:  # also a size the template lacks: render names the sizes it has
        return None, str(exc)


# The templates a forked pool process draws with: set in the parent before the pool forks, so each
# process starts with them loaded (nothing is pickled but the jobs and the cards).
_TEMPLATES: dict[str, Template] = {}


def _start_drawing() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which ends the pool


def _draw_here(job: Job) -> tuple[Card | None, str | None]:
    return _draw(_TEMPLATES, job)


def render_jobs(jobs: Sequence[Job], templates: dict[str, Template], campaign_root: Path, out: Path,
                processes: int | None = None) -> Iterator[Result]:
    """Each job's card rendered and written into ``out``, in the order of ``jobs`` (a template not
    loaded yet is loaded into ``templates`` first); a card that cannot be made is a Result with its
    error. ``processes``: how many draw at once (default: :func:`cores`)."""
    global _TEMPLATES
    for name in dict.fromkeys(job.template for job in jobs):
        if name not in templates:
            templates[name] = load_template(find_named(name, campaign_root))
    n = min(processes or cores(), len(jobs))
    if n <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        drawn: Iterator[tuple[Card | None, str | None]] = (_draw(templates, job) for job in jobs)
        yield from _written(jobs, drawn, out)
        return
    _TEMPLATES = templates
    try:
        with multiprocessing.get_context("fork").Pool(n, initializer=_start_drawing) as pool:
            yield from _written(jobs, pool.imap(_draw_here, jobs), out)
    finally:
        _TEMPLATES = {}


def _written(jobs: Sequence[Job], drawn: Iterator[tuple[Card | None, str | None]], out: Path) -> Iterator[Result]:
    for job, (card, error) in zip(jobs, drawn):
        if card is not None:
            (out / job.file).write_bytes(card.image)
        yield Result(job, card, error)


__all__ = ["Result", "cores", "render_jobs"]
