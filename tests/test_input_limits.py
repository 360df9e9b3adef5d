"""Hostile or broken input files are refused before they are parsed or expanded, in one located line:
a "billion laughs", nesting thousands deep, characters YAML refuses, files too big, and a roster of
20,000 people read in about a second (``campaign.bounded``; the time is ``benchmarks.startup``'s)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from campaign.bounded import MAX_ALIAS_VALUES, MAX_DEPTH, MAX_YAML_BYTES, compose, read_text
from campaign.cards.photos import MAX_PHOTO_BYTES
from campaign.checks import load_checked, load_consistent
from campaign.credentials import MAX_SECRET_BYTES, resolve, unresolved
from campaign.errors import CredentialError, InputError
from tests.folder_fixtures import CAMPAIGN, ROSTER, write_folder

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]


def refused(folder: Path) -> str:
    """The one problem of a folder, as printed."""
    with pytest.raises(InputError) as err:
        load_consistent(folder)
    [problem] = err.value.problems
    return str(problem)


def bomb(levels: int = 9, width: int = 9) -> tuple[str, str]:
    """A "billion laughs" (``width`` ** ``levels`` strings), and ``LINE: FIELD`` of the first alias after
    which aliases have repeated more than MAX_ALIAS_VALUES values: found by the rule itself."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    size, repeated, where = width + 1, 0, None  # values in the anchored list, counting the list
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
        repeated += width * size
        if where is None and repeated > MAX_ALIAS_VALUES:  # the alias that went over, at its field
            where = f"{i + 1}: l{i}[{width - 1 - (repeated - MAX_ALIAS_VALUES - 1) // size}]"
        size = 1 + width * size
    assert where is not None
    return "\n".join(lines) + "\n", where


def peak_bytes(run: Callable[[], T]) -> tuple[T, int]:
    """``run()``'s result and the most memory Python allocated meanwhile (what was read or expanded)."""
    tracemalloc.start()
    try:
        return run(), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_billion_laughs_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    text, line = bomb()
    folder = write_folder(tmp_path, text + CAMPAIGN)
    problem, peak = peak_bytes(lambda: refused(folder))
    assert peak < 20_000_000  # never expanded (a billion values would be gigabytes); its time: benchmarks.startup
    assert re.match(rf".*campaign\.yaml:{re.escape(line)}: aliases \(\*name\) repeat more than {MAX_ALIAS_VALUES:,} values",
                    problem), (line, problem)


def test_aliases_may_repeat_up_to_the_limit_and_not_one_value_more() -> None:
    width = 99  # the anchored list is 100 values
    head = f"a: &a [{', '.join(['x'] * width)}]\nb:\n"
    fits = MAX_ALIAS_VALUES // (width + 1)
    data, lines = compose(head + "  - *a\n" * fits, "f.yaml")
    assert len(data["b"]) == fits and data["b"][0] == ["x"] * width and lines[("b", fits - 1)] == 2 + fits
    with pytest.raises(InputError) as err:
        compose(head + "  - *a\n" * (fits + 1), "f.yaml")
    assert str(err.value).startswith(f"f.yaml:{3 + fits}: b[{fits}]: aliases (*name) repeat more than")


def test_an_alias_to_no_anchor_or_to_its_own_collection_is_located() -> None:
    for text, line in (("a: 1\nb: *nothing\n", 2), ("a: &a\n  - 1\n  - *a\n", 3)):
        with pytest.raises(InputError) as err:
            compose(text, "f.yaml")
        assert str(err.value).startswith(f"f.yaml:{line}: ") and "refers to no anchor" in str(err.value)


@pytest.mark.parametrize("text, line", [
    ("a: 1\nb: !!python/object:collections.OrderedDict\n  c: 1\n", 2),
    ("a: 1\nb: !!python/tuple [1, 2]\n", 2),
    ("a: !!set {x, y}\n", 1),
    ("a: 1\nb: !!python/str x\n", 2),
    ("a: !mine\n  - 1\n", 1),
])
def test_a_tag_on_any_value_is_refused_at_its_line(text: str, line: int) -> None:
    """Nothing is ever built from a tag (the loader is safe), and a tagged mapping or list is refused
    like a tagged text, not read as if untagged."""
    with pytest.raises(InputError) as err:
        compose(text, "f.yaml")
    assert str(err.value).startswith(f"f.yaml:{line}: ") and "is not allowed here; remove it" in str(err.value)
    compose("a: !!map {b: 1}\nc: !!seq [1]\nd: !!str 2\n", "f.yaml")  # the plain ones, written out, are fine


@pytest.mark.parametrize("style", ["flow", "block"])
def test_nesting_is_read_to_the_limit_and_refused_one_level_deeper(style: str) -> None:
    def nested(depth: int) -> str:  # the root mapping is level 1
        if style == "flow":
            return "x: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"
        return "".join("  " * i + "a:\n" for i in range(depth - 1)) + "  " * (depth - 1) + "a: 1\n"

    data, _ = compose(nested(MAX_DEPTH), "f.yaml")
    assert data
    with pytest.raises(InputError) as err:
        compose(nested(MAX_DEPTH + 1), "f.yaml")
    line = 1 if style == "flow" else MAX_DEPTH + 1  # where the mapping one level too deep starts
    assert str(err.value).startswith(f"f.yaml:{line}: ") and f"nested more than {MAX_DEPTH} levels deep" in str(err.value)


@pytest.mark.parametrize("depth", [5_000, 200_000])
def test_deep_nesting_is_one_line_not_a_recursion_error(tmp_path: Path, depth: int) -> None:
    deep = "extra: " + "[" * depth + "]" * depth + "\n"
    folder = write_folder(tmp_path, CAMPAIGN + deep)
    problem, peak = peak_bytes(lambda: refused(folder))
    assert peak < 20_000_000  # not built level by level
    assert f"campaign.yaml:{CAMPAIGN.count(chr(10)) + 1}: nested more than {MAX_DEPTH} levels deep" in problem


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x9b", "\ufffe"])
def test_a_character_yaml_refuses_is_located_with_what_to_do(tmp_path: Path, char: str) -> None:
    lines = ROSTER.splitlines(keepends=True)
    at = next(i for i, text in enumerate(lines) if "Bob B" in text)
    column = lines[at].index("Bob B") + 4
    lines[at] = lines[at].replace("Bob B", "Bob" + char + "B")
    problem = refused(write_folder(tmp_path, roster="".join(lines)))
    assert problem.startswith(f"{tmp_path / 'camp' / 'roster.yaml'}:{at + 1}: column {column}: the character "
                              f"U+{ord(char):04X} ")
    assert "not allowed in YAML; delete it" in problem


def test_characters_yaml_allows_are_read(tmp_path: Path) -> None:
    name = "Bob\u00a0B \u200b\U0001f54a\ufeff \u1780\u17b6"  # no-break space, ZWSP, emoji, BOM, Khmer
    folder = load_consistent(write_folder(tmp_path, roster=ROSTER.replace("Bob B", name)))
    assert folder.roster.by_id()["bob"].name.get("en") == name


def test_a_file_too_big_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    with open(folder / "roster.yaml", "ab") as f:
        f.truncate(50 * MAX_YAML_BYTES)  # sparse: 400 MB of NUL bytes, never read
    problem, peak = peak_bytes(lambda: refused(folder))
    assert peak < 2 * MAX_YAML_BYTES  # read no further than the limit
    assert problem.endswith(f"roster.yaml: the file is larger than {MAX_YAML_BYTES // 1_048_576} MB, the limit for a "
                            "YAML file; check it is the right file, or split it")
    exact = tmp_path / "exact.yaml"
    exact.write_bytes(b"a: 1\n" + b"#" * (MAX_YAML_BYTES - 6) + b"\n")
    assert len(read_text(exact, "exact.yaml")) == MAX_YAML_BYTES


def test_a_second_document_is_located() -> None:
    with pytest.raises(InputError) as err:
        compose("a: 1\n---\nb: 2\n", "f.yaml")
    assert str(err.value).startswith("f.yaml:2: a second YAML document starts here")


def test_a_roster_of_20000_people_with_one_duplicate_id_is_one_located_line(tmp_path: Path) -> None:
    """(How long it takes is ``benchmarks.startup``'s: about a second, 16-17 s before libyaml read it.)"""
    people = [f"  - id: p{i}\n    name: {{en: Person {i}, km: មនុស្ស {i}}}\n    events:\n"
              f"      - {{date: 2020-08-01, type: arrested}}\n" for i in range(20_000)]
    people[-1] = people[-1].replace("p19999", "p7")
    folder = write_folder(tmp_path, roster="people:\n" + "".join(people))
    problem = refused(folder)
    assert problem.endswith(f"roster.yaml:{1 + 19_999 * 4 + 1}: people[19999].id: 'p7' is used twice; ids must be unique "
                            "(people[7] has it first)")


def test_photos_and_secret_files_are_bounded_before_they_are_read(tmp_path: Path) -> None:
    roster = ROSTER.replace("    name: {en: Bob B}", "    name: {en: Bob B}\n    photo: photos/bob.jpg")
    folder = write_folder(tmp_path, roster=roster)
    with open(folder / "photos" / "bob.jpg", "wb") as f:
        f.truncate(MAX_PHOTO_BYTES + 1)
    problem = refused(folder)
    assert f"roster.yaml:{roster.splitlines().index('    photo: photos/bob.jpg') + 1}: people[1].photo: " in problem
    assert f"larger than {MAX_PHOTO_BYTES // 1_048_576} MB, the limit for an image" in problem
    secret = tmp_path / "token"
    with open(secret, "wb") as f:
        f.truncate(1_000_000_000)
    with pytest.raises(CredentialError, match=f"larger than {MAX_SECRET_BYTES // 1024} KB"):
        resolve(f"file:{secret}")
    secret.write_bytes(b"\xff\xfe\x00s3cr3t")
    with pytest.raises(CredentialError, match="not UTF-8 text"):
        resolve(f"file:{secret}")
    [problem_] = unresolved("mastodon", {"token": f"file:{secret}"})
    assert "not UTF-8 text" in str(problem_) and "s3cr3t" not in str(problem_)


def test_the_command_prints_one_located_line_and_queues_nothing(tmp_path: Path) -> None:
    text, line = bomb()
    folder = write_folder(tmp_path, text + CAMPAIGN)
    done = subprocess.run([sys.executable, "-c", "from campaign.cli import main; main()", "validate", str(folder)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "CAMPAIGN_HOME": str(tmp_path)})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"{folder / 'campaign.yaml'}:{line}: aliases (*name) repeat more than {MAX_ALIAS_VALUES:,} values in all "
        "(a \"billion laughs\"?); write the values out, or use fewer aliases",
        "1 problem found; nothing was queued or posted."]


def test_the_example_campaign_still_loads() -> None:
    checked = load_checked(ROOT / "config" / "campaigns" / "release-hrds-2021")
    assert checked.slots


@pytest.mark.parametrize("reader", ["campaign.yaml", "roster.yaml", "template.yaml", "users file"])
def test_every_yaml_the_project_reads_is_bounded(tmp_path: Path, reader: str) -> None:
    """Each reader of a YAML file goes through campaign.bounded: a bomb in any of them is one located line."""
    from campaign.cards import load_template
    from campaign.definition import load_folder
    from campaign.web.users import load_users

    text, where = bomb()
    folder = write_folder(tmp_path)
    path = {"campaign.yaml": folder / "campaign.yaml", "roster.yaml": folder / "roster.yaml",
            "template.yaml": tmp_path / "tpl" / "template.yaml", "users file": tmp_path / "users.yaml"}[reader]
    path.parent.mkdir(exist_ok=True)
    path.write_text(text + "x: 1\n", encoding="utf-8")
    load = {"campaign.yaml": lambda: load_folder(folder), "roster.yaml": lambda: load_folder(folder),
            "template.yaml": lambda: load_template(path.parent), "users file": lambda: load_users(path)}[reader]

    def refuse() -> pytest.ExceptionInfo[InputError]:
        with pytest.raises(InputError) as err:
            load()
        return err

    err, peak = peak_bytes(refuse)
    assert peak < 20_000_000  # never expanded
    assert [str(p) for p in err.value.problems if "aliases" in p.message] == [
        f"{path}:{where}: aliases (*name) repeat more than {MAX_ALIAS_VALUES:,} values in all (a \"billion laughs\"?); "
        "write the values out, or use fewer aliases"]
