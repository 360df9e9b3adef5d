"""docker-compose.yml and the image, checked without a Docker engine: the file is valid against the
Compose specification's JSON Schema (vendored in tests/data/compose-spec.json, from
compose-spec/compose-spec), every service's command exists in the package, every environment
variable the code or the file reads is documented in the README, and each service's command line,
started as a plain process against a password-protected Redis on TCP with the same variables,
comes up healthy."""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import redis
import yaml

from campaign.cli import main
from campaign.redis_server import find_redis_server

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
OURS = {name: s for name, s in SERVICES.items() if s.get("image") == "campaign-scheduler"}
ENV_NAME = re.compile(r"^(CAMPAIGN_[A-Z_]+|REDIS_URL)$")
INTERPOLATED = re.compile(r"\$\{([A-Z_]+)")
BIN = Path(sys.executable).parent


def test_the_compose_file_is_valid_against_the_compose_specification() -> None:
    import jsonschema

    schema = json.loads((ROOT / "tests" / "data" / "compose-spec.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)  # the schema's own draft
    validator.validate(COMPOSE)  # raises with the path of the first error
    broken = {**COMPOSE, "services": {"web": {**SERVICES["web"], "restart": ["always"]}}}
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)


def test_the_services_a_coalition_needs_are_there() -> None:
    assert {"redis", "render", "publish", "alerts", "beat", "web", "flower"} <= set(SERVICES)
    assert SERVICES["flower"]["profiles"] == ["monitoring"]
    redis_cmd = SERVICES["redis"]["command"]
    assert redis_cmd[redis_cmd.index("--appendonly") + 1] == "yes" and "--requirepass" in redis_cmd
    assert any(v.startswith("redis-data:/data") for v in SERVICES["redis"]["volumes"])
    assert "redis-data" in COMPOSE["volumes"]
    assert "replicas" not in SERVICES["publish"].get("deploy", {}) and "container_name" not in SERVICES["publish"]
    assert any("users.yaml" in v for v in SERVICES["web"]["volumes"])
    for name, service in OURS.items():  # every one of ours reaches Redis with the password from .env
        assert "${REDIS_PASSWORD" in service["environment"]["REDIS_URL"], name


@pytest.mark.parametrize("name", sorted(OURS))
def test_each_services_command_exists_in_the_package(name: str) -> None:
    command = OURS[name]["command"]
    if command[0] == "campaign":
        ctx = main.make_context("campaign", list(command[1:]))
        sub = main.get_command(ctx, command[1])
        assert sub is not None, command
        sub.make_context(command[1], list(command[2:]))  # the options parse
    else:
        assert command[:3] == ["celery", "-A", "workers.app"], command
        assert (BIN / "celery").exists()
        from workers.app import app

        queues = {route["queue"] for route in app.conf.task_routes.values()}
        if command[3] == "worker":
            assert set(command[command.index("-Q") + 1].split(",")) <= queues, command
        else:
            assert command[3] == "beat"


def _env_names_in_code() -> set[str]:
    """Every string constant in campaign/ and workers/ that is an environment variable's name."""
    names, defined = set(), set()
    for path in [*ROOT.joinpath("campaign").rglob("*.py"), *ROOT.joinpath("workers").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and ENV_NAME.match(node.value):
                names.add(node.value)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined.add(node.id)  # CAMPAIGN_ACTIONS: a Python name (in __all__), not a variable
    return names - defined


def test_every_variable_the_services_read_is_documented() -> None:
    in_code = _env_names_in_code()
    assert {"REDIS_URL", "CAMPAIGN_HOME", "CAMPAIGN_TICK_SECONDS"} <= in_code
    in_compose = set(INTERPOLATED.findall((ROOT / "docker-compose.yml").read_text(encoding="utf-8")))
    for service in SERVICES.values():
        in_compose |= set(service.get("environment") or {})
    missing = sorted(name for name in in_code | in_compose if f"`{name}`" not in README)
    assert not missing, f"README.md does not document {', '.join(missing)} (write it as `NAME`)"


def test_make_up_and_down_wrap_docker_compose() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target, verb in (("up", "up -d --build"), ("down", "down")):
        body = makefile.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]
        assert f"docker compose {verb}" in body


def test_the_image_shapes_khmer_runs_as_a_user_and_checks_its_health() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "libfribidi0" in dockerfile and "libraqm0" in dockerfile
    users = [line.split(None, 1)[1].strip() for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    health = next(line for line in dockerfile.splitlines() if line.startswith("HEALTHCHECK"))
    assert '"campaign", "doctor"' in health
    done = subprocess.run([str(BIN / "campaign"), "doctor"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Khmer shaping" in done.stdout


# ---- every service's command line, as a plain process --------------------------------------

PASSWORD = "test-password-0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def tcp_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The compose file's redis command (append-only, noeviction, a password), on a TCP port."""
    port, data = _free_port(), tmp_path_factory.mktemp("redis-tcp")
    args = [_interpolate(a) for a in SERVICES["redis"]["command"][1:]]
    proc = subprocess.Popen([find_redis_server(), *args, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data),
                             "--save", ""], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, password=PASSWORD)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "the test Redis did not start"
            time.sleep(0.05)
    assert client.config_get("appendonly")["appendonly"] == "yes"
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=port, password="wrong").ping()
    yield port
    proc.terminate()
    proc.wait(10)


def _interpolate(value: str) -> str:
    return re.sub(r"\$\{REDIS_PASSWORD[^}]*\}", PASSWORD, value)


def _service_env(name: str, port: int, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not ENV_NAME.match(k)}
    for key, value in OURS[name]["environment"].items():
        env[key] = _interpolate(str(value)).replace("@redis:6379", f"@127.0.0.1:{port}")
    env["CAMPAIGN_HOME"] = str(home)  # /var/lib/campaign in the image
    env["WEB_SOKHA_TOKEN"] = "sokha-token-0123456789abcdef"
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def _command(name: str, home: Path, web_port: int) -> list[str]:
    args = []
    for arg in OURS[name]["command"]:
        arg = arg.replace("/var/lib/campaign", str(home)).replace("/etc/campaign/users.yaml", str(home / "users.yaml"))
        args.append(str(web_port) if arg == "8000" else arg)
    return args


def _healthy(name: str, proc: subprocess.Popen[bytes], log: Path, env: dict[str, str], port: int, web_port: int) -> bool:
    text = log.read_text(errors="replace")
    if name == "beat":  # it sends tick: the message waits in the tick queue (no worker here)
        return "Scheduler: Sending due task tick" in text or redis.Redis(port=port, password=PASSWORD).llen("tick") > 0
    if name == "web":
        check = [str(BIN / "campaign"), "doctor", "--redis", "--url", f"http://127.0.0.1:{web_port}/healthz"]
    elif "ready." in text:
        check = [str(BIN / "campaign"), "doctor", "--redis"]  # the image's health check, in the same environment
    else:
        return False
    return subprocess.run(check, env=env, capture_output=True, timeout=60).returncode == 0


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(OURS))
def test_each_service_comes_up_healthy_as_a_plain_process(name: str, tcp_redis: int, tmp_path: Path) -> None:
    (tmp_path / "users.yaml").write_text("users:\n  - {name: sokha, role: operator, token: env:WEB_SOKHA_TOKEN}\n")
    web_port = _free_port()
    env = _service_env(name, tcp_redis, tmp_path)
    log = tmp_path / f"{name}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(_command(name, tmp_path, web_port), env=env, cwd=tmp_path, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _healthy(name, proc, log, env, tcp_redis, web_port):
            assert proc.poll() is None, f"{shlex.join(proc.args)} exited: {log.read_text(errors='replace')[-2000:]}"  # type: ignore[arg-type]
            assert time.monotonic() < deadline, f"{name} did not come up: {log.read_text(errors='replace')[-2000:]}"
            time.sleep(0.5)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
