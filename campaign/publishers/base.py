"""The one seam between the pipeline and the platforms.

A publisher takes a :class:`Post` (caption, card, alt text) and returns :class:`Published`, or
raises one of these, so the task decides retry / wait / stop from the type alone::

    PublishError                     anything that stopped a post
    ├── RateLimited(reset_at)        wait until reset_at, then try again; other accounts go on
    ├── Transient                    try again soon, with backoff (5xx, connection refused)
    ├── AuthFailed                   stop this account; a person must fix credentials
    ├── Rejected(reason)             stop this post; the platform will never take it as is
    └── OutcomeUnknown               the request may have been accepted (timeout after sending):
                                     the post becomes in_doubt and is never retried blindly

Library errors (tweepy, Mastodon.py, atproto, requests) are mapped onto this tree with
``raise ... from exc`` in each platform's module. Messages never contain a secret.

Each platform is a row of :mod:`campaign.platforms` and a module that registers its publisher
with :func:`register` under the platform's name; :func:`get_publisher` imports that module the
first time an account of the platform publishes. What the platform modules share lives beside
this one: :mod:`.http` (sessions, transport errors, rate-limit headers), :mod:`.redaction`
(secrets kept out of logs and errors) and :mod:`.common` (``BasePublisher``, text helpers).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import ClassVar, Protocol

from ..credentials import CredentialError, Secret, resolve
from ..definition import Account
from ..errors import CampaignError
from ..platforms import spec


class PublishError(CampaignError):
    """A post did not go out. Subclasses say what to do about it."""

    retryable: ClassVar[bool] = False


class RateLimited(PublishError):
    """The account's budget is spent until ``reset_at`` (aware UTC datetime)."""

    retryable = True

    def __init__(self, reset_at: datetime, message: str = "rate limited"):
        self.reset_at = reset_at
        super().__init__(f"{message}; resets at {reset_at.isoformat()}")


class Transient(PublishError):
    """A passing fault (5xx, connection refused before sending): retry with backoff."""

    retryable = True


class AuthFailed(PublishError):
    """Credentials missing, wrong, expired or lacking permission: stop the account."""


class Unreadable(AuthFailed):
    """The account's credentials cannot be read where the worker runs: nothing was sent; stop the account."""


class Rejected(PublishError):
    """The platform refused this post for good (duplicate, too long, bad media)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class OutcomeUnknown(PublishError):
    """The request was sent and no answer came back: it may have been posted."""


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, its causes and contexts, and the reasons urllib3/requests keep in ``args`` (how
    transport errors are classified, and how a chain is checked for secrets)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        item = todo.pop(0)
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        for nxt in (item.__cause__, item.__context__, getattr(item, "reason", None), *item.args):
            if isinstance(nxt, BaseException):
                todo.append(nxt)


@dataclass(frozen=True)
class Post:
    """Everything a publisher needs for one post."""

    id: str  # the ledger's post id, <campaign>:<date>:<account>
    account: Account
    text: str
    image: bytes
    alt: str
    language: str
    image_type: str = "image/jpeg"
    card_name: str = "card.jpg"
    at: datetime | None = None  # the pipeline's "now" (simulated or real), for records like the outbox's


@dataclass(frozen=True)
class Published:
    """Where the post now lives."""

    remote_id: str
    url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class Publisher(Protocol):
    """What every platform module provides."""

    platform: ClassVar[str]

    def publish(self, post: Post) -> Published: ...

    def lookup(self, post: Post) -> Published | None:
        """Find ``post`` on the platform if it went out (for in-doubt reconciliation; asked only
        where the platform's row says ``lookup``). Returns None if it certainly did not; raises
        NotImplementedError where the API cannot tell."""
        ...

    def whoami(self) -> str:
        """A harmless authenticated call: the account's name as the platform knows it."""
        ...


@dataclass
class Context:
    """What a publisher may need from outside: where relative paths resolve, the environment
    for secrets, HTTP timeouts, and an optional override of the platform's base URL (tests)."""

    base_dir: Path = Path(".")
    environ: dict[str, str] | None = None
    timeout: float = 20.0
    outbox_dir: Path | None = None
    base_urls: dict[str, str] = field(default_factory=dict)
    secrets_dir: Path | None = None  # where relative file: credentials resolve (default: base_dir)

    def secret(self, account: Account, name: str | None = None) -> Secret:
        """Resolve one credential of ``account``; raises Unreadable (an AuthFailed) naming the reference only."""
        creds = account.credentials
        ref = creds if isinstance(creds, str) else (creds or {}).get(name or "token")
        if ref is None:
            raise Unreadable(f"{account.id}: credentials.{name} is missing")
        try:
            return resolve(ref, self.secrets_dir or self.base_dir, self.environ)
        except CredentialError as exc:
            raise Unreadable(f"{account.id}: {exc}") from None


Factory = Callable[[Account, Context], Publisher]
_REGISTRY: dict[str, Factory] = {}


def register(platform: str) -> Callable[[Factory], Factory]:
    def deco(factory: Factory) -> Factory:
        _REGISTRY[platform] = factory
        return factory

    return deco


def get_publisher(account: Account, context: Context | None = None) -> Publisher:
    """The publisher for ``account``'s platform: its module (named by the platform's row) is
    imported the first time, and registers the factory."""
    if account.platform not in _REGISTRY:
        importlib.import_module(spec(account.platform).module)
    return _REGISTRY[account.platform](account, context or Context())


__all__ = ["AuthFailed", "Context", "Factory", "OutcomeUnknown", "Post", "Published", "PublishError", "Publisher",
           "RateLimited", "Rejected", "Transient", "Unreadable", "exception_chain", "get_publisher", "register"]
