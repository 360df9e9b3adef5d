"""The command starts at once: help loads no command's libraries, and each command only its own.

Each case runs in a fresh interpreter and reads ``sys.modules`` afterwards: what a command
imported is what its start cost.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The libraries of the pipeline, the dashboard, the alerts and the platforms: none is needed to
# list the commands, show a command's help, or check a folder.
SERVICES = ("celery", "kombu", "redis", "fastapi", "starlette", "uvicorn", "jinja2", "apprise", "tweepy",
            "mastodon", "atproto", "requests", "httpx", "workers", "campaign.ledger", "campaign.pipeline",
            "campaign.web", "campaign.alerts", "campaign.publishers.base")
# ... nor, to show help, the models, YAML or the cards.
MODELS = ("pydantic", "yaml", "PIL", "wcwidth", "campaign.definition", "campaign.cards", "campaign.checks")


def imported_after(script: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``script`` (which prints nothing else)."""
    code = ("import sys, json, contextlib, io\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            + "".join(f"    {line}\n" for line in script.splitlines())
            + "print(json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_help_of_every_command_loads_no_library_of_any_command() -> None:
    modules = imported_after(
        "from click.testing import CliRunner\n"
        "from campaign.cli import COMMANDS, main\n"
        "import click\n"
        "results = [CliRunner().invoke(main, ['--help'])]\n"
        "ctx = click.Context(main)\n"
        "for name in COMMANDS:\n"
        "    command = main.get_command(ctx, name)\n"
        "    subs = list(command.commands) if isinstance(command, click.Group) else []\n"
        "    results += [CliRunner().invoke(main, [name, *sub, '--help']) for sub in [[], *[[s] for s in subs]]]\n"
        "assert all(r.exit_code == 0 for r in results), [r.output for r in results if r.exit_code]\n"
        "assert all('campaign ' in r.output for r in results)\n")
    assert loaded(modules, SERVICES + MODELS) == []


def test_the_command_group_names_every_command_in_order() -> None:
    import click

    from campaign.cli import COMMANDS, main

    ctx = click.Context(main)
    assert main.list_commands(ctx)[:len(COMMANDS)] == list(COMMANDS)
    for name in COMMANDS:
        command = main.get_command(ctx, name)
        assert isinstance(command, click.Command) and command.name == name
    assert main.get_command(ctx, "no-such-command") is None


@pytest.mark.parametrize("args", [["validate"], ["plan", "--from", "2021-09-15", "--to", "2021-09-21"]])
def test_checking_a_folder_loads_no_service_library(example_folder: Path, args: list[str]) -> None:
    modules = imported_after(
        "from campaign.cli import main\n"
        f"try:\n    main({[args[0], str(example_folder), *args[1:]]!r})\n"
        "except SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n")
    assert "campaign.checks" in modules  # it did check the folder
    assert loaded(modules, SERVICES) == []
