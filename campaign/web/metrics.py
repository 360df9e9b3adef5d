"""``/metrics`` in Prometheus text format, computed from the ledger at scrape time.

Every figure is read from Redis when Prometheus asks (a custom collector, no counters kept in this
process), so any number of dashboards and workers on any number of machines agree:

| metric | labels | from |
|---|---|---|
| ``campaign_posts`` | campaign, state, platform | the ledger's counts per account and state |
| ``campaign_status`` | campaign, status | 1 for the campaign's status (active, paused, cancelled) |
| ``campaign_publish_delay_seconds`` (histogram) | campaign, platform | posted_at - due of every posted post (one resolved out of doubt: posted when the doubt arose) |
| ``campaign_render_seconds`` (histogram) | campaign, platform | how long each card and caption took (when recorded) |
| ``campaign_publish_failures_total`` | campaign, platform, kind | failed publish attempts by error class |
| ``campaign_account_blocked`` | campaign, account, platform | 1 when its credentials were refused |
| ``campaign_account_rate_limited`` | campaign, account, platform | 1 while it waits for its rate limit |

Scraping needs a viewer's or operator's token, or the users file's ``metrics_token``.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from ..ledger import Ledger
from ..ledger.states import ACTIVE, CANCELLED, PAUSED, POSTED, STATES
from ..pipeline.applied import load_applied

#: Seconds after the due time: on the minute, a few minutes late, within max_lateness (6 h by default).
DELAY_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 21600.0)
RENDER_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: Attempt outcomes that are not failures.
NOT_FAILED = ("posted",)


def histogram(name: str, doc: str, labels: Sequence[str], samples: dict[tuple[str, ...], list[float]],
              buckets: Sequence[float]) -> HistogramMetricFamily:
    """A histogram family from raw observations per label set (cumulative buckets, sum, count)."""
    family = HistogramMetricFamily(name, doc, labels=list(labels))
    for key, values in sorted(samples.items()):
        cumulative = [(floatToGoString(b), float(sum(1 for v in values if v <= b))) for b in buckets]
        cumulative.append(("+Inf", float(len(values))))
        family.add_metric(list(key), cumulative, sum(values))
    return family


class LedgerCollector(Collector):
    """Reads every campaign of the ledger at each scrape."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def collect(self) -> Iterable[Metric]:
        led = self.ledger
        posts = GaugeMetricFamily("campaign_posts", "Posts per campaign, state and platform",
                                  labels=["campaign", "state", "platform"])
        status = GaugeMetricFamily("campaign_status", "1 for the campaign's status", labels=["campaign", "status"])
        blocked = GaugeMetricFamily("campaign_account_blocked", "1 when the account's credentials were refused",
                                    labels=["campaign", "account", "platform"])
        limited = GaugeMetricFamily("campaign_account_rate_limited", "1 while the account waits for its rate limit",
                                    labels=["campaign", "account", "platform"])
        failures = CounterMetricFamily("campaign_publish_failures", "Failed publish attempts by error kind",
                                       labels=["campaign", "platform", "kind"])
        delays: dict[tuple[str, ...], list[float]] = defaultdict(list)
        renders: dict[tuple[str, ...], list[float]] = defaultdict(list)
        wall = time.time()
        for cid in led.campaigns():
            applied = load_applied(led, cid)
            platform_of = {a.id: a.platform for a in applied.campaign.accounts}
            current = led.campaign_field(cid, "status") or ACTIVE
            for s in (ACTIVE, PAUSED, CANCELLED):
                status.add_metric([cid, s], 1.0 if s == current else 0.0)
            for (state, platform), n in sorted(self._posts_by_platform(led.counts(cid), platform_of).items()):
                posts.add_metric([cid, state, platform], float(n))
            for account, platform in platform_of.items():
                held = led.account_state(cid, account)
                blocked.add_metric([cid, account, platform], 1.0 if "auth_failed" in held else 0.0)
                limited.add_metric([cid, account, platform],
                                   1.0 if float(held.get("rate_limited_until") or 0) > wall else 0.0)
            records = led.posts(cid)
            for post in records:
                key = (cid, post.slot.platform)
                if post.state == POSTED and post.posted_at is not None:
                    delays[key].append(max(0.0, post.posted_at.timestamp() - post.due))
                if post.render_seconds is not None:
                    renders[key].append(post.render_seconds)
            kinds: Counter[tuple[str, str, str]] = Counter()
            for pid, attempts in led.attempts_of(p.id for p in records).items():
                for attempt in attempts:
                    if attempt.get("outcome") not in NOT_FAILED:
                        kinds[(cid, platform_of.get(Ledger.account_of(pid), ""), attempt.get("error_class") or
                               attempt.get("outcome") or "unknown")] += 1
            for labels, n in sorted(kinds.items()):
                failures.add_metric(list(labels), float(n))
        yield from (posts, status, blocked, limited, failures)
        yield histogram("campaign_publish_delay_seconds", "Seconds from a post's due time to its publication",
                        ["campaign", "platform"], delays, DELAY_BUCKETS)
        yield histogram("campaign_render_seconds", "Seconds to make a post's card and caption",
                        ["campaign", "platform"], renders, RENDER_BUCKETS)

    @staticmethod
    def _posts_by_platform(counts: dict[str, int], platform_of: dict[str, str]) -> dict[tuple[str, str], int]:
        out: Counter[tuple[str, str]] = Counter()
        for key, n in counts.items():
            if "/" in key:
                account, state = key.split("/", 1)
                if state in STATES:
                    out[(state, platform_of.get(account, "unknown"))] += n
        return dict(out)


def registry_for(ledger: Ledger) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LedgerCollector(ledger))
    return registry


def exposition(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)


__all__ = ["DELAY_BUCKETS", "LedgerCollector", "RENDER_BUCKETS", "exposition", "registry_for"]
