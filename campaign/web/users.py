"""Who may open the dashboard: the users file, or one operator with a random token.

``campaign web --users FILE`` reads a YAML file like every other input (``sources.load_model``:
each problem as ``FILE:LINE: field: message``)::

    users:
      - name: sokha
        role: operator            # acts: approve, retry, resolve, pause, resume, cancel
        token: env:SOKHA_TOKEN    # a reference, as platform credentials are (env:NAME | file:PATH)
      - name: dara
        role: viewer              # reads every page and the API, acts on nothing
        token: file:tokens/dara   # relative to the users file's folder
    metrics_token: env:METRICS_TOKEN    # optional: a token good for /metrics only
    session_secret: env:WEB_SECRET      # optional: sessions outlive a restart and are shared by
                                        # several dashboards (else a random key per start)

A literal token is refused like a literal platform credential (its value never echoed). Tokens are
resolved once at start (``campaign.credentials.resolve``), must be at least :data:`MIN_TOKEN`
characters, and must differ from each other. Without a users file, :func:`one_operator` makes one
operator with a random token for the login link the command prints.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..credentials import CredentialError, check_ref, resolve
from ..sources import InputError, Located, Problem, load_model

MIN_TOKEN = 16
TOKEN_HINT = "make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserEntry(_Model):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
                      description="who acts, as the audit stream records it (letters, digits, . _ -)")
    role: Role
    token: str = Field(description="env:NAME or file:PATH; never the token itself")

    @field_validator("token", mode="before")
    @classmethod
    def _reference(cls, value: Any) -> str:
        return check_ref(value)


class UsersFile(_Model):
    users: list[UserEntry] = Field(min_length=1)
    metrics_token: str | None = Field(None, description="env:NAME or file:PATH: a token good for /metrics only")
    session_secret: str | None = Field(None, description="env:NAME or file:PATH: the key that signs sessions")

    @field_validator("metrics_token", "session_secret", mode="before")
    @classmethod
    def _references(cls, value: Any) -> str | None:
        return None if value is None else check_ref(value)


@dataclass(frozen=True)
class User:
    """A person who may open the dashboard. ``token`` is compared, never shown."""

    name: str
    role: Role
    token: str

    @property
    def can_act(self) -> bool:
        return self.role is Role.OPERATOR

    @property
    def audit_name(self) -> str:
        """How the audit stream names this user's actions."""
        return f"{self.name}@web"

    def __repr__(self) -> str:
        return f"User({self.name!r}, {self.role.value})"


@dataclass(frozen=True)
class Users:
    """Every user, the optional metrics token and the optional session key, resolved."""

    users: tuple[User, ...]
    metrics_token: str | None = None
    session_secret: str | None = None

    def by_token(self, token: str) -> User | None:
        """The user whose token this is (every token compared in constant time, none skipped)."""
        found = None
        for user in self.users:
            if hmac.compare_digest(user.token.encode(), token.encode()):
                found = user
        return found

    def is_metrics_token(self, token: str) -> bool:
        return self.metrics_token is not None and hmac.compare_digest(self.metrics_token.encode(), token.encode())

    def by_name(self, name: str) -> User | None:
        return next((u for u in self.users if u.name == name), None)

    def __repr__(self) -> str:
        return f"Users({', '.join(map(repr, self.users))})"


def token_mark(token: str) -> str:
    """A short one-way mark of a token: a session remembers it, so changing a token ends its sessions."""
    return hashlib.sha256(b"campaign-web-session:" + token.encode()).hexdigest()[:16]


def one_operator(token: str | None = None, name: str = "operator") -> Users:
    """One operator with ``token`` (default: a new random one), for a dashboard started without a users file."""
    return Users((User(name, Role.OPERATOR, token or secrets.token_urlsafe(24)),))


def load_users(path: Path, environ: dict[str, str] | None = None) -> Users:
    """Read and resolve a users file; every problem located (``FILE:LINE: field: message``), no value shown."""
    model, located = load_model(path, UsersFile)
    base = path.parent
    problems: list[Problem] = []

    def read(ref: str, loc: tuple[str | int, ...]) -> str | None:
        try:
            value = resolve(ref, base, environ).reveal()
        except CredentialError as exc:
            problems.append(located.problem(loc, f"{exc}"))
            return None
        if len(value) < MIN_TOKEN and loc[-1] != "session_secret":
            problems.append(located.problem(loc, f"{ref}: the token is shorter than {MIN_TOKEN} characters "
                                                 f"(its value is not shown); {TOKEN_HINT}"))
            return None
        return value

    users: list[tuple[int, User]] = []  # with their place in the file
    seen_names: dict[str, int] = {}
    for i, entry in enumerate(model.users):
        if entry.name in seen_names:
            problems.append(located.problem(("users", i, "name"), f"{entry.name!r} is also users[{seen_names[entry.name]}]"
                                                                  "; give each user a name of their own"))
        seen_names.setdefault(entry.name, i)
        token = read(entry.token, ("users", i, "token"))
        if token is not None:
            users.append((i, User(entry.name, entry.role, token)))
    metrics = read(model.metrics_token, ("metrics_token",)) if model.metrics_token else None
    secret = read(model.session_secret, ("session_secret",)) if model.session_secret else None
    problems += _shared_tokens(located, users, metrics)
    if problems:
        raise InputError(problems)
    return Users(tuple(u for _, u in users), metrics, secret)


def _shared_tokens(located: Located, users: Iterable[tuple[int, User]], metrics: str | None) -> list[Problem]:
    """Two users (or a user and the metrics token) with one token: which role would it be? Refused."""
    out = []
    first: dict[str, str] = {}
    for i, user in users:
        if user.token in first:
            out.append(located.problem(("users", i, "token"), f"{user.name} has the same token as {first[user.token]} "
                                                              "(its value is not shown); give each user a token of their own"))
        first.setdefault(user.token, user.name)
    if metrics is not None and metrics in first:
        out.append(located.problem(("metrics_token",), f"the metrics token is {first[metrics]}'s token (its value is "
                                                      "not shown); give /metrics a token of its own"))
    return out


__all__ = ["MIN_TOKEN", "Role", "User", "Users", "UsersFile", "load_users", "one_operator", "token_mark"]
