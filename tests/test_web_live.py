"""Live pages (TestClient, real Redis): every page's ``#live`` block polls its own address (History's
with its filters), and the Calendar's grid is made once per change of the ledger, never served stale."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI
from fastapi.testclient import TestClient

from campaign.ledger import Ledger
from campaign.web import create_app
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import FAILED, POSTED, VIEWER, Populated, bearer
from tests.pipeline_fixtures import put_in_state

LIVE = re.compile(r'<div id="live" hx-get="([^"]*)" hx-trigger="every (\d+)s" hx-select="#live" hx-swap="outerHTML">')


def live_of(page: str) -> tuple[str, int]:
    found = LIVE.findall(page)
    assert len(found) == 1, f"expected one #live block, found {found}"
    return html.unescape(found[0][0]), int(found[0][1])


def test_roster_and_history_poll_their_own_address_and_history_keeps_its_filters(
        browser: Callable[[str], TestClient], populated: Populated) -> None:
    client = browser(VIEWER)
    url, every = live_of(client.get("/campaigns/small/roster").text)
    assert url == "/campaigns/small/roster" and 0 < every <= 60
    assert live_of(client.get("/campaigns/small/history").text)[0] == "/campaigns/small/history"
    person = populated.ledger.post(FAILED).slot.people[0]
    filters = {"post": FAILED, "account": "b-km", "person": person, "kind": "failed"}
    page = client.get("/campaigns/small/history", params=filters)
    assert page.status_code == 200
    url, _ = live_of(page.text)
    assert urlsplit(url).path == "/campaigns/small/history"
    assert {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()} == filters
    # An empty field of the form (its "any") is no filter, and is not polled as one.
    url, _ = live_of(client.get("/campaigns/small/history", params={"account": "b-km", "person": "", "kind": ""}).text)
    assert parse_qs(urlsplit(url).query) == {"account": ["b-km"]}
    # What the poll fetches is the same page: its #live block shows the same entries.
    polled = client.get(url)
    assert polled.status_code == 200 and live_of(polled.text)[0] == url


def test_an_app_made_with_poll_polls_every_page_at_that_interval(populated: Populated, users) -> None:  # type: ignore[no-untyped-def]
    app = create_app(populated.ledger, users, secret_key="s", failure_delay=0, poll=2)
    with TestClient(app) as client:
        for path in ("/", "/campaigns/small/calendar", "/campaigns/small/review", "/campaigns/small/accounts",
                     "/campaigns/small/roster", "/campaigns/small/history"):
            assert live_of(client.get(path, headers=bearer(VIEWER)).text)[1] == 2, path


def test_the_calendar_grid_is_made_once_per_change_of_the_ledger(app: FastAPI, populated: Populated) -> None:
    ledger: Ledger = populated.ledger
    fresh = app.state.ctx.fresh
    with TestClient(app) as client:
        def cell_state(pid: str) -> str:
            page = client.get("/campaigns/small/calendar", headers=bearer(VIEWER))
            assert page.status_code == 200
            return page.text.split(f'data-post="{pid}" data-state="', 1)[1].split('"', 1)[0]

        assert cell_state(FAILED) == "failed" and fresh.made == 1
        for _ in range(3):  # nothing changed: the grid is not made again
            assert cell_state(FAILED) == "failed"
        assert fresh.made == 1
        version = ledger.version("small")
        # A move of any post (here by the ledger itself, as a worker would) is on the next page.
        assert put_in_state(ledger, FAILED, "failed", "cancelled", at=populated.now + timedelta(minutes=1))
        assert ledger.version("small") != version
        assert cell_state(FAILED) == "cancelled" and fresh.made == 2
        # Pausing the campaign changes its version too (an audit entry), and so does applying it again.
        version = ledger.version("small")
        ledger.set_status("small", "paused", at=populated.now, worker="test")
        assert ledger.version("small") != version
        version = ledger.version("small")
        ledger.set_campaign_field("small", "def_hash", "another-definition")
        assert ledger.version("small") != version
    assert ledger.version("no-such-campaign") is None
    assert ledger.post(POSTED).state == "posted"
