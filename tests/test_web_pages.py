"""The pages: what a monitor sees and does in a browser, read from the ledger (TestClient, real Redis)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from campaign.errors import kind_words
from campaign.web.app import khmer_font
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import FAILED, IN_DOUBT, OPERATOR, POSTED, REVIEW, VIEWER, Populated, csrf_of


def text_of(page: str) -> str:
    """The page's visible words, tags dropped and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_every_page_is_phone_readable_and_loads_nothing_from_elsewhere(browser: Callable[[str], TestClient]) -> None:
    client = browser(VIEWER)
    for path in ("/", f"/posts/{POSTED}", "/campaigns/small/posts", "/login"):
        page = client.get(path).text
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
        sources = re.findall(r'(?:src|href)="([^"]*)"', page)
        assert sources and all(s.startswith(("/", "#", "data:")) or s.startswith("https://example.org/")
                               for s in sources), sources


def test_the_campaigns_page_shows_progress_counts_next_post_and_problems(browser: Callable[[str], TestClient],
                                                                        populated: Populated) -> None:
    page = browser(VIEWER).get("/").text
    words = text_of(page)
    assert "Small test campaign" in words and "Week 1 of 1" in words
    assert re.search(r'<progress id="progress-small" max="100" value="14">', page)
    for state, n in {"planned": 17, "posted": 1, "failed": 1, "in doubt": 1, "awaiting review": 1}.items():
        assert f"{n} {state}" in words
    assert "Next: Tue 09 Nov 2021, 10:00 (Asia/Phnom_Penh) · a-en · Sar Kanika" in words
    for pid in (FAILED, IN_DOUBT, REVIEW):
        assert f'href="/posts/{pid}"' in page  # each open problem links to its post


def test_a_blocked_account_shows_as_an_open_problem_with_its_fix(browser: Callable[[str], TestClient],
                                                                populated: Populated) -> None:
    populated.ledger.mark_auth_failed("small", "b-km", "the platform refused its token (env:B_TOKEN)", at=populated.now)
    words = text_of(browser(VIEWER).get("/").text)
    assert "blocked b-km (outbox): the platform refused its token (env:B_TOKEN)" in words
    assert "campaign accounts unblock b-km small" in words


def test_the_post_page_shows_card_caption_alt_people_attempts_and_history(browser: Callable[[str], TestClient],
                                                                         populated: Populated) -> None:
    client = browser(VIEWER)
    record = populated.ledger.post(POSTED)
    page = client.get(f"/posts/{POSTED}").text
    words = text_of(page)
    assert html.escape(record.caption or "") in page and record.caption
    for text in (record.alt or {}).values():
        assert text in words
    assert "រ៉ុង ឈុន" in words and "1 year, 3 months and 7 days" in words and "charged with incitement" in words
    assert f'href="{record.url}"' in page
    assert words.count("→") == len([e for e in populated.ledger.iter_audit("small") if e.get("post") == POSTED])
    card = re.search(r'<img src="([^"]+)" alt="([^"]*)"', page)
    assert card and html.unescape(card.group(2)) == record.alt_text("en")
    image = client.get(html.unescape(card.group(1)))
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.content == populated.ledger.get_blob(record.card or "")
    assert "immutable" in image.headers["cache-control"]


def test_a_failed_post_shows_its_error_and_attempt(browser: Callable[[str], TestClient]) -> None:
    words = text_of(browser(VIEWER).get(f"/posts/{FAILED}").text)
    said = f"{kind_words('Rejected')}: the platform refused the image"
    assert said[:1].upper() + said[1:] in words
    assert f"rejected {said[:1].upper() + said[1:]}" in words  # the attempt's row


@pytest.mark.parametrize("post,actions", [(REVIEW, ["approve"]), (FAILED, ["retry"]), (IN_DOUBT, ["resolve"]),
                                          (POSTED, [])])
def test_an_operator_sees_exactly_the_actions_that_apply(browser: Callable[[str], TestClient], post: str,
                                                         actions: list[str]) -> None:
    page = browser(OPERATOR).get(f"/posts/{post}").text
    shown = sorted(set(re.findall(rf'action="/posts/{re.escape(post)}/(\w+)"', page)))
    assert shown == actions
    for form in re.findall(r'<form method="post".*?</form>', page, re.S):
        assert 'name="csrf" value="' in form


def test_a_failed_post_says_until_when_a_retry_can_send_it_and_offers_none_after(
        browser: Callable[[str], TestClient], populated: Populated) -> None:
    """A failed or missed post's page says what to do and until when; once its time plus max_lateness
    has passed it offers no Retry (the retry could only be refused: a late post is never sent) and says so."""
    from campaign.clock import SimulatedClock
    from tests.pipeline_fixtures import local

    client = browser(OPERATOR)
    due = populated.ledger.post(FAILED).due
    page = client.get(f"/posts/{FAILED}").text
    assert f'action="/posts/{FAILED}/retry"' in page
    assert "What to do: once the cause is fixed, retry it: possible until" in text_of(page)
    populated.ledger.mark_auth_failed(populated.cid, "b-km", "auth_failed: 401")  # its account blocked: say so first
    page = client.get(f"/posts/{FAILED}").text
    assert "What to do: its account b-km is blocked: fix its credentials and unblock it ( Accounts ), then retry it" \
        in text_of(page) and f'href="/campaigns/{populated.cid}/accounts"' in page
    populated.ledger.clear_account(populated.cid, "b-km")
    SimulatedClock(populated.ledger).set(local("2021-11-09", "12:00"))  # a day on: past its 6h of lateness
    assert local("2021-11-09", "12:00").timestamp() > due + 6 * 3600
    page = client.get(f"/posts/{FAILED}").text
    assert f'action="/posts/{FAILED}/retry"' not in page
    assert "Too late to send again: its time plus max_lateness passed at" in text_of(page)
    assert "a late post is never sent" in text_of(page)
    assert populated.ledger.state(FAILED) == "failed"


def test_approving_retrying_and_resolving_from_the_pages(browser: Callable[[str], TestClient],
                                                         populated: Populated) -> None:
    client = browser(OPERATOR)
    token = csrf_of(client.get("/").text)
    for post, action, data, state in ((REVIEW, "approve", {}, "approved"), (FAILED, "retry", {}, "planned"),
                                      (IN_DOUBT, "resolve", {"outcome": "posted", "url": "https://example.org/x"},
                                       "posted")):
        answer = client.post(f"/posts/{post}/{action}", data={"csrf": token, **data}, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == f"/posts/{post}"
        assert populated.ledger.state(post) == state
        shown = client.get(f"/posts/{post}").text
        assert 'class="flash"' in shown and post in text_of(shown)  # the outcome, said once
        assert 'class="flash"' not in client.get(f"/posts/{post}").text
        last = [e for e in populated.ledger.iter_audit("small") if e.get("post") == post][-1]
        assert last["worker"] == "sokha@web"


def test_a_refused_action_is_a_clear_page_not_a_traceback(browser: Callable[[str], TestClient],
                                                          populated: Populated) -> None:
    client = browser(OPERATOR)
    token = csrf_of(client.get("/").text)
    answer = client.post(f"/posts/{POSTED}/retry", data={"csrf": token})
    assert answer.status_code == 409 and "retry takes a post that is" in text_of(answer.text)
    bad_url = client.post(f"/posts/{IN_DOUBT}/resolve", data={"csrf": token, "outcome": "posted", "url": "nope"})
    assert bad_url.status_code == 422 and "not a web address" in bad_url.text
    no_outcome = client.post(f"/posts/{IN_DOUBT}/resolve", data={"csrf": token})
    assert no_outcome.status_code == 422 and "outcome" in no_outcome.text
    assert populated.ledger.state(POSTED) == "posted" and populated.ledger.state(IN_DOUBT) == "in_doubt"
    for answer in (answer, bad_url, no_outcome):
        assert "Traceback" not in answer.text and "<html" in answer.text


def test_a_refused_form_leads_back_to_the_page_it_was_sent_from(browser: Callable[[str], TestClient],
                                                                populated: Populated) -> None:
    """The error page of a refused form links back to the dashboard page the form was on (the
    browser's same-origin Referer); never to another site, nor to the form's own address."""
    client = browser(OPERATOR)
    token = csrf_of(client.get("/").text)
    origin = str(client.base_url).rstrip("/")
    for referer, back in ((f"{origin}/posts/{POSTED}?from=calendar", f"/posts/{POSTED}?from=calendar"),
                          (f"{origin}/campaigns/small/history", "/campaigns/small/history"),
                          ("https://elsewhere.example/posts/x", None), (f"{origin}/posts/{POSTED}/retry", None),
                          (f"{origin}//elsewhere.example/x", None), (f"{origin}/\\elsewhere.example", None),
                          ("", None)):
        answer = client.post(f"/posts/{POSTED}/retry", data={"csrf": token}, headers={"referer": referer} if referer else {})
        assert answer.status_code == 409
        links = [html.unescape(h) for h in re.findall(r'<a href="([^"]+)" class="back">', answer.text)]
        assert links == ([back] if back else []), (referer, links)
        assert 'href="/"' in answer.text  # the campaigns, always


def test_unknown_pages_and_posts_are_404_pages(browser: Callable[[str], TestClient]) -> None:
    client = browser(VIEWER)
    for path in ("/posts/small:2030-01-01:a-en", "/posts/nonsense", "/campaigns/nosuch/posts", "/nowhere",
                 "/posts/small:2021-11-10:a-en/card"):
        answer = client.get(path)
        assert answer.status_code == 404 and "<html" in answer.text and "Traceback" not in answer.text, path


def test_cancelling_from_the_page_needs_the_confirmation(browser: Callable[[str], TestClient],
                                                         populated: Populated) -> None:
    client = browser(OPERATOR)
    token = csrf_of(client.get("/").text)
    refused = client.post("/campaigns/small/cancel", data={"csrf": token})
    assert refused.status_code == 422 and populated.ledger.campaign_field("small", "status") == "active"
    done = client.post("/campaigns/small/cancel", data={"csrf": token, "confirm": "yes"}, follow_redirects=False)
    assert done.status_code == 303 and populated.ledger.campaign_field("small", "status") == "cancelled"


def test_the_posts_tab_filters_like_the_api(browser: Callable[[str], TestClient], populated: Populated) -> None:
    client = browser(VIEWER)
    page = client.get("/campaigns/small/posts", params={"state": "planned", "account": "b-km", "week": ""}).text
    linked = re.findall(r'<a href="/posts/([^"]+)"', page)
    assert linked == [p.id for p in populated.ledger.posts("small") if p.state == "planned" and p.slot.account == "b-km"]
    assert client.get("/campaigns/small/posts", params={"week": "x"}).status_code == 422
    for week in ("0", "-5", "99999"):  # no such week: said, not an empty list
        page = client.get("/campaigns/small/posts", params={"week": week})
        assert page.status_code == 422 and f"week: {int(week)} is not a week of small; its weeks are 1 to" in page.text


def test_khmer_renders_with_the_shipped_font_served_by_the_app(api: TestClient) -> None:
    css = api.get("/static/style.css").text
    face = re.search(r"@font-face\s*{[^}]*}", css)
    assert face and 'url("/fonts/khmer.ttf")' in face.group(0) and "U+1780-17FF" in face.group(0)
    assert re.search(r'body \{[^}]*font:[^;]*"Noto Sans Khmer"', css)
    font = api.get("/fonts/khmer.ttf")
    assert font.status_code == 200 and font.content == khmer_font().read_bytes()


def test_the_vendored_htmx_is_served_and_pages_refer_to_it(browser: Callable[[str], TestClient]) -> None:
    client = browser(VIEWER)
    src = re.search(r'<script src="([^"]+)"', client.get("/").text)
    assert src and client.get(src.group(1)).status_code == 200


def test_a_fix_shows_its_commands_as_code_and_nothing_else_as_markup() -> None:
    from campaign.pipeline.accounts import Blocked
    from campaign.web.render import commands

    assert str(commands("run `campaign accounts check FOLDER` <b>now</b>")) == \
        "run <code>campaign accounts check FOLDER</code> &lt;b&gt;now&lt;/b&gt;"
    assert str(commands("an odd ` quote <i>")) == "an odd ` quote &lt;i&gt;"  # unpaired: no code, still escaped
    outbox = Blocked("c", "cchr-en", "outbox", "auth_failed: x", "2021-11-09", "worker").fix()
    assert "()" not in outbox and outbox.startswith("fix what the reason above names")
    x = Blocked("c", "a-x", "x", "auth_failed: x", "2021-11-09", "worker", credentials=["env:X_KEY"]).fix()
    assert "(env:X_KEY)" in x
