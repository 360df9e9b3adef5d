"""The pipeline with the real platform publishers: captions fitted per platform, rate-limit budgets
shared through Redis, and whole simulated campaigns posting to all five fake platforms at once
through a real Celery worker (with and without faults).

The fakes run in this process on loopback; the worker process reaches them through
``$CAMPAIGN_BASE_URLS`` and holds the accounts' secrets in its own environment only.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest

from campaign.captions import caption_length, fits, limit_of
from campaign.clock import SimulatedClock
from campaign.checks import load_checked
from campaign.ledger import Ledger
from campaign.pipeline import InlineDispatch, Settings, apply_folder, load_applied, tick
from campaign.pipeline.settings import SettingsError, base_urls_from_env
from campaign.pipeline.simulate import run_simulation, simulation_window
from tests.fakes.fixtures import ENV, PLATFORMS, SECRET_VALUES, running
from tests.fakes.server import FakeServer
from tests.pipeline_fixtures import *  # noqa: F403

KHMER = re.compile(r"[\u1780-\u17FF]")

#: One account per platform, Khmer and English mixed.
LANGUAGES = {"x": "en", "mastodon": "km", "bluesky": "en", "telegram": "km", "facebook": "km"}

ROSTER = {"people": [
    {"id": "rong-chhun", "name": {"en": "Rong Chhun", "km": "រ៉ុង ឈុន"},
     "events": [{"date": "2020-08-01", "type": "arrested", "charge": {"en": "incitement"}}]},
    {"id": "sar-kanika", "name": {"en": "Sar Kanika", "km": "សារ កាណិកា"},
     "events": [{"date": "2020-08-07", "type": "arrested", "charge": {"en": "incitement"}}]},
    {"id": "ton-nimol", "name": {"en": "Ton Nimol", "km": "តុន នីមល"},
     "events": [{"date": "2020-08-03", "type": "arrested", "charge": {"en": "incitement"}}]},
]}


def platform_campaign(platforms: dict[str, str] = LANGUAGES, *, weeks: int = 4, en_caption: str | None = None,
                      cid: str = "platforms") -> dict:
    """A weekly campaign of ``weeks`` weeks with one account per platform (credentials: env: references)."""
    accounts = []
    for name, lang in platforms.items():
        fields = {k: v for k, v in PLATFORMS[name].account_fields.items()}
        accounts.append({"id": f"{name}-{lang}", "organisation": f"Org {name}", "platform": name, "language": lang,
                         **fields})
    return {
        "id": cid, "name": "Platforms test campaign", "timezone": "Asia/Phnom_Penh",
        "start": "2021-11-01", "end": f"2021-11-{7 * weeks:02d}",
        "cadence": {"every": "week", "weekday": "wednesday", "time": "10:00"},
        "template": "portrait", "released_template": "released", "max_lateness": "6h", "stagger": "10m",
        "hashtags": ["#FreeThemAll", "#Cambodia"],
        "captions": {
            "en": {"weekly": [en_caption or "Week {week}: {name} has been detained for {duration}. {hashtags}"]},
            "km": {"weekly": ["សប្ដាហ៍ទី {week}: {name} បានជាប់ឃុំ {duration}។ {hashtags}"]},
        },
        "accounts": accounts,
    }


# ---- 1. captions never exceed the platform's limit -------------------------------------------------


def test_caption_is_fitted_to_its_platform(ledger: Ledger, tmp_path: Path) -> None:
    long = ("Week {week}: {name} has been detained for {duration}, charged with {charge}, for speaking up "
            "for workers, farmers and families who lost their land. " * 3) + "{hashtags}"
    folder = write_folder(tmp_path / "long", platform_campaign({"x": "en", "bluesky": "en", "telegram": "km"},
                                                               weeks=1, en_caption=long), ROSTER)
    now = local("2021-10-30")
    SimulatedClock(ledger).set(now)
    apply_folder(ledger, load_checked(folder), now, {"force_outbox": "1", "outbox_dir": str(tmp_path / "outbox")})
    now = local("2021-11-03", "09:30")
    SimulatedClock(ledger).set(now)
    tick(ledger, now, InlineDispatch(ledger))
    posts = {p.slot.account: p for p in ledger.posts("platforms")}
    assert {a: p.state for a, p in posts.items()} == {"x-en": "rendered", "bluesky-en": "rendered",
                                                         "telegram-km": "rendered"}
    for account, post in posts.items():
        platform = account.split("-")[0]
        caption = post.caption or ""
        assert fits(caption, platform), (platform, caption_length(caption, platform))
        assert caption.endswith("#FreeThemAll #Cambodia")
    assert "…" in (posts["x-en"].caption or "") and "…" in (posts["bluesky-en"].caption or "")
    assert caption_length(posts["x-en"].caption or "", "x") > limit_of("x").size - 40  # shortened, not gutted
    assert "…" not in (posts["telegram-km"].caption or "")  # it fitted: left as written


# ---- 3. base URLs from the environment, safely -------------------------------------------------------


def test_base_urls_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_BASE_URLS", '{"x": "http://127.0.0.1:8001/", "mastodon": "https://m.example"}')
    monkeypatch.setenv("CAMPAIGN_PUBLISH_TIMEOUT", "1.5")
    settings = Settings()
    assert settings.base_urls == {"x": "http://127.0.0.1:8001", "mastodon": "https://m.example"}
    assert settings.publish_timeout == 1.5
    for bad in ('{"x": "http://user:hunter2-secret@127.0.0.1:8001"}', '{"x": "http://h/?token=hunter2-secret"}',
                '{"x": "ftp://h"}', '["x"]', '{"x": hunter2-secret}'):
        monkeypatch.setenv("CAMPAIGN_BASE_URLS", bad)
        with pytest.raises(SettingsError) as err:
            base_urls_from_env()
        assert "hunter2" not in str(err.value) and "CAMPAIGN_BASE_URLS" in str(err.value)


# ---- 2. a spent budget holds the account for every worker ------------------------------------------


def test_spent_budget_holds_only_that_account(ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    folder = write_folder(tmp_path / "budget", platform_campaign({"x": "en", "mastodon": "km"}, weeks=2), ROSTER)
    fakes: dict[str, FakeServer] = {}
    gens = {name: running(PLATFORMS[name]) for name in ("x", "mastodon")}
    for name, gen in gens.items():
        fakes[name] = next(gen)
    try:
        settings = Settings(base_urls={n: f.url for n, f in fakes.items()}, publish_timeout=2.0)
        dispatch = InlineDispatch(ledger, settings)
        fakes["x"].remaining = 1  # type: ignore[attr-defined]  # this next call spends the budget
        now = local("2021-10-30")
        SimulatedClock(ledger).set(now)
        apply_folder(ledger, load_checked(folder), now, settings=settings)
        for day in ("2021-11-03", "2021-11-10"):
            for hm in ("09:30", "10:25"):
                now = local(day, hm)
                SimulatedClock(ledger).set(now)
                tick(ledger, now, dispatch, settings)
        cid = "platforms"
        x_state = ledger.account_state(cid, "x-en")
        assert x_state["budget_remaining"] == "0" and x_state["budget_limit"] == "100"
        until = float(x_state["rate_limited_until"])
        assert until == float(x_state["budget_reset"]) and until > time.time() + 600  # the fake's 15-minute window
        assert ledger.state(f"{cid}:2021-11-03:x-en") == "posted"  # the call that spent it went through
        waiting = ledger.post(f"{cid}:2021-11-10:x-en")
        assert waiting.state == "queued" and waiting.waiting_until == until
        assert dict(ledger.index(cid, "queued"))[waiting.id] == until
        assert len(fakes["x"].posted) == 1  # the second X post never reached the platform
        m_state = ledger.account_state(cid, "mastodon-km")
        assert "rate_limited_until" not in m_state and int(m_state["budget_remaining"]) > 0
        assert [ledger.state(f"{cid}:{d}:mastodon-km") for d in ("2021-11-03", "2021-11-10")] == ["posted", "posted"]
        # A RateLimited reading with an earlier reset never shortens the hold.
        ledger.rate_limit(cid, "x-en", until - 300)
        assert float(ledger.account_state(cid, "x-en")["rate_limited_until"]) == until
    finally:
        for gen in gens.values():
            gen.close()


# ---- 4. a whole campaign to all five fakes at once, through a real Celery worker ----------------------


def _remote_ids(platform: str, fake: FakeServer) -> set[str]:
    if platform == "bluesky":
        return {p["uri"] for p in fake.posted}
    if platform == "telegram":
        return {f"{p['chat']['id']}:{p['message_id']}" for p in fake.posted}
    return {str(p["id"]) for p in fake.posted}


@pytest.mark.slow
@pytest.mark.parametrize("faults", [False, True], ids=["clean", "429-and-500"])
def test_full_campaign_to_all_five_fakes(fresh_db, tmp_path: Path, faults: bool) -> None:  # type: ignore[no-untyped-def]
    url, ledger = fresh_db
    gens = {name: running(PLATFORMS[name]) for name in LANGUAGES}
    fakes = {name: next(gen) for name, gen in gens.items()}
    worker = None
    try:
        env = {"CAMPAIGN_KEY_PREFIX": "w:", "CAMPAIGN_HOME": str(tmp_path / "home"),
               "CAMPAIGN_BASE_URLS": json.dumps({n: f.url for n, f in fakes.items()}),
               "CAMPAIGN_PUBLISH_TIMEOUT": "3", "CAMPAIGN_BACKOFF_SECONDS": "0.2", **ENV}
        worker = start_worker(url, tmp_path / "logs", concurrency=2, env=env)
        folder = write_folder(tmp_path / "campaign", platform_campaign(), ROSTER)
        f = load_checked(folder)
        probe_start = local("2021-10-29")
        SimulatedClock(ledger).set(probe_start)
        apply_folder(ledger, f, probe_start)  # real platforms: no force_outbox
        applied = load_applied(ledger, f.campaign.id)
        cid = applied.campaign.id
        if faults:
            fakes["x"].rate_reset_seconds = 1.5
            fakes["x"].fail("tweets", "429")  # the first X post: rate limited, resets in ~1.5 s
            fakes["mastodon"].fail("statuses", "500")  # the first Mastodon post: a server error
        start, end = simulation_window(applied)
        from workers.tasks import CeleryDispatch

        result = run_simulation(ledger, applied, CeleryDispatch(say_done=True), start=start, until=end, step_timeout=30,
                                hold_for_waits=15)
        posts = ledger.posts(cid)
        assert len(posts) == 4 * len(LANGUAGES)
        assert result.counts == {"posted": len(posts)}, worker.tail()
        assert not [p.id for p in posts if p.state != "posted"]
        posted_moves = Counter(e["post"] for e in ledger.iter_audit(cid) if e["to"] == "posted")
        assert set(posted_moves.values()) == {1} and len(posted_moves) == len(posts)
        for name, fake in fakes.items():
            lang = LANGUAGES[name]
            mine = [p for p in posts if p.slot.account == f"{name}-{lang}"]
            texts = [item["text"] for item in fake.posted]
            assert len(texts) == len(mine) == 4, (name, texts)  # exactly the expected posts, none doubled
            assert Counter(texts) == Counter(p.caption for p in mine)
            for item in fake.posted:
                alt = fake.alt_of(item)
                assert alt is None or len(alt) > 20, (name, alt)
                assert bool(KHMER.search(item["text"])) == (lang == "km"), (name, item["text"])
            if name == "mastodon":
                assert {item["language"] for item in fake.posted} == {"km"}
            if name == "bluesky":
                assert {tuple(item["record"]["langs"]) for item in fake.posted} == {("en",)}
            assert {p.remote_id for p in mine} == _remote_ids(name, fake)
        first = {name: min((p for p in posts if p.slot.platform == name), key=lambda p: p.due).id
                 for name in LANGUAGES}
        outcomes = {name: [a["outcome"] for a in ledger.attempts(pid)] for name, pid in first.items()}
        if faults:
            assert outcomes["x"] == ["rate_limited", "posted"]  # waited for its reset, then went out
            assert outcomes["mastodon"] == ["retry", "posted"]  # the 500 was retried after a backoff
            assert len(fakes["mastodon"].requests_to("/api/v1/statuses")) == 4 + 1
            limited = ledger.post(first["x"])
            hold = float(ledger.account_state(cid, "x-en")["rate_limited_until"])
            assert limited.updated is not None and limited.updated >= hold  # not posted before the reset
        assert all(o == ["posted"] for n, o in outcomes.items() if not faults or n not in ("x", "mastodon"))
        # No secret in the ledger or the worker's log.
        dump = json.dumps([[p.to_fields() for p in posts], ledger.audit(cid, count=10_000)]
                          + [ledger.attempts(p.id) for p in posts])
        log = worker.tail(10_000_000)
        for secret in SECRET_VALUES:
            assert secret not in dump and secret not in log
    finally:
        if worker is not None:
            worker.stop()
        for gen in gens.values():
            gen.close()
