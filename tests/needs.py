"""What some tests need from the machine, in one place.

A test that needs a program from the OS carries one of these marks. Where the program is missing the
test fails (never skips), saying which package to install: CI cannot pass having checked nothing.
`.ci/run` installs them (as root, with apt-get); on a developer's machine, install them once.
The checks are session fixtures, so they run before any module fixture that would start the program.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

#: Debian's chromium, which the browser tests drive through Playwright.
CHROMIUM = Path("/usr/bin/chromium")


def _require(present: bool, what: str, package: str) -> None:
    if not present:
        pytest.fail(f"{what} is not installed: apt-get install {package} (.ci/run installs it when run as root "
                    "on Debian)", pytrace=False)


@pytest.fixture(scope="session")
def needs_chromium() -> None:
    _require(CHROMIUM.exists(), f"Debian's chromium ({CHROMIUM})", "chromium")


@pytest.fixture(scope="session")
def needs_redis_server() -> None:
    _require(shutil.which("redis-server") is not None, "redis-server (on PATH)", "redis-server")


chromium = pytest.mark.usefixtures("needs_chromium")
redis_server = pytest.mark.usefixtures("needs_redis_server")
