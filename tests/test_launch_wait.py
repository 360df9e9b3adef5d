"""Waiting for a worker process to end works in a process holding many files (a long benchmark,
a busy dashboard): past descriptor 1023, select() refuses a descriptor, poll() does not."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import pytest

from workers.launch import _ended_within


@pytest.fixture
def many_files() -> object:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 1200
    if max(soft, hard if hard != resource.RLIM_INFINITY else want) < want:
        pytest.fail(f"this test needs {want} open files; the limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        yield held
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_process_ending_is_seen_with_a_thousand_files_open(many_files: object) -> None:
    quick = subprocess.Popen([sys.executable, "-c", "pass"])
    assert _ended_within(quick, 10.0)
    quick.wait()


def test_a_process_still_running_is_not_taken_for_ended(many_files: object) -> None:
    slow = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert not _ended_within(slow, 0.2)
    finally:
        slow.kill()
        slow.wait()
