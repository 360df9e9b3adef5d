"""A smoke test in a real browser: Debian's ``chromium`` headless, driven by Playwright, over real HTTP
to the dashboard (uvicorn in a thread) on the populated ledger. The fuller browser suite builds on this."""

from __future__ import annotations


import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from campaign.web import Users, create_app
from tests import needs
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import OPERATOR, REVIEW, VIEWER, Populated, serving

from tests.needs import CHROMIUM
pytestmark = [pytest.mark.slow,
              needs.chromium]


@pytest.fixture
def served(populated: Populated, users: Users) -> Iterator[str]:
    """The dashboard over HTTP on a free loopback port; yields its address."""
    app = create_app(populated.ledger, users, secret_key="browser-test", failure_delay=0)
    with serving(app) as address:
        yield address


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """One headless chromium per module (each test's pages open in contexts of their own)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


def test_an_operator_approves_a_card_in_the_browser_and_a_viewer_cannot(served: str, chromium, populated: Populated) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page = chromium.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{served}/login?token={OPERATOR}")
    assert page.locator("h1").inner_text() == "Campaigns"
    assert "Week 1 of 1" in page.locator("#campaign-small").inner_text()
    page.goto(f"{served}/posts/{REVIEW}")
    # The Khmer name is set in the font the app serves (not a system fallback).
    # Awaited, not polled: the page's CSP forbids the eval that wait_for_function's polling falls back to.
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.status)") == "loaded"
    assert page.evaluate("document.fonts.check(\"16px 'Noto Sans Khmer'\", 'សារ កាណិកា')")
    assert page.evaluate("[...document.fonts].some(f => f.family.includes('Noto Sans Khmer') && f.status === 'loaded')")
    page.get_by_role("button", name="Approve this card and caption").click()
    page.wait_for_selector(".flash")
    assert populated.ledger.state(REVIEW) == "approved"
    assert populated.ledger.post(REVIEW).approved_by == "sokha@web"
    assert not errors, errors

    viewer = chromium.new_page()
    viewer.goto(f"{served}/login?token={VIEWER}")
    viewer.goto(f"{served}/")
    assert viewer.get_by_role("button", name="Pause").count() == 0
    answer = viewer.request.post(f"{served}/campaigns/small/pause", form={"csrf": "x"})
    assert answer.status == 403 and populated.ledger.campaign_field("small", "status") == "active"


#: Where the browser tests leave a screenshot of each page they open (the README names it).
SCREENSHOTS = Path(__file__).resolve().parent.parent / "out" / "screenshots"


def test_calendar_and_review_in_the_browser_an_operator_approves_a_week(served: str, chromium,  # type: ignore[no-untyped-def]
                                                                        populated: Populated) -> None:
    from campaign.ledger.states import AWAITING_REVIEW
    from tests.pipeline_fixtures import put_in_state
    from tests.web_fixtures import FAILED, POSTED

    second = "small:2021-11-09:c-en"  # a second card of week 1 to review, drawn (POSTED's card)
    card = populated.ledger.post(POSTED).card
    assert put_in_state(populated.ledger, second, "planned", AWAITING_REVIEW, at=populated.now, card=card,
                        card_format="png", caption="Second caption", alt={"en": "Second alt text"})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    page = chromium.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{served}/login?token={OPERATOR}")
    page.goto(f"{served}/campaigns/small/calendar")
    assert page.locator("h1").inner_text() == "Calendar"
    # The posted card's thumbnail loads (polled from here: the page's CSP forbids the eval wait_for_function uses).
    thumb = page.locator(f'a.cell[data-post="{POSTED}"] img')
    thumb.scroll_into_view_if_needed()
    deadline = time.monotonic() + 10
    while not thumb.evaluate("i => i.complete && i.naturalWidth > 0"):
        assert time.monotonic() < deadline, "the thumbnail did not load"
        time.sleep(0.05)
    assert page.locator(f'a.cell.alarm[data-post="{FAILED}"]').count() == 1
    # On a phone the grid scrolls sideways inside its box; the page itself does not.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(SCREENSHOTS / "calendar.png"), full_page=True)
    page.locator(f'a.cell[data-post="{POSTED}"]').click()
    page.wait_for_url(f"**/posts/{POSTED}")

    page.goto(f"{served}/campaigns/small/review")
    assert page.locator("article.review-post").count() == 2
    page.screenshot(path=str(SCREENSHOTS / "review.png"), full_page=True)
    page.get_by_role("button", name="Approve all of week 1").click()
    page.wait_for_selector(".flash")
    assert "approved 2 posts of week 1" in page.locator(".flash").inner_text()
    assert populated.ledger.state(REVIEW) == populated.ledger.state(second) == "approved"
    by = {e["post"]: e["worker"] for e in populated.ledger.iter_audit("small") if e.get("to") == "approved"}
    assert by == {REVIEW: "sokha@web", second: "sokha@web"}
    assert page.locator("article.review-post").count() == 0
    assert not errors, errors
