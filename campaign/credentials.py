"""Secret references (``env:NAME``, ``file:PATH``) and their resolution at publish time.

A campaign file never holds a token: it names where the token lives. The value is read only when
a publisher needs it, wrapped in :class:`Secret` so that ``repr``/``str`` never show it, and no
error message here ever includes it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .bounded import read_at_most
from .errors import CredentialError
from .platforms import TABLE

#: How ``campaign run`` heads the block of an account whose references it cannot read (its workers,
#: started with its environment, cannot either): the fix is to make them readable and start it again.
RUN_UNREADABLE = "credentials not readable where `campaign run` started"

_REF_RE = re.compile(r"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$")


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


MAX_SECRET_BYTES = 64 * 1024  # a token, a key or an apprise URL is far less


def read_secret(path: Path) -> str:
    """The text of a secret file, stripped, read no further than :data:`MAX_SECRET_BYTES`. OSError
    if it cannot be read; ValueError (``is ...``/``has ...``: what is wrong, never the content) if it
    is too big, not text, or more than one line (a private key or a system file named by mistake
    or on purpose: never sent to a platform as a token)."""
    data = read_at_most(path, MAX_SECRET_BYTES)
    if data is None:
        raise ValueError(f"is larger than {MAX_SECRET_BYTES // 1024} KB, too big for a secret (one token or URL); "
                         "check the path")
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ValueError("is not UTF-8 text, so not a secret (one token or URL); check the path") from None
    if "\n" in text or "\r" in text:  # a key file, /etc/passwd: never sent to a platform as a token
        raise ValueError(f"has {len(text.splitlines())} lines, so it is not a secret (one token or URL, on one "
                         "line); check the path")
    return text


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
            value = read_secret(path)
        except OSError as exc:
            raise CredentialError(f"{ref}: cannot read the file ({exc.strerror})") from None
        except ValueError as exc:
            raise CredentialError(f"{ref}: the file {exc}") from None
        if not value:
            raise CredentialError(f"{ref}: the file is empty")
        return Secret(value, ref)
    raise CredentialError("not a secret reference (its value is not shown); write env:NAME or file:PATH")


#: The credentials each platform's publisher reads (``self.secret(name)`` in its module), from
#: its row in :mod:`campaign.platforms`; an account may also give one reference for all of them.
NEEDED: dict[str, tuple[str, ...]] = {name: row.credentials for name, row in TABLE.items()}


@dataclass(frozen=True)
class Unresolved:
    """One credential an account cannot read here: which (``name``), where it should come from
    (``ref``, None: no reference given) and what is wrong. Never holds a value."""

    name: str
    ref: str | None
    problem: str
    wrong_file: bool = False  # a file is there but holds no secret (a key file, /etc/passwd): not the token's

    def __str__(self) -> str:
        if self.ref is None:
            return f"credentials.{self.name} {self.problem}"
        return f"{self.ref} {self.problem}" + (f" ({self.name})" if self.name else "")


def _unreadable(name: str, ref: str, base: Path | None, env: Mapping[str, str]) -> Unresolved | None:
    """What keeps ``ref`` (the credential ``name``'s) from being read here, or None. The value read
    is dropped at once."""
    kind, _, var = ref.partition(":")
    if kind == "env":
        return None if env.get(var) else Unresolved(name, ref, "is not set")
    path = Path(var).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    try:
        empty = not read_secret(path)
    except OSError as exc:
        return Unresolved(name, ref, f"cannot be read ({exc.strerror or type(exc).__name__}: {path})")
    except ValueError as exc:
        return Unresolved(name, ref, f"{exc} ({path})", wrong_file=True)
    return Unresolved(name, ref, "is an empty file") if empty else None


def unresolved(platform: str, credentials: Mapping[str, str] | str | None, base: Path | None = None,
               environ: Mapping[str, str] | None = None) -> list[Unresolved]:
    """Every credential of an account on ``platform`` that cannot be read in this environment
    (``environ``, default ``os.environ``; relative ``file:`` paths from ``base``), in the order
    the platform needs them. Empty: every reference resolves."""
    env = os.environ if environ is None else environ
    names = NEEDED.get(platform, ())
    if isinstance(credentials, str):  # one reference for every credential of the account
        found = _unreadable("", credentials, base, env) if names else None
        return [found] if found else []
    out = []
    for name in names:
        ref = (credentials or {}).get(name)
        if ref is None:
            out.append(Unresolved(name, None, "is missing: add a reference (env:NAME or file:PATH) to campaign.yaml"))
            continue
        if found := _unreadable(name, ref, base, env):
            out.append(found)
    return out


def what_to_do(items: list[Unresolved]) -> str:
    """How to make ``items`` resolvable: the variables to export and the files to provide (names only)."""
    env = list(dict.fromkeys(i.ref[4:] for i in items if i.ref and i.ref.startswith("env:")))
    named = [i for i in items if i.ref and i.ref.startswith("file:")]
    wrong = list(dict.fromkeys(i.ref[5:] for i in named if i.wrong_file))  # a key file, /etc/passwd
    files = list(dict.fromkeys(i.ref[5:] for i in named if not i.wrong_file))
    missing = [i.name for i in items if i.ref is None]
    steps = []
    if env:
        steps.append("set " + ", ".join(env) + (f" (export {env[0]}=...)" if len(env) == 1 else " (export NAME=... for each)"))
    if files:
        steps.append("put the token in " + ", ".join(files))
    if wrong:
        steps.append(f"point file: at a file that holds the token alone ({', '.join(wrong)} "
                     f"{'is not one' if len(wrong) == 1 else 'are not'})")
    if missing:
        steps.append("add credentials." + ", credentials.".join(missing) + " to the account in campaign.yaml")
    return "; ".join(steps)
