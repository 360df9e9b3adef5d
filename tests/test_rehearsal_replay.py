"""Rehearsals end to end: ``campaign simulate --faults`` as an organiser runs it (a subprocess with its
own Redis and a real Celery worker), then the ledger it leaves (``--data-dir``) read back.

Each fault must end where the ledger's rules say, nothing may be lost or doubled, and the same seed
must replay the same rehearsal."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from campaign.ledger import Ledger
from campaign.ledger.keys import DEFAULT_PREFIX
from campaign.pipeline.faults import load_plan
from campaign.redis_server import EmbeddedRedis
from tests.pipeline_fixtures import SMALL_CAMPAIGN, assert_exactly_once, write_folder

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
EVERY_KIND = "auth:1,transient:1,rate_limit:1,rejected:1,in_doubt:1,missed:1"


def _campaign(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CAMPAIGN_KEY_PREFIX")}
    env.update(PYTHONPATH=str(ROOT), CAMPAIGN_HOME=str(home))
    return subprocess.run([sys.executable, "-c", "from campaign.cli import main; main()", *args], env=env,
                          cwd=home.parent, capture_output=True, text=True, timeout=300)


@dataclass
class Rehearsal:
    folder: Path
    out: Path
    data: Path
    stdout: str

    def fault_lines(self) -> list[str]:
        """The rehearsal's part of the summary (no timings)."""
        lines = self.stdout.splitlines()
        head = next(i for i, line in enumerate(lines) if line.startswith("faults (seed"))
        return [line for line in lines[head:] if line.startswith(("faults", "  "))]

    @contextmanager
    def ledger(self) -> Iterator[Ledger]:
        """The ledger the rehearsal left in its --data-dir."""
        server = EmbeddedRedis(self.data / "redis").start()
        led = Ledger.from_url(server.url, prefix=DEFAULT_PREFIX)
        try:
            yield led
        finally:
            led.close()
            server.stop()


def rehearse(root: Path, spec: str, seed: int, campaign: dict | None = None) -> Rehearsal:
    folder = write_folder(root / "folder", campaign=campaign)
    r = Rehearsal(folder, root / "out", root / "data", "")
    result = _campaign("simulate", str(folder), "--out", str(r.out), "--data-dir", str(r.data), "--faults", spec,
                       "--seed", str(seed), home=root / "home")
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout
    r.stdout = result.stdout
    return r


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory: pytest.TempPathFactory) -> Rehearsal:
    return rehearse(tmp_path_factory.mktemp("every-kind"), EVERY_KIND, seed=3)


def _outcomes(attempts: list[dict]) -> list[str]:
    return [a["outcome"] for a in attempts]


def test_each_fault_ends_where_the_ledgers_rules_say(every_kind: Rehearsal) -> None:
    with every_kind.ledger() as ledger:
        plan = load_plan(ledger, "small")
        assert plan is not None and plan.spec == {k: 1 for k in plan.spec} and len(plan.spec) == 6
        post = {kind: pid for pid, kind in plan.posts.items()}
        assert set(plan.met) == set(plan.posts)  # every chosen post met its fault
        states = assert_exactly_once(ledger, "small", every_kind.out / "outbox")  # nothing lost, nothing doubled
        audit = list(ledger.iter_audit("small"))

        def moves(pid: str) -> list[tuple[str, str]]:
            return [(e["to"], e["detail"]) for e in audit if e["post"] == pid]

        # transient: retried after a backoff, then posted
        tries = ledger.attempts(post["transient"])
        assert states[post["transient"]] == "posted" and _outcomes(tries) == ["retry", "posted"]
        assert tries[1]["ts"] - tries[0]["ts"] >= 0.5  # the backoff (base 1 s in a rehearsal, at least half)
        # rate_limit: the account waited for its reset, then the post went out
        tries = ledger.attempts(post["rate_limit"])
        account = ledger.account_state("small", ledger.account_of(post["rate_limit"]))
        assert states[post["rate_limit"]] == "posted" and _outcomes(tries) == ["rate_limited", "posted"]
        assert tries[1]["ts"] >= float(account["rate_limited_until"])
        # rejected: failed for a person, the account not blocked
        assert states[post["rejected"]] == "failed" and _outcomes(ledger.attempts(post["rejected"])) == ["rejected"]
        assert "auth_failed" not in ledger.account_state("small", ledger.account_of(post["rejected"]))
        # in_doubt: out, in doubt, found by the look-up; sent once, never retried blindly
        doubt = moves(post["in_doubt"])
        assert states[post["in_doubt"]] == "posted"
        assert [to for to, _ in doubt].count("publishing") == 1
        assert doubt[-2][0] == "in_doubt" and doubt[-1] == ("posted", "found on the platform")
        # missed: its task waited for a worker past its time plus max_lateness; never claimed
        assert states[post["missed"]] == "missed"
        assert moves(post["missed"])[-1] == ("missed", "too late: past its time plus max_lateness")
        assert "publishing" not in [to for to, _ in moves(post["missed"])]
        # auth: failed, the account blocked; each of its later posts failed at its claim, none went out
        blocked = ledger.account_of(post["auth"])
        assert states[post["auth"]] == "failed" and _outcomes(ledger.attempts(post["auth"])) == ["auth_failed"]
        assert "[rehearsal fault]" in ledger.account_state("small", blocked)["auth_failed"]
        auth_due = ledger.post(post["auth"]).due
        later = [p for p in ledger.posts("small") if p.slot.account == blocked and p.due > auth_due]
        assert later and all(p.state == "failed" and (p.error or "").startswith("account blocked") for p in later)
        # and no other post met anything
        others = {pid: s for pid, s in states.items() if pid not in plan.posts and pid not in {p.id for p in later}}
        assert set(others.values()) == {"posted"}


def test_the_summary_status_and_report_show_where_each_ended_and_what_to_run_next(every_kind: Rehearsal) -> None:
    lines = every_kind.fault_lines()
    assert lines[0].startswith(f"faults (seed 3): {EVERY_KIND} -> ")
    with every_kind.ledger() as ledger:
        plan = load_plan(ledger, "small")
    assert plan is not None
    text = "\n".join(lines)
    post = {kind: pid for pid, kind in plan.posts.items()}
    for kind, pid in post.items():
        assert any(line.split()[:2] == [kind, f"{pid}:"] for line in lines), (kind, text)
    blocked = post["auth"].rsplit(":", 1)[1]
    assert f"campaign accounts unblock {blocked} small" in text and f"campaign retry {post['auth']}" in text
    assert f"campaign retry {post['rejected']}" in text
    assert "posted after 1 retry with backoff" in text and "rate-limit reset" in text
    assert "found on the platform by the look-up" in text and "missed: no worker took it" in text
    status = _campaign("status", "small", "--json", "--data-dir", str(every_kind.data / "redis"),
                       home=every_kind.data.parent / "home")
    assert status.returncode == 0, status.stderr
    info = json.loads(status.stdout)
    assert [b["account"] for b in info["blocked"]] == [blocked]
    assert {f["post"] for f in info["failures"]} >= {post["auth"], post["rejected"], post["missed"]}
    page = (every_kind.out / "report.html").read_text(encoding="utf-8")
    assert "Rehearsal: faults injected" in page
    for kind, pid in post.items():
        assert f'<tr id="{pid}">' in page and f'<a href="#{pid}">' in page
    assert page.count('class="fault"') == len(post)


def test_the_same_seed_replays_the_same_rehearsal(every_kind: Rehearsal, tmp_path: Path) -> None:
    again = rehearse(tmp_path, EVERY_KIND, seed=3)
    assert again.fault_lines() == [line.replace(str(every_kind.folder), str(again.folder))
                                   for line in every_kind.fault_lines()]


def test_an_in_doubt_post_its_platform_cannot_look_up_waits_for_a_person(tmp_path: Path) -> None:
    """Telegram cannot find a past post: the post stays in doubt, the summary says to resolve it, and the
    command it gives settles it."""
    campaign = copy.deepcopy(SMALL_CAMPAIGN)
    for account in campaign["accounts"]:
        account.update(platform="telegram", channel="@org", credentials={"token": "env:UNSET_TG_TOKEN"})
    r = rehearse(tmp_path, "in_doubt:1", seed=5, campaign=campaign)
    with r.ledger() as ledger:
        (pid,) = load_plan(ledger, "small").posts  # type: ignore[union-attr]
        assert ledger.state(pid) == "in_doubt" and not ledger.index("small", "doubt")  # no more look-ups
    text = "\n".join(r.fault_lines())
    assert "telegram cannot look a post up" in text
    assert f"campaign resolve {pid} --posted URL (or --not-posted)" in text
    result = _campaign("resolve", pid, "--posted", "https://t.me/org/1", "--data-dir", str(r.data / "redis"),
                       home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    with r.ledger() as ledger:
        states = assert_exactly_once(ledger, "small", r.out / "outbox")
    assert states[pid] == "posted" and set(states.values()) == {"posted"}
