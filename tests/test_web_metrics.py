"""``/metrics``: parsed with prometheus-client's own text parser, every figure equals the ledger's."""

from __future__ import annotations

import time
from collections import Counter, defaultdict

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from campaign.web.metrics import DELAY_BUCKETS, RENDER_BUCKETS
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import METRICS, VIEWER, Populated, bearer


def scrape(api: TestClient, token: str = METRICS) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """Every sample by name, then by its labels."""
    answer = api.get("/metrics", headers=bearer(token))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = defaultdict(dict)
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            out[sample.name][tuple(sorted(sample.labels.items()))] = sample.value
    return out


def labels(**values: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(values.items()))


def test_posts_by_state_and_platform_equal_the_ledgers(api: TestClient, populated: Populated) -> None:
    got = scrape(api)["campaign_posts"]
    expected = Counter((p.state, p.slot.platform) for p in populated.ledger.posts("small"))
    assert got == {labels(campaign="small", state=s, platform=pf): float(n) for (s, pf), n in expected.items()}
    assert scrape(api)["campaign_status"][labels(campaign="small", status="active")] == 1.0


def test_publish_delay_histogram_is_posted_at_minus_due(api: TestClient, populated: Populated) -> None:
    got = scrape(api)
    posted = [p for p in populated.ledger.posts("small") if p.state == "posted"]
    delays = [p.posted_at.timestamp() - p.due for p in posted if p.posted_at]
    assert delays and len(delays) == len(posted)
    key = labels(campaign="small", platform="outbox")
    assert got["campaign_publish_delay_seconds_count"][key] == len(delays)
    assert got["campaign_publish_delay_seconds_sum"][key] == pytest.approx(sum(delays))
    for bound in DELAY_BUCKETS:
        le = labels(campaign="small", platform="outbox", le=str(float(bound)))
        assert got["campaign_publish_delay_seconds_bucket"][le] == sum(1 for d in delays if d <= bound)


def test_render_time_histogram_counts_every_rendered_card(api: TestClient, populated: Populated) -> None:
    got = scrape(api)
    seconds = [p.render_seconds for p in populated.ledger.posts("small") if p.render_seconds is not None]
    assert len(seconds) == 3  # 8 November's three posts were rendered (the others are planned)
    key = labels(campaign="small", platform="outbox")
    assert got["campaign_render_seconds_count"][key] == 3
    assert got["campaign_render_seconds_sum"][key] == pytest.approx(sum(seconds))
    top = labels(campaign="small", platform="outbox", le=str(float(RENDER_BUCKETS[-1])))
    assert got["campaign_render_seconds_bucket"][top] == sum(1 for s in seconds if s <= RENDER_BUCKETS[-1])


def test_failures_by_error_kind_equal_the_failed_attempts(api: TestClient, populated: Populated) -> None:
    got = scrape(api)["campaign_publish_failures_total"]
    kinds: Counter[str] = Counter()
    for post in populated.ledger.posts("small"):
        for attempt in populated.ledger.attempts(post.id):
            if attempt["outcome"] != "posted":
                kinds[attempt["error_class"]] += 1
    assert kinds == {"Rejected": 1, "OutcomeUnknown": 1}
    assert got == {labels(campaign="small", platform="outbox", kind=k): float(n) for k, n in kinds.items()}


def test_blocked_and_rate_limited_accounts(api: TestClient, populated: Populated) -> None:
    before = scrape(api)
    assert set(before["campaign_account_blocked"].values()) == {0.0}
    populated.ledger.mark_auth_failed("small", "b-km", "refused: env:B_TOKEN", at=populated.now)
    populated.ledger.rate_limit("small", "c-en", time.time() + 600)
    got = scrape(api)
    for account in ("a-en", "b-km", "c-en"):
        key = labels(campaign="small", account=account, platform="outbox")
        assert got["campaign_account_blocked"][key] == (1.0 if account == "b-km" else 0.0)
        assert got["campaign_account_rate_limited"][key] == (1.0 if account == "c-en" else 0.0)


def test_metrics_follow_the_ledger_at_each_scrape(api: TestClient, populated: Populated) -> None:
    """Nothing is counted in the dashboard's process: a change by anyone shows at the next scrape."""
    populated.ledger.set_status("small", "paused", at=populated.now, worker="test")
    got = scrape(api, VIEWER)
    assert got["campaign_status"][labels(campaign="small", status="paused")] == 1.0
    assert got["campaign_status"][labels(campaign="small", status="active")] == 0.0
