"""Alerts: incidents in the ledger reach a local HTTP receiver through apprise's ``json://`` scheme.

In-process here (a real Redis, a real receiver, apprise sending over HTTP); the runs with real
Celery workers (two alerts workers, a dead channel beside a publishing worker, ``campaign run``)
are in test_alerts_workers.py.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign import alerts
from campaign.alert_config import EVENTS
from campaign.cli import main
from campaign.clock import SimulatedClock
from campaign.checks import load_checked
from campaign.definition import load_folder
from campaign.ledger import Ledger
from campaign.pipeline import apply_folder, load_applied, resolve_post
from campaign.pipeline.applied import Applied
from campaign.sources import InputError
from tests.alert_fixtures import *  # noqa: F403
from tests.pipeline_fixtures import *  # noqa: F403

START = local("2021-11-06")


def _apply(ledger: Ledger, folder: Path, tmp_path: Path) -> Applied:
    SimulatedClock(ledger).set(START)
    apply_folder(ledger, load_checked(folder), START, {"outbox_dir": str(tmp_path / "outbox"), "force_outbox": "1"})
    return load_applied(ledger, "small")


def _run(ledger: Ledger, applied: Applied, url: str, now: datetime = START, **env: str) -> alerts.AlertRun:
    return alerts.run(ledger, applied.campaign, applied.roster, now, folder=applied.folder,
                      environ={ALERT_ENV: url, **env}, gather=0)


def _walk(ledger: Ledger, post_id: str, *states: str) -> None:
    """Move the post through ``states`` as the workers would (each move audited)."""
    for leaves, to in zip(states, states[1:]):
        assert put_in_state(ledger, post_id, leaves, to, at=START, error=f"{leaves} -> {to}")


def _fail(ledger: Ledger, post_id: str, error: str = "the platform refused the card") -> None:
    assert put_in_state(ledger, post_id, "planned", "failed", at=START, error=error)


# --- what is said -----------------------------------------------------------------------------------


def test_a_failed_post_is_one_message_saying_what_who_and_what_to_do_with_its_link(
        ledger: Ledger, tmp_path: Path, receiver: Receiver) -> None:
    applied = _apply(ledger, alert_folder(tmp_path / "f"), tmp_path)
    post = ledger.post("small:2021-11-09:b-km")
    _fail(ledger, post.id)
    result = _run(ledger, applied, receiver.url())
    assert (result.noted, result.sent, result.failed) == (1, 1, 0)
    assert len(receiver.messages) == 1
    message = receiver.messages[0]
    text = message["title"] + "\n" + message["message"]
    assert post.id in text and "failed" in message["title"]
    assert all(applied.roster.by_id()[pid].name.get("en") in text for pid in post.slot.people)
    assert f"campaign retry {post.id}" in text
    assert f"{DASHBOARD}/posts/{post.id}" in text
    assert message["type"] == "failure"
    assert receiver.paths == [f"/hooks/{TOKEN}"]


def test_each_kind_of_problem_says_the_command_that_settles_it(ledger: Ledger, tmp_path: Path,
                                                               receiver: Receiver) -> None:
    applied = _apply(ledger, alert_folder(tmp_path / "f"), tmp_path)
    doubt, missed = "small:2021-11-08:a-en", "small:2021-11-08:c-en"
    assert put_in_state(ledger, doubt, "planned", "in_doubt", at=START, error="no answer from the platform")
    assert put_in_state(ledger, missed, "planned", "missed", at=START, error="not ready or paused")
    ledger.mark_auth_failed("small", "b-km", "env:X is not set", at=START)
    _run(ledger, applied, receiver.url())
    assert len(receiver.messages) == 1  # three at once: one digest
    body = receiver.messages[0]["message"]
    assert f"campaign resolve {doubt} --posted URL" in body and f"campaign resolve {doubt} --not-posted" in body
    assert "a late post is never sent" in body and missed in body
    assert "campaign accounts unblock b-km small" in body
    assert receiver.messages[0]["title"] == "[small] 1 account blocked, 1 in doubt, 1 missed"


def test_accounts_blocked_by_campaign_run_are_told_to_start_it_again_not_to_unblock(
        ledger: Ledger, tmp_path: Path, receiver: Receiver) -> None:
    """`campaign run` blocks the accounts whose references it cannot read: its workers have its
    environment, so unblocking from another shell only gets them blocked again at the next post. The
    alert says what the dashboard and `campaign status` say: make them readable, start `run` again.
    Two accounts are "2 accounts blocked"."""
    from campaign.pipeline.accounts import credential_problems, sync_credential_blocks

    folder = alert_folder(tmp_path / "f", accounts=[
        {"id": "a-en", "organisation": "Org A", "platform": "outbox", "language": "en"},
        {"id": "b-km", "organisation": "Org B", "platform": "telegram", "language": "km", "channel": "@orgb",
         "credentials": "env:TEST_B_TOKEN"},
        {"id": "c-en", "organisation": "Org C", "platform": "telegram", "language": "en", "channel": "@orgc",
         "credentials": "env:TEST_C_TOKEN"}])
    checked = load_checked(folder)
    SimulatedClock(ledger).set(START)
    apply_folder(ledger, checked, START, {"outbox_dir": str(tmp_path / "outbox")})
    applied = load_applied(ledger, "small")
    blocked, _ = sync_credential_blocks(ledger, applied, credential_problems(checked.campaign, checked.root, {}), START)
    assert blocked == ["b-km", "c-en"]
    _run(ledger, applied, receiver.url())
    message = receiver.messages[0]
    assert message["title"] == "[small] 2 accounts blocked"
    body = message["message"]
    assert body.count("stop `campaign run` and start it again") == 2
    assert "campaign accounts unblock" not in body


def test_a_post_missed_before_the_campaign_was_applied_asks_nothing_of_the_workers(
        ledger: Ledger, tmp_path: Path, receiver: Receiver) -> None:
    """A post whose time plus max_lateness had passed when the plan was applied was never going out:
    its alert does not send people to check the workers, a pause or approvals."""
    from campaign.ledger.scripts import LATE_WHEN_PLANNED

    applied = _apply(ledger, alert_folder(tmp_path / "f"), tmp_path)
    assert put_in_state(ledger, "small:2021-11-08:c-en", "planned", "missed", at=START, error=LATE_WHEN_PLANNED)
    _run(ledger, applied, receiver.url())
    body = receiver.messages[0]["message"]
    assert "What to do: nothing: the campaign was applied after this post's time" in body
    assert "check that the workers run" not in body


def test_without_a_dashboard_address_there_is_no_link(ledger: Ledger, tmp_path: Path, receiver: Receiver) -> None:
    applied = _apply(ledger, alert_folder(tmp_path / "f", dashboard_url=None), tmp_path)
    _fail(ledger, "small:2021-11-09:b-km")
    _run(ledger, applied, receiver.url())
    assert "/posts/" not in receiver.messages[0]["message"]
    _fail(ledger, "small:2021-11-10:b-km")  # the env var, when the YAML is silent
    _run(ledger, applied, receiver.url(), CAMPAIGN_DASHBOARD_URL="http://dashboard.internal:8000/")
    assert "http://dashboard.internal:8000/posts/small:2021-11-10:b-km" in receiver.messages[1]["message"]


# --- how many messages ----------------------------------------------------------------------------


def test_ten_failures_at_once_are_one_digest_naming_each(ledger: Ledger, tmp_path: Path,
                                                        receiver: Receiver) -> None:
    applied = _apply(ledger, alert_folder(tmp_path / "f"), tmp_path)
    ten = ledger.post_ids("small")[:10]
    for pid in ten:
        _fail(ledger, pid)
    _run(ledger, applied, receiver.url())
    assert len(receiver.messages) == 1
    digest = receiver.messages[0]
    assert digest["title"] == "[small] 10 failed"
    assert all(f"campaign retry {pid}" in digest["message"] and f"{DASHBOARD}/posts/{pid}" in digest["message"]
               for pid in ten)
    assert [e["incidents"] for e in ledger.alert_log("small")] == ["10"]


def test_an_incident_is_told_once_however_often_the_ledger_is_scanned(ledger: Ledger, tmp_path: Path,
                                                                     receiver: Receiver) -> None:
    applied = _apply(ledger, alert_folder(tmp_path / "f"), tmp_path)
    _fail(ledger, "small:2021-11-09:b-km")
    for _ in range(3):
        _run(ledger, applied, receiver.url())
    ledger.r.delete(ledger.key("alerts", "cursor", "small"))  # the scan starts over: same incidents, no news
    _run(ledger, applied, receiver.url())
    assert len(receiver.messages) == 1


def test_retries_are_no_incident_only_the_failure_they_end_in(ledger: Ledger, tmp_path: Path,
                                                             receiver: Receiver) -> None:
    applied = _apply(ledger, alert_folder(tmp_path / "f"), tmp_path)
    pid = "small:2021-11-09:b-km"
    _walk(ledger, pid, "planned", "queued")
    for _ in range(3):  # a transient error, sent again after a wait, three times
        _walk(ledger, pid, "queued", "publishing", "queued")
        _run(ledger, applied, receiver.url())
    assert receiver.messages == []
    _walk(ledger, pid, "queued", "publishing", "failed")  # out of attempts
    _run(ledger, applied, receiver.url())
    assert len(receiver.messages) == 1


def test_an_in_doubt_post_is_one_incident_until_a_person_acts(ledger: Ledger, tmp_path: Path,
                                                              receiver: Receiver) -> None:
    applied = _apply(ledger, alert_folder(tmp_path / "f"), tmp_path)
    pid = "small:2021-11-09:b-km"
    _walk(ledger, pid, "planned", "in_doubt")
    _run(ledger, applied, receiver.url())
    for _ in range(2):  # looked up, not found, queued again by the workers, in doubt again
        _walk(ledger, pid, "in_doubt", "queued", "publishing", "in_doubt")
        _run(ledger, applied, receiver.url())
    assert len(receiver.messages) == 1
    resolve_post(ledger, pid, START, posted_url=None)  # a person: not posted, queued again
    _walk(ledger, pid, "queued", "publishing", "in_doubt")
    _run(ledger, applied, receiver.url())
    assert len(receiver.messages) == 2


def test_episodes_seen_in_one_scan_open_and_close_in_their_order(ledger: Ledger, tmp_path: Path,
                                                                   receiver: Receiver) -> None:
    """Episodes read in one scan open and close in the order they happened: in doubt, a person acts,
    in doubt again, is two incidents; without the person, one."""
    applied = _apply(ledger, alert_folder(tmp_path / "f"), tmp_path)
    once, twice = "small:2021-11-09:b-km", "small:2021-11-10:b-km"
    for pid in (once, twice):
        _walk(ledger, pid, "planned", "in_doubt")
    _walk(ledger, once, "in_doubt", "queued", "publishing", "in_doubt")  # the workers: no one acted
    resolve_post(ledger, twice, START, posted_url=None)  # a person: not posted, queued again
    _walk(ledger, twice, "queued", "publishing", "in_doubt")
    run = _run(ledger, applied, receiver.url())
    assert run.noted == 3  # one for the 9th, two for the 10th
    assert [m["title"] for m in receiver.messages] == ["[small] 3 in doubt"]


def test_each_channel_gets_only_the_events_it_asks_for(ledger: Ledger, tmp_path: Path, receiver: Receiver,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    other = Receiver()
    try:
        monkeypatch.setenv("CAMPAIGN_TEST_OTHER", other.url("other-token-123"))
        applied = _apply(ledger, alert_folder(tmp_path / "f", alerts=[
            {"url": f"env:{ALERT_ENV}", "events": ["failed"]},
            {"url": "env:CAMPAIGN_TEST_OTHER", "events": ["missed"]}]), tmp_path)
        _fail(ledger, "small:2021-11-09:b-km")
        assert put_in_state(ledger, "small:2021-11-10:b-km", "planned", "missed", at=START)
        monkeypatch.setenv(ALERT_ENV, receiver.url())
        alerts.run(ledger, applied.campaign, applied.roster, START, folder=applied.folder, gather=0)
        assert [m["title"] for m in receiver.messages] == ["[small] failed: Sar Kanika on b-km (2021-11-09)"]
        assert len(other.messages) == 1 and "missed" in other.messages[0]["title"]
    finally:
        other.close()


def test_a_card_waiting_for_approval_is_told_once_within_review_before_its_time(
        ledger: Ledger, tmp_path: Path, receiver: Receiver) -> None:
    applied = _apply(ledger, alert_folder(tmp_path / "f", alerts=[
        {"url": f"env:{ALERT_ENV}", "events": ["review_waiting"], "review_before": "12h"}],
        review={"required": True, "window": "2d"}), tmp_path)
    pid = "small:2021-11-09:b-km"
    due = ledger.post(pid).slot.due
    assert put_in_state(ledger, pid, "planned", "awaiting_review", at=START, shown_fp="card-1")
    _run(ledger, applied, receiver.url(), now=due - timedelta(hours=13))
    assert receiver.messages == []  # not yet within 12 hours of its time
    _run(ledger, applied, receiver.url(), now=due - timedelta(hours=11))
    _run(ledger, applied, receiver.url(), now=due - timedelta(hours=10))
    assert len(receiver.messages) == 1
    assert f"campaign approve {pid}" in receiver.messages[0]["message"]


def test_the_daily_digest_and_the_closing_summary_come_once_each(ledger: Ledger, tmp_path: Path,
                                                                 receiver: Receiver) -> None:
    applied = _apply(ledger, alert_folder(tmp_path / "f", alerts=[
        {"url": f"env:{ALERT_ENV}", "events": ["daily", "campaign_finished"], "daily_at": "08:00"}]), tmp_path)
    _fail(ledger, "small:2021-11-08:a-en")
    _run(ledger, applied, receiver.url(), now=local("2021-11-09", "07:59"))
    assert receiver.messages == []
    for hm in ("08:00", "12:00", "23:00"):
        _run(ledger, applied, receiver.url(), now=local("2021-11-09", hm))
    assert [m["title"] for m in receiver.messages] == ["[small] daily digest 2021-11-09"]
    assert "small:2021-11-08:a-en" in receiver.messages[0]["message"]  # failed, waiting for a person
    _run(ledger, applied, receiver.url(), now=local("2021-11-14", "12:00"))  # the last day, not over yet
    assert "finished" not in receiver.messages[-1]["title"]
    for _ in range(2):
        _run(ledger, applied, receiver.url(), now=local("2021-11-15", "07:00"))  # past the end + max_lateness
    finished = [m for m in receiver.messages if "campaign finished" in m["title"]]
    assert len(finished) == 1 and "0 of 21 posts went out" in finished[0]["message"]


# --- a channel that fails ---------------------------------------------------------------------------


def test_a_dead_channel_is_recorded_and_its_alerts_kept_for_later(ledger: Ledger, tmp_path: Path) -> None:
    applied = _apply(ledger, alert_folder(tmp_path / "f"), tmp_path)
    _fail(ledger, "small:2021-11-09:b-km")
    dead = f"json://127.0.0.1:{closed_port()}/hooks/{TOKEN}"
    result = _run(ledger, applied, dead)
    assert (result.sent, result.failed) == (0, 1)
    [status] = alerts.channel_status(ledger, applied.campaign)
    assert (status.ok, status.failing, status.pending, status.service) == (False, 1, 1, "JSON")
    assert status.last_error.startswith(f"env:{ALERT_ENV} (JSON) did not take the message")
    assert TOKEN not in status.last_error
    _run(ledger, applied, dead)  # the next run does not hammer it: the failed send waits its backoff
    assert [e["outcome"] for e in ledger.alert_log("small")] == ["failed"]


def test_an_unset_reference_is_a_failed_send_naming_it(ledger: Ledger, tmp_path: Path) -> None:
    applied = _apply(ledger, alert_folder(tmp_path / "f"), tmp_path)
    _fail(ledger, "small:2021-11-09:b-km")
    result = alerts.run(ledger, applied.campaign, applied.roster, START, folder=applied.folder, environ={}, gather=0)
    assert result.failed == 1
    assert f"the environment variable {ALERT_ENV} is not set" in alerts.channel_status(ledger, applied.campaign)[0].last_error


# --- secrets ----------------------------------------------------------------------------------------


def _everything(ledger: Ledger) -> bytes:
    """Every key and value under the ledger's prefix, as bytes."""
    out = []
    for key in ledger.r.scan_iter(match=ledger.prefix + "*"):
        kind = ledger.r.type(key)
        out.append(key)
        if kind == b"string":
            out.append(ledger.r.get(key) or b"")
        elif kind == b"hash":
            out += [b"%s=%s" % kv for kv in ledger.r.hgetall(key).items()]
        elif kind == b"zset":
            out += ledger.r.zrange(key, 0, -1)
        elif kind == b"list":
            out += ledger.r.lrange(key, 0, -1)
        elif kind == b"stream":
            out += [b"%s=%s" % kv for _, fields in ledger.r.xrange(key) for kv in fields.items()]
    return b"\n".join(out)


def test_the_alert_url_never_reaches_a_log_line_or_the_ledger(ledger: Ledger, tmp_path: Path, receiver: Receiver,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    applied = _apply(ledger, alert_folder(tmp_path / "f"), tmp_path)
    _fail(ledger, "small:2021-11-09:b-km")
    _run(ledger, applied, receiver.url())  # sent: apprise logs the URL it posts to at DEBUG
    _fail(ledger, "small:2021-11-10:b-km")
    receiver.status = 500
    _run(ledger, applied, receiver.url())  # refused: apprise warns
    assert [e["outcome"] for e in ledger.alert_log("small")] == ["failed", "sent"]
    apprise_lines = [r.getMessage() for r in caplog.records if r.name.startswith("apprise")]
    assert any("[secret]" in line for line in apprise_lines)  # it did try to log it
    assert TOKEN not in caplog.text
    dump = _everything(ledger)
    assert f"env:{ALERT_ENV}".encode() in dump and TOKEN.encode() not in dump


def test_every_part_of_a_url_that_could_be_a_token_is_redacted_and_a_domain_is_not() -> None:
    from campaign.publishers.redaction import redact

    telegram = alerts.channels.secret_parts("tgram://123456789:AAHx9Kd2Lq7Zp3Vr8/-1001234567")
    assert "AAHx9Kd2Lq7Zp3Vr8" not in redact("bot 123456789 token AAHx9Kd2Lq7Zp3Vr8 refused", telegram)
    slack = alerts.channels.secret_parts("https://u:pa55word@hooks.slack.com/services/T0/B0/XXXXXXXXXXXX?k=abcdefgh")
    assert redact("hooks.slack.com XXXXXXXXXXXX pa55word abcdefgh", slack) == "hooks.slack.com [secret] [secret] [secret]"


# --- campaign.yaml ----------------------------------------------------------------------------------


def test_a_literal_alert_url_is_refused_at_its_line_without_its_value(tmp_path: Path) -> None:
    folder = alert_folder(tmp_path / "f", alerts=[{"url": f"json://127.0.0.1:9/hooks/{TOKEN}"}])
    with pytest.raises(InputError) as caught:
        load_folder(folder)
    text = str(caught.value)
    lines = (folder / "campaign.yaml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(lines, 1) if "json://" in t)
    assert f"campaign.yaml:{line}: alerts[0].url: a literal alert URL is not allowed" in text
    assert TOKEN not in text


@pytest.mark.parametrize("alert, says", [
    ({"url": "env:A", "events": ["faild"]}, "alerts[0].events: 'faild' is not an alert event (did you mean 'failed'?)"),
    ({"url": "env:A", "events": ["daily", "daily"]}, "alerts[0].events: daily is listed twice"),
    ({"url": "env:A", "daily_at": "25:00"}, "alerts[0].daily_at: '25:00' is not a time of day"),
])
def test_a_bad_alert_entry_is_named(tmp_path: Path, alert: dict, says: str) -> None:
    with pytest.raises(InputError, match=re.escape(says)):
        load_folder(alert_folder(tmp_path / "f", alerts=[alert]))


def test_every_event_is_accepted_and_none_given_means_every_problem(tmp_path: Path) -> None:
    c = load_folder(alert_folder(tmp_path / "f", alerts=[{"url": "env:A", "events": list(EVENTS)},
                                                         {"url": "file:hook.txt"}])).campaign
    assert c.alerts[0].events == EVENTS
    assert set(c.alerts[1].events) >= {"failed", "in_doubt", "missed", "account_blocked", "review_waiting"}


def test_a_dashboard_url_with_a_token_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="dashboard_url: may not carry a user, password, query"):
        load_folder(alert_folder(tmp_path / "f", dashboard_url=f"https://d.example.org/?token={TOKEN}"))


def test_validate_and_accounts_check_name_an_unset_reference_without_a_value(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receiver: Receiver) -> None:
    (tmp_path / "hook.txt").write_text(receiver.url(), encoding="utf-8")
    folder = alert_folder(tmp_path / "f", alerts=[{"url": f"env:{ALERT_ENV}"}, {"url": f"file:{tmp_path / 'hook.txt'}"}])
    monkeypatch.delenv(ALERT_ENV, raising=False)
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"alerts[0].url: env:{ALERT_ENV}: the environment variable {ALERT_ENV} is not set" in result.output
    assert "alerts[1]" not in result.output  # its file is readable
    check = CliRunner().invoke(main, ["accounts", "check", str(folder)])
    assert check.exit_code == 1
    rows = check.output.splitlines()
    assert any(r.startswith("alerts[0]") and "FAIL" in r and f"{ALERT_ENV} is not set" in r for r in rows)
    assert any(r.startswith("alerts[1]") and "ok" in r and "JSON channel" in r for r in rows)
    assert "1 of 5 accounts and alert channels are not ready" in check.output
    monkeypatch.setenv(ALERT_ENV, receiver.url())
    check = CliRunner().invoke(main, ["accounts", "check", str(folder)])
    assert check.exit_code == 0 and "all 5 accounts and alert channels are ready" in check.output
    assert TOKEN not in check.output + result.output
    assert receiver.messages == []  # a check sends nothing


def test_status_shows_a_failing_channel_by_its_reference(ledger: Ledger, tmp_path: Path) -> None:
    from campaign.pipeline import status

    applied = _apply(ledger, alert_folder(tmp_path / "f"), tmp_path)
    assert status(ledger, "small", START)["alerts"][0]["ok"]  # nothing sent yet: nothing failing
    _fail(ledger, "small:2021-11-09:b-km")
    _run(ledger, applied, f"json://127.0.0.1:{closed_port()}/hooks/{TOKEN}")
    [channel] = status(ledger, "small", START)["alerts"]
    assert (channel["channel"], channel["ok"], channel["failing"], channel["pending"]) == (f"env:{ALERT_ENV}", False, 1, 1)
    assert TOKEN not in str(channel)
    from campaign.cli.format import status_lines

    said = [line for line in status_lines(status(ledger, "small", START)) if line.startswith("alert channel")]
    assert len(said) == 1 and said[0].startswith(f"alert channel env:{ALERT_ENV} failing (1 send in a row, 1 alert waiting): ")
    assert TOKEN not in said[0]


def test_the_tick_hands_out_alerts_only_for_campaigns_with_channels_one_task_at_a_time(
        ledger: Ledger, tmp_path: Path) -> None:
    from campaign.pipeline.alerting import wants_alerts

    _apply(ledger, alert_folder(tmp_path / "f", alerts=[]), tmp_path)
    assert not wants_alerts(ledger)
    _apply(ledger, alert_folder(tmp_path / "g"), tmp_path)
    assert wants_alerts(ledger)
    assert ledger.claim_alerts_turn(60) and not ledger.claim_alerts_turn(60)  # one on its way: no second
    ledger.release_alerts_turn()  # it started
    assert ledger.claim_alerts_turn(60)


def test_sending_an_alert_needs_no_setuptools(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = ("import sys; from campaign.alerts.channels import deliver; "
            f"d = deliver('env:X', 't', 'b', environ={{'X': 'json://127.0.0.1:{closed_port()}/h'}}); "
            "print(d.ok, d.service, 'setuptools' in sys.modules or 'pkg_resources' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.split() == ["False", "JSON", "False"], out.stderr


def test_incidents_gather_for_a_while_unless_flushed(ledger: Ledger, tmp_path: Path, receiver: Receiver) -> None:
    applied = _apply(ledger, alert_folder(tmp_path / "f"), tmp_path)
    run = dict(folder=applied.folder, environ={ALERT_ENV: receiver.url()}, gather=3600)
    _fail(ledger, "small:2021-11-09:b-km")
    alerts.run(ledger, applied.campaign, applied.roster, START, **run)
    _fail(ledger, "small:2021-11-10:b-km")
    alerts.run(ledger, applied.campaign, applied.roster, START, **run)
    assert receiver.messages == []  # gathering: an hour
    alerts.run(ledger, applied.campaign, applied.roster, START, flush=True, **run)
    assert [m["title"] for m in receiver.messages] == ["[small] 2 failed"]


@pytest.mark.parametrize("event, detail, once", [
    ("failed", "rejected: the platform refused the post: the image was not accepted", "the platform refused the post"),
    ("failed", "AuthFailed: cchr-en: the platform refused the account's credentials (401)",
     "the platform refused the account's credentials"),
    ("in_doubt", "in_doubt: no answer came back", "may or may not"),
    ("missed", "too late: past its time plus max_lateness", "max_lateness"),
])
def test_what_happened_never_says_a_thing_twice(small_folder: Path, event: str, detail: str, once: str) -> None:
    """A reason already in the sentence is not said again: "refused the post: the platform refused
    the post", "may or may not ... may or may not", "max_lateness (... max_lateness)"."""
    from campaign.alerts.incidents import Incident
    from campaign.alerts.messages import what_happened

    campaign = load_folder(small_folder).campaign
    said = what_happened(Incident(event, "k", campaign.id, "2021-11-09T10:00:00+07:00", post="small:2021-11-09:a-en",
                                  account="a-en", platform="outbox", people=("Sar Kanika",),
                                  due="2021-11-09T10:00:00+07:00", detail=detail), campaign)
    assert said.lower().count(once) == 1, said
