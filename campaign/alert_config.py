"""``alerts:`` and ``dashboard_url:`` in ``campaign.yaml``: who is told what, and where the post pages are.

Each alert channel is an apprise URL (``json://``, ``mailto://``, ``slack://``, ``ntfy://``, ...)
given as a reference, ``env:NAME`` or ``file:PATH``, because such a URL holds the channel's token:
a literal URL in the YAML is refused like a literal platform token, and its value is never echoed.
The events a channel wants are named from :data:`EVENTS`. Sending lives in ``campaign.alerts``.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from .credentials import check_ref
from .sources import did_you_mean
from .types import Duration, LocalTime, Model

#: What a channel may ask for. The first five are problems (one message each, many at once: a digest).
EVENTS = ("failed", "in_doubt", "missed", "account_blocked", "review_waiting", "campaign_finished", "daily")
PROBLEMS = EVENTS[:5]
#: What a channel gets when it names no events: every problem and the closing summary.
DEFAULT_EVENTS = (*PROBLEMS, "campaign_finished")
#: Where the dashboard's public address may come from when campaign.yaml does not say.
DASHBOARD_ENV = "CAMPAIGN_DASHBOARD_URL"


class Alert(Model):
    """One alert channel: an apprise URL by reference, and the events it is told of."""

    url: str = Field(description="env:NAME or file:PATH holding an apprise URL (json://, mailto://, ntfy://...)")
    events: tuple[str, ...] = Field(DEFAULT_EVENTS, description="any of " + ", ".join(EVENTS))
    daily_at: LocalTime = Field(
        dt.time(9, 0), description="local time of the daily digest (HH:MM)")
    review_before: Duration = Field(timedelta(hours=12), description=(
        "review_waiting: how long before a card's time a card still awaiting approval is alerted"))

    @field_validator("url", mode="before")
    @classmethod
    def _ref_only(cls, value: Any) -> Any:
        try:
            return check_ref(value)
        except ValueError:  # the value may be a real webhook: never echoed
            raise ValueError("a literal alert URL is not allowed here (it holds the channel's token; its value is "
                             "not shown): write env:VARIABLE_NAME or file:/path/to/url and keep the URL out of "
                             "the YAML") from None

    @field_validator("events", mode="before")
    @classmethod
    def _events(cls, value: Any) -> Any:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not items:
            raise ValueError("list the events this channel wants, e.g. events: [failed, in_doubt, daily] "
                             f"(any of {', '.join(EVENTS)})")
        seen: list[str] = []
        for item in items:
            name = str(item).strip().lower()
            if name not in EVENTS:
                raise ValueError(f"{item!r} is not an alert event{did_you_mean(name, EVENTS)}; "
                                 f"use {', '.join(EVENTS)}")
            if name in seen:
                raise ValueError(f"{name} is listed twice; list each event once")
            seen.append(name)
        return tuple(seen)


def check_dashboard_url(value: Any) -> Any:
    """A plain ``http(s)://host[:port][/path]`` address (no user, password, query or fragment: no
    place for a token), without its trailing slash."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ValueError("is not a URL; write it like https://dashboard.example.org") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be http(s)://host[:port][/path], e.g. https://dashboard.example.org")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise ValueError("may not carry a user, password, query or fragment (its value is not shown): "
                         "it is the dashboard's public address, shown in every alert")
    return text.rstrip("/")


__all__ = ["Alert", "DASHBOARD_ENV", "DEFAULT_EVENTS", "EVENTS", "PROBLEMS", "check_dashboard_url"]
