"""Fixtures for the dashboard's tests: a campaign whose posts went through the real pipeline into
every state a monitor cares about, users of both roles, and clients for the app.

Use with ``from tests.web_fixtures import *`` (it brings the Redis fixtures of pipeline_fixtures).

* ``populated``  the small campaign (3 accounts, 7 days) on the ``ledger`` fixture, run in-process
  through the real tick, render and publish, with a scripted publisher: on 8 November a-en's post
  is ``posted``, b-km's ``failed`` (the platform rejected it), c-en's ``in_doubt`` (no answer);
  9 November's a-en post is put to ``awaiting_review``. The clock stays at 8 November 10:25.
* ``users``      an operator (``OPERATOR``), a viewer (``VIEWER``) and a metrics token (``METRICS``).
* ``clock``      a wall clock the test moves (``clock.now += 3600``).
* ``app``        ``create_app`` over ``populated`` with those users and that clock, no delay on refusals.
* ``api``        a TestClient; pass ``headers=bearer(OPERATOR)``.
* ``browser(token)``  a TestClient logged in through the login form (session cookie, CSRF token read from a page).
* ``serving(app)``  a context manager: ``app`` over real HTTP (uvicorn in a thread, a free loopback port);
  gives its address.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from campaign.clock import SimulatedClock
from campaign.checks import load_checked
from campaign.ledger import Ledger
from campaign.pipeline import InlineDispatch, Settings, apply_folder, tick
from campaign.pipeline.settings import Publishers
from campaign.publishers import OutcomeUnknown, Published, Rejected
from campaign.web import Role, User, Users, create_app
from campaign.web.serve import bind
from tests import pipeline_fixtures
from tests.pipeline_fixtures import *  # noqa: F403
from tests.pipeline_fixtures import local, put_in_state

__all__ = ["OPERATOR", "VIEWER", "METRICS", "Populated", "Scripted", "WallClock", "api", "app", "bearer", "browser",
           "clock", "csrf_of", "populated", "serving", "users"]

OPERATOR = "operator-token-0123456789abcdef"
VIEWER = "viewer-token-0123456789abcdef"
METRICS = "metrics-token-0123456789abcdef"
POSTED, FAILED, IN_DOUBT = "small:2021-11-08:a-en", "small:2021-11-08:b-km", "small:2021-11-08:c-en"
REVIEW = "small:2021-11-09:a-en"
__all__ += ["POSTED", "FAILED", "IN_DOUBT", "REVIEW", *pipeline_fixtures.__all__]


class Scripted:
    """A publisher for every account: a-en's posts go out, b-km's are rejected, c-en's get no answer."""

    platform = "outbox"
    max_image_bytes = 10_000_000

    def __init__(self) -> None:
        self.settings = Settings(publishers=Publishers(lambda account, context: self))

    def publish(self, post):  # type: ignore[no-untyped-def]
        if post.account.id == "b-km":
            raise Rejected("the platform refused the image")
        if post.account.id == "c-en":
            raise OutcomeUnknown("no answer within 30 s")
        return Published(remote_id=f"r-{post.id}", url=f"https://example.org/{post.id.replace(':', '/')}")

    def lookup(self, post):  # type: ignore[no-untyped-def]
        raise OutcomeUnknown("the platform cannot be asked")

    def whoami(self) -> str:
        return "scripted"


class Populated:
    def __init__(self, ledger: Ledger, cid: str, now: datetime):
        self.ledger, self.cid, self.now = ledger, cid, now


@pytest.fixture
def populated(ledger: Ledger, small_folder: Path, tmp_path: Path) -> Populated:
    scripted = Scripted()
    now = local("2021-11-07")
    SimulatedClock(ledger).set(now)
    folder = load_checked(small_folder)
    apply_folder(ledger, folder, now, {"force_outbox": "1", "outbox_dir": str(tmp_path / "outbox")})
    for moment in (local("2021-11-08", "09:30"), local("2021-11-08", "10:25")):
        SimulatedClock(ledger).set(moment)
        tick(ledger, moment, InlineDispatch(ledger, scripted.settings))
    now = local("2021-11-08", "10:25")
    assert put_in_state(ledger, REVIEW, "planned", "awaiting_review", at=now)
    states = {pid: ledger.state(pid) for pid in (POSTED, FAILED, IN_DOUBT, REVIEW)}
    assert states == {POSTED: "posted", FAILED: "failed", IN_DOUBT: "in_doubt", REVIEW: "awaiting_review"}, states
    return Populated(ledger, folder.campaign.id, now)


@pytest.fixture
def users() -> Users:
    return Users((User("sokha", Role.OPERATOR, OPERATOR), User("dara", Role.VIEWER, VIEWER)), metrics_token=METRICS)


class WallClock:
    """The app's wall clock, moved by the test."""

    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> WallClock:
    return WallClock()


@pytest.fixture
def app(populated: Populated, users: Users, clock: WallClock) -> FastAPI:
    return create_app(populated.ledger, users, secret_key="test-secret", clock=clock, failure_delay=0.0)


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@pytest.fixture
def browser(app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    """``browser(token)``: a client logged in through the login form (it then holds the session cookie)."""
    clients: list[TestClient] = []

    def log_in(token: str) -> TestClient:
        client = TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1")
        clients.append(client)
        answer = client.post("/login", data={"token": token, "next": "/"}, follow_redirects=False)
        assert answer.status_code == 303, answer.text
        return client

    yield log_in
    for client in clients:
        client.close()


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` over real HTTP: uvicorn in a thread on a free loopback port; gives its address."""
    sock = bind("127.0.0.1", 0)  # as `campaign web` binds
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the dashboard did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
