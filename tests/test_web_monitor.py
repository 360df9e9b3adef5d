"""The Accounts, Roster and History tabs: what they show equals the ledger's, their filters and pages,
what a viewer may not do, and that no credential value ever reaches a page (TestClient, real Redis)."""

from __future__ import annotations

import copy
import html
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from campaign.checks import load_checked
from campaign.clock import SimulatedClock
from campaign.pipeline import apply_folder
from campaign.pipeline.applied import load_applied
from campaign.pipeline.tick import known_roster
from campaign.roster import facts
from campaign.web.history import HistoryFilters, history_page
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import FAILED, IN_DOUBT, OPERATOR, POSTED, VIEWER, Populated, csrf_of
from tests.pipeline_fixtures import SMALL_CAMPAIGN, local, write_folder

SECRET = "s3cret-VALUE-never-shown-8d1f"


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def section(page: str, ident: str) -> str:
    found = re.search(rf'<section[^>]*id="{ident}"[^>]*>(.*?)</section>', page, re.S)
    assert found, f"no section {ident}"
    return text_of(found.group(1))


# --- Accounts -----------------------------------------------------------------------------------

def test_accounts_show_last_success_last_error_budget_and_block_as_the_ledger_has_them(
        browser: Callable[[str], TestClient], populated: Populated, clock) -> None:  # type: ignore[no-untyped-def]
    ledger, cid = populated.ledger, populated.cid
    ledger.note_budget(cid, "a-en", limit=300, remaining=0, reset_at=clock.now + 3600, hold=True)
    ledger.mark_auth_failed(cid, "b-km", "the platform refused env:B_TOKEN", at=populated.now)
    page = browser(VIEWER).get(f"/campaigns/{cid}/accounts").text
    a, b, c = (section(page, f"account-{x}") for x in ("a-en", "b-km", "c-en"))
    posted = ledger.post(POSTED)
    assert f'href="/posts/{POSTED}"' in page and "0 of 300 calls left" in a and "rate limited" in a
    assert posted.posted_at is not None and "not blocked" in a
    for post_id, words in ((FAILED, b), (IN_DOUBT, c)):
        assert ledger.post(post_id).error in words  # the last error is the post's, word for word
    assert "blocked" in b and "the platform refused env:B_TOKEN" in b and "campaign accounts unblock b-km" in b
    assert "rate limited" not in b and "rate limited" not in c
    # An account with nothing posted and no budget says so; the counts are the ledger's.
    assert "none yet" in b and "no budget reported yet" in c
    for account, words in (("a-en", a), ("b-km", b), ("c-en", c)):
        for key, n in ledger.counts(cid).items():
            if key.startswith(account + "/"):
                assert f"{n} {key.split('/')[1].replace('_', ' ')}" in words


def test_a_viewer_sees_no_account_buttons_and_is_refused_the_actions(browser: Callable[[str], TestClient],
                                                                      populated: Populated) -> None:
    ledger, cid = populated.ledger, populated.cid
    ledger.mark_auth_failed(cid, "b-km", "refused", at=populated.now)
    client = browser(VIEWER)
    page = client.get(f"/campaigns/{cid}/accounts").text
    assert "Unblock" not in page and "Check all accounts now" not in page and "<button type=\"submit\" class=\"\">" not in page
    csrf = csrf_of(page)  # the log-out form's
    for path in (f"/campaigns/{cid}/accounts/check", f"/campaigns/{cid}/accounts/b-km/unblock"):
        assert client.post(path, data={"csrf": csrf}, follow_redirects=False).status_code == 403
    assert "auth_failed" in ledger.account_state(cid, "b-km")


def test_an_operator_unblocks_an_account_and_the_audit_names_them(browser: Callable[[str], TestClient],
                                                                   populated: Populated) -> None:
    ledger, cid = populated.ledger, populated.cid
    ledger.mark_auth_failed(cid, "b-km", "refused", at=populated.now)
    client = browser(OPERATOR)
    page = client.get(f"/campaigns/{cid}/accounts").text
    assert "Unblock b-km" in page and "Unblock a-en" not in page
    answer = client.post(f"/campaigns/{cid}/accounts/b-km/unblock", data={"csrf": csrf_of(page)})
    assert answer.status_code == 200 and "b-km unblocked" in text_of(answer.text)
    assert "auth_failed" not in ledger.account_state(cid, "b-km")
    latest = ledger.audit(cid, count=1)[0]
    assert (latest["to"], latest["account"], latest["worker"]) == ("unblocked", "b-km", "sokha@web")
    # Unblocking it again says there was nothing to do; an unknown account is refused, not a traceback.
    again = client.post(f"/campaigns/{cid}/accounts/b-km/unblock", data={"csrf": csrf_of(page)})
    assert "was not blocked" in text_of(again.text)
    assert client.post(f"/campaigns/{cid}/accounts/nobody/unblock", data={"csrf": csrf_of(page)}).status_code == 409


def test_check_now_runs_the_same_check_as_the_command(browser: Callable[[str], TestClient], populated: Populated,
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from campaign.cli.accounts import check_account, context_for

    monkeypatch.chdir(tmp_path)  # outbox accounts are checked in ./out/outbox, as the command does
    applied = load_applied(populated.ledger, populated.cid)
    expected = [check_account(a, context_for(a, Path(applied.folder), 15.0)) for a in applied.campaign.accounts]
    client = browser(OPERATOR)
    page = client.get(f"/campaigns/{populated.cid}/accounts").text
    answer = client.post(f"/campaigns/{populated.cid}/accounts/check", data={"csrf": csrf_of(page)})
    words = text_of(answer.text)
    for account, (ok, detail) in zip(applied.campaign.accounts, expected):
        assert f"{account.id}: {'ready' if ok else 'not ready'}: {detail}" in words
    one = client.post(f"/campaigns/{populated.cid}/accounts/check", data={"csrf": csrf_of(page), "account": "c-en"})
    assert "c-en:" in text_of(one.text) and "a-en:" not in text_of(one.text)


@pytest.fixture
def with_credentials(populated: Populated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A second campaign whose accounts name credential references: one set (to SECRET), one unset."""
    monkeypatch.setenv("WA_TEST_SECRET", SECRET)
    monkeypatch.delenv("WA_TEST_UNSET", raising=False)
    spec = copy.deepcopy(SMALL_CAMPAIGN)
    spec["id"] = "creds"
    spec["accounts"][0].update(platform="mastodon", credentials={"token": "env:WA_TEST_SECRET"},
                               base_url="http://127.0.0.1:9")
    spec["accounts"][1].update(platform="telegram", credentials={"token": "env:WA_TEST_UNSET"}, channel="@wa_test")
    folder = load_checked(write_folder(tmp_path / "creds", spec))
    apply_folder(populated.ledger, folder, populated.now, {"outbox_dir": str(tmp_path / "outbox")})
    return "creds"


def test_credential_references_show_set_or_not_and_no_value_reaches_any_page(
        browser: Callable[[str], TestClient], with_credentials: str, populated: Populated) -> None:
    cid = with_credentials
    populated.ledger.mark_auth_failed(cid, "a-en", "the platform refused env:WA_TEST_SECRET", at=populated.now)
    client = browser(OPERATOR)
    page = client.get(f"/campaigns/{cid}/accounts").text
    a, b = section(page, "account-a-en"), section(page, "account-b-km")
    assert "env:WA_TEST_SECRET for token: set here" in a
    assert "env:WA_TEST_UNSET for token: not set here" in b
    checked = client.post(f"/campaigns/{cid}/accounts/check", data={"csrf": csrf_of(page)})
    assert "b-km: not ready: credentials: env:WA_TEST_UNSET" in text_of(checked.text)
    pages = [page, checked.text] + [client.get(f"/campaigns/{cid}/{tab}").text for tab in ("roster", "history")]
    pages += [client.get(p).text for p in ("/", f"/campaigns/{cid}/posts", f"/api/campaigns/{cid}")]
    for text in pages + [str(checked.headers), str(checked.cookies)]:
        assert SECRET not in text


# --- Roster -------------------------------------------------------------------------------------

def expected_roster(populated: Populated) -> dict[str, tuple[str, str | None, str | None]]:
    """Per person: status today, the last post featuring them due by now, the next still to go out."""
    ledger, now = populated.ledger, SimulatedClock(populated.ledger).now()
    applied = load_applied(ledger, populated.cid)
    known = known_roster(applied, now).by_id()
    today = now.astimezone(applied.campaign.tz).date()
    out = {}
    for person in applied.roster.people:
        mine = sorted((p for p in ledger.posts(populated.cid) if person.id in p.slot.people), key=lambda p: p.due)
        last = [p.id for p in mine if p.due <= now.timestamp()]
        upcoming = [p.id for p in mine if p.due > now.timestamp() and p.state in
                    ("planned", "rendered", "awaiting_review", "approved", "queued")]
        status = facts(known[person.id], today).status.value if person.id in known else "not yet known"
        out[person.id] = (status, last[-1] if last else None, upcoming[0] if upcoming else None)
    return out


@pytest.mark.parametrize("moment", [("2021-11-08", "10:25"), ("2021-11-13", "12:00")])
def test_the_roster_shows_status_today_and_last_and_next_featured_from_the_ledger(
        browser: Callable[[str], TestClient], populated: Populated, moment: tuple[str, str]) -> None:
    SimulatedClock(populated.ledger).set(local(*moment))
    page = browser(VIEWER).get(f"/campaigns/{populated.cid}/roster").text
    expected = expected_roster(populated)
    for pid, (status, last, upcoming) in expected.items():
        row = re.search(rf'<tr id="person-{pid}">(.*?)</tr>', page, re.S)
        assert row, pid
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
        assert text_of(cells[1]) == status.replace("_", " ")
        assert (f'/posts/{last}"' in cells[2]) if last else "not yet" in cells[2]
        assert (f'/posts/{upcoming}"' in cells[3]) if upcoming else "none planned" in cells[3]
    if moment[0] == "2021-11-13":  # Rong Chhun was released on the 12th: the page follows the clock
        assert expected["rong-chhun"][0] == "released"


# --- History ------------------------------------------------------------------------------------

def all_entries(populated: Populated) -> list[dict[str, str]]:
    return populated.ledger.audit(populated.cid, count=100_000)


def test_history_is_the_audit_stream_newest_first_and_pages_cover_it_exactly(populated: Populated,
                                                                          browser: Callable[[str], TestClient]) -> None:
    ids = [e["id"] for e in all_entries(populated)]
    seen, before = [], None
    while True:
        page = history_page(populated.ledger, populated.cid, HistoryFilters(), before=before, size=7)
        assert len(page.entries) <= 7
        seen += [e.id for e in page.entries]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == ids and len(ids) > 7
    # The page's rows are the stream's newest entries, in its order.
    html_page = browser(VIEWER).get(f"/campaigns/{populated.cid}/history").text
    shown = re.findall(r'<tr class="entry" data-id="([^"]+)"', html_page)
    assert shown == ids[:len(shown)] and shown


@pytest.mark.parametrize("query", [{"account": "b-km"}, {"kind": "posted"}, {"person": "sar-kanika"},
                                   {"post": FAILED}, {"account": "a-en", "kind": "publishing"}])
def test_history_filters_keep_exactly_the_matching_entries(populated: Populated, query: dict[str, str],
                                                           browser: Callable[[str], TestClient]) -> None:
    posts = {p.id: p for p in populated.ledger.posts(populated.cid)}

    def matches(e: dict[str, str]) -> bool:
        post = posts.get(e.get("post", ""))
        account = post.slot.account if post else e.get("account", "")
        return (query.get("account", account) == account and query.get("kind", e["to"]) == e["to"]
                and query.get("post", e.get("post")) == e.get("post")
                and ("person" not in query or (post is not None and query["person"] in post.slot.people)))

    expected = [e["id"] for e in all_entries(populated) if matches(e)]
    page = browser(VIEWER).get(f"/campaigns/{populated.cid}/history", params=query).text
    assert re.findall(r'<tr class="entry" data-id="([^"]+)"', page) == expected[:50] and expected


def test_history_follows_older_links_to_the_end_and_refuses_bad_filters(populated: Populated,
                                                                        browser: Callable[[str], TestClient]) -> None:
    ledger, cid = populated.ledger, populated.cid
    for i in range(60):  # a longer stream than one page
        ledger.rate_limit(cid, "a-en", time.time() - 1)
        ledger.mark_auth_failed(cid, "a-en", f"refused {i}", at=populated.now)
        ledger.clear_account(cid, "a-en", at=populated.now, detail=f"test {i}")
    client = browser(VIEWER)
    url, seen = f"/campaigns/{cid}/history?account=a-en", []
    while url:
        page = client.get(url).text
        seen += re.findall(r'<tr class="entry" data-id="([^"]+)"', page)
        older = re.search(r'<a class="older" href="([^"]+)"', page)
        url = f"/campaigns/{cid}/history" + html.unescape(older.group(1)) if older else ""
    assert len(seen) > 50 and len(seen) == len(set(seen))
    for bad in ({"account": "nobody"}, {"person": "nobody"}, {"kind": "exploded"}, {"before": "x; drop"}):
        answer = client.get(f"/campaigns/{cid}/history", params=bad)
        assert answer.status_code == 422 and "Traceback" not in answer.text
    assert client.get("/campaigns/nothere/history").status_code == 404


def test_a_history_cursor_too_big_for_redis_is_a_bad_request_not_redis_down(
        populated: Populated, browser: Callable[[str], TestClient], api: TestClient) -> None:
    """An entry id whose parts pass for digits but exceed 64 bits is refused by Redis itself: that is
    the request's fault (422, naming the field), not a Redis that is not answering (503)."""
    cid = populated.cid
    for before in ("99999999999999999999-0", "1-99999999999999999999", str(2**64)):
        page = browser(VIEWER).get(f"/campaigns/{cid}/history", params={"before": before})
        assert page.status_code == 422 and "is not an audit entry id" in page.text, before
        answer = api.get(f"/api/campaigns/{cid}/history", params={"before": before},
                         headers={"Authorization": f"Bearer {VIEWER}"})
        assert answer.status_code == 422 and answer.json()["error"].startswith("before: "), before
    last = str(2**64 - 1)  # the largest id Redis takes is still a page (an empty or a full one)
    assert browser(VIEWER).get(f"/campaigns/{cid}/history", params={"before": f"{last}-{last}"}).status_code == 200
    for first in ("0-0", "0", "00-0"):  # older than the first id there can be: an empty page (Redis refuses "(0-0")
        page = browser(VIEWER).get(f"/campaigns/{cid}/history", params={"before": first})
        assert page.status_code == 200 and "0 entries" in page.text, first


# --- the JSON API -------------------------------------------------------------------------------

def test_the_api_serves_the_same_accounts_roster_and_history_with_the_same_roles(api: TestClient,
                                                                                 populated: Populated) -> None:
    from tests.web_fixtures import bearer

    cid = populated.cid
    populated.ledger.mark_auth_failed(cid, "b-km", "refused", at=populated.now)
    accounts = api.get(f"/api/campaigns/{cid}/accounts", headers=bearer(VIEWER)).json()
    assert [a["id"] for a in accounts["accounts"]] == ["a-en", "b-km", "c-en"]
    assert [a["id"] for a in accounts["accounts"] if a["blocked"]] == ["b-km"]
    assert accounts["accounts"][0]["last_success"]["post"] == POSTED
    roster = api.get(f"/api/campaigns/{cid}/roster", headers=bearer(VIEWER)).json()
    assert {p["id"] for p in roster["people"]} == {"rong-chhun", "sar-kanika", "ton-nimol"}
    first = api.get(f"/api/campaigns/{cid}/history", params={"size": 5}, headers=bearer(VIEWER)).json()
    rest = api.get(f"/api/campaigns/{cid}/history", params={"size": 500, "before": first["next_before"]},
                   headers=bearer(VIEWER)).json()
    ids = [e["id"] for e in first["entries"] + rest["entries"]]
    assert ids == [e["id"] for e in all_entries(populated)] and rest["next_before"] is None
    assert api.get(f"/api/campaigns/{cid}/history", params={"kind": "x"}, headers=bearer(VIEWER)).status_code == 422
    assert api.get(f"/api/campaigns/{cid}/accounts").status_code == 401
    assert api.post(f"/api/campaigns/{cid}/accounts/b-km/unblock", headers=bearer(VIEWER)).status_code == 403
    assert "auth_failed" in populated.ledger.account_state(cid, "b-km")
    done = api.post(f"/api/campaigns/{cid}/accounts/b-km/unblock", headers=bearer(OPERATOR)).json()
    assert done["was_blocked"] and "auth_failed" not in populated.ledger.account_state(cid, "b-km")
