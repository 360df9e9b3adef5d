"""Every platform publisher against its fake server, through the real client library: success
with alt text, every fault mapped to the error the pipeline branches on, lookup, and no secret
in any log, message or traceback."""

from __future__ import annotations

import logging
import socket
import time
import traceback
from datetime import UTC, datetime
from typing import Any

import pytest

from campaign.publishers import (AuthFailed, OutcomeUnknown, PublishError, RateLimited, Rejected, Transient,
                                 get_publisher)
from campaign.publishers import redaction
from campaign.publishers.http import RateLimitInfo
from tests.fakes.fixtures import *  # noqa: F403 - fixtures
from tests.fakes.fixtures import HANG_SECONDS, SECRET_VALUES, Platform, make_post

FAULTS: dict[str, type[PublishError]] = {
    "429": RateLimited, "500": Transient, "503": Transient, "401": AuthFailed,
    "duplicate": Rejected, "hang": OutcomeUnknown, "drop": OutcomeUnknown,
}


def test_publish_with_alt_text(platform_fake: tuple[Platform, Any]) -> None:
    platform, fake = platform_fake
    account = platform.account()
    publisher = get_publisher(account, platform.context(fake))
    post = make_post(account)
    published = publisher.publish(post)
    assert published.remote_id
    assert len(fake.posted) == 1
    assert fake.posted[0]["text"] == post.text
    if platform.name != "telegram":
        assert fake.alt_of(fake.posted[0]) == post.alt


def test_whoami(platform_fake: tuple[Platform, Any]) -> None:
    platform, fake = platform_fake
    assert get_publisher(platform.account(), platform.context(fake)).whoami()


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_on_the_post_maps_to_the_right_error(platform_fake: tuple[Platform, Any], fault: str) -> None:
    platform, fake = platform_fake
    account = platform.account()
    publisher = get_publisher(account, platform.context(fake))
    fake.fail(platform.post_endpoint, fault)
    with pytest.raises(PublishError) as caught:
        publisher.publish(make_post(account))
    assert type(caught.value) is FAULTS[fault], caught.value
    if fault == "429":
        assert caught.value.reset_at > datetime.now(UTC)  # type: ignore[attr-defined]


@pytest.mark.parametrize("fault", ["hang", "drop", "503"])
def test_fault_before_the_post_is_transient(media_first_fake: tuple[Platform, Any], fault: str) -> None:
    platform, fake = media_first_fake
    assert platform.media_endpoint is not None
    account = platform.account()
    fake.fail(platform.media_endpoint, fault)
    with pytest.raises(Transient):
        get_publisher(account, platform.context(fake)).publish(make_post(account))
    assert fake.posted == []


def test_connection_refused_is_transient(platform_fake: tuple[Platform, Any]) -> None:
    platform, fake = platform_fake
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed when the block ends: nothing listens there
    account = platform.account()
    context = platform.context(fake)
    context.base_urls[platform.name] = f"http://127.0.0.1:{port}"
    with pytest.raises(Transient):
        get_publisher(account, context).publish(make_post(account))


def test_wrong_secret_is_auth_failed(platform_fake: tuple[Platform, Any]) -> None:
    platform, fake = platform_fake
    account = platform.account()
    environ = {k: v[:-3] + "xyz" for k, v in ENV.items()}  # noqa: F405
    with pytest.raises(AuthFailed):
        get_publisher(account, platform.context(fake, environ=environ)).publish(make_post(account))
    assert fake.posted == []


def test_missing_secret_is_auth_failed_naming_the_variable(platform_fake: tuple[Platform, Any]) -> None:
    platform, fake = platform_fake
    account = platform.account()
    with pytest.raises(AuthFailed, match="not set"):
        get_publisher(account, platform.context(fake, environ={})).publish(make_post(account))


def test_a_hang_is_bounded_by_the_client_timeout(platform_fake: tuple[Platform, Any]) -> None:
    platform, fake = platform_fake
    account = platform.account()
    publisher = get_publisher(account, platform.context(fake, timeout=0.3))
    fake.fail(platform.post_endpoint, "hang")
    started = time.monotonic()
    with pytest.raises(OutcomeUnknown):
        publisher.publish(make_post(account))
    # The client gave up at its own timeout instead of waiting for the fake's late answer.
    assert time.monotonic() - started < HANG_SECONDS


def test_lookup_settles_an_in_doubt_post(platform_fake: tuple[Platform, Any]) -> None:
    """A post whose answer was lost is found by lookup; one never sent is not."""
    platform, fake = platform_fake
    account = platform.account()
    publisher = get_publisher(account, platform.context(fake))
    lost = make_post(account, text="Week 6: Rong Chhun, 400 days behind bars. #FreeThemAll")
    never = make_post(account, text="Week 7: Chhim Sithar. #FreeThemAll", post_id="c:2021-09-22:x")
    fake.fail(platform.post_endpoint, "hang")
    with pytest.raises(OutcomeUnknown):
        publisher.publish(lost)
    if platform.name == "telegram":
        with pytest.raises(NotImplementedError, match="by hand"):
            publisher.lookup(lost)
        return
    found = publisher.lookup(lost)
    assert found is not None and found.remote_id
    assert publisher.lookup(never) is None


def test_rate_limit_reading_is_exposed(platform_fake: tuple[Platform, Any]) -> None:
    platform, fake = platform_fake
    account = platform.account()
    publisher = get_publisher(account, platform.context(fake))
    fake.fail(platform.post_endpoint, "429")
    with pytest.raises(RateLimited):
        publisher.publish(make_post(account))
    info = publisher.last_rate_limit  # type: ignore[attr-defined]
    assert isinstance(info, RateLimitInfo)
    if platform.name != "facebook":  # Meta reports usage percentages, not a count
        assert info.remaining == 0


def test_card_over_the_size_limit_is_rejected_before_sending(platform_fake: tuple[Platform, Any]) -> None:
    platform, fake = platform_fake
    account = platform.account()
    publisher = get_publisher(account, platform.context(fake))
    post = make_post(account, image=b"\xff\xd8" + b"\0" * publisher.max_image_bytes)
    with pytest.raises(Rejected, match="at most"):
        publisher.publish(post)
    assert fake.requests == []


def test_secrets_never_appear_in_logs_errors_or_reprs(platform_fake: tuple[Platform, Any],
                                                       caplog: pytest.LogCaptureFixture,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    platform, fake = platform_fake
    redaction.install()  # as the CLI's entry and a worker's start do (tests/test_platforms.py)
    caplog.set_level(logging.DEBUG)
    account = platform.account()
    publisher = get_publisher(account, platform.context(fake))
    seen: list[str] = [repr(publisher)]
    publisher.publish(make_post(account))
    for fault in ("429", "500", "401", "hang", "drop", "duplicate"):
        fake.fail(platform.post_endpoint, fault)
        try:
            publisher.publish(make_post(account, text=f"another {fault} #FreeThemAll"))
        except PublishError as exc:
            seen.append("".join(traceback.format_exception(exc)))
            seen.append(repr(exc))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    context = platform.context(fake)
    context.base_urls[platform.name] = f"http://127.0.0.1:{port}"
    try:
        get_publisher(account, context).publish(make_post(account))
    except PublishError as exc:
        seen.append("".join(traceback.format_exception(exc)))
    out = capsys.readouterr()
    text = "\n".join(seen + [caplog.text, out.out, out.err])
    assert "DEBUG" in caplog.text or platform.name in ("bluesky",)  # the libraries did log
    for value in SECRET_VALUES:
        assert value not in text, f"a secret leaked for {platform.name}"
