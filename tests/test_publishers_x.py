"""X specifics: the v2 media endpoints on tweepy's own session, OAuth 1.0a signatures checked by
the fake, alt text, duplicate content, the 24-hour limit, and the weighted caption rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaign.publishers import AuthFailed, RateLimited, Rejected, get_publisher
from campaign.publishers.http import RedirectAdapter
from campaign.publishers.x import API, rate_limit_of
from tests.fakes.fixtures import *  # noqa: F403
from tests.fakes.fixtures import ENV, PLATFORMS, make_post

X = PLATFORMS["x"]


def test_media_goes_up_on_tweepys_session_with_its_signature(x_fake) -> None:  # type: ignore[no-untyped-def]
    account = X.account()
    publisher = get_publisher(account, X.context(x_fake))
    published = publisher.publish(make_post(account))
    upload = x_fake.requests_to("/2/media/upload")[0]
    assert upload.form["media_category"] == "tweet_image"
    assert upload.files["media"][1] == "image/jpeg"
    assert "Tweepy" in upload.headers["user-agent"]  # one HTTP stack: tweepy's session
    assert upload.headers["authorization"].startswith("OAuth ")  # verified by the fake (HMAC-SHA1)
    assert isinstance(publisher.client.session.get_adapter(API + "/2/tweets"), RedirectAdapter)  # type: ignore[attr-defined]
    assert x_fake.posted[0]["media"][0]["id"] == published.extra["media_id"]


def test_long_alt_text_is_clipped_to_1000(x_fake) -> None:  # type: ignore[no-untyped-def]
    account = X.account()
    get_publisher(account, X.context(x_fake)).publish(make_post(account, alt="word " * 400))
    alt = x_fake.posted[0]["media"][0]["alt"]
    assert len(alt) <= 1000 and alt.endswith("…")


def test_duplicate_text_is_rejected_as_such(x_fake) -> None:  # type: ignore[no-untyped-def]
    account = X.account()
    publisher = get_publisher(account, X.context(x_fake))
    publisher.publish(make_post(account))
    with pytest.raises(Rejected, match="duplicate"):
        publisher.publish(make_post(account, post_id="another:id"))


def test_a_wrong_signature_is_auth_failed(x_fake) -> None:  # type: ignore[no-untyped-def]
    account = X.account()
    environ = {**ENV, "X_ACCESS_SECRET": "not-the-secret"}  # key and token right, signature wrong
    with pytest.raises(AuthFailed, match="401"):
        get_publisher(account, X.context(x_fake, environ=environ)).publish(make_post(account))


def test_khmer_weighs_two_so_141_characters_do_not_fit(x_fake) -> None:  # type: ignore[no-untyped-def]
    account = X.account()
    with pytest.raises(Rejected, match="280"):
        get_publisher(account, X.context(x_fake)).publish(make_post(account, text="ក" * 141))
    assert x_fake.requests == []
    get_publisher(account, X.context(x_fake)).publish(make_post(account, text="ក" * 140))


def test_the_24_hour_user_limit_wins_when_spent() -> None:
    headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "50", "x-rate-limit-reset": "1800000000",
               "x-user-limit-24hour-limit": "17", "x-user-limit-24hour-remaining": "0",
               "x-user-limit-24hour-reset": "1800050000"}
    info = rate_limit_of(headers)
    assert info is not None and info.remaining == 0
    assert info.reset_at == datetime.fromtimestamp(1800050000, UTC)


def test_429_reset_comes_from_the_header(x_fake) -> None:  # type: ignore[no-untyped-def]
    account = X.account()
    x_fake.fail("tweets", "429")
    with pytest.raises(RateLimited) as caught:
        get_publisher(account, X.context(x_fake)).publish(make_post(account))
    wait = (caught.value.reset_at - datetime.now(UTC)).total_seconds()
    assert 500 < wait <= 601  # the fake's reset is ten minutes away


def test_lookup_matches_text_not_just_any_post(x_fake) -> None:  # type: ignore[no-untyped-def]
    account = X.account()
    publisher = get_publisher(account, X.context(x_fake))
    ours = make_post(account, text="Rong Chhun https://licadho-cambodia.org/x #FreeThemAll")
    publisher.publish(make_post(account, text="something else"))
    assert publisher.lookup(ours) is None
    publisher.publish(ours)
    found = publisher.lookup(ours)
    assert found is not None and found.url and found.url.startswith("https://x.com/")


def test_429_on_the_media_upload_reads_the_reset_too(x_fake) -> None:  # type: ignore[no-untyped-def]
    account = X.account()
    x_fake.fail("upload", "429")
    with pytest.raises(RateLimited) as caught:
        get_publisher(account, X.context(x_fake)).publish(make_post(account))
    assert 500 < (caught.value.reset_at - datetime.now(UTC)).total_seconds() <= 601
    assert x_fake.posted == []
