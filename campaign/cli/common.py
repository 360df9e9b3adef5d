"""What every command shares: user errors as messages (bugs as tracebacks), example-bearing help.

A command says what went wrong in one of two ways, both exceptions click shows and exits on:

* an :class:`~campaign.errors.InputError` (an invalid folder or template): each problem as
  ``FILE:LINE: field: message``, then "N problems found; ..." (exit 2, :data:`EXIT_INPUT`);
* any other :class:`~campaign.errors.CampaignError` (a refused action, Redis unavailable, a card
  that cannot be made, a publish error...), or :func:`fail`: one red ``error: ...`` line (exit 1,
  or the code given).

:func:`clean_errors` turns exactly the :mod:`campaign.errors` tree into these; any other exception
is a bug and shows as one, with its traceback.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from datetime import date
from typing import IO, Any, NoReturn, TypeVar, overload

import click

from ..errors import CampaignError, InputError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 2  # the input files are wrong: nothing was queued or posted
EXIT_ERROR = 1  # any other error a person can fix


class CLIGroup(click.Group):
    """Lists commands in the order they were added (the order a new user needs them)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


class LazyGroup(CLIGroup):
    """A group whose commands are imported when named (click's "Lazily Loading Subcommands"):
    ``lazy`` maps each command's name to ``"module:attribute"``, in the order help lists them.

    ``campaign validate`` imports the module of ``validate`` only; each command module imports its
    heavy libraries (Redis, Celery, the platform clients, the dashboard...) inside the functions
    that need them, so ``campaign --help`` (which imports every command module for its one-line
    help) stays a fraction of a second."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.lazy, *(name for name in self.commands if name not in self.lazy)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, _, attribute = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


class Failed(click.ClickException):
    """A command stops with one red line, ``error: MESSAGE``, and exits ``code``."""

    def __init__(self, message: str, code: int = EXIT_ERROR):
        super().__init__(message)
        self.exit_code = code  # type: ignore[misc]  # click reads it from the instance

    def show(self, file: IO[Any] | None = None) -> None:
        click.secho(f"error: {self.message}", fg="red", err=True)


class Problems(click.ClickException):
    """A command stops on an invalid input: every problem, then how many and what that means (exit 2)."""

    exit_code = EXIT_INPUT

    def __init__(self, error: InputError, closing: str):
        super().__init__(str(error))
        self.error, self.closing = error, closing

    def show(self, file: IO[Any] | None = None) -> None:
        show_problems(self.error, self.closing)


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Stop the command: ``error: MESSAGE`` in red on stderr, exit ``code``."""
    raise Failed(message, code)


# How "N problems" goes on: what the problems mean for the campaign commands (exit 2).
CAMPAIGN_CLOSING = "found; nothing was queued or posted"


def show_problems(exc: InputError, closing: str = CAMPAIGN_CLOSING) -> None:
    """Print each problem (FILE:LINE: field: message), then "N problems " + ``closing``: how many
    there were and what that means for the command."""
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    n = sum(not p.aside for p in exc.problems) or len(exc.problems)
    click.secho(f"{n} problem{'s' if n != 1 else ''} {closing}.", fg="red", err=True)


def report_input_error(exc: InputError, closing: str = CAMPAIGN_CLOSING) -> NoReturn:
    """Stop the command: :func:`show_problems`, then exit 2."""
    raise Problems(exc, closing) from exc


@overload
def clean_errors(func: F) -> F: ...
@overload
def clean_errors(*, closing: str = CAMPAIGN_CLOSING) -> Callable[[F], F]: ...


def clean_errors(func: F | None = None, *, closing: str = CAMPAIGN_CLOSING) -> Any:
    """Turn the :mod:`campaign.errors` tree into messages: an invalid input as located problems
    (exit 2), any other :class:`~campaign.errors.CampaignError` as one red line (exit 1). Every
    other exception passes: a bug shows as a traceback, never as a user's mistake.

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
            except CampaignError as exc:  # e.g. raqm missing, a refused action: the message says what to do
                raise Failed(str(exc)) from exc

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
