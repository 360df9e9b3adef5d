"""What some tests need from the machine, in one place.

Outside CI a missing program skips the tests that need it, with the command that installs it.
Under `.ci/run` (which installs them and exports ``CAMPAIGN_CI=1``; ``CI`` also counts) they are
never skipped: a test that cannot find its program fails, so CI never passes having checked nothing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

#: Debian's chromium, which the browser tests drive through Playwright.
CHROMIUM = Path("/usr/bin/chromium")
IN_CI = bool(os.environ.get("CAMPAIGN_CI") or os.environ.get("CI"))

chromium = pytest.mark.skipif(not CHROMIUM.exists() and not IN_CI,
                              reason="Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
redis_server = pytest.mark.skipif(shutil.which("redis-server") is None and not IN_CI,
                                  reason="Debian's redis-server is not installed (.ci/run installs it: "
                                         "apt-get install redis-server)")
