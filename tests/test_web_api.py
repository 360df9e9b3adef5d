"""The JSON API: what it reads equals the ledger, its actions are the CLI's (audited with the user's
name), and bad input is a clear 4xx JSON answer, never a traceback."""

from __future__ import annotations

import json
from collections import Counter
from itertools import product

import pytest
from fastapi.testclient import TestClient

from campaign.ledger.states import STATES
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import FAILED, IN_DOUBT, OPERATOR, POSTED, REVIEW, VIEWER, Populated, bearer

AS_VIEWER, AS_OPERATOR = bearer(VIEWER), bearer(OPERATOR)


def _audit_by(populated: Populated, post: str = "") -> list[dict[str, str]]:
    return [e for e in populated.ledger.iter_audit("small") if e.get("post", "") == post]


def test_campaigns_counts_equal_the_ledgers(api: TestClient, populated: Populated) -> None:
    [summary] = api.get("/api/campaigns", headers=AS_VIEWER).json()
    states = Counter(p.state for p in populated.ledger.posts("small"))
    assert summary["counts"] == dict(states) and summary["total"] == sum(states.values())
    assert summary["problems"]["counts"] == {"failed": 1, "in_doubt": 1, "awaiting_review": 1}
    assert summary["problems"]["posts"]["failed"] == [FAILED]
    assert summary["progress"] == {"week": 1, "weeks": 1, "percent": 14, "started": True, "finished": False}
    first_due = min((p for p in populated.ledger.posts("small") if p.state in ("planned", "awaiting_review")),
                    key=lambda p: p.due)
    assert summary["next"]["id"] == first_due.id


def test_a_campaign_lists_its_accounts_with_their_counts(api: TestClient, populated: Populated) -> None:
    detail = api.get("/api/campaigns/small", headers=AS_VIEWER).json()
    assert [a["id"] for a in detail["accounts"]] == ["a-en", "b-km", "c-en"]
    for account in detail["accounts"]:
        mine = Counter(p.state for p in populated.ledger.posts("small") if p.slot.account == account["id"])
        assert account["counts"] == dict(mine)


@pytest.mark.parametrize("state,account,week", list(product([None, "planned", "posted", "failed"],
                                                            [None, "a-en", "b-km"], [None, 1])))
def test_posts_filtered_are_exactly_the_ledgers_posts_that_match(api: TestClient, populated: Populated,
                                                                 state: str | None, account: str | None,
                                                                 week: int | None) -> None:
    query = {k: v for k, v in (("state", state), ("account", account), ("week", week)) if v is not None}
    got = api.get("/api/campaigns/small/posts", params=query, headers=AS_VIEWER).json()
    expected = [p.id for p in populated.ledger.posts("small")
                if (state is None or p.state == state) and (account is None or p.slot.account == account)
                and (week is None or p.slot.week == week)]
    assert [p["id"] for p in got] == expected


def test_a_post_in_full(api: TestClient, populated: Populated) -> None:
    post = api.get(f"/api/posts/{POSTED}", headers=AS_VIEWER).json()
    record = populated.ledger.post(POSTED)
    assert post["state"] == "posted" and post["url"] == record.url and post["caption"] == record.caption
    assert post["alt"] == dict(record.alt or {}) and post["card"] == record.card
    assert [a["outcome"] for a in post["attempts"]] == [a["outcome"] for a in populated.ledger.attempts(POSTED)]
    assert [e["to"] for e in post["audit"]] == [e["to"] for e in _audit_by(populated, POSTED)]
    assert post["featured"][0]["id"] == "rong-chhun" and post["featured"][0]["status"] == "detained"
    assert post["actions"] == []
    assert api.get(f"/api/posts/{FAILED}", headers=AS_VIEWER).json()["actions"] == ["retry"]
    assert api.get(f"/api/posts/{IN_DOUBT}", headers=AS_VIEWER).json()["actions"] == ["resolve"]
    assert api.get(f"/api/posts/{REVIEW}", headers=AS_VIEWER).json()["actions"] == ["approve"]


@pytest.mark.parametrize("path", ["/api/campaigns/nosuch", "/api/campaigns/nosuch/posts",
                                  "/api/posts/small:2030-01-01:a-en", "/api/posts/garbage",
                                  "/api/posts/small:2030-01-01:a-en/retry", "/api/campaigns/nosuch/pause",
                                  "/api/nothing-here"])
def test_unknown_ids_are_404_json(api: TestClient, path: str) -> None:
    answer = api.post(path, headers=AS_OPERATOR) if path.endswith(("retry", "pause")) else api.get(path, headers=AS_OPERATOR)
    assert answer.status_code == 404
    body = answer.json()
    assert body["status"] == 404 and body["error"] and "Traceback" not in answer.text


@pytest.mark.parametrize("query,word", [({"state": "posed"}, "state"), ({"account": "z-en"}, "account"),
                                        ({"week": "six"}, "week"), ({"week": "0"}, "week")])
def test_bad_filters_are_422_json_naming_the_field(api: TestClient, query: dict[str, str], word: str) -> None:
    answer = api.get("/api/campaigns/small/posts", params=query, headers=AS_VIEWER)
    assert answer.status_code == 422 and word in answer.json()["error"]


def test_approve_is_the_clis_approve_recorded_with_the_users_name(api: TestClient, populated: Populated) -> None:
    answer = api.post(f"/api/posts/{REVIEW}/approve", headers=AS_OPERATOR)
    assert answer.status_code == 200 and answer.json()["approved"] == [REVIEW]
    record = populated.ledger.post(REVIEW)
    assert record.state == "approved" and record.approved_by == "sokha@web"
    assert _audit_by(populated, REVIEW)[-1]["worker"] == "sokha@web"
    again = api.post(f"/api/posts/{REVIEW}/approve", headers=AS_OPERATOR)
    assert again.status_code == 409 and "awaiting review" in again.json()["error"]


def test_approve_a_week(api: TestClient, populated: Populated) -> None:
    answer = api.post("/api/campaigns/small/approve", json={"week": 1}, headers=AS_OPERATOR)
    assert answer.status_code == 200 and answer.json()["approved"] == [REVIEW]
    assert api.post("/api/campaigns/small/approve", json={"week": 9}, headers=AS_OPERATOR).status_code == 409
    assert api.post("/api/campaigns/small/approve", json={}, headers=AS_OPERATOR).status_code == 422


def test_retry_sends_a_failed_post_round_again(api: TestClient, populated: Populated) -> None:
    answer = api.post(f"/api/posts/{FAILED}/retry", headers=AS_OPERATOR)
    assert answer.status_code == 200 and answer.json()["state"] == "planned"
    assert populated.ledger.state(FAILED) == "planned"
    assert _audit_by(populated, FAILED)[-1]["worker"] == "sokha@web"
    refused = api.post(f"/api/posts/{POSTED}/retry", headers=AS_OPERATOR)
    assert refused.status_code == 409 and "retry takes a post that is" in refused.json()["error"]


@pytest.mark.parametrize("body,state", [({"posted_url": "https://example.org/p/1"}, "posted"),
                                        ({"not_posted": True}, "queued")])
def test_resolve_an_in_doubt_post(api: TestClient, populated: Populated, body: dict, state: str) -> None:
    answer = api.post(f"/api/posts/{IN_DOUBT}/resolve", json=body, headers=AS_OPERATOR)
    assert answer.status_code == 200 and answer.json()["state"] == state
    assert populated.ledger.state(IN_DOUBT) == state
    if state == "posted":
        assert populated.ledger.post(IN_DOUBT).url == "https://example.org/p/1"
    assert _audit_by(populated, IN_DOUBT)[-1]["worker"] == "sokha@web"


@pytest.mark.parametrize("body", [{}, {"posted_url": "https://x.org/1", "not_posted": True},
                                  {"posted_url": "javascript:alert(1)"}, {"posted_url": "not a url"},
                                  {"posted_url": "https://t.me/" + "a" * 3000}, {"posted_url": "https://t.me/a b"},
                                  {"not_posted": "perhaps"}])
def test_a_malformed_resolution_is_422_and_changes_nothing(api: TestClient, populated: Populated, body: dict) -> None:
    answer = api.post(f"/api/posts/{IN_DOUBT}/resolve", json=body, headers=AS_OPERATOR)
    assert answer.status_code == 422 and answer.json()["error"]
    assert populated.ledger.state(IN_DOUBT) == "in_doubt"


def test_malformed_json_is_422_not_a_traceback(api: TestClient) -> None:
    answer = api.post(f"/api/posts/{IN_DOUBT}/resolve", content=b"{not json",
                      headers={**AS_OPERATOR, "Content-Type": "application/json"})
    assert answer.status_code == 422 and "Traceback" not in answer.text and answer.json()["status"] == 422


def test_resolving_a_post_not_in_doubt_is_409(api: TestClient, populated: Populated) -> None:
    answer = api.post(f"/api/posts/{POSTED}/resolve", json={"not_posted": True}, headers=AS_OPERATOR)
    assert answer.status_code == 409 and "not in_doubt" in answer.json()["error"]
    assert populated.ledger.state(POSTED) == "posted"


def test_pause_resume_cancel(api: TestClient, populated: Populated) -> None:
    for action, status, previous in (("pause", "paused", "active"), ("resume", "active", "paused"),
                                     ("cancel", "cancelled", "active")):
        answer = api.post(f"/api/campaigns/small/{action}", headers=AS_OPERATOR)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"campaign": "small", "previous": previous, "status": status,
                                 "message": f"small: {previous} -> {status}"}
        assert populated.ledger.campaign_field("small", "status") == status
        assert _audit_by(populated)[-1]["worker"] == "sokha@web"
    assert not any(p.state in ("planned", "awaiting_review") for p in populated.ledger.posts("small"))
    refused = api.post("/api/campaigns/small/resume", headers=AS_OPERATOR)
    assert refused.status_code == 409 and "cancelled" in refused.json()["error"]


def test_the_openapi_document_describes_the_api(api: TestClient) -> None:
    doc = api.get("/openapi.json").json()
    paths = doc["paths"]
    for path in ("/api/campaigns", "/api/campaigns/{cid}", "/api/campaigns/{cid}/posts", "/api/posts/{post_id}",
                 "/api/campaigns/{cid}/pause", "/api/campaigns/{cid}/resume", "/api/campaigns/{cid}/cancel",
                 "/api/posts/{post_id}/approve", "/api/posts/{post_id}/retry", "/api/posts/{post_id}/resolve"):
        assert path in paths, path
    assert not any(p.startswith(("/login", "/posts/", "/metrics")) for p in paths)  # pages are not the API
    assert "PostDetail" in doc["components"]["schemas"]


def test_no_answer_holds_a_credential_value(populated: Populated, users, clock, small_folder, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An account whose credentials were refused is blocked and shown, by reference; the value never."""
    from campaign.web import create_app

    secret = "sk-live-VALUE-that-must-never-show-1234"
    monkeypatch.setenv("SMALL_TOKEN", secret)
    populated.ledger.mark_auth_failed("small", "b-km", "the platform refused credentials env:SMALL_TOKEN", at=populated.now)
    app = create_app(populated.ledger, users, secret_key="k", clock=clock, failure_delay=0)
    with TestClient(app) as client:
        pages = [client.get(path, headers=AS_OPERATOR) for path in (
            "/api/campaigns", "/api/campaigns/small", "/api/campaigns/small/posts", f"/api/posts/{FAILED}", "/metrics",
            "/", f"/posts/{FAILED}", "/openapi.json")]
    assert all(p.status_code == 200 for p in pages)
    assert "env:SMALL_TOKEN" in json.dumps(pages[0].json())  # the reference is shown...
    assert all(secret not in p.text for p in pages)  # ...its value never
    assert all(OPERATOR not in p.text and OPERATOR not in str(p.headers) for p in pages)  # nor a user's token
    assert all(s in STATES for s in pages[0].json()[0]["counts"])
