"""The ledger's connection, its key names and its registered scripts: the base of every part of
:class:`~campaign.ledger.Ledger` (the key layout is drawn in the package's docstring)."""

from __future__ import annotations

import hashlib
import getpass
import os
import socket
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import redis
from redis.exceptions import NoScriptError

from ..errors import Refused
from . import scripts, wake_scripts

DEFAULT_PREFIX = "cs:"
_SCRIPTS = ("TRANSITION", "CLAIM_RENDERS", "QUEUE_DUE", "RESEND_QUEUED", "CLAIM_PUBLISH", "REAP_LEASES", "DUE_DOUBTS",
            "NOTE_BUDGET", "CACHED_CARD", "POST_FIELDS", "HASH_FIELDS", "CLAIM_RENDERS_MANY", "QUEUE_DUE_MANY", "RESEND_QUEUED_MANY",
            "REAP_LEASES_MANY", "DUE_DOUBTS_MANY")
_WAKE_SCRIPTS = ("WAKE_MANY", "WAKE_READ")

#: One run of a registered script: its name, KEYS and ARGV.
Call = tuple[str, Sequence[str], Sequence[Any]]


class LedgerBase:
    """A Redis client under a key prefix, with the scripts registered on it."""

    def __init__(self, client: redis.Redis, prefix: str = DEFAULT_PREFIX):
        self.r = client
        self.prefix = prefix
        self._scripts = {name: client.register_script(getattr(scripts, name)) for name in _SCRIPTS}
        self._scripts |= {name: client.register_script(getattr(wake_scripts, name)) for name in _WAKE_SCRIPTS}
        self._wake_keys = (self.key("wake"), self.key("wake", "real"), self.key("wake", "before"))

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def post_key(self, post_id: str) -> str:
        return self.key("post", post_id)

    def index_keys(self, cid: str) -> list[str]:
        return [self.key(name, cid) for name in scripts.INDEX_ORDER]

    def wake_keys(self) -> tuple[str, str, str]:
        """The wake index: when the tick must look at each campaign (campaign clock, wall clock, and when
        its plan signature began to hold; see ``wake_scripts.WAKE``)."""
        return self._wake_keys

    def run_scripts(self, calls: Sequence[Call]) -> list[Any]:
        """Run scripts in one round trip (``EVALSHA`` pipelined), in order, each atomic on its own;
        their replies in the same order. A script the server does not have yet (a new or restarted
        server) is loaded and only those calls run again: one more round trip, once per server."""
        def send(indexes: Sequence[int]) -> list[Any]:
            pipe = self.r.pipeline(transaction=False)
            for i in indexes:
                name, keys, args = calls[i]
                pipe.evalsha(self._scripts[name].sha, len(keys), *keys, *args)
            return pipe.execute(raise_on_error=False)

        replies = send(range(len(calls)))
        missing = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
        if missing:  # NOSCRIPT: those calls did not run
            for name in {calls[i][0] for i in missing}:
                self._scripts[name].sha = self.r.script_load(self._scripts[name].script)
            for i, reply in zip(missing, send(missing)):
                replies[i] = reply
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
        return replies

    def run_after(self, writes: Callable[[redis.client.Pipeline], object], call: Call) -> Any:
        """Some plain writes (queued on the pipeline by ``writes``), then one run of a script, as one step
        in one round trip; the script's reply. ``MULTI``/``EXEC``: a Redis out of memory refuses the
        whole step before any of it is made. The writes must be safe to make twice: a script the server
        does not have yet (a new or restarted server) is loaded and run again on its own."""
        name, keys, args = call
        pipe = self.r.pipeline(transaction=True)
        writes(pipe)
        pipe.evalsha(self._scripts[name].sha, len(keys), *keys, *args)
        replies = pipe.execute(raise_on_error=False)
        if isinstance(replies[-1], NoScriptError):  # the writes were made; the script did not run
            return self.run_scripts([call])[0]
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
        return replies[-1]

    def run_for_many(self, groups: Sequence[Sequence[Call]]) -> list[list[Any]]:
        """Each group (runs of one script, for many campaigns) as one run of the script's ``_MANY`` form
        (:func:`~.scripts.for_many`), all groups in one round trip; each group's replies, in order."""
        calls: list[Call] = []
        for group in groups:
            if group:
                name, first_keys, first_args = group[0]
                calls.append((f"{name}_MANY", [key for _, keys, _ in group for key in keys],
                              [len(first_keys), len(first_args), *(arg for _, _, args in group for arg in args)]))
        replies = iter(self.run_scripts(calls))
        return [next(replies) if group else [] for group in groups]

    @staticmethod
    def campaign_of(post_id: str) -> str:
        return post_id.split(":", 1)[0]

    @staticmethod
    def account_of(post_id: str) -> str:
        return post_id.rsplit(":", 1)[-1]  # ids are <cid>:<date>:<account>


def worker_name() -> str:
    """Who is acting, for the audit trail: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def person_name(by: str | None = None) -> str:
    """A person acting, for the audit trail: ``by`` (the dashboard gives ``<user>@web``), else who runs
    the command: their login name, host and process id (``sokha@laptop:4242``). A person's name has an
    ``@``; a worker's (:func:`worker_name`) never has."""
    if by:
        return by
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a user): still a person
        login = "person"
    return f"{login or 'person'}@{worker_name()}"


def epoch(moment: datetime) -> float:
    return moment.timestamp()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text(data: Mapping[bytes, bytes]) -> dict[str, str]:
    """A hash as Redis returns it, decoded."""
    return {k.decode(): v.decode() for k, v in data.items()}


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class UnknownPost(Refused, KeyError):
    """No post with this id in the ledger."""

    def __str__(self) -> str:
        return f"no post {self.args[0]!r} in the ledger (ids look like <campaign>:<YYYY-MM-DD>:<account>)"


class UnknownCampaign(Refused, KeyError):
    """No applied campaign with this id."""

    def __str__(self) -> str:
        return f"no campaign {self.args[0]!r} has been applied (run: campaign apply FOLDER)"
