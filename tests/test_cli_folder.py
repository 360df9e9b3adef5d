"""The organisers' folder commands through click's runner: validate, plan, schema."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from campaign.cli import main
from tests.folder_fixtures import CAMPAIGN, write_folder


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_validate_ok_summary(example_folder: Path) -> None:
    code, out, _ = run("validate", example_folder)
    assert code == 0, out
    assert out.startswith("ok: release-hrds-2021: 14 people, 4 accounts, 18 weeks,")  # 14 since the two refugees (issue 13)


def test_validate_errors_exit_2_with_located_lines(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, CAMPAIGN.replace("weekday: wednesday", "weekday: wendesday"))
    code, out, err = run("validate", folder)
    assert code == 2 and out == ""
    first = err.splitlines()[0]
    assert first.endswith("campaign.yaml:8: cadence.weekday: 'wendesday' is not a weekday (did you mean 'wednesday'?); use monday ... sunday")
    assert "nothing was queued or posted" in err
    assert "Traceback" not in err


def test_validate_warns_about_pins_on_people_not_held(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, CAMPAIGN + "pins:\n  - {date: 2021-09-08, people: [bob]}\n")
    code, out, err = run("validate", folder)
    assert code == 0 and "warning: pin on 2021-09-08: bob is not detained that day" in err


def test_plan_table_and_filters(example_folder: Path) -> None:
    code, out, _ = run("plan", example_folder, "--from", "2021-09-15", "--to", "2021-09-21")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].split() == ["week", "local", "time", "account", "kind", "people"]
    assert len(lines) == 1 + 4 + 1 and lines[-1] == "4 posts"
    assert all(line.startswith("6 ") and "Rong Chhun" in line and "weekly" in line for line in lines[1:5])


def test_plan_json(example_folder: Path) -> None:
    code, out, _ = run("plan", example_folder, "--json")
    assert code == 0
    posts = json.loads(out)
    assert len(posts) > 60
    assert {p["kind"] for p in posts} == {"weekly", "finale", "released"}
    first = posts[0]
    assert first["id"] == "release-hrds-2021:2021-08-11:licadho-km" and first["due"].endswith("+07:00")
    assert first["platform"] == "outbox" and first["language"] == "km" and first["template"] == "portrait"
    # which caption each post goes out with: its variant taken in turn from its language's list for its kind
    from campaign.checks import load_consistent

    captions = load_consistent(example_folder).campaign.captions
    for p in posts:
        n = len(captions[p["language"]].for_kind(p["kind"]))
        assert p["caption"] == f"captions.{p['language']}.{p['kind']}[{p['variant'] % n}]"
    assert len({p["caption"] for p in posts if p["kind"] == "weekly" and p["language"] == "en"}) > 1


def test_plan_as_of_shows_the_plan_as_it_was(example_folder: Path) -> None:
    _, now_out, _ = run("plan", example_folder, "--json")
    _, then_out, _ = run("plan", example_folder, "--json", "--as-of", "2021-09-01")
    now_posts, then_posts = json.loads(now_out), json.loads(then_out)
    # On 1 September nobody knew of the November releases: no released posts were planned.
    assert not [p for p in then_posts if p["kind"] == "released"]
    assert [p for p in now_posts if p["kind"] == "released"]


def test_plan_bad_date_option(example_folder: Path) -> None:
    code, _, err = run("plan", example_folder, "--from", "15/09/2021")
    assert code == 2 and "not a date; write YYYY-MM-DD" in err


def test_plan_on_invalid_folder(tmp_path: Path) -> None:
    code, out, err = run("plan", tmp_path / "missing")
    assert code == 2 and "not a folder" in err


def test_schema_has_both_files() -> None:
    code, out, _ = run("schema")
    schema = json.loads(out)
    assert code == 0
    assert "accounts" in schema["campaign"]["properties"] and "people" in schema["roster"]["properties"]
    code, out, _ = run("schema", "--file", "roster")
    assert "people" in json.loads(out)["properties"]


def test_validate_unknown_template(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, CAMPAIGN.replace("template: portrait", "template: portrat"))
    code, out, err = run("validate", folder)
    assert code == 2 and out == ""
    assert "campaign.yaml:10: template:" in err and "portrat" in err


def test_validate_refuses_unreadable_photos(tmp_path: Path) -> None:
    from tests.folder_fixtures import ROSTER

    roster = ROSTER.replace("    group: {en: Group A}", "    group: {en: Group A}\n    photo: photos/alice.jpg")
    roster = roster.replace("    name: {en: Bob B}", "    name: {en: Bob B}\n    photo: photos/bob.png")
    folder = write_folder(tmp_path, roster=roster)
    (folder / "photos" / "alice.jpg").write_bytes(b"")  # zero bytes
    (folder / "photos" / "bob.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)  # truncated
    code, out, err = run("validate", folder)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0].endswith("roster.yaml:5: people[0].photo: photos/alice.jpg (alice): the file is empty (0 bytes); send the photo again")
    assert "roster.yaml:11: people[1].photo: photos/bob.png (bob):" in lines[1]


def test_plan_refuses_a_corrupt_photo_like_apply(tmp_path: Path) -> None:
    import random

    from tests.folder_fixtures import ROSTER

    roster = ROSTER.replace("    group: {en: Group A}", "    group: {en: Group A}\n    photo: photos/alice.jpg")
    folder = write_folder(tmp_path, roster=roster)
    (folder / "photos" / "alice.jpg").write_bytes(random.Random(7).randbytes(2048))  # random bytes named .jpg
    code, out, err = run("plan", folder)
    assert code == 2 and out == ""
    assert "roster.yaml:5: people[0].photo: photos/alice.jpg (alice):" in err and "nothing was queued" in err


def test_validate_warns_about_a_caption_field_empty_for_someone_featured(tmp_path: Path) -> None:
    campaign = CAMPAIGN.replace('"{name}: {days} days behind bars. {hashtags}"',
                                '"{name}: sentence {sentence}. {hashtags}"')
    code, _, err = run("validate", write_folder(tmp_path, campaign))
    assert code == 0
    warned = [line for line in err.splitlines() if " uses {sentence}" in line]
    assert len(warned) == 1 and warned[0].startswith("warning: captions.en.weekly[1] uses {sentence}, empty in ")
    assert "(not sentenced): the caption would read '" in warned[0] and ": sentence . #FreeThem'" in warned[0]


def test_plan_notes_events_dated_after_today(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)  # bob is released on 2021-09-01
    code, out, err = run("plan", folder, "--today", "2021-08-20")
    assert code == 0 and out.rstrip().endswith("posts")
    assert ("note: this plan uses 1 roster event dated after today, 2021-08-20 (bob released on 2021-09-01); "
            "`campaign apply` plans as of today, so posts depending on them appear only once that day comes") in err
    assert "use --as-of 2021-08-20 to see what apply stores" in err
    _, as_of_out, as_of_err = run("plan", folder, "--as-of", "2021-08-20")
    assert as_of_out != out and "note:" not in as_of_err  # they do differ, and --as-of is explicit
    _, _, err = run("plan", folder, "--json", "--today", "2021-09-02")
    assert "note:" not in err


def test_one_mistake_in_a_template_named_twice_is_one_problem(tmp_path: Path) -> None:
    """The campaign.yaml lines naming the template point at its problems, and are not counted as more."""
    import shutil

    folder = write_folder(tmp_path, CAMPAIGN.replace("template: portrait", "template: mine\nreleased_template: mine"))
    shutil.copytree(Path("assets/templates/portrait"), folder / "templates" / "mine")
    spec = folder / "templates" / "mine" / "template.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("{group}", "{gruop}", 1), encoding="utf-8")
    code, out, err = run("validate", folder)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert "template 'mine' has 1 problem, below" in lines[0] and "{gruop}" in lines[1]
    assert "released_template: template 'mine' does not load (see above)" in lines[2]
    assert lines[-1] == "1 problem found; nothing was queued or posted."
