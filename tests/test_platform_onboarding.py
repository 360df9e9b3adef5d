"""Each platform before the first post: what it charges (``plan --costs``, the link warning of
``validate``), what it needs (``accounts check``), and the limits the publishers now honour: X's
app-level 24-hour window, the current Graph API version, Telegram's photo dimensions, Bluesky's
kept sessions (``createSession`` is limited to 30 per 5 minutes and 300 a day)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from campaign.checks import load_checked
from campaign.checks.costs import IN_DOUBT, account_costs, has_link
from campaign.cli import main
from campaign.platforms import COSTS, NAMES, TABLE, costs
from campaign.publishers import RateLimited, Rejected, get_publisher
from campaign.publishers.bluesky import SESSIONS
from campaign.publishers.facebook import GRAPH_VERSION
from campaign.publishers.x import rate_limit_of
from tests.fakes.fixtures import *  # noqa: F403
from tests.folder_fixtures import example_with
from tests.fakes.fixtures import PLATFORMS, card_bytes, make_post

LINK = "https://licadho-cambodia.org/hrd"
X_ACCOUNT = {"credentials": {"api_key": "env:X_API_KEY", "api_secret": "env:X_API_SECRET",
                             "access_token": "env:X_ACCESS_TOKEN", "access_secret": "env:X_ACCESS_SECRET"}}


ACCOUNTS = [
    {"id": "licadho-x", "organisation": "LICADHO", "platform": "x", "language": "km", **X_ACCOUNT},
    {"id": "cchr-x", "organisation": "CCHR", "platform": "x", "language": "en", **X_ACCOUNT},
    {"id": "adhoc-tg", "organisation": "ADHOC", "platform": "telegram", "language": "km",
     "credentials": "env:TELEGRAM_TOKEN", "channel": "@adhoc"},
]


# ---- the cost table and plan --costs ---------------------------------------------------------

def test_every_platform_has_a_cost_row_and_only_x_charges() -> None:
    assert set(COSTS) == set(NAMES) == set(TABLE)
    charging = {name for name, c in COSTS.items() if c.post or c.media or c.alt_text or c.lookup}
    assert charging == {"x"}
    x = costs("x")
    assert (x.post, x.of_post(True), x.alt_text, x.read) == (0.015, 0.20, 0.005, 0.001)
    assert all(COSTS[name].needs for name in NAMES if name != "outbox")
    with pytest.raises(KeyError, match="known"):
        costs("myspace")


def test_spend_is_each_accounts_posts_priced_by_its_platform(tmp_path: Path) -> None:
    weekly = ["{name}: {days} days behind bars. " + LINK + " {hashtags}",
              "{organisation} stands with {name}. {hashtags}"]
    folder = load_checked(example_with(tmp_path, ACCOUNTS, en_weekly=weekly))
    rows = {r.account: r for r in account_costs(folder.campaign, folder.roster, folder.slots)}
    assert list(rows) == [a["id"] for a in ACCOUNTS]
    x = costs("x")
    for row in rows.values():
        mine = [s for s in folder.slots if s.account == row.account]
        assert row.posts == len(mine)
        if row.platform != "x":
            assert row.total == 0
            continue
        plain = row.posts - row.with_link
        expected = plain * x.post + row.with_link * x.of_post(True) + row.posts * (x.alt_text + IN_DOUBT * x.lookup)
        assert row.total == pytest.approx(expected)
    # the English X account alternates a caption with a link: those weekly posts are the dearer ones
    assert 0 < rows["cchr-x"].with_link < rows["cchr-x"].posts
    assert rows["licadho-x"].with_link == 0


def test_plan_costs_prints_a_row_per_account_and_the_total(tmp_path: Path) -> None:
    folder = example_with(tmp_path, ACCOUNTS)
    result = CliRunner().invoke(main, ["plan", str(folder), "--costs"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    plan = json.loads(CliRunner().invoke(main, ["plan", str(folder), "--json"]).output)
    for account in ACCOUNTS:
        row = next(line for line in lines if line.startswith(account["id"]))
        assert row.split()[2] == str(sum(1 for p in plan if p["account"] == account["id"]))
    assert "expected platform spend: $" in lines[-1]


def test_has_link_follows_x_url_rules() -> None:
    assert has_link(f"Free them {LINK}")
    assert has_link("see licadho-cambodia.org")  # X links a bare domain too
    assert not has_link("Free them all #FreeThemAll")


def test_validate_warns_about_a_link_in_an_x_caption_only(tmp_path: Path) -> None:
    weekly = ["{name}: {days} days. " + LINK + " {hashtags}", "{name} ({group}). {hashtags}"]
    with_x = example_with(tmp_path / "a", ACCOUNTS, en_weekly=weekly)
    result = CliRunner().invoke(main, ["validate", str(with_x)])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if "carries a link" in line]
    assert len(warned) == 1 and "captions.en.weekly[0]" in warned[0] and "$0.20" in warned[0]
    no_x = example_with(tmp_path / "b", [dict(ACCOUNTS[2], language="en")], en_weekly=weekly)
    assert "carries a link" not in CliRunner().invoke(main, ["validate", str(no_x)]).output


def test_accounts_check_says_what_each_platform_needs(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_SECRET", "TELEGRAM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(main, ["accounts", "check", str(example_with(tmp_path, ACCOUNTS))])
    assert result.exit_code == 1
    assert "x needs" in result.output and "pay-per-use credits" in result.output
    assert "telegram needs" in result.output and "administrator" in result.output
    assert "facebook needs" not in result.output  # only the platforms the accounts use


# ---- X: the app's 24-hour window ------------------------------------------------------------

def _headers(**windows: tuple[int, int]) -> dict[str, str]:
    out = {}
    for prefix, (remaining, reset) in windows.items():
        name = {"window": "x-rate-limit-", "user": "x-user-limit-24hour-", "app": "x-app-limit-24hour-"}[prefix]
        out |= {name + "limit": "100", name + "remaining": str(remaining), name + "reset": str(reset)}
    return out


@pytest.mark.parametrize("spent", [("app",), ("user",), ("window",), ("app", "user"), ("window", "app"), ()])
def test_a_spent_window_binds_and_the_latest_reset_wins(spent: tuple[str, ...]) -> None:
    resets = {"window": 1_800_000_900, "user": 1_800_010_000, "app": 1_800_050_000}
    info = rate_limit_of(_headers(**{w: (0 if w in spent else 5, r) for w, r in resets.items()}))
    assert info is not None
    if spent:
        assert info.remaining == 0
        assert info.reset_at == datetime.fromtimestamp(max(resets[w] for w in spent), UTC)
    else:
        assert info.reset_at == datetime.fromtimestamp(resets["window"], UTC)


def test_the_apps_spent_budget_rate_limits_until_its_reset(x_fake) -> None:  # type: ignore[no-untyped-def]
    x = PLATFORMS["x"]
    account = x.account()
    x_fake.fail("tweets", "app-limit")
    with pytest.raises(RateLimited) as caught:
        get_publisher(account, x.context(x_fake)).publish(make_post(account))
    wait = (caught.value.reset_at - datetime.now(UTC)).total_seconds()
    assert 5 * 3600 - 60 < wait <= 5 * 3600 + 1  # the app's reset, not the 15-minute window's


# ---- Facebook: the current Graph version ----------------------------------------------------

def test_the_publisher_speaks_a_graph_version_the_api_still_serves(facebook_fake) -> None:  # type: ignore[no-untyped-def]
    fb = PLATFORMS["facebook"]
    account = fb.account()
    get_publisher(account, fb.context(facebook_fake)).publish(make_post(account))
    assert {r.path.split("/")[1] for r in facebook_fake.requests} == {GRAPH_VERSION}
    facebook_fake.oldest = (26, 0)  # a newer version came out and this one reached its end of life
    with pytest.raises(Rejected, match="2635"):
        get_publisher(account, fb.context(facebook_fake)).publish(make_post(account, text="again"))


# ---- Telegram: photo dimensions -------------------------------------------------------------

@pytest.mark.parametrize(("width", "height", "taken"), [
    (1080, 1350, True), (5000, 5000, True), (5001, 5000, False), (2000, 100, True), (2100, 100, False)])
def test_telegram_photos_are_bounded_by_their_dimensions(telegram_fake, width: int, height: int,  # type: ignore[no-untyped-def]
                                                          taken: bool) -> None:
    tg = PLATFORMS["telegram"]
    account = tg.account()
    post = make_post(account, image=card_bytes(width, height))
    publisher = get_publisher(account, tg.context(telegram_fake))
    if taken:
        publisher.publish(post)
        assert len(telegram_fake.posted) == 1
    else:
        with pytest.raises(Rejected, match="width \\+ height|ratio"):
            publisher.publish(post)
        assert telegram_fake.requests_to("sendPhoto") == []  # refused before sending anything


# ---- Bluesky: one session kept, a new login only when it expired ----------------------------

@pytest.fixture
def bluesky(bluesky_fake):  # type: ignore[no-untyped-def]
    yield PLATFORMS["bluesky"], bluesky_fake
    SESSIONS.forget((bluesky_fake.url, PLATFORMS["bluesky"].account().handle))


def test_publishers_built_again_reuse_the_session(bluesky) -> None:  # type: ignore[no-untyped-def]
    b, fake = bluesky
    account = b.account()
    for i in range(40):  # more than createSession's 30 per 5 minutes: a new definition builds a new publisher
        get_publisher(account, b.context(fake)).publish(make_post(account, text=f"post {i}"))
    assert fake.sessions == 1 and len(fake.posted) == 40


def test_an_expired_session_logs_in_once_more_and_the_post_goes_out(bluesky) -> None:  # type: ignore[no-untyped-def]
    b, fake = bluesky
    account = b.account()
    publisher = get_publisher(account, b.context(fake))
    publisher.publish(make_post(account, text="first"))
    fake.expire_sessions()
    publisher.publish(make_post(account, text="second"))
    get_publisher(account, b.context(fake)).publish(make_post(account, text="third"))  # the new session is kept
    assert fake.sessions == 2 and [p["text"] for p in fake.posted] == ["first", "second", "third"]


def test_an_access_token_near_its_end_is_refreshed_not_logged_in_again(bluesky) -> None:  # type: ignore[no-untyped-def]
    b, fake = bluesky
    fake.access_lifetime = 600  # atproto refreshes 15 minutes ahead: every call refreshes
    account = b.account()
    for i in range(3):
        get_publisher(account, b.context(fake)).publish(make_post(account, text=f"post {i}"))
    assert fake.sessions == 1 and fake.refreshes >= 3


def test_a_revoked_app_password_is_still_an_auth_failure(bluesky) -> None:  # type: ignore[no-untyped-def]
    from campaign.publishers import AuthFailed

    b, fake = bluesky
    account = b.account()
    get_publisher(account, b.context(fake)).publish(make_post(account, text="first"))
    fake.app_password = "revoked"
    fake.expire_sessions()
    with pytest.raises(AuthFailed):
        get_publisher(account, b.context(fake)).publish(make_post(account, text="second"))
    assert fake.sessions == 1  # one failed login attempt, no loop
