"""The README's guides run: every ```sh run block of each guide, in a temporary folder holding a
copy of config/, with the project's commands on PATH and no REDIS_URL (the embedded Redis)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^\*\*(\w+)\*\*:.*?^```sh run\n(.*?)^```", re.M | re.S)
GUIDES = {name.lower(): body for name, body in BLOCK.findall(README.split("## Guides", 1)[1].split("\n## ", 1)[0])}


def test_every_person_has_a_runnable_guide() -> None:
    assert set(GUIDES) == {"organiser", "designer", "monitor", "operator"}
    assert all(body.strip() for body in GUIDES.values())


@pytest.mark.slow
@pytest.mark.parametrize("guide", sorted(GUIDES))
def test_the_guide_runs(guide: str, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "config", tmp_path / "config")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL" and not k.startswith("CAMPAIGN_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["CAMPAIGN_HOME"] = str(tmp_path / ".campaign")
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", GUIDES[guide]], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"the {guide} guide failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
