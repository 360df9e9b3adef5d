"""How long the ``campaign`` command takes to start, and ``simulate`` beside ``preview``.

    python -m benchmarks.startup [--runs 7] [--long-runs 3] [--skip-long]

Each figure is the median wall time of several runs of a fresh process (the machine is shared:
the spread is printed too), beside its target:

* the baseline: ``python -c 'import click, pydantic, yaml'`` (what any CLI of this kind pays);
* ``campaign --help``: at most 2.5x the baseline (the command modules load, none of their libraries);
* ``campaign validate`` of the example campaign: at most 5x the baseline;
* ``campaign validate`` of a 20,000-person roster with one duplicate id: answered in about a second
  (issue 14: 16-17 s before), for people written as the issue's roster (a name in two languages, an
  arrest) and, as a figure, for fuller ones (a group, a charge, a conviction and its sentence each);
* ``campaign validate`` of a campaign.yaml that is a "billion laughs" (aliases expanding to 10^9
  values): refused in under a second;
* ``campaign simulate`` of the example (a private Redis and a real Celery worker replaying the
  whole campaign) beside ``campaign preview`` of the same campaign (every card rendered, on every
  core): at most 2x. OUT is a temporary folder, as is the replay's data folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config" / "campaigns" / "release-hrds-2021"
CAMPAIGN = [sys.executable, "-c", "from campaign.cli import main; main()"]  # what the `campaign` script runs
# Bytecode cached as in any installed copy, even where PYTHONDONTWRITEBYTECODE is set (compiling the
# project's modules afresh at every start would be most of what is measured): the warm-up run of
# each figure writes it, under a temporary prefix rather than beside the sources.
_PYCACHE = tempfile.TemporaryDirectory(prefix="bench-pycache-")
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "PYTHONPYCACHEPREFIX": _PYCACHE.name}


def big_roster(folder: Path, full: bool) -> Path:
    """The example campaign with a roster of 20,000 people, the last one's id a copy of another's
    (``full``: each with a group, a charge and a conviction with its sentence, not only an arrest)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "campaign.yaml").write_text((EXAMPLE / "campaign.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    people = []
    for i in range(20_000):
        group = f"    group: {{en: Group {i % 50}}}\n" if full else ""
        later = (f"      - {{date: 2020-08-02, type: charged, charge: {{en: incitement {i % 7}}}}}\n"
                 "      - {date: 2021-03-01, type: convicted, sentence: 2 years}\n") if full else ""
        people.append(f"  - id: {f'p{i}' if i < 19_999 else 'p7'}\n    name: {{en: Person {i}, km: មនុស្ស {i}}}\n{group}"
                      f"    events:\n      - {{date: 2020-08-01, type: arrested}}\n{later}")
    (folder / "roster.yaml").write_text("people:\n" + "".join(people), encoding="utf-8")
    return folder


def timed(args: Sequence[str], env: dict[str, str] | None = None, refused: str = "") -> float:
    """Seconds for one run of ``args`` (which must succeed; ``refused``: must stop, exit 2, saying this)."""
    start = time.perf_counter()
    done = subprocess.run(list(args), cwd=ROOT, env=env or ENV, capture_output=True, text=True)
    took = time.perf_counter() - start
    if refused and done.returncode == 2 and refused in done.stderr:
        return took
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return took


def median_of(runs: int, once: Callable[[], float]) -> tuple[float, float, float]:
    """(median, min, max) seconds over ``runs`` runs, after one unmeasured warm-up (disk caches)."""
    once()
    times = [once() for _ in range(runs)]
    return statistics.median(times), min(times), max(times)


def row(name: str, figure: tuple[float, float, float], base: float, target: float | None) -> bool:
    """Print one row: the median, its spread, its ratio to ``base`` and the target ratio; True if met."""
    med, lo, hi = figure
    ratio = med / base
    met = target is None or ratio <= target
    aim = f"target at most {target:g}x" if target is not None else ""
    mark = "" if target is None else ("ok" if met else "ABOVE TARGET")
    print(f"  {name:<42} {1000 * med:8.0f} ms  ({1000 * lo:.0f}-{1000 * hi:.0f})  {ratio:5.2f}x  {aim}  {mark}")
    return met


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each start-up figure (median)")
    parser.add_argument("--long-runs", type=int, default=3, help="runs of simulate and preview (median)")
    parser.add_argument("--skip-long", action="store_true", help="start-up figures only")
    args = parser.parse_args(argv)

    print(f"start-up, median of {args.runs} fresh processes ({os.cpu_count()} cores):")
    base = median_of(args.runs, lambda: timed([sys.executable, "-c", "import click, pydantic, yaml"]))
    row("python -c 'import click, pydantic, yaml'", base, base[0], None)
    ok = row("campaign --help", median_of(args.runs, lambda: timed([*CAMPAIGN, "--help"])), base[0], 2.5)
    ok &= row("campaign validate (the example)",
              median_of(args.runs, lambda: timed([*CAMPAIGN, "validate", str(EXAMPLE)])), base[0], 5.0)
    with tempfile.TemporaryDirectory(prefix="bench-roster-") as tmp:
        for label, full, target in (("a name and an arrest each", False, 1.0), ("group, charge, sentence each", True, None)):
            folder = big_roster(Path(tmp) / ("full" if full else "plain"), full)
            figure = median_of(args.runs, lambda: timed([*CAMPAIGN, "validate", str(folder)], refused="is used twice"))
            med, lo, hi = figure
            aim = f"target about {target:g} s" if target else "(figure)"
            print(f"  validate, 20,000 people, one id twice: {label:<30} {1000 * med:6.0f} ms  ({1000 * lo:.0f}-"
                  f"{1000 * hi:.0f})  {aim}")
        bomb = Path(tmp) / "bomb"
        bomb.mkdir()
        laughs = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n" for i in range(1, 10))
        (bomb / "campaign.yaml").write_text("l0: &l0 [lol]\n" + laughs, encoding="utf-8")
        (bomb / "roster.yaml").write_text((EXAMPLE / "roster.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        med, lo, hi = median_of(args.runs, lambda: timed([*CAMPAIGN, "validate", str(bomb)], refused="aliases"))
        print(f"  validate, a billion laughs in campaign.yaml (10^9 values)         {1000 * med:6.0f} ms  ({1000 * lo:.0f}-"
              f"{1000 * hi:.0f})  target under 1 s")
    if args.skip_long:
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        out = Path(tmp)
        env = {**ENV, "CAMPAIGN_HOME": str(out / "home")}
        print(f"\nthe example campaign end to end, median of {args.long_runs} runs:")
        preview = median_of(args.long_runs, lambda: timed(
            [*CAMPAIGN, "preview", str(EXAMPLE), "--out", str(out / "preview")], env))
        row("campaign preview", preview, preview[0], None)
        simulate = median_of(args.long_runs, lambda: timed(
            [*CAMPAIGN, "simulate", str(EXAMPLE), "--out", str(out / "sim"), "--data-dir", str(out / "simulation")],
            env))
        ok &= row("campaign simulate (vs preview)", simulate, preview[0], 2.0)
    return 0  # figures, not a test: a target missed is printed, never an error


if __name__ == "__main__":
    sys.exit(main())
