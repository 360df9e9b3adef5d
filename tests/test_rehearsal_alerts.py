"""Alerts in a replay (``campaign simulate``, ``--faults`` above all): the campaign's incidents are told
while it replays, one message per incident, never one per retry; to the campaign's own channels
(here apprise's ``json://`` to a local receiver), or, when it has none, to ``OUT/alerts.jsonl``."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from campaign.pipeline import load_applied
from campaign.pipeline.faults import load_plan
from campaign.pipeline.rehearsal_alerts import CHANNEL_ENV, FILE_NAME, ReplayAlerts
from tests.alert_fixtures import *  # noqa: F403
from tests.alert_fixtures import ALERT_ENV, Receiver
from tests.pipeline_fixtures import SMALL_CAMPAIGN
from tests.test_rehearsal_replay import Rehearsal, rehearse
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import FAILED, IN_DOUBT, POSTED, Populated

SPEC = "auth:1,transient:2,rejected:1,in_doubt:1,missed:1"


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def told(messages: list[str], post: str) -> int:
    """In how many messages ``post`` is named (the closing summary, which lists what is still open, aside)."""
    return sum(post in m for m in messages if "campaign finished" not in m.split("\n", 1)[0])


def test_a_replay_without_alerts_writes_each_incident_once_to_the_file(populated: Populated, tmp_path: Path) -> None:
    applied = load_applied(populated.ledger, "small")
    assert not applied.campaign.alerts
    alerts = ReplayAlerts(populated.ledger, applied, tmp_path, environ={})
    try:
        alerts(populated.now)
        first = lines(tmp_path / FILE_NAME)
        texts = [m["title"] + "\n" + m["body"] for m in first]
        # the failed post and the in-doubt post, told at once: one digest; the posted one is no news
        assert len(first) == 1 and told(texts, FAILED) == 1 and told(texts, IN_DOUBT) == 1
        assert told(texts, POSTED) == 0
        assert first[0]["at"] == populated.now.isoformat() and first[0]["level"] == "failure"
        alerts(populated.now)  # nothing new: nothing told again
        assert lines(tmp_path / FILE_NAME) == first
        assert alerts.file is not None and alerts.file.written == 1 and "alerts.jsonl" in alerts.where()
    finally:
        alerts.close()
    # the campaign's own definition is untouched: its channel is the replay's
    assert not load_applied(populated.ledger, "small").campaign.alerts
    assert CHANNEL_ENV not in os.environ


@pytest.fixture(scope="module")
def unalerted(tmp_path_factory: pytest.TempPathFactory) -> Rehearsal:
    return rehearse(tmp_path_factory.mktemp("no-alerts"), SPEC, seed=3)


@pytest.fixture(scope="module")
def alerted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Rehearsal, Receiver]]:
    receiver = Receiver()
    os.environ[ALERT_ENV] = receiver.url()  # the subprocess reads the channel's reference from its environment
    try:
        campaign = {**SMALL_CAMPAIGN, "alerts": [{"url": f"env:{ALERT_ENV}"}]}
        yield rehearse(tmp_path_factory.mktemp("alerts"), SPEC, seed=3, campaign=campaign), receiver
    finally:
        del os.environ[ALERT_ENV]
        receiver.close()


def incidents(r: Rehearsal) -> dict[str, list[str]]:
    """The rehearsal's incidents as its ledger has them: the posts that failed, went in doubt or were missed."""
    with r.ledger() as ledger:
        plan = load_plan(ledger, "small")
        assert plan is not None
        audit = list(ledger.iter_audit("small"))
        blocked = ledger.account_of(next(pid for pid, kind in plan.posts.items() if kind == "auth"))
    out: dict[str, list[str]] = {"failed": [], "in_doubt": [], "missed": [], "transient": [],
                                 "blocked": [blocked]}
    for e in audit:
        if e["post"] and e["to"] in ("failed", "in_doubt", "missed") and e["post"] not in out[e["to"]]:
            out[e["to"]].append(e["post"])
    out["transient"] = [pid for pid, kind in plan.posts.items() if kind == "transient"]
    return out


@pytest.mark.slow
def test_a_rehearsal_without_alerts_writes_what_it_would_send_to_out_alerts_jsonl(unalerted: Rehearsal) -> None:
    found = incidents(unalerted)
    assert found["failed"] and found["in_doubt"] and found["missed"]
    sent = lines(unalerted.out / FILE_NAME)
    texts = [m["title"] + "\n" + m["body"] for m in sent]
    for kind in ("failed", "in_doubt", "missed"):
        for pid in found[kind]:
            assert told(texts, pid) == 1, (kind, pid, texts)  # one message per incident
    for pid in found["transient"]:  # retried, then posted: no incident at all
        assert told(texts, pid) == 0
    assert sum(f"The account {found['blocked'][0]} " in t for t in texts) == 1  # blocked: told once
    assert all(m["at"] for m in sent)
    assert "finished" in sent[-1]["title"].lower()  # the closing summary comes last
    assert f"{len(sent)} message(s)" in unalerted.stdout and FILE_NAME in unalerted.stdout


@pytest.mark.slow
def test_a_rehearsal_with_alerts_delivers_them_to_its_channel_once_per_incident(
        alerted: tuple[Rehearsal, Receiver]) -> None:
    rehearsal, receiver = alerted
    assert not (rehearsal.out / FILE_NAME).exists()
    found = incidents(rehearsal)
    texts = [m.get("title", "") + "\n" + m.get("message", "") for m in receiver.messages]
    assert texts, rehearsal.stdout
    for kind in ("failed", "in_doubt", "missed"):
        for pid in found[kind]:
            assert told(texts, pid) == 1, (kind, pid, texts)
    for pid in found["transient"]:
        assert told(texts, pid) == 0
    assert sum(f"The account {found['blocked'][0]} " in t for t in texts) == 1
    assert f"{len(receiver.messages)} message(s) sent to the campaign's 1 alert channel(s)" in rehearsal.stdout
    with rehearsal.ledger() as ledger:  # recorded as sent, as the Accounts page shows them
        from campaign.alerts import channel_status

        [status] = channel_status(ledger, load_applied(ledger, "small").campaign)
        assert status.sent == len(receiver.messages) and not status.failing
