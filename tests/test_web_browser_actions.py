"""An operator's actions and live pages in a real browser (Debian's chromium, Playwright, over real HTTP
to uvicorn in a thread). One browser and one dashboard serve the whole module; each test gets the
populated ledger afresh (the ``populated`` fixture wipes and refills the Redis the dashboard reads).

Each action is pressed as a person would: the ledger changed, and the audit stream names the operator
(``sokha@web``). A viewer sees no action button and a viewer's POST is refused (403). Every page opens
without a console error; a screenshot of each goes to ``out/screenshots/`` (the README names it).
The dashboard here polls every second, so the live tests see a change of the ledger appear in the page
without a reload.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from campaign.ledger import Ledger
from campaign.pipeline import actions
from campaign.redis_server import EmbeddedRedis
from campaign.web import Role, User, Users, create_app
from tests import needs
from tests.pipeline_fixtures import TEST_PREFIX, db_url
from tests.test_web_browser import CHROMIUM, chromium  # noqa: F401  (the fixture: one browser per module)
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import FAILED, IN_DOUBT, OPERATOR, POSTED, REVIEW, VIEWER, Populated, serving

pytestmark = [pytest.mark.slow,
              needs.chromium]

SCREENSHOTS = Path(__file__).resolve().parents[1] / "out" / "screenshots"
OPERATOR_NAME = "sokha@web"


@pytest.fixture(scope="module")
def served(redis_server: EmbeddedRedis) -> Iterator[str]:
    """One dashboard for the module, over the Redis and prefix the ``ledger`` fixture uses, polling every second."""
    ledger = Ledger.from_url(db_url(redis_server, 0), prefix=TEST_PREFIX)
    users = Users((User("sokha", Role.OPERATOR, OPERATOR), User("dara", Role.VIEWER, VIEWER)))
    app = create_app(ledger, users, secret_key="browser-actions", failure_delay=0, poll=1)
    with serving(app) as address:
        yield address
    ledger.close()


class Tab:
    """A logged-in page on a phone's screen, collecting console errors."""

    def __init__(self, chromium: Any, served: str, token: str):
        self.context = chromium.new_context(viewport={"width": 390, "height": 844})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.served = served
        self.page.goto(f"{served}/login?token={token}")

    def open(self, path: str) -> Any:
        answer = self.page.goto(self.served + path)
        assert answer is not None and answer.status == 200, (path, answer and answer.status)
        return self.page

    def press(self, name: str) -> str:
        """Press the button ``name``; the flash message the next page shows."""
        self.page.get_by_role("button", name=name, exact=True).click()
        self.page.wait_for_selector(".flash")
        return str(self.page.locator(".flash").inner_text())


@pytest.fixture
def tabs(chromium: Any, served: str) -> Iterator[Callable[[str], Tab]]:
    opened: list[Tab] = []

    def tab(token: str) -> Tab:
        opened.append(Tab(chromium, served, token))
        return opened[-1]

    yield tab
    for t in opened:
        t.context.close()
    for t in opened:
        assert not t.errors, t.errors


def audited(ledger: Ledger, post: str | None = None, to: str | None = None) -> list[dict[str, str]]:
    return [e for e in ledger.iter_audit("small")
            if (post is None or e["post"] == post) and (to is None or e["to"] == to)]


def until(predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Polled from here: the pages' CSP forbids the eval that Playwright's wait_for_function uses."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_an_operator_retries_a_failed_post(tabs: Callable[[str], Tab], populated: Populated) -> None:
    ledger = populated.ledger
    op = tabs(OPERATOR)
    op.open(f"/posts/{FAILED}")
    assert op.press("Retry")
    assert ledger.state(FAILED) != "failed"
    [entry] = audited(ledger, FAILED)[-1:]
    assert entry["from"] == "failed" and entry["worker"] == OPERATOR_NAME


def test_an_operator_resolves_an_in_doubt_post_as_posted_with_its_address(tabs: Callable[[str], Tab],
                                                                          populated: Populated) -> None:
    ledger, url = populated.ledger, "https://example.org/c-en/status/42"
    op = tabs(OPERATOR)
    page = op.open(f"/posts/{IN_DOUBT}")
    page.fill("#resolve-url", url)
    op.press("Resolve: posted")
    post = ledger.post(IN_DOUBT)
    assert post.state == "posted" and post.url == url
    [entry] = audited(ledger, IN_DOUBT, "posted")
    assert entry["from"] == "in_doubt" and entry["worker"] == OPERATOR_NAME
    assert page.locator(f'a[href="{url}"]').count() >= 1  # the page now links the post on its platform


def test_an_operator_resolves_an_in_doubt_post_as_not_posted(tabs: Callable[[str], Tab], populated: Populated) -> None:
    ledger = populated.ledger
    op = tabs(OPERATOR)
    op.open(f"/posts/{IN_DOUBT}")
    op.press("Resolve: not posted (queue it again)")
    assert ledger.state(IN_DOUBT) == "queued" and ledger.post(IN_DOUBT).url is None
    [entry] = audited(ledger, IN_DOUBT, "queued")[-1:]
    assert entry["from"] == "in_doubt" and entry["worker"] == OPERATOR_NAME


def test_an_operator_pauses_and_resumes_the_campaign(tabs: Callable[[str], Tab], populated: Populated) -> None:
    ledger = populated.ledger
    op = tabs(OPERATOR)
    op.open("/")
    assert "paused" in op.press("Pause")
    assert ledger.campaign_field("small", "status") == "paused"
    assert op.page.get_by_role("button", name="Pause", exact=True).count() == 0
    op.press("Resume")
    assert ledger.campaign_field("small", "status") == "active"
    moves = [(e["from"], e["to"], e["worker"]) for e in audited(ledger) if e["post"] == ""]
    assert moves[-2:] == [("active", "paused", OPERATOR_NAME), ("paused", "active", OPERATOR_NAME)]


def test_a_viewer_sees_no_action_button_and_cannot_post_one(tabs: Callable[[str], Tab], served: str,
                                                            populated: Populated) -> None:
    ledger = populated.ledger
    viewer = tabs(VIEWER)
    before = {pid: ledger.state(pid) for pid in (FAILED, IN_DOUBT, REVIEW)}
    for path in (f"/posts/{FAILED}", f"/posts/{IN_DOUBT}", f"/posts/{REVIEW}", "/", "/campaigns/small/review",
                 "/campaigns/small/accounts"):
        page = viewer.open(path)
        # The only form a viewer has is Log out (and History's filter, a GET).
        assert page.locator("form[method=post] button").all_inner_texts() == ["Log out"], path
    for path, form in ((f"/posts/{FAILED}/retry", {}), (f"/posts/{IN_DOUBT}/resolve", {"posted_url": "https://x.org/1"}),
                       (f"/posts/{REVIEW}/approve", {}), ("/campaigns/small/review/weeks/1/approve", {}),
                       ("/campaigns/small/pause", {}), ("/campaigns/small/cancel", {}),
                       ("/campaigns/small/accounts/b-km/unblock", {})):
        csrf = viewer.page.locator("input[name=csrf]").first.get_attribute("value")  # the viewer's own, valid token
        answer = viewer.page.request.post(served + path, form={"csrf": csrf, **form})
        assert answer.status == 403, (path, answer.status)
    assert {pid: ledger.state(pid) for pid in before} == before
    assert ledger.campaign_field("small", "status") == "active"
    assert not [e for e in audited(ledger) if e["worker"].startswith("dara")]


@pytest.mark.parametrize("token", [OPERATOR, VIEWER], ids=["operator", "viewer"])
def test_every_page_opens_without_a_console_error(tabs: Callable[[str], Tab], populated: Populated,
                                                  token: str) -> None:
    tab = tabs(token)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = {"campaigns": "/", "calendar": "/campaigns/small/calendar", "review": "/campaigns/small/review",
             "posts": "/campaigns/small/posts", "accounts": "/campaigns/small/accounts",
             "roster": "/campaigns/small/roster", "history": "/campaigns/small/history",
             "post-posted": f"/posts/{POSTED}", "post-failed": f"/posts/{FAILED}",
             "post-in-doubt": f"/posts/{IN_DOUBT}", "post-review": f"/posts/{REVIEW}"}
    for name, path in pages.items():
        page = tab.open(path)
        page.wait_for_load_state("networkidle")  # thumbnails, the font, htmx
        assert page.locator("h1").count() == 1, path
        assert not tab.errors, (path, tab.errors)
        if token == OPERATOR:
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
            assert (SCREENSHOTS / f"{name}.png").stat().st_size > 0


def test_history_shows_a_new_entry_without_a_reload_and_keeps_its_filter(tabs: Callable[[str], Tab],
                                                                        populated: Populated) -> None:
    ledger = populated.ledger
    tab = tabs(VIEWER)
    page = tab.open("/campaigns/small/history?account=b-km")
    page.evaluate("window.notReloaded = true")
    shown = page.locator("tr.entry").count()
    assert shown > 0
    actions.retry(ledger, FAILED, populated.now, by="amara")  # b-km's post, by a person at the CLI
    ledger.cancel(REVIEW, at=populated.now, worker="amara")  # a-en's: not shown under this filter
    until(lambda: page.locator("tr.entry").count() > shown, "the retry to appear in the history")
    rows = page.locator("tr.entry").all_inner_texts()
    assert any("amara" in r for r in rows)
    assert not any("a-en" in r for r in rows), rows
    assert page.evaluate("window.notReloaded === true") and page.url.endswith("?account=b-km")


def test_the_roster_shows_a_change_without_a_reload(tabs: Callable[[str], Tab], populated: Populated) -> None:
    ledger = populated.ledger
    tab = tabs(VIEWER)
    page = tab.open("/campaigns/small/roster")
    page.evaluate("window.notReloaded = true")
    nexts = page.locator("td.next a")
    assert nexts.count() > 0
    person = nexts.first.evaluate("a => a.closest('tr').id")
    upcoming = nexts.first.get_attribute("href").removeprefix("/posts/")
    assert ledger.cancel(upcoming, at=populated.now, worker="amara")
    cell = page.locator(f"#{person} td.next")
    until(lambda: f"/posts/{upcoming}" not in (cell.inner_html() or ""), "the roster to drop the cancelled post")
    assert page.evaluate("window.notReloaded === true")
