"""Credentials in this environment: ``apply`` warns, ``run`` blocks only the account that cannot read
its credentials (and refuses when none can), ``accounts check`` names every unset reference, and
``status`` shows an account blocked by an auth failure with the fix. No secret value ever appears.

Real Redis (the session's private server), the real CLI, the real publishers (their credential
resolution is what fails), a real Celery worker for ``run``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import main
from campaign.clock import ISO_MOMENT, SimulatedClock
from campaign.credentials import unresolved
from campaign.ledger import Ledger
from campaign.pipeline import InlineDispatch, tick
from tests.pipeline_fixtures import *  # noqa: F403

PREFIX = "cli:"
SECRET = "xk-SECRET-7f3a9c1e5b2d-never-shown"
X_CREDENTIALS = {"api_key": "env:OPS_X_API_KEY", "api_secret": "env:OPS_X_API_SECRET",
                 "access_token": "env:OPS_X_ACCESS_TOKEN", "access_secret": "file:secrets/x-access-secret"}
X_ACCOUNT = {"id": "x-en", "organisation": "Org X", "platform": "x", "language": "en", "credentials": X_CREDENTIALS}
M_ACCOUNT = {"id": "m-km", "organisation": "Org M", "platform": "mastodon", "language": "km",
             "base_url": "https://mastodon.example", "credentials": {"token": "env:OPS_MASTODON_TOKEN"}}
OUTBOX = {"id": "a-en", "organisation": "Org A", "platform": "outbox", "language": "en"}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """OPS_X_API_KEY holds a secret; every other reference of the accounts above is unset."""
    for name in ("OPS_X_API_SECRET", "OPS_X_ACCESS_TOKEN", "OPS_MASTODON_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPS_X_API_KEY", SECRET)
    return monkeypatch


@pytest.fixture
def cli(redis_server, env: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = db_url(redis_server, 2)
    env.setenv("REDIS_URL", url)
    env.setenv("CAMPAIGN_KEY_PREFIX", PREFIX)
    led = Ledger.from_url(url, prefix=PREFIX)
    led.wipe()

    def invoke(*args: object):  # type: ignore[no-untyped-def]
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
        assert SECRET not in result.output
        return result

    invoke.ledger = led  # type: ignore[attr-defined]
    invoke.env = env  # type: ignore[attr-defined]
    yield invoke
    led.wipe()
    led.r.close()


def _folder(tmp_path: Path, accounts: list[dict], **more: object) -> Path:
    return write_folder(tmp_path / "small", campaign={**SMALL_CAMPAIGN, "accounts": accounts, **more})


def _secret_free(led: Ledger) -> None:
    """No key, field or stream entry of the ledger holds the secret."""
    for key in led.r.scan_iter(match=PREFIX + "*"):
        kind = led.r.type(key).decode()
        if kind == "hash":
            blob = b" ".join(v for kv in led.r.hgetall(key).items() for v in kv)
        elif kind == "stream":
            blob = b" ".join(v for _, fields in led.r.xrange(key) for kv in fields.items() for v in kv)
        elif kind == "string":
            blob = led.r.get(key) or b""
        else:
            continue
        assert SECRET.encode() not in blob, key


def test_apply_names_each_unreadable_reference_per_account_and_applies_anyway(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = _folder(tmp_path, [OUTBOX, X_ACCOUNT, M_ACCOUNT])
    result = cli("apply", folder)
    assert result.exit_code == 0, result.output
    assert "small: applied" in result.stdout
    err = result.stderr
    assert "warning: 2 accounts cannot read their credentials in this environment (no value is shown):" in err
    x_line = next(line for line in err.splitlines() if line.startswith("  x-en (x): "))
    assert "env:OPS_X_API_SECRET is not set (api_secret)" in x_line
    assert "env:OPS_X_ACCESS_TOKEN is not set (access_token)" in x_line
    assert "file:secrets/x-access-secret cannot be read (No such file or directory" in x_line
    assert "OPS_X_API_KEY" not in x_line  # set: not a problem
    assert "to fix: set OPS_X_API_SECRET, OPS_X_ACCESS_TOKEN (export NAME=... for each); put the token in " \
           "secrets/x-access-secret" in x_line
    m_line = next(line for line in err.splitlines() if line.startswith("  m-km (mastodon): "))
    assert "env:OPS_MASTODON_TOKEN is not set" in m_line and "export OPS_MASTODON_TOKEN=..." in m_line
    assert not any(line.startswith("  a-en") for line in err.splitlines())
    assert "workers on another machine read their own environment" in err
    assert f"campaign accounts check {folder}" in err
    assert not any(a.get("auth_failed") for a in (cli.ledger.account_state("small", i) for i in ("x-en", "m-km")))
    _secret_free(cli.ledger)


def test_apply_says_nothing_of_credentials_that_resolve(cli, tmp_path: Path, env: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    folder = _folder(tmp_path, [OUTBOX, X_ACCOUNT])
    for name in ("OPS_X_API_SECRET", "OPS_X_ACCESS_TOKEN"):
        env.setenv(name, SECRET)
    (folder / "secrets").mkdir()
    (folder / "secrets" / "x-access-secret").write_text(SECRET + "\n")
    result = cli("apply", folder)
    assert result.exit_code == 0 and "credentials" not in result.output


def test_accounts_check_names_every_unset_reference_without_calling(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = _folder(tmp_path, [OUTBOX, X_ACCOUNT])
    result = cli("accounts", "check", folder, "--account", "x-en")
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if line.startswith("x-en"))
    assert "FAIL" in line
    for ref in ("env:OPS_X_API_SECRET", "env:OPS_X_ACCESS_TOKEN", "file:secrets/x-access-secret"):
        assert ref in line
    assert "env:OPS_X_API_KEY" not in line


def test_run_refuses_when_no_account_can_read_its_credentials(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    env.setenv("REDIS_URL", "redis://127.0.0.1:9/0")  # never reached: refused before
    folder = _folder(tmp_path, [X_ACCOUNT, M_ACCOUNT])
    result = CliRunner().invoke(main, ["run", str(folder)])
    assert result.exit_code == 1, result.output
    assert "no account can read its credentials in this environment" in result.output
    assert "x-en (x): " in result.output and "m-km (mastodon): env:OPS_MASTODON_TOKEN is not set" in result.output
    assert "Redis" not in result.output and SECRET not in result.output


def test_status_shows_an_account_blocked_by_an_auth_failure_with_the_fix(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = _folder(tmp_path, [OUTBOX, M_ACCOUNT])
    led = cli.ledger
    SimulatedClock(led).set(local("2021-11-07"))
    assert cli("apply", folder, "--outbox", tmp_path / "outbox").exit_code == 0
    for moment in (local("2021-11-08", "09:30"), local("2021-11-08", "10:15")):
        SimulatedClock(led).set(moment)
        tick(led, moment, InlineDispatch(led))  # renders, then publishes through the real Mastodon publisher
    pid = "small:2021-11-08:m-km"
    assert led.state(pid) == "failed" and led.state("small:2021-11-08:a-en") == "posted"
    result = cli("status")
    lines = result.output.splitlines()
    i = lines.index("blocked accounts (their posts fail until unblocked):")
    assert lines[i + 1].startswith("  m-km (mastodon): blocked since Mon 08 Nov 2021, 10:15 (Asia/Phnom_Penh) by publish: ")
    assert "env:OPS_MASTODON_TOKEN" in lines[i + 1] and "is not set" in lines[i + 1]
    # People read it: times in the campaign's timezone (named), kinds of error in words, never ISO or a code.
    assert not ISO_MOMENT.search(result.output) and "Asia/Phnom_Penh" in result.output
    assert "last problems (times in Asia/Phnom_Penh):" in lines and "auth_failed" not in result.output
    # nothing reached the platform: said so, never as the platform refusing them (monitor trial)
    assert "the account's credentials cannot be read where the workers run (nothing was sent)" in result.output
    assert "the platform refused" not in result.output
    assert lines[i + 2] == (
        "    to fix: fix the mastodon credentials it names (token: env:OPS_MASTODON_TOKEN; here env:OPS_MASTODON_TOKEN "
        "is not set) where the workers run "
        "(`campaign accounts check FOLDER` tests them), then run: campaign accounts unblock m-km small; then send "
        f"its failed posts again: campaign retry {pid}")
    info = json.loads(cli("status", "--json").output)
    assert [b["account"] for b in info["blocked"]] == ["m-km"]
    assert info["blocked"][0]["unset_here"] == ["env:OPS_MASTODON_TOKEN is not set"]
    # Unblocking while the reference still cannot be read is refused, saying which and what to do (never a value).
    refused = cli("accounts", "unblock", "m-km")
    assert refused.exit_code == 1, refused.output
    assert "env:OPS_MASTODON_TOKEN is not set" in refused.output and "set OPS_MASTODON_TOKEN" in refused.output
    assert "auth_failed" in led.account_state("small", "m-km")
    # So is retrying its failed post, which would lift the block too (and only fail and block it again).
    retried = cli("retry", pid)
    assert retried.exit_code == 1, retried.output
    assert f"{pid} is not sent again: m-km is blocked, and its credentials still cannot be read here" in retried.output
    assert "set OPS_MASTODON_TOKEN" in retried.output and f"then retry it: campaign retry {pid}" in retried.output
    assert led.state(pid) == "failed" and "auth_failed" in led.account_state("small", "m-km")
    # The fix: the block is lifted (audited), the failed post can be retried.
    cli.env.setenv("OPS_MASTODON_TOKEN", "a-rotated-token")  # type: ignore[attr-defined]
    unblocked = cli("accounts", "unblock", "m-km")
    assert unblocked.exit_code == 0, unblocked.output
    assert unblocked.output.startswith("m-km unblocked (it was blocked since Mon 08 Nov 2021, 10:15 (Asia/Phnom_Penh): ")
    assert f"1 failed post(s) of m-km can still go out: campaign retry {pid}" in unblocked.output
    assert "blocked accounts" not in cli("status").output
    audit = [e for e in led.iter_audit("small") if e.get("account") == "m-km"]
    assert [e["to"] for e in audit] == ["blocked", "unblocked"]
    assert cli("accounts", "unblock", "m-km").output == "m-km was not blocked; nothing to do\n"
    assert "has no account 'nobody'" in cli("accounts", "unblock", "nobody").output
    _secret_free(led)


def test_unresolved_names_what_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "empty").write_text("  \n")
    (tmp_path / "token").write_text(SECRET)
    env = {"SET": SECRET}
    assert unresolved("mastodon", {"token": "env:SET"}, tmp_path, env) == []
    assert unresolved("mastodon", {"token": "file:token"}, tmp_path, env) == []
    assert [str(u) for u in unresolved("telegram", "env:UNSET", tmp_path, env)] == ["env:UNSET is not set"]
    assert [str(u) for u in unresolved("facebook", {"token": "file:empty"}, tmp_path, env)] == \
        ["file:empty is an empty file (token)"]
    assert [str(u) for u in unresolved("x", {"api_key": "env:SET"}, tmp_path, env)] == [
        f"credentials.{name} is missing: add a reference (env:NAME or file:PATH) to campaign.yaml"
        for name in ("api_secret", "access_token", "access_secret")]
    assert unresolved("outbox", None, tmp_path, env) == []
    assert all(SECRET not in str(u) for u in unresolved("facebook", {"token": "file:nope"}, tmp_path, env))


def _campaign(*args: str, env: dict[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from campaign.cli import main; main()", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_run_blocks_only_the_account_that_cannot_read_its_credentials(tmp_path: Path) -> None:
    start = date.today() + timedelta(days=30)
    folder = _folder(tmp_path, [OUTBOX, M_ACCOUNT], start=start.isoformat(),
                     end=(start + timedelta(days=6)).isoformat())
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CAMPAIGN_KEY_PREFIX", "OPS_MASTODON_TOKEN")}
    env["CAMPAIGN_HOME"] = str(tmp_path / "home")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    first = _campaign("run", str(folder), "--duration", "2", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr + first.stdout
    assert "worker and beat running" in first.stdout
    assert "warning: 1 account blocked: credentials not readable here" in first.stderr
    assert "  m-km (mastodon): env:OPS_MASTODON_TOKEN is not set (token); to fix: set OPS_MASTODON_TOKEN" in first.stderr
    status = json.loads(_campaign("status", "--json", env=env, cwd=tmp_path).stdout)
    assert [(b["account"], b["by"]) for b in status["blocked"]] == [("m-km", "credentials check")]
    assert "start `campaign run` again: the block lifts itself" in status["blocked"][0]["fix"]
    env["OPS_MASTODON_TOKEN"] = SECRET
    second = _campaign("run", str(folder), "--duration", "2", env=env, cwd=tmp_path)
    assert second.returncode == 0, second.stderr + second.stdout
    assert "m-km: its credentials are readable now; unblocked" in second.stdout
    assert json.loads(_campaign("status", "--json", env=env, cwd=tmp_path).stdout)["blocked"] == []
    for out in (first, second):
        assert SECRET not in out.stdout + out.stderr
    logs = "".join(p.read_text(errors="replace") for p in (tmp_path / "home").rglob("*.log"))
    assert SECRET not in logs


def test_what_to_do_never_says_put_the_token_in_a_file_that_is_not_a_secret(tmp_path: Path) -> None:
    """A file: reference to /etc/passwd or a key file is the wrong file: the advice is to point at one
    that holds the token alone, never to write the token into it."""
    from campaign.credentials import Unresolved, what_to_do

    (tmp_path / "key").write_text("-----BEGIN KEY-----\nc2VjcmV0\n-----END KEY-----\n", encoding="utf-8")
    from campaign.credentials import unresolved

    [wrong] = unresolved("telegram", f"file:{tmp_path / 'key'}", tmp_path, {})
    missing = Unresolved("secret", "file:secrets/x-token", "file secrets/x-token does not exist")
    said = what_to_do([wrong, missing])
    assert f"point file: at a file that holds the token alone ({tmp_path / 'key'} is not one)" in said
    assert "put the token in secrets/x-token" in said and f"put the token in {tmp_path / 'key'}" not in said
