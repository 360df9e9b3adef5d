"""load_checked: a campaign is refused when a template cannot show a planned post."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cards import ASSETS
from campaign.checks import load_checked
from campaign.cli import main
from campaign.sources import InputError


def one_person_released(example: Path, tmp_path: Path) -> Path:
    """The example campaign with released_template pointing at its own one-person template."""
    folder = tmp_path / "campaign"
    shutil.copytree(example, folder)
    shutil.copytree(ASSETS / "portrait", folder / "templates" / "one")
    spec = folder / "templates" / "one" / "template.yaml"
    text = spec.read_text(encoding="utf-8")
    assert "\nname: portrait\n" in text and "\nmax_people: 1\n" in text
    spec.write_text(text.replace("\nname: portrait\n", "\nname: one\n"), encoding="utf-8")
    yaml = folder / "campaign.yaml"
    text = yaml.read_text(encoding="utf-8")
    assert "\nreleased_template: released\n" in text
    yaml.write_text(text.replace("\nreleased_template: released\n", "\nreleased_template: one\n"), encoding="utf-8")
    return folder


def line_of(file: Path, start: str) -> int:
    return next(i for i, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(start))


def test_example_passes(example_folder: Path) -> None:
    assert load_checked(example_folder).campaign.id == "release-hrds-2021"


def test_one_person_released_template_is_refused_at_its_line(example_folder: Path, tmp_path: Path) -> None:
    folder = one_person_released(example_folder, tmp_path)
    with pytest.raises(InputError) as exc:
        load_checked(folder)
    [problem] = exc.value.problems  # one per template, not one per post
    assert problem.file.endswith("campaign.yaml")
    assert problem.line == line_of(folder / "campaign.yaml", "released_template:")
    assert problem.field == "released_template"
    msg = problem.message
    assert msg.startswith("template 'one' shows at most 1 person(s), but 12 released post(s) on 3 day(s)")
    assert "2021-11-12 (3 people)" in msg and "2021-11-05 (2 people)" in msg
    assert "'released' or 'collage'" in msg and "max_people" in msg and "announce_releases: false" in msg


def test_people_per_post_above_the_template_is_refused_at_template(example_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "campaign"
    shutil.copytree(example_folder, folder)
    yaml = folder / "campaign.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("\npeople_per_post: 1\n", "\npeople_per_post: 2\n"),
                    encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_checked(folder)
    [problem] = exc.value.problems
    assert problem.field == "template" and problem.line == line_of(yaml, "template:")
    assert problem.message.startswith("template 'portrait' shows at most 1 person(s), but ")
    assert "weekly post(s)" in problem.message and "set people_per_post to at most 1" in problem.message


def test_validate_exits_2_naming_the_template(example_folder: Path, tmp_path: Path) -> None:
    folder = one_person_released(example_folder, tmp_path)
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 2 and result.stdout == ""
    line = line_of(folder / "campaign.yaml", "released_template:")
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{folder / 'campaign.yaml'}:{line}: released_template: template 'one' shows at most 1 person(s)")
    assert "2021-11-12 (3 people)" in first
    assert "nothing was queued or posted" in result.stderr and "Traceback" not in result.stderr
