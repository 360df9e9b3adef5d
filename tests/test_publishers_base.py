"""What the publishers share (publishers/http.py, redaction.py, common.py): reset parsing,
rate-limit headers, the mapping of transport errors, redaction, and matching a post's text for lookups."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import requests
import urllib3

from campaign.publishers import AuthFailed, OutcomeUnknown, Transient, get_publisher
from campaign.publishers import redaction
from campaign.publishers.common import same_text
from campaign.publishers.http import RateLimitInfo, network_error, parse_reset
from campaign.publishers.redaction import REDACTED, redact, safe_cause
from tests.fakes.fixtures import PLATFORMS


def test_parse_reset_reads_epochs_iso_and_http_dates() -> None:
    when = datetime(2021, 9, 15, 3, 0, tzinfo=UTC)
    assert parse_reset(str(int(when.timestamp()))) == when
    assert parse_reset("2021-09-15T03:00:00.000Z") == when
    assert parse_reset("Wed, 15 Sep 2021 03:00:00 GMT") == when
    assert parse_reset(None) is None and parse_reset("soon") is None


def test_rate_limit_info_from_headers_is_case_insensitive() -> None:
    info = RateLimitInfo.from_headers({"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                                       "X-RateLimit-Reset": "2021-09-15T03:00:00Z"}, "x-ratelimit-")
    assert info == RateLimitInfo(300, 0, datetime(2021, 9, 15, 3, tzinfo=UTC)) and info.exhausted
    assert RateLimitInfo.from_headers({"Content-Type": "text/html"}, "x-ratelimit-") is None


def _wrapped(reason: Exception, kind: type[requests.RequestException]) -> requests.RequestException:
    return kind(urllib3.exceptions.MaxRetryError(None, "/2/tweets", reason))  # type: ignore[arg-type]


def test_network_errors_before_sending_are_transient_even_when_posting() -> None:
    refused = _wrapped(urllib3.exceptions.NewConnectionError(None, "refused"), requests.ConnectionError)  # type: ignore[arg-type]
    assert isinstance(network_error(refused, posting=True, what="a"), Transient)
    assert isinstance(network_error(requests.ConnectTimeout("slow"), posting=True, what="a"), Transient)


def test_network_errors_after_sending_are_in_doubt_only_for_the_post() -> None:
    lost = requests.ReadTimeout("read timed out")
    assert isinstance(network_error(lost, posting=True, what="a"), OutcomeUnknown)
    assert isinstance(network_error(lost, posting=False, what="a"), Transient)


def test_network_errors_say_what_happened_in_words_not_the_librarys_class_names() -> None:
    """Monitors read these on the post page, in alerts and in `campaign status` (monitor trial)."""
    cases = [
        (_wrapped(urllib3.exceptions.NameResolutionError("api.example", None, "no name"),  # type: ignore[arg-type]
                  requests.ConnectionError), True, "could not reach the server (its address was not found); will retry"),
        (_wrapped(urllib3.exceptions.NewConnectionError(None, "refused"), requests.ConnectionError),  # type: ignore[arg-type]
         True, "could not reach the server (the connection was refused); will retry"),
        (requests.ConnectTimeout("slow"), True, "could not reach the server (connecting took too long); will retry"),
        (requests.ReadTimeout("read timed out"), True,
         "no answer after the request was sent (it did not answer in time); it may have been posted"),
        (requests.ConnectionError(ConnectionResetError("reset")), False,
         "no answer from the server (the connection was dropped); will retry"),
    ]
    for exc, posting, said in cases:
        message = str(network_error(exc, posting=posting, what="telegram sendPhoto"))
        assert message == f"telegram sendPhoto: {said}", message
        assert not any(name in message for name in ("Error", "Timeout", "gaierror"))


def test_a_bad_url_is_for_a_person() -> None:
    assert isinstance(network_error(requests.exceptions.InvalidURL("x"), posting=True, what="a"), AuthFailed)


def test_redaction_covers_url_encoded_forms() -> None:
    assert redact("token=a%2Fb%2Bc and a/b+c", {"a/b+c"}) == f"token={REDACTED} and {REDACTED}"
    assert redact("path /a/b%2Bc/", {"a/b+c"}) == f"path /{REDACTED}/"


def test_a_cause_showing_a_secret_is_dropped() -> None:
    leaky = requests.ConnectionError("Max retries exceeded with url: /bot123:SECRETSECRET/sendPhoto")
    assert safe_cause(leaky, {"123:SECRETSECRET"}) is None
    clean = requests.ConnectionError("refused")
    assert safe_cause(clean, {"123:SECRETSECRET"}) is clean


def test_library_debug_logs_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    redaction.install()  # what the CLI's entry and a worker's start do (tests/test_platforms.py)
    platform = PLATFORMS["telegram"]
    publisher = get_publisher(platform.account(), platform.context(fake=type("F", (), {"url": "http://127.0.0.1:9"})()))  # type: ignore[arg-type]
    token = publisher.secret("token")  # type: ignore[attr-defined]
    caplog.set_level(logging.DEBUG)
    logging.getLogger("urllib3.connectionpool").debug('"POST /bot%s/sendPhoto HTTP/1.1" 200', token)
    assert token not in caplog.text and REDACTED in caplog.text


def test_same_text_ignores_links_and_reflowed_whitespace() -> None:
    ours = "Free Rong Chhun https://licadho-cambodia.org/a\n#FreeThemAll"
    assert same_text(ours, "Free Rong Chhun https://t.co/xyz #FreeThemAll")
    assert not same_text(ours, "Free Chhim Sithar https://t.co/xyz #FreeThemAll")
    assert not same_text("", "")


# ---- the outbox: a local folder, so an error before the record is written is "not posted" ------

def _outbox_post(folder: object) -> tuple[object, object]:
    from campaign.definition import Account
    from campaign.publishers import Context, Post

    account = Account(id="demo", organisation="Demo", platform="outbox", language="en", outbox=str(folder))
    post = Post(id="small:2021-11-08:demo", account=account, text="Free them", image=b"\xff\xd8card", alt="a card",
                language="en")
    return get_publisher(account, Context()), post


def test_outbox_that_is_a_file_rejects_the_post_naming_the_path(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from campaign.publishers import Rejected

    target = tmp_path / "outbox"
    target.write_text("not a folder")
    publisher, post = _outbox_post(target)
    with pytest.raises(Rejected) as caught:
        publisher.publish(post)  # type: ignore[attr-defined]
    message = str(caught.value)
    assert str(target) in message and "exists and is not a folder" in message
    assert "nothing was posted" in message and f"campaign retry {post.id}" in message  # type: ignore[attr-defined]
    assert target.read_text() == "not a folder" and publisher.lookup(post) is None  # type: ignore[attr-defined]


def test_outbox_under_a_file_rejects_the_post(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from campaign.publishers import Rejected

    (tmp_path / "a-file").write_text("x")
    publisher, post = _outbox_post(tmp_path / "a-file" / "outbox")
    with pytest.raises(Rejected, match="a-file is a file, not a folder"):
        publisher.publish(post)  # type: ignore[attr-defined]


def test_outbox_record_that_cannot_be_put_in_place_is_in_doubt(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Only the last step, renaming the record into place, may leave the outcome unknown."""
    folder = tmp_path / "outbox"
    publisher, post = _outbox_post(folder)
    blocker = folder / "small_2021-11-08_demo.json"
    (blocker / "inside").mkdir(parents=True)  # a non-empty folder where the record goes: the rename fails
    with pytest.raises(OutcomeUnknown, match="may or may not be in place"):
        publisher.publish(post)  # type: ignore[attr-defined]
    assert publisher.lookup(post) is None  # type: ignore[attr-defined]
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp-")]  # no temporary file left behind


def test_outbox_whoami_checks_the_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from campaign.publishers import Rejected

    publisher, _ = _outbox_post(tmp_path / "new")
    said = publisher.whoami()  # type: ignore[attr-defined]
    assert said == f"outbox at {tmp_path / 'new'} (created at the first post)"
    assert not (tmp_path / "new").exists()  # checking creates nothing
    (tmp_path / "file").write_text("x")
    publisher, _ = _outbox_post(tmp_path / "file")
    with pytest.raises(Rejected, match="exists and is not a folder"):
        publisher.whoami()  # type: ignore[attr-defined]
