"""Alert channels: an apprise URL read from its reference at send time, sent to, and how each fares.

The URL holds the channel's token, so it is read only here, just before apprise needs it. Every
part of it that could be a token (the URL itself, a password, a path segment, a query value, a
host that is no domain name) is handed to the redaction of ``campaign.publishers.redaction``
first, which keeps it out of every log line of the libraries (apprise's own logger included);
what the ledger records of a failure is the reference (``env:NAME``), the service's name and
apprise's warning with those parts redacted. A channel is named by an id made from its reference.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from ..alert_config import Alert
from ..credentials import CredentialError, resolve
from ..definition import Campaign
from ..ledger import Ledger
from ..publishers import redaction

_MIN_PART = 6  # shorter parts of a URL (a port, "hooks", "v1") are no token


@dataclass(frozen=True)
class Channel:
    """One ``alerts:`` entry of a campaign, as the sender uses it."""

    id: str
    ref: str
    events: frozenset[str]
    daily_at: time
    review_before: timedelta

    @classmethod
    def of(cls, alert: Alert) -> Channel:
        return cls(channel_id(alert.url), alert.url, frozenset(alert.events), alert.daily_at, alert.review_before)


def channel_id(ref: str) -> str:
    """A short stable id for a channel, made from its reference (never from its URL)."""
    return hashlib.sha256(ref.encode()).hexdigest()[:12]


def secret_parts(url: str) -> list[str]:
    """The parts of an apprise URL that could be a token, longest first (the URL itself included)."""
    parts = {url}
    try:
        split = urlsplit(url)
        host = split.hostname or ""
        user, password = split.username, split.password
    except ValueError:
        return [url]
    parts.update(p for p in (user, password) if p)
    if host and not ("." in host or host == "localhost"):  # tgram://BOT:TOKEN/..., discord://ID/TOKEN
        where = split.netloc.rsplit("@", 1)[-1]
        parts.update({where, *where.split(":")})
    parts.update(unquote(seg) for seg in split.path.split("/") if seg)
    parts.update(v for _, v in parse_qsl(split.query))
    return sorted((p for p in parts if len(p) >= _MIN_PART), key=len, reverse=True)


@dataclass(frozen=True)
class Delivery:
    """How one send went: ``service`` is apprise's name for it (``JSON``, ``Slack``...), ``error``
    says why it failed, naming the reference and never the URL."""

    ok: bool
    service: str = ""
    error: str = ""


_LEVELS = {"failure": "failure", "warning": "warning", "info": "info"}


@dataclass
class _Loaded:
    """A channel's URL read and given to apprise (``ap`` None: ``error`` says why not)."""

    ap: object | None
    secrets: list[str]
    service: str = ""
    error: str = ""


def _load(ref: str, base: Path | None, environ: Mapping[str, str] | None) -> _Loaded:
    import apprise

    try:
        url = resolve(ref, base, dict(environ) if environ is not None else None).reveal()
    except CredentialError as exc:
        return _Loaded(None, [], "", f"{exc} where the alerts worker runs")
    secrets = secret_parts(url)
    for part in secrets:  # from now on, no log line of this process shows them
        redaction.remember(part)
    ap = apprise.Apprise(asset=apprise.AppriseAsset(app_id="campaign", app_desc="campaign alerts",
                                                    storage_mode="memory"))
    try:
        added = ap.add(url)
    except Exception:  # noqa: BLE001 - a plugin refusing its URL: said below, without the URL
        added = False
    if not added or len(ap) == 0:
        return _Loaded(None, secrets, "", f"{ref} holds no URL apprise can use (its value is not shown); check "
                                          "its scheme and form against apprise's list of services")
    return _Loaded(ap, secrets, str(getattr(ap[0], "service_name", "") or type(ap[0]).__name__))


def deliver(ref: str, title: str, body: str, level: str = "info", *, base: Path | None = None,
            environ: Mapping[str, str] | None = None) -> Delivery:
    """Send one message to the channel ``ref`` names. Never raises: a failure is a Delivery."""
    import apprise

    loaded = _load(ref, base, environ)
    if loaded.ap is None:
        return Delivery(False, "", loaded.error)
    ap: apprise.Apprise = loaded.ap  # type: ignore[assignment]
    error = ""
    with apprise.LogCapture(level=logging.WARNING) as captured:
        try:
            ok = bool(ap.notify(body=body, title=title, notify_type=_LEVELS.get(level, "info"),
                                body_format=apprise.NotifyFormat.TEXT))
        except Exception as exc:  # noqa: BLE001 - a plugin's bug must not stop the other channels
            ok, error = False, f"{type(exc).__name__}: {exc}"
        said = captured.getvalue()
    if ok:
        return Delivery(True, loaded.service)
    said = " ".join(line.split(" - ", 2)[-1].strip() for line in said.splitlines() if line.strip())
    why = redaction.redact(" ".join(p for p in (said, error) if p), loaded.secrets) or "no reason given"
    return Delivery(False, loaded.service, f"{ref} ({loaded.service}) did not take the message: {why[:500]}")


def check(alert: Alert, base: Path | None = None, environ: Mapping[str, str] | None = None) -> tuple[bool, str]:
    """Whether the channel's reference can be read here and holds a URL apprise understands
    (nothing is sent): (ok, what it found or what to do). Never shows the value."""
    loaded = _load(alert.url, base, environ)
    if loaded.ap is None:
        return False, loaded.error.replace(" where the alerts worker runs", " (the alerts worker must read it)")
    return True, f"{loaded.service} channel for {', '.join(alert.events)} (nothing sent)"


def problems(campaign: Campaign, base: Path | None = None, environ: Mapping[str, str] | None = None) -> list[str]:
    """One line per alert channel whose reference cannot be read here (names only, never a value)."""
    env = os.environ if environ is None else environ
    out = []
    for i, alert in enumerate(campaign.alerts):
        try:
            resolve(alert.url, base, dict(env))
        except CredentialError as exc:
            out.append(f"alerts[{i}].url: {exc}")
    return out


@dataclass(frozen=True)
class ChannelStatus:
    """How a campaign's alert channel fares, as the ledger recorded it (for the dashboard's Accounts
    page and ``campaign status``): never its URL."""

    id: str
    ref: str
    events: tuple[str, ...]
    service: str
    sent: int
    failed: int
    failing: int  # failed sends in a row (0: it works, or nothing was sent yet)
    pending: int  # incidents waiting to be sent
    last_ok_at: float | None
    last_error: str
    last_error_at: float | None

    @property
    def ok(self) -> bool:
        return self.failing == 0


def channel_status(ledger: Ledger, campaign: Campaign) -> list[ChannelStatus]:
    """Every alert channel of the campaign with its record: sends, failures, the last error."""
    out = []
    for alert in campaign.alerts:
        ch = Channel.of(alert)
        state = ledger.alert_channel_state(campaign.id, ch.id)
        out.append(ChannelStatus(
            ch.id, ch.ref, tuple(alert.events), state.get("service", ""), int(state.get("sent", 0)),
            int(state.get("failed", 0)), int(state.get("failing", 0)), ledger.pending_alerts(campaign.id, ch.id),
            float(state["last_ok_at"]) if state.get("last_ok_at") else None, state.get("last_error", ""),
            float(state["last_error_at"]) if state.get("last_error_at") else None))
    return out


__all__ = ["Channel", "ChannelStatus", "Delivery", "channel_id", "channel_status", "check", "deliver", "problems",
           "secret_parts"]
