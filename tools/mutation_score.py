"""Print the mutation score of the pure core after ``mutmut run`` (``make mutate``).

score = (killed + timed out) / (all mutants - mutants listed as equivalent)

A mutant is *equivalent* when no behaviour can tell it from the original (e.g. a cache size, or a
``<`` that cannot meet equality); each is listed in ``tests/mutation_equivalents.txt`` as
``mutant-name  reason``. Every other survivor is a rule no test states: it is printed, so the next
test to write is in front of you.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TARGET = 0.90
EQUIVALENTS = Path(__file__).resolve().parents[1] / "tests" / "mutation_equivalents.txt"


def equivalents() -> dict[str, str]:
    out: dict[str, str] = {}
    if EQUIVALENTS.exists():
        for line in EQUIVALENTS.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, reason = line.partition(" ")
                out[name] = reason.strip()
    return out


def main() -> int:
    mutmut = Path(sys.executable).with_name("mutmut")
    listing = subprocess.run([str(mutmut), "results", "--all", "true"], capture_output=True, text=True, check=True).stdout
    states: dict[str, str] = {}
    for line in listing.splitlines():
        name, _, state = line.strip().rpartition(": ")
        if name:
            states[name] = state
    if not states:
        print("no mutation results: run `make mutate` (mutmut run) first")
        return 1
    known = equivalents()
    stale = sorted(set(known) - set(states))
    counted = {n: s for n, s in states.items() if n not in known}
    killed = sum(1 for s in counted.values() if s in ("killed", "timeout"))
    survivors = sorted(n for n, s in counted.items() if s not in ("killed", "timeout"))
    score = killed / len(counted) if counted else 0.0
    for name in survivors:
        print(f"  survived: {name} ({counted[name]})")
    for name in stale:
        print(f"  listed as equivalent but no longer generated: {name}")
    print(f"mutation score of the pure core: {killed}/{len(counted)} = {score:.1%} "
          f"(target {TARGET:.0%}; {len(states)} mutants, {len(known)} listed as equivalent, {len(survivors)} surviving)")
    return 0 if score >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
