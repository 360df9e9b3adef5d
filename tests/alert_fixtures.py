"""A local HTTP receiver for alerts sent through apprise's ``json://`` scheme, and campaign folders with alerts.

Use from a test module with ``from tests.alert_fixtures import *``.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.pipeline_fixtures import SMALL_CAMPAIGN, write_folder

__all__ = ["Receiver", "receiver", "closed_port", "Hanging", "alert_folder", "ALERT_ENV", "TOKEN", "DASHBOARD"]

ALERT_ENV = "CAMPAIGN_TEST_ALERT_URL"
TOKEN = "tok-9Qz7Xw3Lk5Vb1Nm8Rt2Y"  # distinctive: every output is searched for it
DASHBOARD = "https://dashboard.example.org"


class Receiver:
    """An HTTP server on 127.0.0.1 that keeps every JSON body posted to it (``status``: its answer)."""

    def __init__(self, status: int = 200):
        self.messages: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.status = status
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer.lock:
                    outer.paths.append(self.path)
                    outer.messages.append(json.loads(body or b"{}"))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, token: str = TOKEN) -> str:
        """The apprise URL of this receiver, with ``token`` in its path as a webhook's would be."""
        return f"json://127.0.0.1:{self.port}/hooks/{token}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Hanging:
    """A port that accepts connections and never answers (a channel that hangs)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    def close(self) -> None:
        for conn in self.accepted:
            conn.close()
        self.sock.close()


def alert_folder(root: Path, alerts: list[dict[str, Any]] | None = None, **more: Any) -> Path:
    """The small campaign with ``alerts`` (default: every event to ``env:CAMPAIGN_TEST_ALERT_URL``)
    and the dashboard's address."""
    campaign = {**SMALL_CAMPAIGN, "alerts": alerts if alerts is not None else [
        {"url": f"env:{ALERT_ENV}", "events": ["failed", "in_doubt", "missed", "account_blocked"]}],
        "dashboard_url": DASHBOARD, **more}
    return write_folder(root, campaign)
