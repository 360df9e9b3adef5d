"""Mastodon specifics: the Idempotency-Key makes a retried post land once, media processing is
waited for, language and visibility are sent, validation errors are Rejected."""

from __future__ import annotations

import pytest

from campaign.publishers import OutcomeUnknown, Rejected, Transient, get_publisher
from campaign.publishers.mastodon import MastodonPublisher, html_text, idempotency_key
from tests.fakes.fixtures import *  # noqa: F403
from tests.fakes.fixtures import ENV, PLATFORMS, make_post
from tests.fakes.mastodon import FakeMastodon

M = PLATFORMS["mastodon"]


def test_a_retry_after_a_lost_answer_posts_once(mastodon_fake) -> None:  # type: ignore[no-untyped-def]
    account = M.account()
    publisher = get_publisher(account, M.context(mastodon_fake))
    post = make_post(account)
    mastodon_fake.fail("statuses", "hang")
    with pytest.raises(OutcomeUnknown):
        publisher.publish(post)
    assert len(mastodon_fake.posted) == 1  # it did go out
    again = get_publisher(account, M.context(mastodon_fake)).publish(post)  # another worker retries
    assert len(mastodon_fake.posted) == 1
    assert again.remote_id == mastodon_fake.posted[0]["id"]
    keys = {r.headers.get("idempotency-key") for r in mastodon_fake.requests_to("/api/v1/statuses")}
    assert keys == {idempotency_key(post)}


def test_different_posts_get_different_keys() -> None:
    account = M.account()
    assert idempotency_key(make_post(account, post_id="a:1")) != idempotency_key(make_post(account, post_id="a:2"))


def test_status_carries_language_visibility_and_described_media(mastodon_fake) -> None:  # type: ignore[no-untyped-def]
    account = M.account(language="km")
    get_publisher(account, M.context(mastodon_fake)).publish(make_post(account))
    sent = mastodon_fake.requests_to("/api/v1/statuses")[0].form
    assert sent["language"] == "km" and sent["visibility"] == "public"
    media = mastodon_fake.requests_to("/api/v2/media")[0]
    assert media.form["description"].startswith("A card")
    assert "file" in media.files


def test_processing_media_is_waited_for() -> None:
    with FakeMastodon(ENV["MASTODON_TOKEN"], processing_polls=3) as fake:
        account = M.account()
        get_publisher(account, M.context(fake)).publish(make_post(account))
        assert len(fake.requests_to("/api/v1/media/" + fake.posted[0]["media_attachments"][0]["id"])) == 3


def test_media_that_never_finishes_is_transient(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MastodonPublisher, "media_wait", 0.2)
    with FakeMastodon(ENV["MASTODON_TOKEN"], processing_polls=1000) as fake:
        account = M.account()
        with pytest.raises(Transient, match="processing"):
            get_publisher(account, M.context(fake)).publish(make_post(account))
        assert fake.posted == []


def test_over_500_graphemes_is_rejected_before_sending(mastodon_fake) -> None:  # type: ignore[no-untyped-def]
    account = M.account()
    with pytest.raises(Rejected, match="500"):
        get_publisher(account, M.context(mastodon_fake)).publish(make_post(account, text="ស្តី" * 501))
    assert mastodon_fake.requests == []


def test_html_content_reads_back_as_text() -> None:
    content = '<p>Free &amp; fair<br>now <a href="x" class="hashtag">#<span>FreeThemAll</span></a></p><p>next</p>'
    assert html_text(content) == "Free & fair now #FreeThemAll next"


def test_whoami_names_the_account(mastodon_fake) -> None:  # type: ignore[no-untyped-def]
    assert get_publisher(M.account(), M.context(mastodon_fake)).whoami() == "@cchr"
