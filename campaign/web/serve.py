"""Running the dashboard: a bound socket, uvicorn, the login link, and logs that never show a token.

``campaign web`` and ``campaign run`` (which starts ``campaign web`` as one of its supervised
processes) come here. Without a users file the dashboard binds a loopback address only and has one
operator whose random token is in the login link printed at start (as notebook servers do; the link
works until the server stops). ``CAMPAIGN_WEB_TOKEN`` gives that token instead (``campaign run``
passes the one it printed).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import signal
import socket
from collections.abc import Iterable
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI

from ..publishers.redaction import redact

TOKEN_ENV = "CAMPAIGN_WEB_TOKEN"
LOGGERS = ("uvicorn", "uvicorn.access", "uvicorn.error", "campaign.web")
_TOKEN_PARAM = re.compile(r"(token=)[^&\s\"']*")


class PortInUse(Exception):
    """The address cannot be bound; the message says which and what to do."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def login_link(host: str, port: int, token: str) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/login?token={token}"


def base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/"


class TokenFilter(logging.Filter):
    """Rewrites log records so that no token shows: the known ones anywhere, and any ``token=`` value
    in an address (a wrong one may be a near miss of a right one). Uvicorn's access log keeps its
    fields in ``args``, so those are cleaned where they are."""

    def __init__(self, tokens: Iterable[str]):
        super().__init__("campaign-web-tokens")
        self.tokens = {t for t in tokens if t}

    def clean(self, text: str) -> str:
        return _TOKEN_PARAM.sub(r"\1[secret]", redact(text, self.tokens))

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            # its formatter reads the fields from args: clean each one where it is
            record.args = tuple(self.clean(a) if isinstance(a, str) else a for a in record.args)
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's to report
            return True
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port), or PortInUse saying what to do."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Connections accepted from it inherit this: an answer written in two pieces (headers, body) is
    # not held back by Nagle's algorithm for the client's delayed ACK (40 ms on every small answer).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise PortInUse(f"cannot listen on {host}:{port} ({exc.strerror or exc}); another program may use that "
                        "port: choose another with --port") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def log_config(tokens: Iterable[str]) -> dict[str, Any]:
    """Uvicorn's default logging, with every handler's records cleaned of tokens first."""
    config: dict[str, Any] = {**uvicorn.config.LOGGING_CONFIG}
    config["filters"] = {"tokens": {"()": TokenFilter, "tokens": list(tokens)}}
    config["handlers"] = {name: {**handler, "filters": ["tokens"]} for name, handler in config["handlers"].items()}
    config["loggers"] = {**config["loggers"], "campaign.web": {"handlers": ["default"], "level": "INFO",
                                                               "propagate": False}}
    return config


def serve(app: FastAPI, sock: socket.socket, tokens: Iterable[str], log_level: str = "info") -> None:
    """Serve ``app`` on the bound socket until Ctrl-C or SIGTERM (uvicorn then stops cleanly)."""
    config = uvicorn.Config(app, log_config=log_config(tokens), log_level=log_level, access_log=True,
                            proxy_headers=False, server_header=False)
    # Uvicorn shuts down on SIGTERM/SIGINT, then raises the signal again with the handlers it found:
    # these end this function normally, so the caller's clean-up (the embedded Redis) still runs.
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except (KeyboardInterrupt, _Stopped):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Stopped(Exception):
    """SIGTERM after uvicorn's clean shutdown."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _Stopped


__all__ = ["PortInUse", "TOKEN_ENV", "TokenFilter", "base_url", "bind", "is_loopback", "log_config", "login_link",
           "serve"]
