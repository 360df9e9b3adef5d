"""What the commands over the ledger share: ``--data-dir``, opening the ledger (on ``$REDIS_URL`` or
the embedded Redis), a campaign named by folder or id, and ``ops_errors``."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import Refused
from .common import Failed, clean_errors

if TYPE_CHECKING:  # Redis and the ledger are imported when a command opens it
    import redis

    from ..ledger import Ledger

F = TypeVar("F", bound=Callable[..., Any])

DATA_DIR = click.option("--data-dir", type=click.Path(path_type=Path), default=None,
                        help="Embedded Redis data folder when REDIS_URL is unset [default: $CAMPAIGN_HOME/redis "
                             "or .campaign/redis].")


def ops_errors(func: F) -> F:
    """:func:`~.common.clean_errors` (a refused action, Redis unavailable... as one red line, exit 1),
    plus Redis going away in the middle of the command, said so (never a traceback)."""

    @functools.wraps(func)
    @clean_errors
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import redis

        try:
            return func(*args, **kwargs)
        except redis.RedisError as exc:  # Redis went away mid-command: say so, no traceback
            raise Failed(f"Redis stopped answering ({type(exc).__name__}: {exc}); check that it is running, then run "
                         "the command again") from exc

    return wrapper  # type: ignore[return-value]


@contextmanager
def open_ledger(data_dir: Path | None) -> Iterator[Ledger]:
    """The ledger on REDIS_URL, or on the embedded Redis (started for this command if not running)."""
    from ..ledger import Ledger
    from ..redis_server import connect

    url, server = connect(data_dir)
    try:
        ledger = Ledger.from_url(url)
        yield ledger
        ledger.r.close()
    finally:
        if server is not None:
            server.stop()


def check_redis(url: str) -> None:
    """``apply``/``run``/``web``: warn loudly when the Redis given puts the ledger at risk (persistence off,
    a maxmemory-policy that evicts), naming the risk and the fix (:mod:`campaign.ledger.health`)."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        check_redis_client(client)
    finally:
        client.close()


def check_redis_client(client: redis.Redis) -> None:
    """:func:`check_redis` on a client already open."""
    from ..ledger.health import config_warnings
    from .format import warn_redis

    warn_redis(config_warnings(client))


def resolve_campaign(ledger: Ledger, target: str | None) -> str:
    """A campaign id from a folder, an id, or (when omitted) the only applied campaign."""
    from ..checks import load_consistent
    from ..ledger import UnknownCampaign

    if target is None:
        ids = ledger.campaigns()
        if len(ids) == 1:
            return ids[0]
        if not ids:
            raise Refused("no campaign has been applied yet (run: campaign apply FOLDER)")
        raise Refused(f"several campaigns are applied ({', '.join(ids)}); name one")
    path = Path(target)
    if path.is_dir():
        return load_consistent(path).campaign.id
    if target not in ledger.campaigns():
        raise UnknownCampaign(target)
    return target
