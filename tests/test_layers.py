"""The layers of ARCHITECTURE.md, enforced: a module imports only from its own layer and the layers
below it; nothing in campaign/ imports in a circle; the pure core imports neither Redis nor Celery,
and only workers/ imports Celery.

Every import counts, at the top of a module or inside a function. Imports under ``if TYPE_CHECKING:``
count for the layers (an annotation is a dependency too) but not for cycles (nothing is imported
when the program runs). A new module needs a layer: add it to LAYERS (and to ARCHITECTURE.md).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("campaign", "workers")

#: Lowest first. A name covers the module and, for a package, every module in it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("campaign", "campaign.types", "campaign.words", "campaign.sources", "campaign.bounded",
                    "campaign.credentials",
                    "campaign.xtext", "campaign.skytext", "campaign.platforms", "campaign.cache", "campaign.clock", "campaign.errors")),
    ("definition", ("campaign.cadence", "campaign.definition", "campaign.roster", "campaign.facts",
                    "campaign.alert_config")),
    ("rules", ("campaign.rotation", "campaign.plan", "campaign.vocabulary", "campaign.fields", "campaign.filling",
               "campaign.captions")),
    ("cards", ("campaign.cards",)),
    ("checks", ("campaign.checks",)),
    ("services", ("campaign.ledger", "campaign.publishers", "campaign.redis_server", "campaign.alerts")),
    ("pipeline", ("campaign.pipeline", "campaign.report")),
    ("workers", ("workers",)),
    ("edges", ("campaign.cli", "campaign.web")),
)
#: Third-party packages a layer below ``from_layer`` may not import, and why.
KEPT_ABOVE: dict[str, tuple[str, str]] = {
    "celery": ("workers", "only workers/ knows Celery"),
    "kombu": ("workers", "only workers/ knows Celery"),
    "redis": ("services", "the pure core takes its inputs as values and never talks to Redis"),
}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the module imported (a project module, or a third-party top-level name)
    where: str  # file:line of the import statement
    typing_only: bool  # under ``if TYPE_CHECKING:``


def project_files(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the project by dotted name (a package by its ``__init__.py``)."""
    files = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            files[".".join(parts)] = path
    return files


def _typing_blocks(tree: ast.AST) -> set[int]:
    """Ids of the import nodes inside ``if TYPE_CHECKING:`` blocks."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return inside


def imports_of(module: str, source: str, is_package: bool, modules: set[str], file: str) -> Iterator[Import]:
    """Every import in ``source`` (top level, in functions, in TYPE_CHECKING blocks), resolved."""
    tree = ast.parse(source)
    typing_only = _typing_blocks(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # ``from package import module`` imports the module; ``from module import name`` the module
            targets = [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in modules else prefix for a in node.names]
        else:
            continue
        for target in dict.fromkeys(targets):
            if target.split(".")[0] not in PACKAGES:
                target = target.split(".")[0]
            yield Import(module, target, f"{file}:{node.lineno}", id(node) in typing_only)


def all_imports(files: Mapping[str, Path], root: Path = ROOT) -> list[Import]:
    modules = set(files)
    return [imp for name, path in files.items()
            for imp in imports_of(name, path.read_text(encoding="utf-8"), path.name == "__init__.py", modules,
                                  path.relative_to(root).as_posix())]


def layer_of(module: str) -> int | None:
    """The index in LAYERS of the longest name covering ``module``; None if no layer names it."""
    best: tuple[int, int] | None = None
    for index, (_, names) in enumerate(LAYERS):
        for name in names:
            if module == name or (module.startswith(name + ".") and name not in PACKAGES[:1]):
                if best is None or len(name) > best[0]:
                    best = (len(name), index)
    return best[1] if best else None


def layer_problems(imports: list[Import]) -> list[str]:
    """One line per import of a layer above the importer's, and per forbidden third-party import."""
    problems = []
    for imp in imports:
        mine = layer_of(imp.source)
        if mine is None:
            continue  # reported by unplaced_modules
        if imp.target.split(".")[0] in PACKAGES:
            theirs = layer_of(imp.target)
            if theirs is not None and theirs > mine:
                problems.append(f"{imp.where}: {imp.source} (layer {LAYERS[mine][0]!r}) imports {imp.target} "
                                f"(layer {LAYERS[theirs][0]!r}, above it); move the code it needs down, or pass "
                                "it in as a parameter")
        elif imp.target in KEPT_ABOVE:
            lowest, why = KEPT_ABOVE[imp.target]
            floor = next(i for i, (name, _) in enumerate(LAYERS) if name == lowest)
            if mine < floor:
                problems.append(f"{imp.where}: {imp.source} (layer {LAYERS[mine][0]!r}) imports "
                                f"{imp.target}: {why}")
    return problems


def cycles(imports: list[Import]) -> list[list[str]]:
    """Each import cycle among the project's modules (run-time imports only), as a closed path."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        if not imp.typing_only and imp.target.split(".")[0] in PACKAGES and imp.target != imp.source:
            graph.setdefault(imp.source, set()).add(imp.target)
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            loop = path[path.index(node):] + [node]
            if not any(set(loop) == set(seen) for seen in found):
                found.append(loop)
            return
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, path + [node])
        done.add(node)

    for start in sorted(graph):
        visit(start, [])
    return found


def unplaced_modules(files: Mapping[str, Path]) -> list[str]:
    return sorted(name for name in files if layer_of(name) is None)


# --- the project -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project() -> tuple[dict[str, Path], list[Import]]:
    files = project_files()
    return files, all_imports(files)


def test_every_module_has_a_layer(project: tuple[dict[str, Path], list[Import]]) -> None:
    files, _ = project
    assert unplaced_modules(files) == [], "add each to LAYERS in tests/test_layers.py and to ARCHITECTURE.md"


def test_no_module_imports_from_a_layer_above_it(project: tuple[dict[str, Path], list[Import]]) -> None:
    _, imports = project
    problems = layer_problems(imports)
    assert not problems, "\n".join(problems)


def test_no_import_cycle(project: tuple[dict[str, Path], list[Import]]) -> None:
    _, imports = project
    found = cycles(imports)
    assert not found, "\n".join(" -> ".join(loop) for loop in found)


# --- the checker itself finds what it must -----------------------------------------------------


def _check(tmp_path: Path, sources: dict[str, str]) -> tuple[list[str], list[list[str]], list[str]]:
    for name, text in sources.items():
        path = tmp_path / (name.replace(".", "/") + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    files = project_files(tmp_path)
    imports = all_imports(files, tmp_path)
    return layer_problems(imports), cycles(imports), unplaced_modules(files)


def test_the_checker_names_an_upward_import_even_inside_a_function(tmp_path: Path) -> None:
    problems, _, _ = _check(tmp_path, {
        "campaign.__init__": "",
        "campaign.plan": "def f():\n    from .pipeline.tick import tick\n",
        "campaign.pipeline.__init__": "",
        "campaign.pipeline.tick": "from ..plan import f\n",
    })
    assert len(problems) == 1
    assert problems[0].startswith("campaign/plan.py:2: campaign.plan (layer 'rules') imports campaign.pipeline.tick "
                                  "(layer 'pipeline', above it)")


def test_the_checker_keeps_celery_in_workers_and_redis_out_of_the_core(tmp_path: Path) -> None:
    problems, _, _ = _check(tmp_path, {
        "campaign.__init__": "",
        "campaign.cli.__init__": "import workers.tasks\n",  # an edge may call into workers
        "campaign.pipeline.__init__": "from celery import Celery\n",
        "campaign.roster": "import redis\n",
        "campaign.ledger.__init__": "import redis\n",
        "workers.__init__": "",
        "workers.tasks": "from celery import shared_task\nfrom campaign.ledger import redis\n",
    })
    assert [p.split(":")[0] for p in problems] == ["campaign/pipeline/__init__.py", "campaign/roster.py"]
    assert "only workers/ knows Celery" in problems[0] and "never talks to Redis" in problems[1]


def test_the_checker_finds_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    _, found, _ = _check(tmp_path, {
        "campaign.__init__": "",
        "campaign.definition": "def checks():\n    from .captions import check\n",
        "campaign.captions": "from .definition import KINDS\nfrom typing import TYPE_CHECKING\n"
                             "if TYPE_CHECKING:\n    from .plan import Slot\n",
        "campaign.plan": "from .captions import x\n",  # captions -> plan only for typing: no cycle
    })
    assert found == [["campaign.captions", "campaign.definition", "campaign.captions"]]


def test_the_checker_asks_for_a_layer_for_a_new_module(tmp_path: Path) -> None:
    _, _, unplaced = _check(tmp_path, {"campaign.__init__": "", "campaign.newthing": "", "campaign.cards.x": ""})
    assert unplaced == ["campaign.newthing"]
