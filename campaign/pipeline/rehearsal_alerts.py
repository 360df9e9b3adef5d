"""Alerts in a replay: ``campaign simulate`` tells the campaign's alerts as the campaign goes, so a
rehearsal (``--faults``) delivers its failures, doubts, misses and blocked accounts where they would
go on the day.

After each moment of the replay the driver runs the alerts job (:func:`campaign.alerts.run`, what
the alerts worker runs in production) at the campaign's simulated now, gathering nothing (what
happened at one moment is one message or one digest), and the last run sends whatever is left.
Incidents are noted and deduplicated in the ledger as always: one message per incident, never one
per retry.

A campaign with ``alerts:`` is told on its own channels. A campaign without gets one channel for the
replay: every event but ``daily`` written to ``OUT/alerts.jsonl``, one JSON object per message
(``at``: the campaign's time when it was sent; ``title``, ``body``, ``level``), through an apprise
plugin of its own (``rehearsal://``), so the messages are the ones apprise would send anywhere else.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import alerts
from ..alert_config import EVENTS, Alert
from ..ledger import Ledger
from .applied import Applied

#: The variable the replay's own channel is read from (its value: ``rehearsal://<id>``).
CHANNEL_ENV = "CAMPAIGN_REHEARSAL_ALERTS"
SCHEME = "rehearsal"
FILE_NAME = "alerts.jsonl"
#: What the replay's own channel is told: every event but the daily digest (one a simulated day).
FILE_EVENTS = tuple(e for e in EVENTS if e != "daily")

_sinks: dict[str, AlertFile] = {}
_registered = threading.Lock()
_done = False


class AlertFile:
    """Where the ``rehearsal://<id>`` channel writes: one JSON line per message."""

    def __init__(self, path: Path):
        self.path = path
        self.now: datetime | None = None
        self.written = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")

    def write(self, title: str, body: str, level: str) -> None:
        line = {"at": self.now.isoformat() if self.now else None, "title": title, "body": body, "level": level}
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.written += 1


def _register() -> None:
    """Give apprise the ``rehearsal://`` scheme (once per process)."""
    global _done
    with _registered:
        if _done:
            return
        from apprise.decorators import notify

        @notify(on=SCHEME, name="Rehearsal file")
        def _write(body: str, title: str, notify_type: str, meta: dict[str, Any], *args: Any, **kwargs: Any) -> bool:
            sink = _sinks.get(str(meta.get("host") or ""))
            if sink is None:
                return False
            sink.write(title, body, str(notify_type))
            return True

        _done = True


class ReplayAlerts:
    """The alerts of one replayed campaign: call it after each moment, and with ``last=True`` at the end."""

    def __init__(self, ledger: Ledger, applied: Applied, out_dir: Path, environ: Mapping[str, str] | None = None):
        self.ledger, self.applied = ledger, applied
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.campaign = applied.campaign
        self.file: AlertFile | None = None
        self.sent = self.failed = 0
        if not self.campaign.alerts:
            _register()
            key = secrets.token_hex(8)
            self.file = _sinks[key] = AlertFile(out_dir / FILE_NAME)
            self.campaign = self.campaign.model_copy(update={"alerts": (Alert(url=f"env:{CHANNEL_ENV}",
                                                                              events=FILE_EVENTS),)})
            self.environ = {**self.environ, CHANNEL_ENV: f"{SCHEME}://{key}"}

    def __call__(self, now: datetime, last: bool = False) -> alerts.AlertRun:
        if self.file is not None:
            self.file.now = now
        run = alerts.run(self.ledger, self.campaign, self.applied.roster, now, folder=self.applied.folder,
                         environ=self.environ, gather=0.0, flush=last)
        self.sent += run.sent
        self.failed += run.failed
        return run

    def close(self) -> None:
        for key, sink in list(_sinks.items()):
            if sink is self.file:
                del _sinks[key]

    def where(self) -> str:
        """A line for the summary: where the alerts went."""
        if self.file is not None:
            return (f"alerts: {self.file.written} message(s) the campaign would send written to {self.file.path} "
                    f"(it has no alerts: channel; one JSON object a line)")
        return (f"alerts: {self.sent} message(s) sent to the campaign's {len(self.campaign.alerts)} alert channel(s)"
                + (f", {self.failed} send(s) failed (see the Accounts page)" if self.failed else ""))


__all__ = ["CHANNEL_ENV", "FILE_EVENTS", "FILE_NAME", "ReplayAlerts"]
