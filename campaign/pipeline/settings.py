"""The pipeline's tunables, read once from the environment (every worker reads the same names), and
the publishers a process builds (passed in, like the tunables, so a test passes its own)."""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from ..cache import Cache
from ..errors import CampaignError
from ..publishers import Publisher, get_publisher
from ..publishers.base import Factory
from ..redis_server import campaign_home


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise SettingsError(f"${name} is not a number; write it like {default:g}, or unset it") from None


class SettingsError(CampaignError):
    """A setting in the environment is unusable (the message names it, never echoes its value)."""


BASE_URLS_ENV = "CAMPAIGN_BASE_URLS"


def base_urls_from_env(name: str = BASE_URLS_ENV) -> dict[str, str]:
    """Platform API addresses overriding each account's (tests, proxies): ``$CAMPAIGN_BASE_URLS`` as
    JSON, e.g. ``{"x": "http://127.0.0.1:8001", "mastodon": "http://127.0.0.1:8002"}``.

    Only plain ``http(s)://host[:port][/path]`` addresses are taken: a user, password, query or
    fragment (where a token could hide) is refused, and errors name the platform, not the value."""
    from urllib.parse import urlsplit

    text = os.environ.get(name, "").strip()
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        raise SettingsError(f"${name} is not valid JSON; write {{\"platform\": \"http://host:port\", ...}}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"${name} must be a JSON object of platform -> base URL")
    out: dict[str, str] = {}
    for platform, url in data.items():
        if not isinstance(platform, str) or not isinstance(url, str):
            raise SettingsError(f"${name}: every platform name and base URL must be a string")
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError:
            raise SettingsError(f"${name}: the base URL for {platform!r} is not a URL") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(f"${name}: the base URL for {platform!r} must be http(s)://host[:port]")
        if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
            raise SettingsError(f"${name}: the base URL for {platform!r} may not carry a user, password, query "
                                "or fragment; credentials belong in the account's env:/file: references")
        out[platform] = url.rstrip("/")
    return out


class Publishers:
    """The publishers a process has built, one per account and definition (the most recently used
    kept), and how one is built: ``factory`` (default: the platform registry, ``get_publisher``)."""

    def __init__(self, factory: Factory = get_publisher, maxsize: int = 256):
        self.factory = factory
        self.built: Cache[Publisher] = Cache(maxsize)
        #: how each one's credentials read when it was built (a digest; None: unreadable), so an auth
        #: failure can tell a rotated token from a refused one
        self.read_with: Cache[str | None] = Cache(maxsize)


#: This process's publishers: what every ``Settings()`` uses unless given others.
PUBLISHERS = Publishers()

#: Set (to 1) only in the workers of a rehearsal, ``campaign simulate --faults``: their outbox
#: publishers meet the faults the rehearsal planned in the ledger (``campaign.pipeline.faults``).
REHEARSAL_ENV = "CAMPAIGN_REHEARSAL"


@functools.lru_cache(maxsize=1)
def _rehearsal_publishers() -> Publishers:
    from .faults import FaultInjector

    return Publishers(factory=FaultInjector())


def process_publishers() -> Publishers:
    """The publishers ``Settings()`` uses: ``PUBLISHERS``, or in a rehearsal worker (``$CAMPAIGN_REHEARSAL``)
    publishers that wrap each outbox publisher in a fault-injecting one (real platforms never)."""
    return _rehearsal_publishers() if os.environ.get(REHEARSAL_ENV) else PUBLISHERS


@dataclass(frozen=True)
class Settings:
    """Lease and retry timings (wall-clock seconds) and local cache places.

    ``lease``: how long a worker may hold a post in ``publishing`` before the reaper calls it
    in doubt; longer than any publish takes, shorter than the broker's visibility timeout.
    ``resend_after``: when a queued post's publish task is presumed lost and sent again.
    ``render_lead``: how long before its due time a post is rendered when no review is asked for.
    ``publish_timeout``: the publishers' HTTP timeout (``$CAMPAIGN_PUBLISH_TIMEOUT``).
    ``base_urls``: platform API addresses overriding the accounts' (``$CAMPAIGN_BASE_URLS``, JSON):
    how a real worker process is pointed at the fake platforms in tests and benchmarks.
    ``publishers``: where publishers come from and are kept (default: ``process_publishers()``).
    """

    lease: float = field(default_factory=lambda: _float("CAMPAIGN_LEASE_SECONDS", 120.0))
    render_lease: float = field(default_factory=lambda: _float("CAMPAIGN_RENDER_LEASE_SECONDS", 300.0))
    resend_after: float = field(default_factory=lambda: _float("CAMPAIGN_RESEND_SECONDS", 180.0))
    reconcile_after: float = field(default_factory=lambda: _float("CAMPAIGN_RECONCILE_SECONDS", 60.0))
    max_attempts: int = field(default_factory=lambda: int(_float("CAMPAIGN_MAX_ATTEMPTS", 5)))
    backoff_base: float = field(default_factory=lambda: _float("CAMPAIGN_BACKOFF_SECONDS", 5.0))
    backoff_cap: float = 120.0
    render_lead: timedelta = field(default_factory=lambda: timedelta(seconds=_float("CAMPAIGN_RENDER_LEAD_SECONDS", 3600)))
    publish_timeout: float = field(default_factory=lambda: _float("CAMPAIGN_PUBLISH_TIMEOUT", 20.0))
    base_urls: dict[str, str] = field(default_factory=base_urls_from_env, hash=False)
    cache_dir: Path = field(default_factory=lambda: Path(os.environ.get("CAMPAIGN_CACHE") or campaign_home() / "cache"))
    publishers: Publishers = field(default_factory=process_publishers, compare=False, repr=False)
