"""What monitors read is true and plain (real Redis, the real pipeline; the dashboard through TestClient):

* every kind of error a post can stop with has its words in the one table, and no page or alert shows a
  class name or an ISO time where a person reads it (the JSON API keeps both);
* unblocking an account whose credentials still cannot be read is refused, naming the reference (never its
  value) and what to do, for the command and the dashboard alike (the same action);
* a post too late already when the plan was applied says so, not that it was not ready in time;
* an attempt's outcome is recorded at the time it came, not when the attempt began;
* an in-doubt post resolved as not posted no longer says it may be out.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import campaign.publishers.base as publisher_errors
from campaign.alerts.incidents import Incident
from campaign.alerts.messages import problem_message
from campaign.checks import load_checked
from campaign.clock import ISO_MOMENT, SimulatedClock, readable
from campaign.errors import KIND_WORDS, OUTCOME_KINDS, Refused, kind_words
from campaign.ledger import Ledger
from campaign.ledger.scripts import LATE_NOT_READY, LATE_WHEN_PLANNED
from campaign.pipeline import InlineDispatch, NoDispatch, Settings, apply_folder, publish_post, tick
from campaign.pipeline.accounts import unblock
from campaign.pipeline.applied import load_applied
from campaign.pipeline.settings import Publishers
from campaign.publishers import AuthFailed, Published, PublishError, RateLimited, Rejected
from tests.pipeline_fixtures import SMALL_CAMPAIGN, local, write_folder
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import FAILED, IN_DOUBT, OPERATOR, VIEWER, Populated, bearer, csrf_of

SECRET = "tok-VALUE-never-shown-51c2"
CLASS_NAMES = re.compile(r"\b(" + "|".join(KIND_WORDS) + r")\b")


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_every_kind_of_error_a_post_can_stop_with_has_words() -> None:
    kinds = {c.__name__ for c in vars(publisher_errors).values()
             if isinstance(c, type) and issubclass(c, PublishError)} | {"LeaseExpired"}
    assert kinds <= set(KIND_WORDS), kinds - set(KIND_WORDS)
    assert set(OUTCOME_KINDS.values()) <= set(KIND_WORDS)
    assert all(not CLASS_NAMES.search(words) for words in KIND_WORDS.values())
    assert kind_words("KeyError") and not CLASS_NAMES.search(kind_words("KeyError"))  # a bug reads as one, unnamed


def _fail_with(ledger: Ledger, post_id: str, error: Exception, at) -> None:  # type: ignore[no-untyped-def]
    from tests.pipeline_fixtures import put_in_state

    assert put_in_state(ledger, post_id, "failed", "queued", at=at)
    assert put_in_state(ledger, post_id, "queued", "publishing", at=at)
    ledger.record_failed(post_id, error, outcome="auth_failed" if isinstance(error, AuthFailed) else "rate_limited",
                         at=at, worker="w1")


def test_pages_and_alerts_say_the_kind_in_words_and_times_readably_the_api_keeps_machine_formats(
        browser: Callable[[str], TestClient], api: TestClient, populated: Populated) -> None:
    ledger, cid = populated.ledger, populated.cid
    reset = populated.now + timedelta(hours=1)
    _fail_with(ledger, FAILED, AuthFailed("b-km: the platform refused the token"), populated.now)
    _fail_with(ledger, FAILED, RateLimited(reset), populated.now)  # its message holds an ISO time
    ledger.mark_auth_failed(cid, "b-km", f"refused at {reset.isoformat()}", at=populated.now)
    client = browser(VIEWER)
    pages = {path: text_of(client.get(path).text) for path in
             (f"/posts/{FAILED}", f"/campaigns/{cid}/posts", f"/campaigns/{cid}/accounts", f"/campaigns/{cid}/history",
              "/")}
    for path, words in pages.items():
        assert not CLASS_NAMES.search(words), (path, CLASS_NAMES.search(words))
        assert not ISO_MOMENT.search(words), (path, ISO_MOMENT.search(words))
    shown = readable(reset, populated.now.tzinfo)
    assert shown.endswith("(Asia/Phnom_Penh)")
    for path in (f"/posts/{FAILED}", f"/campaigns/{cid}/posts", f"/campaigns/{cid}/accounts"):
        assert kind_words("RateLimited")[1:] in pages[path] and shown in pages[path], path
    assert kind_words("AuthFailed")[1:] in pages[f"/posts/{FAILED}"]  # its first attempt's row
    assert kind_words("auth_failed") in pages[f"/campaigns/{cid}/history"]  # the audit entry's "auth_failed: ..."
    # The JSON API keeps the class name and the ISO time.
    post = api.get(f"/api/posts/{FAILED}", headers=bearer(VIEWER)).json()
    assert post["error_class"] == "RateLimited" and ISO_MOMENT.search(post["error"])
    # Alerts: the same words and times.
    applied = load_applied(ledger, cid)
    incident = Incident("failed", "k", cid, populated.now.isoformat(), post=FAILED, account="b-km", platform="outbox",
                        people=("Sar Kanika",), due=populated.now.isoformat(), week=1,
                        detail=f"rate_limited: rate limited; resets at {reset.isoformat()}")
    body = problem_message([incident], applied.campaign, "FOLDER", None).body
    assert kind_words("rate_limited") in body and shown in body
    assert not ISO_MOMENT.search(body) and "rate_limited" not in body and not CLASS_NAMES.search(body)


@pytest.fixture
def tokened(populated: Populated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A campaign whose b-km account reads its token from env:MW_TOKEN (unset), blocked by its platform."""
    monkeypatch.delenv("MW_TOKEN", raising=False)
    spec = copy.deepcopy(SMALL_CAMPAIGN)
    spec["id"] = "tokened"
    spec["accounts"][1].update(platform="telegram", credentials={"token": "env:MW_TOKEN"}, channel="@mw_test")
    folder = load_checked(write_folder(tmp_path / "tokened", spec))
    apply_folder(populated.ledger, folder, populated.now, {"outbox_dir": str(tmp_path / "outbox")})
    populated.ledger.mark_auth_failed("tokened", "b-km", "the platform refused env:MW_TOKEN", at=populated.now)
    return "tokened"


def test_unblocking_is_refused_while_the_credentials_cannot_be_read_here(
        tokened: str, populated: Populated, browser: Callable[[str], TestClient], monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = populated.ledger
    applied = load_applied(ledger, tokened)
    with pytest.raises(Refused) as refused:
        unblock(ledger, applied, "b-km", populated.now)
    said = str(refused.value)
    assert "env:MW_TOKEN is not set" in said and "set MW_TOKEN" in said and "campaign accounts unblock b-km" in said
    assert "auth_failed" in ledger.account_state(tokened, "b-km")
    # The dashboard's button is the same action: refused with the same sentence, and the account stays blocked.
    client = browser(OPERATOR)
    page = client.get(f"/campaigns/{tokened}/accounts").text
    answer = client.post(f"/campaigns/{tokened}/accounts/b-km/unblock", data={"csrf": csrf_of(page)})
    assert answer.status_code == 409 and "env:MW_TOKEN is not set" in text_of(answer.text)
    assert "auth_failed" in ledger.account_state(tokened, "b-km")
    # Once the reference reads, the block lifts; no value is ever said.
    monkeypatch.setenv("MW_TOKEN", SECRET)
    lifted = client.post(f"/campaigns/{tokened}/accounts/b-km/unblock", data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert lifted.status_code == 303 and "auth_failed" not in ledger.account_state(tokened, "b-km")
    assert SECRET not in said and SECRET not in answer.text


@pytest.mark.parametrize("applied_at, why", [("2021-11-08 20:00", LATE_WHEN_PLANNED), ("2021-11-07 00:00", LATE_NOT_READY)])
def test_a_missed_post_says_whether_it_was_too_late_already_when_the_plan_was_applied(
        ledger: Ledger, small_folder: Path, tmp_path: Path, applied_at: str, why: str) -> None:
    day, hm = applied_at.split()
    SimulatedClock(ledger).set(local(day, hm))
    apply_folder(ledger, load_checked(small_folder), local(day, hm), {"force_outbox": "1", "outbox_dir": str(tmp_path)})
    late = local("2021-11-08", "20:00")  # 8 November's posts were due at 10:00, max_lateness 6h
    SimulatedClock(ledger).set(late)
    tick(ledger, late, NoDispatch())
    post = ledger.post("small:2021-11-08:a-en")
    assert post.state == "missed" and post.error == why
    [entry] = [e for e in ledger.iter_audit("small") if e["post"] == post.id and e["to"] == "missed"]
    assert entry["detail"] == f"too late: {why}"


class Slow:
    """A publisher whose platform answers 40 minutes (of the campaign's clock) after the post was sent."""

    platform = "outbox"
    max_image_bytes = 10_000_000

    def __init__(self, ledger: Ledger, fail: bool):
        self.ledger, self.fail = ledger, fail
        self.settings = Settings(publishers=Publishers(lambda account, context: self))
        self.answered = None

    def publish(self, post):  # type: ignore[no-untyped-def]
        clock = SimulatedClock(self.ledger)
        self.answered = clock.now() + timedelta(minutes=40)
        clock.set(self.answered)
        if self.fail:
            raise Rejected("duplicate content")
        return Published(remote_id="r1", url="https://example.org/r1")

    def whoami(self) -> str:
        return "slow"


@pytest.mark.parametrize("fail", [False, True])
def test_an_outcome_is_recorded_at_the_time_it_came(ledger: Ledger, small_folder: Path, tmp_path: Path,
                                                    fail: bool) -> None:
    slow = Slow(ledger, fail)
    SimulatedClock(ledger).set(local("2021-11-07"))
    apply_folder(ledger, load_checked(small_folder), local("2021-11-07"), {"force_outbox": "1", "outbox_dir": str(tmp_path)})
    for moment in (local("2021-11-08", "09:30"), local("2021-11-08", "10:05")):
        SimulatedClock(ledger).set(moment)
        tick(ledger, moment, NoDispatch() if moment.hour == 10 else InlineDispatch(ledger, slow.settings))
    pid = "small:2021-11-08:a-en"
    assert ledger.state(pid) == "queued"
    began = SimulatedClock(ledger).now()
    publish_post(ledger, pid, None, slow.settings)  # as a worker does: the campaign's clock
    entries = [e for e in ledger.iter_audit("small") if e["post"] == pid]
    claim, outcome = entries[-2], entries[-1]
    assert claim["to"] == "publishing" and claim["at"] == began.isoformat()
    assert outcome["to"] == ("failed" if fail else "posted") and outcome["at"] == slow.answered.isoformat()
    assert ledger.attempts(pid)[-1]["at"] == slow.answered.isoformat()
    if not fail:
        assert ledger.post(pid).posted_at == slow.answered


def test_an_in_doubt_post_resolved_as_not_posted_no_longer_says_it_may_be_out(
        browser: Callable[[str], TestClient], populated: Populated) -> None:
    ledger = populated.ledger
    doubt = ledger.post(IN_DOUBT).error
    assert doubt
    client = browser(OPERATOR)
    page = client.get(f"/posts/{IN_DOUBT}").text
    after = client.post(f"/posts/{IN_DOUBT}/resolve", data={"csrf": csrf_of(page), "outcome": "not_posted"})
    post = ledger.post(IN_DOUBT)
    assert post.state == "queued" and post.error is None and post.error_class is None
    words = text_of(after.text)
    head = words.split("Caption")[0]  # what the page says of the post now, above its card
    assert doubt not in head and kind_words("OutcomeUnknown") not in head
    assert "now queued (was in doubt), by sokha@web (resolved by a person: not posted)" in head
    assert kind_words("OutcomeUnknown")[1:] in words.split("Attempts")[1]  # its attempt still says what happened then
