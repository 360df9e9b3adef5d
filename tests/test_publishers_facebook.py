"""Facebook specifics: Graph error codes onto the error tree, usage headers read as a rate limit,
the caption and alt text sent, the token kept out of the URL of a post."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaign.publishers import AuthFailed, PublishError, RateLimited, Rejected, Transient, get_publisher
from campaign.publishers.facebook import usage_of
from tests.fakes.fixtures import *  # noqa: F403
from tests.fakes.fixtures import ENV, PLATFORMS, make_post

F = PLATFORMS["facebook"]


def test_photo_caption_and_alt_text(facebook_fake) -> None:  # type: ignore[no-untyped-def]
    account = F.account()
    published = get_publisher(account, F.context(facebook_fake)).publish(make_post(account))
    sent = facebook_fake.requests_to("/photos")[0]
    assert "source" in sent.files and sent.form["alt_text_custom"].startswith("A card")
    assert "access_token" not in sent.query and ENV["FACEBOOK_TOKEN"] not in sent.path
    assert published.remote_id == facebook_fake.posted[0]["id"]
    assert published.extra["photo_id"] == facebook_fake.posted[0]["photo_id"]


@pytest.mark.parametrize("fault, error", [
    ("abusive", Rejected), ("duplicate", Rejected), ("429", RateLimited), ("401", AuthFailed),
    ("500", Transient), ("503", Transient),
])
def test_graph_error_codes(facebook_fake, fault: str, error: type[PublishError]) -> None:  # type: ignore[no-untyped-def]
    account = F.account()
    facebook_fake.fail("photos", fault)
    with pytest.raises(error):
        get_publisher(account, F.context(facebook_fake)).publish(make_post(account))


def test_page_rate_limit_waits_for_regained_access(facebook_fake) -> None:  # type: ignore[no-untyped-def]
    account = F.account()
    facebook_fake.fail("photos", "429")
    with pytest.raises(RateLimited) as caught:
        get_publisher(account, F.context(facebook_fake)).publish(make_post(account))
    assert 290 < (caught.value.reset_at - datetime.now(UTC)).total_seconds() <= 300  # 5 minutes


def test_usage_headers() -> None:
    info = usage_of({"x-app-usage": '{"call_count": 28, "total_time": 25, "total_cputime": 25}'})
    assert info is not None and info.remaining == 72 and info.reset_at is None
    assert usage_of({}) is None


def test_whoami_names_the_page(facebook_fake) -> None:  # type: ignore[no-untyped-def]
    assert get_publisher(F.account(), F.context(facebook_fake)).whoami() == "CCHR Cambodia (page 104000000000001)"
