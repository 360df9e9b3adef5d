"""Bluesky specifics: hashtag and link facets at the right UTF-8 byte offsets (checked by the
fake), langs, alt text and aspect ratio, the 1,000,000-byte image limit, one login per publisher."""

from __future__ import annotations

import pytest

from campaign.platforms import grapheme_count
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


# ---- hashtags by Bluesky's own rule (atproto's detect_facets, a port of @atproto/api's TAG_REGEX) ----

ZWSP = "\u200b"


def tags_of(record: dict) -> list[str]:  # type: ignore[type-arg]
    return [f["features"][0]["tag"] for f in record.get("facets") or [] if f["features"][0]["$type"].endswith("#tag")]


def test_a_khmer_caption_with_zero_width_spaces_posts_with_tags_that_end_at_them(bluesky_fake) -> None:  # type: ignore[no-untyped-def]
    account = B.account()
    # Khmer writes no spaces between words; a ZWSP marks where a line may break: it ends a tag
    words = ["សូម", "ដោះលែង", "អ្នក", "ការពារ", "សិទ្ធិ", "មនុស្ស", "ទាំងអស់", "ឥឡូវ", "នេះ"] * 3
    text = f"#ដោះលែង{ZWSP}{ZWSP.join(words)} #FreeThemAll{ZWSP}{ZWSP.join(words[:4])}"
    assert grapheme_count(text.split(" ")[0][1:]) > 64  # read up to a space, the first "tag" is refused whole
    get_publisher(account, B.context(bluesky_fake)).publish(make_post(account, text=text))
    assert tags_of(bluesky_fake.posted[0]["record"]) == ["ដោះលែង", "FreeThemAll"]


@pytest.mark.parametrize(("caption", "tags"), [
    ("#2021 and #10th", ["10th"]),  # only digits: no tag
    ("#1.5 #២០២១ #__", ["២០២១"]),  # digits and punctuation: no tag (Khmer digits are not \d: a tag, as Bluesky has it)
    ("#" + "a" * 64 + " #" + "b" * 65, ["a" * 64]),  # more than 64 graphemes: no tag
    ("#" + "កា" * 64 + " #" + "កា" * 65, ["កា" * 64]),  # counted in graphemes (ក + ា is one), not code points
    ("#FreeThemAll! (#Cambodia), #KH។", ["FreeThemAll", "KH"]),  # trailing punctuation is not in the tag
    ("word#notatag C# #ok", ["ok"]),  # a tag starts after a space or the start
])
def test_what_is_no_tag_by_bluesky_s_rule_stays_text_and_the_post_goes_out(bluesky_fake, caption: str,  # type: ignore[no-untyped-def]
                                                                            tags: list[str]) -> None:
    account = B.account()
    get_publisher(account, B.context(bluesky_fake)).publish(make_post(account, text=caption))
    record = bluesky_fake.posted[0]["record"]
    assert record["text"] == caption and tags_of(record) == tags  # the fake checked every tag's bytes and length
