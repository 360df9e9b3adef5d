"""Designers' tools, for ``campaign template check`` and ``campaign preview``: which cards a
preview shows (:mod:`.jobs`), its run and contact sheet (:mod:`.sheet`), the file watcher of
``--watch`` (:mod:`.watch`), and a template's sample cards (:mod:`.check`)."""

from __future__ import annotations

from .check import Sample, sample_cards, sample_contrasts, sample_overflows
from .jobs import Job, planned_jobs, template_jobs
from .draw import Result, cores, render_jobs
from .sheet import check_size, contact_sheet, prepare, template_names, title, write_sheet
from .watch import Watcher, snapshot

__all__ = ["Job", "Result", "Sample", "sample_cards", "sample_contrasts", "Watcher", "check_size", "contact_sheet", "cores", "planned_jobs", "prepare", "render_jobs",
           "sample_overflows", "snapshot", "template_jobs", "template_names", "title", "write_sheet"]
