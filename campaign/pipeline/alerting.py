"""The alerts worker's job over every applied campaign (``campaign.alerts`` does the work for one).

Kept apart from the tick: the tick only asks :func:`wants_alerts` before it hands the alerts task
to its own queue, so a slow or dead alert channel never holds up a render or a post.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from .. import alerts
from ..ledger import Ledger, UnknownCampaign
from .applied import load_applied

log = logging.getLogger(__name__)


def wants_alerts(ledger: Ledger) -> bool:
    """Whether any applied campaign has alert channels."""
    for cid in ledger.campaigns():
        try:
            if load_applied(ledger, cid).campaign.alerts:
                return True
        except UnknownCampaign:
            continue
    return False


def send_alerts(ledger: Ledger, now: datetime, environ: Mapping[str, str] | None = None,
                gather: float | None = None, flush: bool = False) -> dict[str, alerts.AlertRun]:
    """One alerts run for every applied campaign with alert channels; a campaign whose run fails
    (its definition unreadable, Redis gone mid-run) is logged and the others go on. ``flush`` sends
    everything pending at once (a replay, which ends in seconds, calls it last)."""
    out: dict[str, alerts.AlertRun] = {}
    for cid in ledger.campaigns():
        try:
            applied = load_applied(ledger, cid)
            if applied.campaign.alerts:
                out[cid] = alerts.run(ledger, applied.campaign, applied.roster, now, folder=applied.folder,
                                      environ=environ, gather=gather, flush=flush)
        except Exception:  # noqa: BLE001 - one campaign's alerts must not stop another's
            log.exception("alerts for campaign %s failed", cid)
    return out


__all__ = ["send_alerts", "wants_alerts"]
