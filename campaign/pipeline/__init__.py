"""The pipeline over the ledger: apply, tick, render, publish, reconcile; pure of Celery.

Celery tasks (``workers/tasks.py``) are a few lines over these functions; tests call them directly
too. ``Dispatch`` is how a tick hands out work: :class:`InlineDispatch` runs it at once in this
process (unit tests, the benchmark's baseline), ``workers.tasks.CeleryDispatch`` sends tasks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..clock import now_for
from ..ledger import Ledger
from .actions import ApplyReport, apply_folder, approve, retry, set_status, status
from .applied import Applied, apply_definition, load_applied
from .publish import publish_post, reconcile_post, resolve_post
from .ahead import Ahead, cards_ahead, prerender_slot
from .render import render_post
from .settings import Settings
from .tick import Dispatch, NoDispatch, PlanChanges, TickResult, apply_plan, next_moment, refresh_plan, tick


@dataclass
class InlineDispatch:
    """Runs rendered/published/reconciled work immediately in this process, at the ledger's clock."""

    ledger: Ledger
    settings: Settings = field(default_factory=Settings)
    outcomes: list[tuple[str, str, str]] = field(default_factory=list)

    def _now(self) -> datetime:
        return now_for(self.ledger)

    def render(self, post_ids: Sequence[str]) -> None:
        for pid in post_ids:
            self.outcomes.append(("render", pid, render_post(self.ledger, pid, self._now(), self.settings)))

    def publish(self, post_ids: Sequence[str]) -> None:
        for pid in post_ids:
            self.outcomes.append(("publish", pid, publish_post(self.ledger, pid, self._now(), self.settings)))

    def reconcile(self, post_ids: Sequence[str]) -> None:
        for pid in post_ids:
            self.outcomes.append(("reconcile", pid, reconcile_post(self.ledger, pid, self._now(), self.settings)))


__all__ = [
    "Ahead", "Applied", "ApplyReport", "Dispatch", "InlineDispatch", "NoDispatch", "PlanChanges", "Settings", "TickResult",
    "apply_definition", "apply_folder", "apply_plan", "approve", "cards_ahead", "load_applied", "next_moment",
    "prerender_slot", "publish_post", "reconcile_post", "refresh_plan", "render_post", "resolve_post", "retry", "set_status",
    "status", "tick",
]
