"""What every command shares: clean errors for library exceptions, example-bearing help."""

from __future__ import annotations

import functools
import sys
from datetime import date
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..cards import CardError
from ..sources import InputError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 2  # the input files are wrong: nothing was queued or posted


class CLIGroup(click.Group):
    """Lists commands in the order they were added (the order a new user needs them)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def fail(message: str, code: int = 1) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


def show_problems(exc: InputError) -> None:
    """Print each problem (FILE:LINE: field: message) and how many there were."""
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    n = len(exc.problems)
    click.secho(f"{n} problem{'s' if n != 1 else ''} found; nothing was queued or posted.", fg="red", err=True)


def report_input_error(exc: InputError) -> None:
    """:func:`show_problems`, then exit 2."""
    show_problems(exc)
    sys.exit(EXIT_INPUT)


def clean_errors(func: F) -> F:
    """Turn the library's input errors into located messages and exit 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            report_input_error(exc)
        except CardError as exc:  # e.g. raqm missing: the message says what to install
            fail(str(exc))

    return wrapper  # type: ignore[return-value]


def parse_day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """Click callback for a DATE option written YYYY-MM-DD."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from None
