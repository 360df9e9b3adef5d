"""Telegram specifics: the token lives in the URL yet never in an error; the bot's right to post
is checked by who-am-I; retry_after; caption length; no lookup."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaign.publishers import AuthFailed, RateLimited, Rejected, get_publisher
from tests.fakes.fixtures import *  # noqa: F403
from tests.fakes.fixtures import ENV, PLATFORMS, make_post
from tests.fakes.telegram import FakeTelegram

T = PLATFORMS["telegram"]


def test_photo_and_caption_go_to_the_channel(telegram_fake) -> None:  # type: ignore[no-untyped-def]
    account = T.account()
    published = get_publisher(account, T.context(telegram_fake)).publish(make_post(account))
    sent = telegram_fake.requests_to("/sendPhoto")[0]
    assert sent.form["chat_id"] == "@freethemall_kh" and "photo" in sent.files
    assert published.url == f"https://t.me/freethemall_kh/{telegram_fake.posted[0]['message_id']}"


def test_retry_after_sets_the_reset(telegram_fake) -> None:  # type: ignore[no-untyped-def]
    account = T.account()
    telegram_fake.fail("sendPhoto", "429")
    with pytest.raises(RateLimited) as caught:
        get_publisher(account, T.context(telegram_fake)).publish(make_post(account))
    assert 5 < (caught.value.reset_at - datetime.now(UTC)).total_seconds() <= 7


def test_a_bot_removed_from_the_channel_is_auth_failed(telegram_fake) -> None:  # type: ignore[no-untyped-def]
    account = T.account()
    telegram_fake.fail("sendPhoto", "forbidden")
    with pytest.raises(AuthFailed, match="administrator"):
        get_publisher(account, T.context(telegram_fake)).publish(make_post(account))


def test_unknown_channel_is_auth_failed(telegram_fake) -> None:  # type: ignore[no-untyped-def]
    account = T.account(channel="@nosuchchannel")
    with pytest.raises(AuthFailed, match="chat not found"):
        get_publisher(account, T.context(telegram_fake)).publish(make_post(account))


def test_whoami_checks_the_bot_may_post() -> None:
    with FakeTelegram(ENV["TELEGRAM_TOKEN"], "@freethemall_kh", admin=False) as fake:
        with pytest.raises(AuthFailed, match="administrator"):
            get_publisher(T.account(), T.context(fake)).whoami()
    with FakeTelegram(ENV["TELEGRAM_TOKEN"], "@freethemall_kh") as fake:
        assert get_publisher(T.account(), T.context(fake)).whoami() == "@campaign_bot in Free Them All"


def test_caption_over_1024_is_rejected_before_sending(telegram_fake) -> None:  # type: ignore[no-untyped-def]
    account = T.account()
    with pytest.raises(Rejected, match="1024"):
        get_publisher(account, T.context(telegram_fake)).publish(make_post(account, text="x" * 1025))
    assert telegram_fake.requests == []


def test_errors_name_the_account_never_the_token(telegram_fake) -> None:  # type: ignore[no-untyped-def]
    account = T.account()
    telegram_fake.fail("sendPhoto", "401")
    with pytest.raises(AuthFailed) as caught:
        get_publisher(account, T.context(telegram_fake)).publish(make_post(account))
    assert account.id in str(caught.value) and ENV["TELEGRAM_TOKEN"] not in str(caught.value)


def test_the_token_is_resolved_once_per_publisher(telegram_fake, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The token file is read at the first call, not again for every request."""
    (tmp_path / "tg-token").write_text(ENV["TELEGRAM_TOKEN"])
    account = T.account(credentials="file:tg-token")
    context = T.context(telegram_fake)
    context.base_dir = tmp_path
    publisher = get_publisher(account, context)
    publisher.publish(make_post(account))
    (tmp_path / "tg-token").unlink()
    publisher.publish(make_post(account, text="second #FreeThemAll"))
    assert len(telegram_fake.posted) == 2
