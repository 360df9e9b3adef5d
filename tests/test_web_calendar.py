"""The Calendar and Review pages (TestClient, real Redis): the grid is the ledger, thumbnails are drawn
once per card, and only operators approve, through the same actions as the CLI."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from campaign.ledger.states import AWAITING_REVIEW
from campaign.web.schedule import ALARMS, MARKS
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import FAILED, IN_DOUBT, OPERATOR, POSTED, REVIEW, VIEWER, Populated, csrf_of
from tests.pipeline_fixtures import put_in_state

CELL = re.compile(r'<a class="cell ([a-z_]+)( alarm)?" href="/posts/([^"]+)" data-post="[^"]+" data-state="([a-z_]+)"')
SECOND = "small:2021-11-09:c-en"  # a second card waiting for review, in week 1 like REVIEW


@pytest.fixture
def two_waiting(populated: Populated) -> Populated:
    """REVIEW and SECOND await review; SECOND carries a drawn card (POSTED's)."""
    card = populated.ledger.post(POSTED).card
    assert put_in_state(populated.ledger, SECOND, "planned", AWAITING_REVIEW, at=populated.now, card=card,
                        card_format="png", caption="second caption", alt={"en": "second alt text"})
    return populated


def test_the_calendar_cells_are_the_ledgers_posts_and_states(browser: Callable[[str], TestClient],
                                                             populated: Populated) -> None:
    # The small campaign plans weekly posts only: make two of its planned posts a release and a finale.
    planned = [p.id for p in populated.ledger.posts("small") if p.state == "planned"]
    for pid, kind in zip(planned[-2:], ("released", "finale")):
        populated.ledger.r.hset(populated.ledger.post_key(pid), "kind", kind)  # the slot's stored kind
    page = browser(VIEWER).get("/campaigns/small/calendar")
    assert page.status_code == 200
    cells = {m.group(3): (m.group(1), bool(m.group(2)), m.group(4)) for m in CELL.finditer(page.text)}
    posts = populated.ledger.posts("small")
    assert posts and set(cells) == {p.id for p in posts}
    for p in posts:
        assert cells[p.id] == (p.state, p.state in ALARMS, p.state), p.id
    assert cells[FAILED][1] and cells[IN_DOUBT][1] and not cells[POSTED][1]
    # Release posts and the finale carry their mark in their cell, weekly posts none.
    assert sorted(p.slot.kind for p in posts if p.slot.kind in MARKS) == ["finale", "released"]
    for p in posts:
        cell = page.text.split(f'data-post="{p.id}"', 1)[1].split("</a>", 1)[0]
        assert ('class="mark ' in cell) == (p.slot.kind in MARKS), p.id
        if p.slot.kind in MARKS:
            assert f'class="mark {MARKS[p.slot.kind]}"' in cell
    # Weeks are rows, accounts columns: each account's header is there once.
    for account in ("a-en", "b-km", "c-en"):
        assert page.text.count(f'<th scope="col">{account}</th>') == 1
    # A rendered card shows as its thumbnail; the thumbnail's address names the card's hash.
    assert f'src="/thumbs/{populated.ledger.post(POSTED).card}"' in page.text
    assert 'hx-trigger="every 15s"' in page.text


def test_a_thumbnail_is_drawn_once_per_card_and_cached_for_good(browser: Callable[[str], TestClient], app,
                                                                populated: Populated) -> None:  # type: ignore[no-untyped-def]
    client = browser(VIEWER)
    sha = populated.ledger.post(POSTED).card
    thumbs = app.state.ctx.thumbs
    assert thumbs.made == 0
    first, second = client.get(f"/thumbs/{sha}"), client.get(f"/thumbs/{sha}")
    assert first.status_code == second.status_code == 200 and first.content == second.content
    assert thumbs.made == 1
    assert populated.ledger.r.exists(populated.ledger.key("thumb", sha))
    assert first.headers["content-type"] == "image/jpeg"
    assert "immutable" in first.headers["cache-control"] and "max-age=31536000" in first.headers["cache-control"]
    with Image.open(io.BytesIO(first.content)) as small, Image.open(io.BytesIO(populated.ledger.get_blob(sha))) as big:
        assert small.format == "JPEG" and small.width < big.width and len(first.content) < len(populated.ledger.get_blob(sha))
    # An unknown or malformed hash is a 404, not a traceback; without a session, no thumbnail.
    assert client.get("/thumbs/" + "0" * 64).status_code == 404
    assert client.get("/thumbs/../etc").status_code == 404
    with TestClient(app, raise_server_exceptions=False) as anonymous:
        assert anonymous.get(f"/thumbs/{sha}", follow_redirects=False).status_code in (303, 401)


def test_the_review_page_shows_each_waiting_card_with_caption_alt_and_due(browser: Callable[[str], TestClient],
                                                                           two_waiting: Populated) -> None:
    page = browser(OPERATOR).get("/campaigns/small/review").text
    waiting = [p for p in two_waiting.ledger.posts("small") if p.state == AWAITING_REVIEW]
    assert {p.id for p in waiting} == {REVIEW, SECOND}
    found = re.findall(r'<article class="review-post" id="review-([^"]+)"', page)
    assert sorted(found) == sorted(p.id for p in waiting)
    assert "second caption" in page and "second alt text" in page
    assert "Approve before Tue 09 Nov 2021" in page
    assert page.count("Approve this card") == 2 and "Approve all of week 1" in page


def test_a_viewer_sees_no_approve_button_and_is_refused(browser: Callable[[str], TestClient],
                                                        two_waiting: Populated) -> None:
    client = browser(VIEWER)
    page = client.get("/campaigns/small/review").text
    assert "second caption" in page and "<button" not in page.split("<main", 1)[1]
    csrf = csrf_of(page)  # the log-out form's token: a valid one, so the refusal is about the role
    for path in (f"/campaigns/small/review/posts/{REVIEW}/approve", "/campaigns/small/review/weeks/1/approve"):
        assert client.post(path, data={"csrf": csrf}, follow_redirects=False).status_code == 403
    assert {two_waiting.ledger.state(REVIEW), two_waiting.ledger.state(SECOND)} == {AWAITING_REVIEW}


def test_an_operator_approves_one_card_then_the_week_recorded_with_their_name(browser: Callable[[str], TestClient],
                                                                              two_waiting: Populated) -> None:
    client = browser(OPERATOR)
    csrf = csrf_of(client.get("/campaigns/small/review").text)
    assert client.post(f"/campaigns/small/review/posts/{REVIEW}/approve", data={}, follow_redirects=False).status_code == 403
    one = client.post(f"/campaigns/small/review/posts/{REVIEW}/approve", data={"csrf": csrf}, follow_redirects=False)
    assert one.status_code == 303 and one.headers["location"] == "/campaigns/small/review"
    assert two_waiting.ledger.state(REVIEW) == "approved" and two_waiting.ledger.state(SECOND) == AWAITING_REVIEW
    week = client.post("/campaigns/small/review/weeks/1/approve", data={"csrf": csrf}, follow_redirects=False)
    assert week.status_code == 303
    assert two_waiting.ledger.state(SECOND) == "approved"
    audit = [e for e in two_waiting.ledger.iter_audit("small") if e.get("to") == "approved"]
    assert {e["post"] for e in audit} == {REVIEW, SECOND} and {e["worker"] for e in audit} == {"sokha@web"}
    # Approving again is refused with the pipeline's sentence (409), a post of another campaign is a 404.
    assert client.post(f"/campaigns/small/review/posts/{REVIEW}/approve", data={"csrf": csrf}).status_code == 409
    assert client.post("/campaigns/small/review/posts/other:2021-11-09:a-en/approve",
                       data={"csrf": csrf}).status_code == 404
    assert "No card is waiting for approval" in client.get("/campaigns/small/review").text
    bad = client.post("/campaigns/small/review/weeks/abc/approve", data={"csrf": csrf})  # a week that is no number
    assert bad.status_code == 422 and "week: should be a whole number, not &#39;abc&#39;" in bad.text
    assert bad.text.count("should be a whole number") == 1 and "Input should" not in bad.text
