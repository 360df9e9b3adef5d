"""What every command shares: clean errors for library exceptions, example-bearing help."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar, overload

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


# How "N problems" goes on: what the problems mean for the campaign commands (exit 2).
CAMPAIGN_CLOSING = "found; nothing was queued or posted"


def show_problems(exc: InputError, closing: str = CAMPAIGN_CLOSING) -> None:
    """Print each problem (FILE:LINE: field: message), then "N problems " + ``closing``: how many
    there were and what that means for the command."""
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    n = len(exc.problems)
    click.secho(f"{n} problem{'s' if n != 1 else ''} {closing}.", fg="red", err=True)


def report_input_error(exc: InputError, closing: str = CAMPAIGN_CLOSING) -> None:
    """:func:`show_problems`, then exit 2."""
    show_problems(exc, closing)
    sys.exit(EXIT_INPUT)


@overload
def clean_errors(func: F) -> F: ...
@overload
def clean_errors(*, closing: str = CAMPAIGN_CLOSING) -> Callable[[F], F]: ...


def clean_errors(func: F | None = None, *, closing: str = CAMPAIGN_CLOSING) -> Any:
    """Turn the library's input errors into located messages and exit 2, never a traceback.

    Bare (``@clean_errors``) on campaign commands; a command that neither queues nor posts says
    what its problems are about: ``@clean_errors(closing="found in the template")``.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except InputError as exc:
                report_input_error(exc, closing)
            except CardError as exc:  # e.g. raqm missing: the message says what to install
                fail(str(exc))

        return wrapper  # type: ignore[return-value]

    return decorate(func) if func is not None else decorate


def parse_day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """Click callback for a DATE option written YYYY-MM-DD."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from None
