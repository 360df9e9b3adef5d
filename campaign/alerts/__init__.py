"""Alerts: incidents in the ledger become apprise messages to the channels of ``alerts:``.

One run for a campaign (:func:`run`, what the alerts worker's task does every few seconds):

1. **Note.** New incidents (``incidents``: from the audit stream since the cursor, and from the
   state at ``now``) are noted once per channel that wants their event, each by one script that
   sets its key only if new and queues it (``Ledger.note_incident``): two workers scanning at
   once queue it once. Each may go ``gather`` seconds later, so that what happens together is
   told together.
2. **Send.** Each channel's pending incidents are taken at once by one script
   (``Ledger.take_alerts``: no other worker gets them), made into messages (``messages``: one
   problem, one message; several, one digest; each summary alone) and sent with apprise
   (``channels.deliver``). Every send is recorded in the ledger (``alertlog``, and the channel's
   record: :func:`channel_status`). A failed send is queued again with a growing wait, and given
   up after ``MAX_TRIES``.

Publishing never waits for any of this: the runs happen in the alerts worker, on a queue of its
own (``workers.tasks.alerts``), and a channel that is down only fails its own sends.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from ..alert_config import DASHBOARD_ENV, check_dashboard_url
from ..definition import Campaign
from ..ledger import Ledger
from ..roster import Roster
from .channels import Channel, ChannelStatus, Delivery, channel_id, channel_status, check, deliver, problems
from .incidents import Incident, daily, daily_key, finished, finished_key, scan_audit, waiting_reviews
from .messages import Message, messages, post_link

log = logging.getLogger(__name__)

GATHER_ENV = "CAMPAIGN_ALERT_GATHER_SECONDS"
DEFAULT_GATHER = 20.0
MAX_TRIES = 6
_FAR = 1e15  # a wall-clock time after every "not before"


def gather_seconds(environ: Mapping[str, str] | None = None) -> float:
    """How long an incident waits for others to be told with it (``$CAMPAIGN_ALERT_GATHER_SECONDS``)."""
    value = (os.environ if environ is None else environ).get(GATHER_ENV, "")
    try:
        return max(0.0, float(value)) if value.strip() else DEFAULT_GATHER
    except ValueError:
        return DEFAULT_GATHER


def backoff(tries: int) -> float:
    """Seconds before a failed send is tried again: 1, 2, 4... minutes, at most an hour."""
    return float(min(3600, 60 * 2 ** max(0, tries - 1)))


def dashboard_url(campaign: Campaign, environ: Mapping[str, str] | None = None) -> str | None:
    """The dashboard's public address: ``dashboard_url:`` in campaign.yaml, else ``$CAMPAIGN_DASHBOARD_URL``."""
    if campaign.dashboard_url:
        return campaign.dashboard_url
    try:
        return check_dashboard_url((os.environ if environ is None else environ).get(DASHBOARD_ENV) or None)
    except ValueError:
        log.warning("$%s is not a plain http(s) address; alerts carry no links", DASHBOARD_ENV)
        return None


@dataclass
class AlertRun:
    """What one run did for one campaign."""

    noted: int = 0
    sent: int = 0
    failed: int = 0
    dropped: int = 0
    errors: list[str] = field(default_factory=list)


def note(ledger: Ledger, campaign: Campaign, roster: Roster, now: datetime, gather: float) -> int:
    """Note the new incidents for each channel that wants them; returns how many were new."""
    found = scan_audit(ledger, campaign, roster)
    cid, noted, not_before = campaign.id, 0, time.time() + gather
    for alert in campaign.alerts:
        ch = Channel.of(alert)
        items = [i for i in found if i.event in ch.events]
        if "review_waiting" in ch.events:
            items += waiting_reviews(ledger, campaign, roster, now, ch.review_before)
        # each summary's key read only for a channel that wants it
        daily_due = daily_key(ledger, campaign, now, ch.daily_at) if "daily" in ch.events else None
        over = finished_key(ledger, campaign, now) if "campaign_finished" in ch.events else None
        for key, make in ((daily_due, daily), (over, finished)):
            if key and not ledger.incident_noted(cid, ch.id, key):
                items.append(make(ledger, campaign, now, key))
        for i in items:
            noted += ledger.note_incident(cid, ch.id, i.key, i.to_json(), not_before)
    return noted


def send(ledger: Ledger, campaign: Campaign, now: datetime, *, folder: str = "",
         environ: Mapping[str, str] | None = None, flush: bool = False) -> AlertRun:
    """Send what each channel has pending (once its first incident may go; with ``flush``, at once:
    a replay's last word), and record how it went."""
    result, cid = AlertRun(), campaign.id
    base = Path(folder) if folder and Path(folder).is_dir() else None
    dashboard = dashboard_url(campaign, environ)
    for alert in campaign.alerts:
        ch = Channel.of(alert)
        taken = ledger.take_alerts(cid, ch.id, now=_FAR if flush else None)
        if not taken:
            continue
        incidents = {key: Incident.from_json(data) for key, data in taken}
        for message in messages(list(incidents.values()), campaign, folder, dashboard):
            got = deliver(ch.ref, message.title, message.body, message.level, base=base, environ=environ)
            _record(ledger, campaign, ch, message, got, [incidents[k] for k in message.keys], now, result)
    return result


def _record(ledger: Ledger, campaign: Campaign, ch: Channel, message: Message, got: Delivery,
            incidents: list[Incident], now: datetime, result: AlertRun) -> None:
    cid, at = campaign.id, now.isoformat()
    ledger.note_alert_sent(cid, ch.id, ref=ch.ref, service=got.service, outcome="sent" if got.ok else "failed",
                           events=message.events, incidents=len(incidents), title=message.title, error=got.error, at=at)
    if got.ok:
        result.sent += 1
        return
    result.failed += 1
    result.errors.append(got.error)
    log.warning("alert not sent: %s", got.error)
    again = [replace(i, tries=i.tries + 1) for i in incidents]
    kept = [i for i in again if i.tries < MAX_TRIES]
    if kept:
        ledger.put_back_alerts(cid, ch.id, [(i.key, i.to_json()) for i in kept],
                               time.time() + backoff(max(i.tries for i in kept)))
    given_up = [i for i in again if i.tries >= MAX_TRIES]
    if given_up:
        result.dropped += len(given_up)
        ledger.note_alert_sent(cid, ch.id, ref=ch.ref, service=got.service, outcome="dropped",
                               events=[i.event for i in given_up], incidents=len(given_up), title=message.title,
                               error=f"given up after {MAX_TRIES} failed sends: {got.error}", at=at)


def run(ledger: Ledger, campaign: Campaign, roster: Roster, now: datetime, *, folder: str = "",
        environ: Mapping[str, str] | None = None, gather: float | None = None, flush: bool = False) -> AlertRun:
    """Note the campaign's new incidents, then send what is due to each channel (``flush``: everything
    pending, whatever its gathering time)."""
    if not campaign.alerts:
        return AlertRun()
    noted = note(ledger, campaign, roster, now, gather_seconds(environ) if gather is None else gather)
    result = send(ledger, campaign, now, folder=folder, environ=environ, flush=flush)
    result.noted = noted
    return result


__all__ = ["AlertRun", "Channel", "ChannelStatus", "Delivery", "GATHER_ENV", "Incident", "MAX_TRIES", "Message",
           "backoff", "channel_id", "channel_status", "check", "dashboard_url", "deliver", "gather_seconds", "messages",
           "note", "post_link", "problems", "run", "send"]
