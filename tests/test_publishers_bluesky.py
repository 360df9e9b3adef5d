"""Bluesky specifics: hashtag and link facets at the right UTF-8 byte offsets (checked by the
fake), langs, alt text and aspect ratio, the 1,000,000-byte image limit, one login per publisher."""

from __future__ import annotations

import pytest

from campaign.publishers import AuthFailed, Rejected, get_publisher
from campaign.publishers.bluesky import rich_text
from tests.fakes.fixtures import *  # noqa: F403
from tests.fakes.fixtures import PLATFORMS, card_bytes, make_post

B = PLATFORMS["bluesky"]


def test_khmer_text_with_tags_and_link_gets_byte_exact_facets(bluesky_fake) -> None:  # type: ignore[no-untyped-def]
    account = B.account()
    text = "សូមដោះលែង រ៉ុង ឈុន! #FreeThemAll https://licadho-cambodia.org/hrd. #Cambodia"
    get_publisher(account, B.context(bluesky_fake)).publish(make_post(account, text=text))
    record = bluesky_fake.posted[0]["record"]
    kinds = sorted(f["features"][0]["$type"].rsplit("#", 1)[1] for f in record["facets"])
    assert kinds == ["link", "tag", "tag"]  # the fake checked every byte range
    link = next(f for f in record["facets"] if f["features"][0]["$type"].endswith("#link"))
    assert link["features"][0]["uri"] == "https://licadho-cambodia.org/hrd"  # the full stop stays text
    assert record["langs"] == ["km"]
    image = record["embed"]["images"][0]
    assert image["alt"].startswith("A card")
    assert (image["aspectRatio"]["width"], image["aspectRatio"]["height"]) == (108, 135)


def test_rich_text_leaves_plain_text_alone() -> None:
    builder = rich_text("no tags here, just C# and #")
    assert builder.build_text() == "no tags here, just C# and #"
    assert builder.build_facets() == []


def test_exactly_one_million_bytes_is_accepted(bluesky_fake) -> None:  # type: ignore[no-untyped-def]
    account = B.account()
    get_publisher(account, B.context(bluesky_fake)).publish(make_post(account, image=card_bytes(size=1_000_000)))
    assert len(bluesky_fake.posted) == 1


def test_the_publisher_logs_in_once(bluesky_fake) -> None:  # type: ignore[no-untyped-def]
    account = B.account()
    publisher = get_publisher(account, B.context(bluesky_fake))
    publisher.publish(make_post(account))
    publisher.publish(make_post(account, text="second #FreeThemAll"))
    publisher.lookup(make_post(account))
    assert bluesky_fake.sessions == 1  # createSession is limited per handle (30 / 5 min)


def test_a_blob_the_pds_refuses_is_rejected(bluesky_fake) -> None:  # type: ignore[no-untyped-def]
    account = B.account()
    bluesky_fake.fail("upload", "duplicate")  # a 400 from the PDS
    with pytest.raises(Rejected):
        get_publisher(account, B.context(bluesky_fake)).publish(make_post(account))


def test_missing_handle_is_auth_failed(bluesky_fake) -> None:  # type: ignore[no-untyped-def]
    account = B.account(handle=None)
    with pytest.raises(AuthFailed, match="handle"):
        get_publisher(account, B.context(bluesky_fake)).publish(make_post(account))
