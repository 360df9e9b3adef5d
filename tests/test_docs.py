"""Every command has help with an example, and the README covers every command."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from campaign.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group = main, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the lazy group imports each command when asked for it
        cmd = group.get_command(ctx, name)
        path = (*prefix, name)
        out.append(path)
        if isinstance(cmd, click.Group):
            out.extend(commands(cmd, path))
    return out


ALL = commands()


def test_there_are_commands() -> None:
    assert {("validate",), ("plan",), ("schema",)} <= set(ALL)


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_help_has_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    examples = [line.strip() for line in result.output.splitlines() if line.strip().startswith(f"campaign {path[0]}")]
    assert examples, f"'campaign {' '.join(path)} --help' shows no example"


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_readme_mentions_command(path: tuple[str, ...]) -> None:
    assert f"campaign {' '.join(path)}" in README, f"README.md does not mention 'campaign {' '.join(path)}'"


def test_readme_shows_the_two_commands() -> None:
    assert "make demo" in README and "make test" in README
