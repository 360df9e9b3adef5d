"""Who may do what in the dashboard: sessions, bearer tokens, roles, CSRF, refusals (FastAPI's TestClient
over a real Redis, the pipeline's own states)."""

from __future__ import annotations

import html
import logging
import re
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from campaign.redis_server import url_for_socket
from campaign.web import Role, User, Users, create_app
from campaign.web.auth import SESSION_COOKIE
from campaign.web.pages.login import safe_next
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import FAILED, METRICS, OPERATOR, REVIEW, VIEWER, Populated, WallClock, bearer, csrf_of


def test_login_sets_a_signed_httponly_strict_cookie_with_an_expiry(api: TestClient) -> None:
    answer = api.post("/login", data={"token": OPERATOR, "next": "/posts/x"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/posts/x"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    attributes = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")[1:]}
    assert "httponly" in attributes and attributes["samesite"].strip().lower() == "samesite=strict"
    assert int(attributes["max-age"].split("=")[1]) > 0
    assert OPERATOR not in cookie


def test_the_login_link_logs_in_and_leaves_the_token_out_of_the_address(api: TestClient) -> None:
    answer = api.get(f"/login?token={OPERATOR}", follow_redirects=False)
    assert answer.status_code == 303 and OPERATOR not in answer.headers["location"]
    assert api.get("/", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("where", ["form", "link"])
def test_a_wrong_token_is_refused_after_a_delay_and_logged_without_it(
        populated: Populated, users: Users, clock: WallClock, caplog: pytest.LogCaptureFixture, where: str) -> None:
    app = create_app(populated.ledger, users, secret_key="k", clock=clock, failure_delay=0.3)
    wrong = "wrong-token-abcdefghijklmnop"
    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.WARNING, "campaign.web"):
        began = time.monotonic()
        if where == "form":
            answer = client.post("/login", data={"token": wrong}, follow_redirects=False)
        else:
            answer = client.get(f"/login?token={wrong}", follow_redirects=False)
        took = time.monotonic() - began
        assert answer.status_code == 401 and SESSION_COOKIE not in answer.headers.get("set-cookie", "")
        assert took >= 0.3
        began = time.monotonic()
        assert client.post("/login", data={"token": OPERATOR}, follow_redirects=False).status_code == 303
        assert time.monotonic() - began < 0.3  # the right token does not wait
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refusals and all(wrong not in line for line in refusals)
    assert all(wrong not in r.getMessage() for r in caplog.records)


def test_an_expired_session_is_refused(browser: Callable[[str], TestClient], clock: WallClock) -> None:
    client = browser(OPERATOR)
    assert client.get("/", follow_redirects=False).status_code == 200
    assert client.get("/api/campaigns").status_code == 200
    clock.now += 12 * 3600 + 1
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert client.get("/api/campaigns").status_code == 401


def test_a_tampered_session_cookie_is_refused(browser: Callable[[str], TestClient]) -> None:
    client = browser(VIEWER)
    value = client.cookies[SESSION_COOKIE]
    payload, _, signature = value.rpartition(".")
    for forged in (payload.replace("ZGFyYS", "c29raG") + "." + signature,  # "dara" -> "sokh..." (an operator)
                   payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]):
        assert forged != value
        client.cookies.clear()
        client.cookies.set(SESSION_COOKIE, forged)
        assert client.get("/api/campaigns").status_code == 401
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, value)
    assert client.get("/api/campaigns").status_code == 200


def test_a_changed_token_ends_the_sessions_made_with_the_old_one(populated: Populated, clock: WallClock) -> None:
    before = Users((User("sokha", Role.OPERATOR, OPERATOR),))
    after = Users((User("sokha", Role.OPERATOR, OPERATOR + "-rotated"),))
    with TestClient(create_app(populated.ledger, before, secret_key="same", clock=clock, failure_delay=0)) as old:
        old.post("/login", data={"token": OPERATOR})
        cookie = old.cookies[SESSION_COOKIE]
    for who, status in ((after, 401), (before, 200)):
        with TestClient(create_app(populated.ledger, who, secret_key="same", clock=clock, failure_delay=0)) as new:
            new.cookies.set(SESSION_COOKIE, cookie)
            assert new.get("/api/campaigns").status_code == status


@pytest.mark.parametrize("headers,status", [({}, 401), (bearer("not-a-token-of-anyone-here"), 401),
                                            ({"Authorization": "Basic b3BlcmF0b3I6eA=="}, 401),
                                            (bearer(VIEWER), 200), (bearer(OPERATOR), 200)])
def test_reading_the_api_needs_a_users_token(api: TestClient, headers: dict[str, str], status: int) -> None:
    answer = api.get("/api/campaigns", headers=headers)
    assert answer.status_code == status
    if status == 401:
        assert answer.json()["status"] == 401 and answer.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", [f"/api/posts/{REVIEW}/approve", f"/api/posts/{FAILED}/retry",
                                  "/api/campaigns/small/pause"])
def test_a_viewer_may_not_act_and_nothing_changes(api: TestClient, populated: Populated, path: str) -> None:
    before = {p.id: p.state for p in populated.ledger.posts("small")}
    answer = api.post(path, headers=bearer(VIEWER))
    assert answer.status_code == 403 and "viewer" in answer.json()["error"]
    assert {p.id: p.state for p in populated.ledger.posts("small")} == before
    assert populated.ledger.campaign_field("small", "status") == "active"
    assert api.post(path, headers={}).status_code == 401


def test_the_metrics_token_opens_metrics_and_nothing_else(api: TestClient) -> None:
    assert api.get("/metrics", headers=bearer(METRICS)).status_code == 200
    assert api.get("/metrics").status_code == 401
    assert api.get("/api/campaigns", headers=bearer(METRICS)).status_code == 401
    assert api.post("/api/campaigns/small/pause", headers=bearer(METRICS)).status_code == 401


def test_a_form_without_its_csrf_token_is_refused(browser: Callable[[str], TestClient], populated: Populated) -> None:
    client = browser(OPERATOR)
    for data in ({}, {"csrf": "forged"}):
        answer = client.post("/campaigns/small/pause", data=data, follow_redirects=False)
        assert answer.status_code == 403 and "CSRF" in answer.text
    assert populated.ledger.campaign_field("small", "status") == "active"
    token = csrf_of(client.get("/").text)
    assert client.post("/campaigns/small/pause", data={"csrf": token}, follow_redirects=False).status_code == 303
    assert populated.ledger.campaign_field("small", "status") == "paused"


def test_another_sessions_csrf_token_does_not_count(browser: Callable[[str], TestClient], populated: Populated) -> None:
    mine, theirs = browser(OPERATOR), browser(OPERATOR)
    token = csrf_of(theirs.get("/").text)
    assert token != csrf_of(mine.get("/").text)
    assert mine.post(f"/posts/{REVIEW}/approve", data={"csrf": token}, follow_redirects=False).status_code == 403
    assert populated.ledger.state(REVIEW) == "awaiting_review"


def test_the_api_with_a_session_cookie_needs_the_csrf_header(browser: Callable[[str], TestClient],
                                                             populated: Populated) -> None:
    client = browser(OPERATOR)
    assert client.post("/api/campaigns/small/pause").status_code == 403
    token = csrf_of(client.get("/").text)
    assert client.post("/api/campaigns/small/pause", headers={"X-CSRF-Token": token}).status_code == 200
    assert populated.ledger.campaign_field("small", "status") == "paused"


def test_a_viewers_form_is_refused_and_the_viewer_sees_no_action(browser: Callable[[str], TestClient],
                                                                 populated: Populated) -> None:
    client = browser(VIEWER)
    page = client.get(f"/posts/{REVIEW}").text
    assert f'action="/posts/{REVIEW}/approve"' not in page and 'action="/campaigns/small/pause"' not in client.get("/").text
    token = csrf_of(page)  # the logout form's
    assert client.post(f"/posts/{REVIEW}/approve", data={"csrf": token}, follow_redirects=False).status_code == 403
    assert populated.ledger.state(REVIEW) == "awaiting_review"


@pytest.mark.parametrize("path", [f"/posts/{REVIEW}", "/campaigns/small/posts?state=failed&week=1"])
def test_pages_send_a_browser_without_a_session_to_the_login_page_and_back(api: TestClient, path: str) -> None:
    answer = api.get(path, follow_redirects=False)
    assert answer.status_code == 303
    login = api.get(answer.headers["location"])
    assert login.status_code == 200 and 'name="token"' in login.text
    back = re.search(r'name="next" value="([^"]+)"', login.text)
    assert back and html.unescape(back.group(1)) == path
    done = api.post("/login", data={"token": VIEWER, "next": html.unescape(back.group(1))}, follow_redirects=False)
    assert done.headers["location"] == path


@pytest.mark.parametrize("target,expected", [("/posts/a", "/posts/a"), ("//evil.example/x", "/"),
                                             ("https://evil.example/", "/"), ("/\\evil.example", "/"), ("", "/")])
def test_after_login_only_a_path_of_this_site(target: str, expected: str) -> None:
    assert safe_next(target) == expected


def test_healthz_needs_no_login_and_says_when_redis_is_gone(api: TestClient, users: Users, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert api.get("/healthz").json() == {"status": "ok"}
    dead = create_app(url_for_socket(tmp_path / "nothing.sock"), users, secret_key="k")
    with TestClient(dead, raise_server_exceptions=False) as client:
        answer = client.get("/healthz")
        assert answer.status_code == 503 and "Redis" in answer.json()["reason"]
        down = client.get("/api/campaigns", headers=bearer(OPERATOR))
        assert down.status_code == 503 and "Traceback" not in down.text


def test_every_answer_forbids_framing_and_outside_scripts(api: TestClient) -> None:
    for path in ("/login", "/healthz", "/static/style.css"):
        headers = api.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("origin,status", [("http://evil.example", 403), ("null", 403), ("http://127.0.0.1", 303)])
def test_a_form_from_another_site_is_refused_even_with_a_session(browser: Callable[[str], TestClient],
                                                                 populated: Populated, origin: str, status: int) -> None:
    client = browser(OPERATOR)  # its base address is http://127.0.0.1
    token = csrf_of(client.get("/").text)
    answer = client.post("/campaigns/small/pause", data={"csrf": token}, headers={"Origin": origin},
                         follow_redirects=False)
    assert answer.status_code == status
    assert populated.ledger.campaign_field("small", "status") == ("paused" if status == 303 else "active")
    login = client.post("/login", data={"token": OPERATOR}, headers={"Origin": origin}, follow_redirects=False)
    assert login.status_code == status
