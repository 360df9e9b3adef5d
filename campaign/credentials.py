"""Secret references (``env:NAME``, ``file:PATH``) and their resolution at publish time.

A campaign file never holds a token: it names where the token lives. The value is read only when
a publisher needs it, wrapped in :class:`Secret` so that ``repr``/``str`` never show it, and no
error message here ever includes it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

_REF_RE = re.compile(r"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$")


class CredentialError(Exception):
    """A credential reference that cannot be resolved; the message names the reference, never a value."""


class Secret:
    """A resolved secret. Use ``.reveal()`` at the one place a library needs it."""

    __slots__ = ("_value", "ref")

    def __init__(self, value: str, ref: str):
        self._value = value
        self.ref = ref

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self.ref})"

    __str__ = __repr__


def check_ref(value: Any) -> str:
    """Validate that ``value`` is a reference, not a literal token (whose value is never echoed)."""
    if not isinstance(value, str) or not _REF_RE.match(value.strip()):
        raise ValueError(
            "a literal secret is not allowed here (its value is not shown); "
            "write env:VARIABLE_NAME or file:/path/to/token and keep the token out of the YAML"
        )
    return value.strip()


def resolve(ref: str, base: Path | None = None, environ: dict[str, str] | None = None) -> Secret:
    """Read the secret named by ``ref``. Relative ``file:`` paths resolve against ``base``."""
    env = os.environ if environ is None else environ
    kind, _, name = ref.partition(":")
    if kind == "env":
        value = env.get(name)
        if not value:
            raise CredentialError(f"{ref}: the environment variable {name} is not set; export it before starting")
        return Secret(value, ref)
    if kind == "file":
        path = Path(name).expanduser()
        if not path.is_absolute() and base is not None:
            path = base / path
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CredentialError(f"{ref}: cannot read the file ({exc.strerror})") from None
        if not value:
            raise CredentialError(f"{ref}: the file is empty")
        return Secret(value, ref)
    raise CredentialError("not a secret reference (its value is not shown); write env:NAME or file:PATH")
