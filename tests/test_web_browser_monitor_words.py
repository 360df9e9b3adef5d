"""What a monitor sees on a phone (390 px), in a real browser (Debian's chromium, Playwright, the dashboard
of ``test_web_browser_actions`` over real HTTP): failures shown as failures, errors in words, the truth after
a resolution, links that say where they go, every campaign page with its tabs, and wide tables that show
they scroll sideways."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest

from campaign.checks import load_checked
from campaign.errors import kind_words
from campaign.pipeline import apply_folder
from tests import needs
from tests.pipeline_fixtures import SMALL_CAMPAIGN, write_folder
from tests.test_web_browser import CHROMIUM, chromium  # noqa: F401  (fixtures)
from tests.test_web_browser_actions import Tab, served, tabs  # noqa: F401  (fixtures)
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import FAILED, IN_DOUBT, OPERATOR, VIEWER, Populated

pytestmark = [pytest.mark.slow, needs.chromium]

CAMPAIGN_TABS = ("Calendar", "Review", "Accounts", "Roster", "History", "Posts")


def _color(page, selector: str, prop: str) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator(selector).first.evaluate(f"e => getComputedStyle(e).{prop}"))


def test_check_all_accounts_shows_failures_as_failures_and_success_as_success(
        tabs: Callable[[str], Tab], populated: Populated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # outbox accounts are checked in ./out/outbox: writable, so ready
    monkeypatch.delenv("MWB_TOKEN", raising=False)
    spec = copy.deepcopy(SMALL_CAMPAIGN)
    spec["id"] = "tokened"
    spec["accounts"][1].update(platform="telegram", credentials={"token": "env:MWB_TOKEN"}, channel="@mwb_test")
    apply_folder(populated.ledger, load_checked(write_folder(tmp_path / "tokened", spec)), populated.now,
                 {"outbox_dir": str(tmp_path / "outbox")})
    op = tabs(OPERATOR)
    page = op.open("/campaigns/tokened/accounts")
    op.press("Check all accounts now")
    flash = page.locator(".flash")
    assert "failure" in (flash.get_attribute("class") or "").split()
    failing = page.locator(".flash li.error")
    assert failing.count() == 1 and "b-km: not ready" in failing.inner_text() and "env:MWB_TOKEN" in failing.inner_text()
    assert page.locator(".flash li.ok").count() == 2
    # In the page's own styles: the failing line is in the error colour, the box is not the success green.
    bad = _color(page, ".credentials .error", "color")  # the page's error colour (an unset reference)
    assert _color(page, ".flash li.error", "color") == bad and _color(page, ".flash", "borderLeftColor") == bad
    failure_background = _color(page, ".flash", "backgroundColor")
    # Every account ready: the success style, no failing line.
    page = op.open(f"/campaigns/{populated.cid}/accounts")
    op.press("Check all accounts now")
    assert (page.locator(".flash").get_attribute("class") or "").split() == ["flash"]
    assert page.locator(".flash li.error").count() == 0 and page.locator(".flash li.ok").count() == 3
    assert _color(page, ".flash", "borderLeftColor") != bad
    assert _color(page, ".flash", "backgroundColor") != failure_background


def test_a_post_page_says_its_error_in_words_and_after_resolve_not_posted_what_is_true(
        tabs: Callable[[str], Tab], populated: Populated) -> None:
    op = tabs(OPERATOR)
    page = op.open(f"/posts/{FAILED}")
    error = page.locator("#post-live p.error").inner_text()
    assert error.startswith(kind_words("Rejected")[:1].upper() + kind_words("Rejected")[1:]) and "Rejected" not in error
    page = op.open(f"/posts/{IN_DOUBT}")
    assert page.locator("#post-live p.error").count() == 1  # in doubt: it may be out
    op.press("Resolve: not posted (queue it again)")
    assert page.locator("#post-live p.error").count() == 0
    last = page.locator("#post-live .last-change").inner_text()
    assert "now queued (was in doubt), by sokha@web" in last and "not posted" in last


def test_the_last_error_link_says_what_it_opens(tabs: Callable[[str], Tab], populated: Populated) -> None:
    page = tabs(VIEWER).open(f"/campaigns/{populated.cid}/accounts")
    link = page.locator("#account-b-km .last-error a")
    text = link.inner_text()
    due = populated.ledger.post(FAILED).slot.due
    assert "post" in text and f"{due:%d %b %Y}" in text
    link.click()
    page.wait_for_url(f"**/posts/{FAILED}")


def test_every_campaign_page_has_its_tabs_and_wide_tables_show_they_scroll(
        tabs: Callable[[str], Tab], populated: Populated) -> None:
    tab = tabs(VIEWER)
    overflowing = 0
    for here in CAMPAIGN_TABS:
        page = tab.open(f"/campaigns/{populated.cid}/{here.lower()}")
        nav = page.locator("nav.tabs")
        assert [a.inner_text() for a in nav.locator("a").all()] == list(CAMPAIGN_TABS), here
        assert nav.locator('a[aria-current="page"]').inner_text() == here
        boxes = page.locator("div.table")
        for i in range(boxes.count()):
            box = boxes.nth(i)
            if box.evaluate("b => b.scrollWidth > b.clientWidth + 1"):
                overflowing += 1
                hint = box.locator("xpath=preceding-sibling::p[1]")
                assert "scroll-hint" in (hint.get_attribute("class") or "") and hint.is_visible(), here
                assert "gradient" in box.evaluate("b => getComputedStyle(b).backgroundImage"), here
    assert overflowing > 0  # the rule was tried on a table wider than the phone
    for post in (FAILED,):
        page = tab.open(f"/posts/{post}")
        assert page.locator(".scroll-hint").first.is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})  # a laptop: no note
    assert not page.locator(".scroll-hint").first.is_visible()


def test_a_table_names_the_timezone_once_in_its_heading_not_in_every_cell(
        tabs: Callable[[str], Tab], populated: Populated) -> None:
    """On a phone a column of "Wed 08 Nov 2021, 10:00 (Asia/Phnom_Penh)" is mostly the zone's name:
    cells of times say the time, and the heading (or the line above a list) says the zone once."""
    tab = tabs(VIEWER)
    zone = "Asia/Phnom_Penh"
    page = tab.open(f"/campaigns/{populated.cid}/history")
    assert page.locator("table.history th").first.inner_text() == f"When ({zone})"
    cells = [c.inner_text() for c in page.locator("table.history tbody tr td:first-child").all()]
    assert cells and all(c and zone not in c and ", " in c for c in cells)
    page = tab.open(f"/posts/{FAILED}")
    for table in ("table:has(th:text('Worker'))", "table.audit"):
        assert page.locator(f"{table} th").first.inner_text() == f"When ({zone})"
        cells = [c.inner_text() for c in page.locator(f"{table} tbody td:first-child").all()]
        assert cells and all(zone not in c for c in cells)
    assert zone in page.locator("p.meta").first.inner_text()  # a lone time, outside a table, names its zone
    page = tab.open(f"/campaigns/{populated.cid}/posts")
    assert f"times in {zone}" in page.locator("main").inner_text()
    items = [li.inner_text() for li in page.locator("ul.posts li").all()]
    assert items and all(zone not in item for item in items)
    page = tab.open(f"/campaigns/{populated.cid}/roster")
    assert f"times in {zone}" in page.locator("p.meta").first.inner_text()
    assert all(zone not in td.inner_text() for td in page.locator("table.roster td.last, table.roster td.next").all())
