"""The pipeline's tunables, read once from the environment (every worker reads the same names)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from ..redis_server import campaign_home


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


@dataclass(frozen=True)
class Settings:
    """Lease and retry timings (wall-clock seconds) and local cache places.

    ``lease``: how long a worker may hold a post in ``publishing`` before the reaper calls it
    in doubt; longer than any publish takes, shorter than the broker's visibility timeout.
    ``resend_after``: when a queued post's publish task is presumed lost and sent again.
    ``render_lead``: how long before its due time a post is rendered when no review is asked for.
    """

    lease: float = field(default_factory=lambda: _float("CAMPAIGN_LEASE_SECONDS", 120.0))
    render_lease: float = field(default_factory=lambda: _float("CAMPAIGN_RENDER_LEASE_SECONDS", 300.0))
    resend_after: float = field(default_factory=lambda: _float("CAMPAIGN_RESEND_SECONDS", 180.0))
    reconcile_after: float = field(default_factory=lambda: _float("CAMPAIGN_RECONCILE_SECONDS", 60.0))
    max_attempts: int = field(default_factory=lambda: int(_float("CAMPAIGN_MAX_ATTEMPTS", 5)))
    backoff_base: float = field(default_factory=lambda: _float("CAMPAIGN_BACKOFF_SECONDS", 5.0))
    backoff_cap: float = 120.0
    render_lead: timedelta = field(default_factory=lambda: timedelta(seconds=_float("CAMPAIGN_RENDER_LEAD_SECONDS", 3600)))
    cache_dir: Path = field(default_factory=lambda: Path(os.environ.get("CAMPAIGN_CACHE") or campaign_home() / "cache"))
