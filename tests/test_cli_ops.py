"""The ops commands end to end: apply, status, approve, retry, resolve, pause, run, simulate."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from click.testing import CliRunner

from campaign.cli import main
from campaign.ledger import Ledger
from tests.pipeline_fixtures import *  # noqa: F403

PREFIX = "cli:"


@pytest.fixture
def cli(redis_server, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Invoke ``campaign ...`` against db 2 of the session's server (REDIS_URL set)."""
    url = db_url(redis_server, 2)
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setenv("CAMPAIGN_KEY_PREFIX", PREFIX)
    led = Ledger.from_url(url, prefix=PREFIX)
    led.wipe()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    invoke.ledger = led  # type: ignore[attr-defined]
    yield invoke
    led.wipe()


def test_apply_then_apply_again_says_what_changed(cli, small_folder: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("apply", small_folder, "--outbox", tmp_path / "outbox")
    assert result.exit_code == 0, result.output
    assert "small: applied" in result.output and "posts planned" in result.output
    roster = yaml.safe_load((small_folder / "roster.yaml").read_text())
    roster["people"][2]["events"].append({"date": "2021-11-09", "type": "released"})
    write_folder(small_folder, roster=roster)
    result = cli("apply", small_folder)
    assert result.exit_code == 0, result.output
    assert "ton-nimol: released 2021-11-09" in result.output


def test_status_json_and_text(cli, small_folder: Path) -> None:  # type: ignore[no-untyped-def]
    cli("apply", small_folder)
    result = cli("status", "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["campaign"] == "small" and sum(info["states"].values()) > 0
    text = cli("status", "small")
    assert text.exit_code == 0 and "small: active" in text.output


def test_pause_resume_cancel(cli, small_folder: Path) -> None:  # type: ignore[no-untyped-def]
    cli("apply", small_folder)
    assert "active -> paused" in cli("pause", "small").output
    assert "paused -> active" in cli("resume", str(small_folder)).output
    assert "active -> cancelled" in cli("cancel").output
    assert set(json.loads(cli("status", "--json").output)["states"]) <= {"cancelled", "missed", "expired"}


@pytest.mark.parametrize("command", [["approve", "small:2021-11-08:nobody"], ["retry", "small:2021-11-08:nobody"],
                                     ["resolve", "small:2021-11-08:nobody", "--not-posted"]])
def test_unknown_post_is_a_clear_error(cli, small_folder: Path, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    cli("apply", small_folder)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1
    assert "no post 'small:2021-11-08:nobody'" in result.output
    assert "Traceback" not in result.output


def test_approve_and_resolve_wrong_state_are_clear(cli, small_folder: Path) -> None:  # type: ignore[no-untyped-def]
    cli("apply", small_folder)
    pid = cli.ledger.post_ids("small")[0]
    result = CliRunner().invoke(main, ["approve", pid])
    assert result.exit_code == 1 and "only posts awaiting review" in result.output
    result = CliRunner().invoke(main, ["resolve", pid, "--posted", "https://example.org/1"])
    assert result.exit_code == 1 and "not in_doubt" in result.output
    result = CliRunner().invoke(main, ["resolve", pid])
    assert result.exit_code == 1 and "exactly one of" in result.output


def test_resolve_and_retry_move_posts(cli, small_folder: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    cli("apply", small_folder)
    led = cli.ledger
    pid = led.post_ids("small")[-1]
    now = datetime.now(UTC)
    put_in_state(led, pid, "planned", "in_doubt", at=now)
    result = cli("resolve", pid, "--posted", "https://example.org/1")
    assert result.exit_code == 0 and "posted" in result.output
    assert led.post(pid).url == "https://example.org/1"
    other = led.post_ids("small")[-2]
    put_in_state(led, other, "planned", "failed", at=now)
    result = CliRunner().invoke(main, ["retry", other])
    # the 2021 campaign is long past: retry refuses to send a late post
    assert result.exit_code == 1 and "late post is never sent" in result.output


def test_a_retry_too_late_says_its_time_as_people_read_it(cli, small_folder: Path) -> None:  # type: ignore[no-untyped-def]
    """The refusal reaches a person (the CLI, the dashboard's page): its due time in the campaign's
    timezone as every other time is shown, and max_lateness as written in campaign.yaml."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from campaign.clock import readable

    cli("apply", small_folder)
    led = cli.ledger
    pid = led.post_ids("small")[-2]
    put_in_state(led, pid, "planned", "failed", at=datetime.now(UTC))
    result = CliRunner().invoke(main, ["retry", pid])
    assert result.exit_code == 1
    due = readable(led.post(pid).slot.due, ZoneInfo("Asia/Phnom_Penh"))  # Sun 14 Nov 2021, 10:10 (Asia/Phnom_Penh)
    assert f"was due {due}; its time plus max_lateness (6h) has passed" in result.output
    assert not re.search(r"\d{4}-\d\d-\d\dT|\d:\d\d:\d\d", result.output)


@pytest.mark.parametrize("url", ["not a url at all", "javascript:alert(1)", "https://t.me/channel/1 and more",
                                 "https://t.me/" + "a" * 3000])
def test_resolve_refuses_what_is_not_a_post_address(cli, small_folder: Path, url: str) -> None:  # type: ignore[no-untyped-def]
    """`campaign resolve --posted` records where a post went out: a typo or a paste of something else is
    refused (as the dashboard refuses it) and the post stays in doubt, instead of becoming its link."""
    from datetime import UTC, datetime

    cli("apply", small_folder)
    led = cli.ledger
    pid = led.post_ids("small")[-1]
    put_in_state(led, pid, "planned", "in_doubt", at=datetime.now(UTC))
    result = CliRunner().invoke(main, ["resolve", pid, "--posted", url])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "posted_url:" in result.output and "copy the post's own link" in result.output
    assert len(result.output) < 400  # a huge paste is not echoed back
    assert led.state(pid) == "in_doubt" and not led.post(pid).url


def test_run_refuses_an_invalid_folder_before_touching_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens there
    bad = write_folder(tmp_path / "bad", campaign={**SMALL_CAMPAIGN, "timezone": "Asia/Phnom_Pehn"})
    result = CliRunner().invoke(main, ["run", str(bad)])
    assert result.exit_code == 2
    assert "timezone" in result.output and "Redis" not in result.output


def test_unreachable_redis_url_is_a_clear_error(small_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")
    result = CliRunner().invoke(main, ["run", str(small_folder)])
    assert result.exit_code == 1
    assert "cannot reach Redis at redis://127.0.0.1:9/0" in result.output and "Traceback" not in result.output


def _campaign(*args: str, env: dict[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from campaign.cli import main; main()", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.slow
def test_run_starts_everything_and_a_second_run_finds_the_data(small_folder: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CAMPAIGN_KEY_PREFIX")}
    env["CAMPAIGN_HOME"] = str(tmp_path / "home")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    first = _campaign("run", str(small_folder), "--duration", "3", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr + first.stdout
    assert "worker and beat running" in first.stdout and "small: applied" in first.stdout
    # Redis 7+ and Valkey keep a multi-part append-only file in appendonlydir/; Redis 6 one file.
    assert list((tmp_path / "home" / "redis").rglob("appendonly.aof*"))
    second = _campaign("run", str(small_folder), "--duration", "2", env=env, cwd=tmp_path)
    assert second.returncode == 0, second.stderr + second.stdout
    assert "small: applied" not in second.stdout  # found the data again: nothing new to plan
    status = _campaign("status", "--json", env=env, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert sum(json.loads(status.stdout)["states"].values()) == 21  # the 2021 dates are past: missed


@pytest.mark.slow
def test_simulate_the_2021_campaign(example_folder: Path, tmp_path: Path) -> None:
    """The demo: the whole 2021 campaign through a real worker on a simulated clock."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CAMPAIGN_KEY_PREFIX")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    out = tmp_path / "out"
    result = _campaign("simulate", str(example_folder), "--out", str(out), env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = [line for line in result.stdout.splitlines() if line.startswith("release-hrds-2021:")]
    assert summary and "posted" in summary[0]
    records = outbox_records(out / "outbox")
    assert len(records) == int(summary[0].split(": ")[1].split()[0]) - sum(
        int(part.split()[0]) for part in summary[0].split(": ", 2)[2].split(" (")[0].split(", ")
        if not part.endswith("posted"))
    assert len({r["id"] for r in records}) == len(records)
    # Released on 11-12 November 2021: never featured as detained after that.
    for rec in records:
        if rec["id"] > "release-hrds-2021:2021-11-13" and "Released" not in rec["caption"]:
            assert "Rong Chhun" not in rec["caption"]
    page = (out / "report.html").read_text()
    assert page.count("<tr>") == len(records) + 1 + page.count('class="state expired"') \
        + page.count('class="state missed"')
    assert "cards/" in page
    # shareable: fonts shipped beside it, every link inside the folder (outbox posts included)
    links = [a or b for a, b in re.findall(r'(?:href|src)="([^"#][^"]*)"|url\("([^"]*)"\)', page)]
    assert "file:" not in page and any(link.startswith("fonts/") for link in links)
    assert any(link.startswith("outbox/") for link in links)
    for link in links:
        assert (out / unquote(link)).is_file(), link


@pytest.mark.parametrize("command", [["status", "nosuch"], ["pause", "nosuch"], ["approve", "nosuch", "--week", "1"]])
def test_unknown_campaign_is_a_clear_error(cli, small_folder: Path, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    cli("apply", small_folder)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1
    assert "no campaign 'nosuch' has been applied" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", [["apply"], ["simulate", "--out", "out"]])
def test_apply_and_simulate_refuse_an_invalid_folder_before_touching_redis(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens there
    bad = write_folder(tmp_path / "bad", campaign={**SMALL_CAMPAIGN, "timezone": "Asia/Phnom_Pehn"})
    result = CliRunner().invoke(main, [command[0], str(bad), *command[1:]])
    assert result.exit_code == 2
    assert "timezone" in result.output and "Redis" not in result.output


def test_redis_url_that_is_not_redis_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "http://127.0.0.1:9/0")
    result = CliRunner().invoke(main, ["status"])
    assert result.exit_code == 1
    assert "is not a Redis URL" in result.output and "Traceback" not in result.output


def _future_folder(tmp_path: Path, **more: object) -> Path:
    """The small campaign moved a month ahead of today (its people are still held then)."""
    from datetime import date, timedelta

    start = date.today() + timedelta(days=30)
    return write_folder(tmp_path / "future", campaign={**SMALL_CAMPAIGN, "start": start.isoformat(),
                                                       "end": (start + timedelta(days=6)).isoformat(), **more})


def test_retry_in_a_cancelled_campaign_is_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = _future_folder(tmp_path)
    cli("apply", folder)
    assert "active -> cancelled" in cli("cancel", "small").output
    pid = cli.ledger.post_ids("small")[0]
    result = CliRunner().invoke(main, ["retry", pid])
    assert result.exit_code == 1, result.output
    assert "campaign small is cancelled" in result.output and "apply the campaign again" in result.output
    assert cli.ledger.state(pid) == "cancelled"
    cli("apply", folder)  # applying again starts it over: now the post can be retried
    assert cli("retry", pid).output == f"{pid}: planned\n"


def test_approve_a_week_without_posts_says_so(cli, small_folder: Path) -> None:  # type: ignore[no-untyped-def]
    cli("apply", small_folder)
    result = CliRunner().invoke(main, ["approve", "small", "--week", "9"])
    assert result.exit_code == 1, result.output
    assert "small has no posts in week 9 (its weeks are 1 to 1)" in result.output


def test_approve_a_week_with_nothing_awaiting_review_says_why(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("apply", _future_folder(tmp_path, review={"required": True, "window": "2d"}))
    result = cli("approve", "small", "--week", "1")
    assert result.exit_code == 0, result.output
    assert "approved 0 posts: week 1 of small has 21 posts, none awaiting review (21 planned)" in result.output
    assert "awaits review once it is rendered" in result.output


def test_apply_warns_when_every_post_is_already_past(cli, small_folder: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("apply", small_folder)  # November 2021
    assert result.exit_code == 0, result.output
    assert "small: applied; 21 posts planned" in result.stdout
    assert "warning: small: every post's time (plus max_lateness) is already past" in result.stderr
    assert f"campaign simulate {small_folder} --out out" in result.stderr
    assert set(json.loads(cli("status", "--json").output)["states"]) == {"planned"}  # apply itself changed nothing
    future = cli("apply", _future_folder(tmp_path))
    assert future.exit_code == 0 and "already past" not in future.output


def test_apply_says_what_validate_warns_of(cli, small_folder: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An organiser who applies without validating first still hears validate's warnings (here: the
    second and third accounts post after midnight, stating the day before's facts), on stderr."""
    late = write_folder(tmp_path / "late", campaign={**SMALL_CAMPAIGN, "cadence": {"every": "day", "time": "23:55"}})
    warned = cli("validate", late).stderr
    assert "post after midnight" in warned
    result = cli("apply", late)
    assert result.exit_code == 0 and "small: applied" in result.stdout
    assert [line for line in result.stderr.splitlines() if "after midnight" in line] == \
           [line for line in warned.splitlines() if "after midnight" in line]
    assert "after midnight" not in cli("apply", small_folder).stderr  # 10:00, 10:10, 10:20
