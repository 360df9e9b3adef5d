"""``campaign apply``, ``run`` and ``web`` check the Redis they are given: persistence off, or a
``maxmemory-policy`` that evicts, is a loud warning naming the risk and the fix; the embedded server
(append-only file on, noeviction) gives none. A private server per module (its config is changed here).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner

from campaign.cli import main
from campaign.ledger.health import config_warnings
from campaign.redis_server import EmbeddedRedis
from tests.pipeline_fixtures import *  # noqa: F403
from tests.test_web_serve import CLI, _env

PERSISTENCE = ("persistence is off", "forgets what went out", "appendonly yes")
EVICTION = ("maxmemory-policy is allkeys-lru", "deletes keys", "maxmemory-policy noeviction")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    srv = EmbeddedRedis(tmp_path_factory.mktemp("checked-redis")).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server: EmbeddedRedis) -> Iterator[redis.Redis]:
    c = redis.Redis.from_url(server.url)
    saved = {k: c.config_get(k)[k] for k in ("appendonly", "save", "maxmemory-policy")}
    yield c
    for k, v in saved.items():
        c.config_set(k, v)
    c.flushdb()
    c.close()


def _misconfigure(client: redis.Redis, persistence: bool, eviction: bool) -> tuple[str, ...]:
    """Turn persistence off and/or eviction on; the phrases the warnings must then carry."""
    if persistence:
        client.config_set("appendonly", "no")
        client.config_set("save", "")
    if eviction:
        client.config_set("maxmemory-policy", "allkeys-lru")
    return (PERSISTENCE if persistence else ()) + (EVICTION if eviction else ())


def test_the_embedded_server_needs_no_warning(client: redis.Redis) -> None:
    assert config_warnings(client) == []
    client.config_set("appendonly", "no")  # snapshots alone still keep the ledger across a restart
    client.config_set("save", "3600 1")
    assert config_warnings(client) == []


@pytest.mark.parametrize("persistence,eviction", [(True, False), (False, True), (True, True)])
def test_apply_warns_loudly_about_a_redis_that_forgets(client, server: EmbeddedRedis, small_folder: Path,  # type: ignore[no-untyped-def]
                                                       monkeypatch: pytest.MonkeyPatch, persistence: bool,
                                                       eviction: bool) -> None:
    monkeypatch.setenv("REDIS_URL", server.url)
    monkeypatch.setenv("CAMPAIGN_KEY_PREFIX", "checks:")
    phrases = _misconfigure(client, persistence, eviction)
    result = CliRunner().invoke(main, ["apply", str(small_folder)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: Redis")]
    assert len(warnings) == persistence + eviction
    for phrase in phrases:
        assert phrase in result.stderr
    assert (not persistence) or "persistence" not in result.stdout  # on stderr, not in apply's report


def test_web_warns_too(client, server: EmbeddedRedis, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    phrases = _misconfigure(client, True, True)
    env = {**_env(tmp_path / "home"), "REDIS_URL": server.url}
    web = subprocess.Popen([*CLI, "web", "--port", "0"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        from tests.test_web_serve import _line

        _line(web, "dashboard: ")  # it serves all the same
    finally:
        web.terminate()
        _, err = web.communicate(timeout=30)
    for phrase in phrases:
        assert phrase in err


@pytest.mark.slow
def test_run_warns_too(client, server: EmbeddedRedis, small_folder: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    phrases = _misconfigure(client, True, True)
    env = {**_env(tmp_path / "home"), "REDIS_URL": server.url, "CAMPAIGN_KEY_PREFIX": "checks-run:"}
    run = subprocess.run([*CLI, "run", str(small_folder), "--no-web", "--duration", "1"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    for phrase in phrases:
        assert phrase in run.stderr
