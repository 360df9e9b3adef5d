"""The users file (``campaign web --users FILE``): tokens are references, every problem located."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import main
from campaign.sources import InputError
from campaign.web import Role, load_users, one_operator
from campaign.web.serve import TokenFilter, is_loopback

GOOD = "a-token-of-at-least-sixteen-characters"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "users.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_users(path, env or {})
    return [str(p) for p in caught.value.problems]


def test_a_users_file_resolves_its_references(tmp_path: Path) -> None:
    (tmp_path / "tokens").mkdir()
    (tmp_path / "tokens" / "dara").write_text(GOOD + "-dara\n")
    path = write(tmp_path, "users:\n  - {name: sokha, role: operator, token: env:SOKHA}\n"
                           "  - {name: dara, role: viewer, token: file:tokens/dara}\nmetrics_token: env:METRICS\n")
    users = load_users(path, {"SOKHA": GOOD, "METRICS": GOOD + "-metrics"})
    assert [(u.name, u.role, u.token) for u in users.users] == [("sokha", Role.OPERATOR, GOOD),
                                                               ("dara", Role.VIEWER, GOOD + "-dara")]
    assert users.by_token(GOOD + "-dara").name == "dara" and users.by_token("x" * 20) is None
    assert users.is_metrics_token(GOOD + "-metrics") and not users.is_metrics_token(GOOD)
    assert GOOD not in repr(users)


def test_a_literal_token_is_refused_with_file_and_line_and_not_echoed(tmp_path: Path) -> None:
    path = write(tmp_path, f"users:\n  - name: sokha\n    role: operator\n    token: {GOOD}\n")
    [problem] = problems(path)
    assert problem.startswith(f"{path}:4: users[0].token: a literal secret is not allowed")
    assert GOOD not in problem


@pytest.mark.parametrize("text,expected", [
    ("users:\n  - {name: a, role: admin, token: env:A}\n", ":2: users[0].role: is 'admin'; write one of 'viewer' or 'operator'"),
    ("users:\n  - {name: a, role: viewer, token: env:UNSET}\n", ":2: users[0].token: env:UNSET: the environment variable"),
    ("users:\n  - {name: a, role: viewer, token: env:SHORT}\n", ":2: users[0].token: env:SHORT: the token is shorter"),
    ("users:\n  - {name: a, role: viewer, token: env:A}\n  - {name: a, role: operator, token: env:B}\n",
     ":3: users[1].name: 'a' is also users[0]"),
    ("users:\n  - {name: a, role: viewer, token: env:A}\n  - {name: b, role: operator, token: env:A}\n",
     ":3: users[1].token: b has the same token as a"),
    ("users:\n  - {name: a, role: viewer, token: env:A}\nmetrics_token: env:A\n",
     ":3: metrics_token: the metrics token is a's token"),
    ("users:\n  - {name: a, role: viewer, token: env:A, email: x}\n", ":2: users[0].email: unknown key"),
    ("users: []\n", ":1: users: List should have at least 1 item"),
    ("users:\n  - {name: 'a b', role: viewer, token: env:A}\n", ":2: users[0].name: String should match pattern"),
])
def test_every_problem_is_located(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    found = problems(path, {"A": GOOD, "B": GOOD + "b", "SHORT": "tiny"})
    assert any(p.startswith(str(path) + expected.split(":", 2)[0] + ":" + expected.split(":", 2)[1]) and
               expected.split(":", 2)[2].strip() in p for p in found), found
    assert all(GOOD not in p and "tiny" not in p for p in found)


def test_campaign_web_refuses_a_users_file_with_a_literal_token(tmp_path: Path) -> None:
    path = write(tmp_path, f"users:\n  - name: sokha\n    role: operator\n    token: {GOOD}\n")
    result = CliRunner().invoke(main, ["web", "--users", str(path), "--port", "0"])
    assert result.exit_code == 2
    assert f"{path}:4: users[0].token: a literal secret is not allowed" in result.output
    assert GOOD not in result.output


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "example.org"])
def test_campaign_web_binds_no_other_address_without_users(host: str) -> None:
    result = CliRunner().invoke(main, ["web", "--host", host, "--port", "0"])
    assert result.exit_code == 1 and "--users" in result.output and "127.0.0.1" in result.output


@pytest.mark.parametrize("host,loopback", [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True),
                                           ("localhost", True), ("0.0.0.0", False), ("::", False),
                                           ("10.0.0.1", False), ("example.org", False)])
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_log_filter_hides_tokens_in_messages_and_in_access_log_fields() -> None:
    import logging

    token = one_operator().users[0].token
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:1", "GET", f"/login?token={token}&next=/", "1.1", 303), None)
    TokenFilter([token]).filter(record)
    assert token not in record.getMessage() and "token=[secret]&next=/" in record.getMessage()
    near_miss = logging.LogRecord("campaign.web", logging.INFO, __file__, 1, "asked /login?token=%s", (token[:-1],),
                                  None)
    TokenFilter([token]).filter(near_miss)
    assert token[:-1] not in near_miss.getMessage()
