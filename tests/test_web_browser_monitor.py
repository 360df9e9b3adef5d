"""The Accounts, Roster and History tabs in a real browser (Debian's chromium, Playwright, uvicorn in a
thread; the fixtures of ``test_web_browser``): each page opens on a phone without a console error, an
operator unblocks an account by its button, and a screenshot of each page is written to
``out/screenshots/`` for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import needs
from tests.test_web_browser import CHROMIUM, chromium, served  # noqa: F401  (fixtures)
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import OPERATOR, VIEWER, Populated

pytestmark = [pytest.mark.slow,
              needs.chromium]

SCREENSHOTS = Path(__file__).resolve().parents[1] / "out" / "screenshots"


def test_accounts_roster_and_history_open_without_errors_and_an_operator_unblocks(
        served: str, chromium, populated: Populated) -> None:  # type: ignore[no-untyped-def]
    ledger, cid = populated.ledger, populated.cid
    ledger.mark_auth_failed(cid, "b-km", "the platform refused env:B_TOKEN", at=populated.now)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    page = chromium.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{served}/login?token={OPERATOR}")
    for tab, heading in (("accounts", "accounts"), ("roster", "roster"), ("history", "history")):
        page.goto(f"{served}/campaigns/{cid}/{tab}")
        assert page.locator("h1").inner_text().endswith(heading)
        # Nothing is wider than the phone's screen (the tables scroll inside their own box).
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(SCREENSHOTS / f"{tab}.png"), full_page=True)
        assert (SCREENSHOTS / f"{tab}.png").stat().st_size > 0
    page.goto(f"{served}/campaigns/{cid}/history")
    page.select_option("select[name=account]", "b-km")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**account=b-km**")
    assert page.locator("tr.entry").count() > 0
    page.goto(f"{served}/campaigns/{cid}/accounts")
    page.get_by_role("button", name="Unblock b-km").click()
    page.wait_for_selector(".flash")
    assert "auth_failed" not in ledger.account_state(cid, "b-km")
    assert ledger.audit(cid, count=1)[0]["worker"] == "sokha@web"
    assert not errors, errors

    viewer = chromium.new_page()
    viewer.goto(f"{served}/login?token={VIEWER}")
    viewer.goto(f"{served}/campaigns/{cid}/accounts")
    assert viewer.get_by_role("button", name="Check all accounts now").count() == 0


def test_on_a_phone_every_cell_of_a_log_is_on_screen_with_its_column_named(
        served: str, chromium, populated: Populated) -> None:  # type: ignore[no-untyped-def]
    """A failed post's attempts and history, and the campaign's history, read on a phone without
    scrolling sideways: each row stacks its cells, each after its column's name, so the error (the
    last column, the one a monitor opens the page for) is on screen."""
    from tests.web_fixtures import FAILED

    page = chromium.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{served}/login?token={VIEWER}")
    for url, tables in ((f"/posts/{FAILED}", ("attempts", "audit")), (f"/campaigns/{populated.cid}/history", ("history",))):
        page.goto(served + url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        for name in tables:
            cells = page.locator(f"table.stacked.{name} td")
            assert cells.count() > 0, (url, name)
            rights = cells.evaluate_all("cs => cs.map(c => c.getBoundingClientRect().right)")
            assert max(rights) <= 390 + 1, (url, name, max(rights))
            labels = cells.evaluate_all("cs => cs.map(c => getComputedStyle(c, '::before').content)")
            assert all(label.startswith('"') and label.endswith(': "') for label in labels), labels
    page.goto(f"{served}/campaigns/{populated.cid}/history")  # a person with a long name among the filter's choices
    page.evaluate("document.querySelector('select[name=person]').add(new Option("
                  "'KSILA member (name withheld), the second of two refugees', 'x'))")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.goto(f"{served}/posts/{FAILED}")
    error = page.locator("table.attempts td[data-label=Error]").first
    assert error.inner_text().strip() and error.is_visible()
    wide = chromium.new_page(viewport={"width": 1280, "height": 900})  # on a laptop: a table, its header shown
    wide.goto(f"{served}/login?token={VIEWER}")
    wide.goto(f"{served}/posts/{FAILED}")
    assert wide.locator("table.attempts thead th").first.is_visible()
    assert wide.locator("table.attempts td").first.evaluate("c => getComputedStyle(c).display") == "table-cell"
    for name in ("attempts", "audit"):  # each column's name over its column (a form's .stack once squeezed them)
        heads = wide.locator(f"table.{name} thead th").evaluate_all("hs => hs.map(h => h.getBoundingClientRect().left)")
        cells = wide.locator(f"table.{name} tbody tr").first.locator("td").evaluate_all(
            "cs => cs.map(c => c.getBoundingClientRect().left)")
        assert len(heads) == len(cells) and all(abs(h - c) < 1 for h, c in zip(heads, cells)), (name, heads, cells)
