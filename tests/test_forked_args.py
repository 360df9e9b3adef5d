"""``python -m workers.forked``'s own arguments: which queues a spare child takes, and what is refused."""

from __future__ import annotations

import pytest

from workers.forked import _without_last_queue, main


def test_a_spare_child_leaves_out_the_last_queue_only() -> None:
    args = ["-A", "workers.app", "worker", "-Q", "render,publish,tick,warm", "-c", "1"]
    assert _without_last_queue(args) == ["-A", "workers.app", "worker", "-Q", "render,publish,tick", "-c", "1"]
    assert _without_last_queue(["-Q", "publish"]) == ["-Q", "publish"]  # never left with no queue at all
    assert _without_last_queue(["worker", "-c", "1"]) == ["worker", "-c", "1"]


@pytest.mark.parametrize("argv", [["--spare"], ["--spare", "x", "2", "w", "--"], ["2", "w"], ["0", "w", "--"],
                                  ["--held", "--spare", "1", "2", "w", "-c"]])
def test_bad_arguments_are_refused_with_the_usage(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage: python -m workers.forked [--held] [--spare N]" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "says"), [(["0", "w", "--"], "COUNT: '0'"), (["--spare", "x", "2", "w", "--"], "--spare: 'x'"),
                                            (["2", "w"], "after --"), (["2", "w", "-c"], "unrecognized arguments: -c")])
def test_a_refusal_says_what_is_wrong(argv: list[str], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert says in capsys.readouterr().err


def test_help_lists_every_option_and_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    shown = capsys.readouterr().out
    assert all(word in shown for word in ("--held", "--spare N", "COUNT", "NAME"))
