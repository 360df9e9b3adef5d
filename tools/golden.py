"""Fingerprint everything the example campaign produces, to show a refactor changed nothing.

    python tools/golden.py write            # record tests/golden/example.json
    python tools/golden.py check            # exit 1 and name every output that differs

What is fingerprinted: the plan (``campaign plan --json``), every outbox record of a full
``campaign simulate`` (caption, alt text, account, time) and the bytes of every published card,
and every card of ``campaign preview``. Each is a SHA-256, so the manifest is small and a diff
names the exact file that changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CAMPAIGN = ROOT / "config" / "campaigns" / "release-hrds-2021"
MANIFEST = ROOT / "tests" / "golden" / "example.json"


def _campaign(*args: str, home: Path) -> str:
    env = {**os.environ, "CAMPAIGN_HOME": str(home)}
    env.pop("REDIS_URL", None)
    cmd = [sys.executable, "-c", "from campaign.cli import main; main()", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"campaign {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprints() -> dict[str, str]:
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out["plan.json"] = _digest(_campaign("plan", str(CAMPAIGN), "--json", home=work / "home").encode())
        _campaign("simulate", str(CAMPAIGN), "--out", str(work / "sim"), home=work / "home")
        for path in sorted((work / "sim" / "outbox").iterdir()):
            if path.suffix == ".json":
                record = json.loads(path.read_text(encoding="utf-8"))
                for field in ("caption", "alt_text", "account", "posted_at", "card"):
                    out[f"outbox/{path.stem}.{field}"] = _digest(json.dumps(record.get(field), ensure_ascii=False).encode())
            else:
                out[f"outbox/{path.name}"] = _digest(path.read_bytes())
        _campaign("preview", str(CAMPAIGN), "--out", str(work / "preview"), home=work / "home")
        for path in sorted((work / "preview").glob("*.jpg")):
            out[f"preview/{path.name}"] = _digest(path.read_bytes())
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("write", "check"):
        print(__doc__)
        return 2
    now = fingerprints()
    if argv[0] == "write":
        MANIFEST.parent.mkdir(parents=True, exist_ok=True)
        MANIFEST.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {MANIFEST.relative_to(ROOT)}: {len(now)} outputs")
        return 0
    before = json.loads(MANIFEST.read_text(encoding="utf-8"))
    changed = sorted(k for k in before.keys() & now.keys() if before[k] != now[k])
    gone, new = sorted(before.keys() - now.keys()), sorted(now.keys() - before.keys())
    for title, names in (("changed", changed), ("no longer produced", gone), ("new", new)):
        for name in names:
            print(f"{title}: {name}")
    same = not (changed or gone or new)
    print(f"{len(now)} outputs: " + ("identical to the manifest" if same else
          f"{len(changed)} changed, {len(gone)} gone, {len(new)} new"))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
