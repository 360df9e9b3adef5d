"""The one error tree (campaign/errors.py) and what the command makes of it.

Every error a person can fix is a CampaignError, drawn in the tree of campaign.errors; the command
shows each kind as a clean message with its exit code (an invalid folder: its located problems,
exit 2; the others: one red line, exit 1). Any other exception is a bug and shows as one: a
traceback, never a message that looks like the user's mistake.
"""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
import redis
from click.testing import CliRunner

import campaign
from campaign.cards.photos import PhotoError
from campaign.cli.common import clean_errors, fail
from campaign.cli.store import ops_errors
from campaign.errors import CampaignError, CardError, CredentialError, InputError, Problem, RedisUnavailable, Refused
from campaign.ledger import Ledger, UnknownCampaign, UnknownPost
from campaign.pipeline.settings import SettingsError
from campaign.publishers import AuthFailed, OutcomeUnknown, RateLimited, Rejected, Transient
from tests.pipeline_fixtures import *  # noqa: F403
from tests.pipeline_fixtures import db_url

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = [Problem("x/campaign.yaml", 3, "start", "'2021-13-01' is not a date"),
            Problem("x/roster.yaml", 9, "people[0].id", "'a' is used twice; ids must be unique")]

# One of each kind a person can fix, and the exit code the command gives it.
KINDS: list[tuple[CampaignError, int]] = [
    (InputError(PROBLEMS), 2),
    (Refused("small:2021-11-08:a-en is posted; retry takes a post that is failed, missed"), 1),
    (UnknownPost("small:2021-11-08:nobody"), 1),
    (UnknownCampaign("nothing"), 1),
    (RedisUnavailable("REDIS_URL=redis://localhost:1 does not answer; start Redis or unset REDIS_URL"), 1),
    (CardError("no template 'nope': looked for template.yaml in templates/nope"), 1),
    (PhotoError("rong-chhun", "the image is truncated (the file was cut short); send the photo again", "p.jpg"), 1),
    (CredentialError("env:X_TOKEN: the environment variable X_TOKEN is not set; export it before starting"), 1),
    (SettingsError("$CAMPAIGN_BASE_URLS is not valid JSON"), 1),
    (AuthFailed("the token was refused"), 1),
    (RateLimited(datetime(2021, 11, 8, 3, tzinfo=UTC)), 1),
    (Transient("503 from the platform"), 1),
    (Rejected("duplicate post"), 1),
    (OutcomeUnknown("no answer after sending"), 1),
]
BUGS = [RuntimeError("a bug deep inside"), ValueError("a bare ValueError"), KeyError("a-key"), TypeError("a type")]


def _command(exc: BaseException, wrap: Callable) -> click.Command:  # type: ignore[type-arg]
    """A command whose work raises ``exc`` two calls deep, behind ``wrap`` (clean_errors, ops_errors)."""

    def deep() -> None:
        raise exc

    def work() -> None:
        deep()

    @click.command()
    @wrap
    def command() -> None:
        work()

    return command


def _all_campaign_errors() -> set[type]:
    for module in pkgutil.walk_packages(campaign.__path__, "campaign."):
        importlib.import_module(module.name)
    found, todo = set(), [CampaignError]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def test_every_error_a_person_can_fix_is_drawn_in_the_tree() -> None:
    import campaign.errors

    classes = _all_campaign_errors()
    assert {c.__name__ for c in classes} >= {type(e).__name__ for e, _ in KINDS}
    missing = sorted(c.__name__ for c in classes if f"── {c.__name__}" not in (campaign.errors.__doc__ or ""))
    assert not missing, f"not drawn in campaign/errors.py's tree: {missing}"


@pytest.mark.parametrize("wrap", [clean_errors, ops_errors], ids=["clean_errors", "ops_errors"])
@pytest.mark.parametrize(("exc", "code"), KINDS, ids=[type(e).__name__ for e, _ in KINDS])
def test_each_kind_is_a_clean_message_with_its_exit_code(exc: CampaignError, code: int, wrap: Callable) -> None:  # type: ignore[type-arg]
    result = CliRunner().invoke(_command(exc, wrap), [], catch_exceptions=False)
    assert result.exit_code == code
    assert result.stdout == ""
    if isinstance(exc, InputError):
        assert result.stderr.splitlines() == [*map(str, PROBLEMS), "2 problems found; nothing was queued or posted."]
    else:
        assert result.stderr == f"error: {exc}\n" and "\n" not in str(exc)


@pytest.mark.parametrize("wrap", [clean_errors, ops_errors], ids=["clean_errors", "ops_errors"])
@pytest.mark.parametrize("bug", BUGS, ids=[type(b).__name__ for b in BUGS])
def test_any_other_exception_is_not_turned_into_a_message(bug: Exception, wrap: Callable) -> None:  # type: ignore[type-arg]
    with pytest.raises(type(bug)) as raised:
        CliRunner().invoke(_command(bug, wrap), [], catch_exceptions=False)
    assert raised.value is bug


def test_redis_going_away_mid_command_is_said_so() -> None:
    result = CliRunner().invoke(_command(redis.ConnectionError("Connection closed by server."), ops_errors), [],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: Redis stopped answering (ConnectionError: Connection closed by server.)")
    assert len(result.stderr.splitlines()) == 1


def test_fail_stops_the_command_itself() -> None:
    """No caller needs ``raise AssertionError("unreachable")`` after fail: it raises."""
    after: list[str] = []

    @click.command()
    def command() -> None:
        fail("give exactly one of --posted URL or --not-posted")
        after.append("ran on")  # pragma: no cover - must not run

    result = CliRunner().invoke(command, [], catch_exceptions=False)
    assert (result.exit_code, result.stderr, after) == (1, "error: give exactly one of --posted URL or --not-posted\n", [])
    assert "unreachable" not in "".join(p.read_text(encoding="utf-8") for p in (ROOT / "campaign" / "cli").rglob("*.py"))


def _campaign(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from campaign.cli import main; main()", *args], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, **env}, timeout=120)


def test_a_bug_in_a_real_command_shows_its_traceback(redis_server, small_folder: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A post the ledger cannot read (a field no version writes) is no mistake of the person who
    asked about it: ``campaign retry`` shows the traceback, not an ``error:`` line."""
    env = {"REDIS_URL": db_url(redis_server, 2), "CAMPAIGN_KEY_PREFIX": "errors:", "CAMPAIGN_HOME": str(tmp_path)}
    led = Ledger.from_url(env["REDIS_URL"], prefix=env["CAMPAIGN_KEY_PREFIX"])
    led.wipe()
    try:
        assert _campaign("apply", str(small_folder), env=env).returncode == 0
        post, other = (p.id for p in led.posts("small")[:2])
        led.r.hset(led.post_key(post), "due_local", "soon")  # what no version of the ledger writes
        done = _campaign("retry", post, env=env)
        assert done.returncode == 1
        assert "Traceback (most recent call last)" in done.stderr and "cannot be read" in done.stderr
        assert not any(line.startswith("error:") for line in done.stderr.splitlines())
        # ...while a mistake of the person's is one line, no traceback.
        refused = _campaign("retry", other, env=env)
        assert (refused.returncode, refused.stderr.count("\n")) == (1, 1)
        assert refused.stderr.startswith("error: small:") and "retry takes a post that is" in refused.stderr
    finally:
        led.wipe()


def test_an_unusable_setting_and_an_unreachable_redis_are_one_line(redis_server, small_folder: Path,  # type: ignore[no-untyped-def]
                                                                    tmp_path: Path) -> None:
    env = {"REDIS_URL": db_url(redis_server, 2), "CAMPAIGN_KEY_PREFIX": "errors:", "CAMPAIGN_HOME": str(tmp_path)}
    done = _campaign("apply", str(small_folder), env={**env, "CAMPAIGN_LEASE_SECONDS": "soon"})
    assert (done.returncode, done.stderr.count("\n")) == (1, 1)
    assert done.stderr.startswith("error: $CAMPAIGN_LEASE_SECONDS is not a number")
    done = _campaign("status", env={**env, "REDIS_URL": f"unix://{tmp_path}/nothing.sock"})
    assert (done.returncode, done.stderr.count("\n")) == (1, 1) and done.stderr.startswith("error: ")
    Ledger.from_url(env["REDIS_URL"], prefix=env["CAMPAIGN_KEY_PREFIX"]).wipe()


# The modules that carry out what a person asks (the commands, and the actions they call).
ACTIONS = ("campaign/cli", "campaign/pipeline/actions.py", "campaign/pipeline/accounts.py",
           "campaign/pipeline/publish.py", "campaign/ledger/__init__.py")


def test_a_refused_action_is_never_a_bare_value_error() -> None:
    """A refused action is Refused (or another CampaignError): a bare ValueError, outside a pydantic
    validator, reads to the command as a bug. (Elsewhere a ValueError may guard against one.)"""
    found = []
    for place in ACTIONS:
        root = ROOT / place
        for path in sorted(root.rglob("*.py") if root.is_dir() else [root]):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                        and ast.unparse(node.exc.func) == "ValueError"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found
