"""``campaign web`` and ``campaign run`` serving the dashboard: real processes over real HTTP."""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from campaign.redis_server import ping, socket_path_for, url_for_socket
from tests.pipeline_fixtures import small_folder  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from campaign.cli import main; main()"]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CAMPAIGN_KEY_PREFIX", "CAMPAIGN_WEB_TOKEN")}
    env.update(CAMPAIGN_HOME=str(home), PYTHONPATH=str(ROOT))
    return env


def _line(proc: subprocess.Popen[str], prefix: str, timeout: float = 60.0) -> str:
    """The first line of the process's stdout that starts with ``prefix``."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()
            if line.startswith(prefix):
                return line.strip()
            if not line and proc.poll() is not None:
                break
    proc.kill()
    raise AssertionError(f"no line starting {prefix!r}; stderr: {proc.stderr.read() if proc.stderr else ''}")


@pytest.mark.slow
def test_the_command_after_a_replay_opens_it_in_the_dashboard(small_folder: Path, tmp_path: Path) -> None:
    """simulate leaves its ledger and prints the command; that command serves it over HTTP, the printed
    login link logs in, and no token reaches the log."""
    env = _env(tmp_path / "home")
    sim = subprocess.run([*CLI, "simulate", str(small_folder), "--out", str(tmp_path / "out")], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert sim.returncode == 0, sim.stderr[-2000:]
    command = re.search(r"open it in the dashboard: campaign (web .+)$", sim.stdout, re.M)
    assert command, sim.stdout
    web = subprocess.Popen([*CLI, *command.group(1).split(), "--port", "0"], env=env, cwd=tmp_path,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        link = _line(web, "dashboard: ").split()[1]
        base, token = link.split("/login?token=")
        assert base.startswith("http://127.0.0.1:") and len(token) >= 16
        with httpx.Client(base_url=base, timeout=10) as client:
            assert client.get("/healthz").json() == {"status": "ok"}
            assert client.get("/api/campaigns").status_code == 401
            login = client.get(f"/login?token={token}")
            assert login.status_code == 303 and login.headers["location"] == "/"
            page = client.get("/")
            assert page.status_code == 200 and "Small test campaign" in page.text
            assert "(simulated clock)" in page.text
            [summary] = client.get("/api/campaigns", headers={"Authorization": f"Bearer {token}"}).json()
            assert summary["id"] == "small" and summary["counts"].get("posted", 0) > 0
            assert client.get("/api/campaigns", headers={"Authorization": "Bearer wrong-token-123456789"}).status_code == 401
    finally:
        web.send_signal(signal.SIGTERM)
        out, err = web.communicate(timeout=30)
    assert web.returncode == 0 and "dashboard stopped" in out, err[-2000:]
    assert not ping(url_for_socket(socket_path_for(tmp_path / "home" / "simulation" / "redis")))  # its Redis too
    assert token not in out + err  # the link was printed once (read above), never logged
    assert "token=[secret]" in out  # the login request, logged without it
    assert "refused GET /api/campaigns" in err and "wrong-token" not in err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_run_serves_the_dashboard_and_stops_it(small_folder: Path, tmp_path: Path) -> None:
    env = _env(tmp_path / "home")
    port = _free_port()
    run = subprocess.Popen([*CLI, "run", str(small_folder), "--web-port", str(port), "--duration", "60"], env=env,
                           cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        link = _line(run, "dashboard: ", timeout=120).split()[1]
        assert link.startswith(f"http://127.0.0.1:{port}/login?token=")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            assert client.get(link.split(f":{port}", 1)[1]).status_code == 303
            assert "Small test campaign" in client.get("/").text
    finally:
        run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=60)
    assert run.returncode == 0, err[-2000:]
    assert "stopped: beat, worker and Redis shut down cleanly" in out
    log = (tmp_path / "home" / "logs" / "web.log").read_text()
    assert link.split("token=")[1] not in log and "GET /login?token=[secret]" in log
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


@pytest.mark.slow
def test_run_without_the_dashboard(small_folder: Path, tmp_path: Path) -> None:
    run = subprocess.run([*CLI, "run", str(small_folder), "--no-web", "--duration", "2"], env=_env(tmp_path / "home"),
                         cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "dashboard:" not in run.stdout and not (tmp_path / "home" / "logs" / "web.log").exists()


def test_the_dashboard_socket_sends_small_answers_at_once() -> None:
    """Connections accepted from `campaign web`'s socket inherit TCP_NODELAY: a small answer written
    as headers then body is not held back for the client's delayed ACK (40 ms each, before)."""
    import socket as _socket

    from campaign.web.serve import bind

    sock = bind("127.0.0.1", 0)
    try:
        assert sock.getsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY)
        with _socket.create_connection(sock.getsockname()) as client:
            accepted, _ = sock.accept()
            with accepted:
                assert accepted.getsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY)
    finally:
        sock.close()
