"""Bad input written on purpose or by accident, beyond test_input_limits: each is one located problem
before anything is planned or drawn, never a traceback, a hang or a post before its time.

- a duration (a stagger, max_lateness, a review window) is from 0 to a year: a negative stagger
  written as seconds would post before the slot (a "released" post days before the release);
- a path (photo, logo, font file, background image) with a NUL byte in it, or a link to itself;
- a font ``package`` is one top-level name (a dotted one imports, and runs, its parent package);
- a background image is decoded when the template is checked (a truncated JPEG passed verify());
- a file to read that is a named pipe (a roster, a secret) is refused instead of waiting forever;
- a text shown on a card holds no control character but tab and line breaks (BEL, ESC, NUL written
  as escapes in a quoted string drew as empty boxes, or as nothing), and is at most 10,000 characters
  (a name of a million crashed preview: Pillow will not measure it)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from campaign.cards.load import ASSETS, load_template
from campaign.checks import load_consistent
from campaign.credentials import read_secret
from campaign.errors import InputError
from tests.folder_fixtures import CAMPAIGN, ROSTER, write_folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(InputError) as err:
        load_consistent(folder)
    return [str(p) for p in err.value.problems]


@pytest.mark.parametrize("line, field", [
    ("stagger: -86400", "stagger"),
    ("stagger: -1", "stagger"),
    ("stagger: 9999999d", "stagger"),
    ("max_lateness: -60", "max_lateness"),
    ("max_lateness: .inf", "max_lateness"),
    ("max_lateness: .nan", "max_lateness"),
    ("max_lateness: 99999999999d", "max_lateness"),
    ("review: {required: true, window: 99999999999d}", "review.window"),
])
def test_a_duration_out_of_range_is_one_located_problem(tmp_path: Path, line: str, field: str) -> None:
    folder = write_folder(tmp_path, CAMPAIGN.replace("template: portrait\n", f"template: portrait\n{line}\n"))
    [problem] = problems(folder)
    assert f"campaign.yaml:11: {field}: " in problem and ("0 to 366 days" in problem or "longer than 366 days" in problem)


def test_an_account_stagger_may_not_be_negative(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, CAMPAIGN.replace("    platform: outbox\n    language: km\n",
                                                     "    platform: outbox\n    language: km\n    stagger: -3600\n"))
    [problem] = problems(folder)
    assert "accounts[1].stagger: -3600 seconds is not a duration from 0 to 366 days" in problem


def test_durations_within_range_are_read() -> None:
    from campaign.types import parse_duration
    assert parse_duration(0).total_seconds() == 0
    assert parse_duration("366d").days == 366 and parse_duration(3600).total_seconds() == 3600


@pytest.mark.parametrize("photo, link", [('"photos/a\\0b.jpg"', False), ("photos/alice.jpg", True)])
def test_a_photo_path_that_cannot_be_a_file_is_located(tmp_path: Path, photo: str, link: bool) -> None:
    folder = write_folder(tmp_path, roster=ROSTER.replace("    group: {en: Group A}\n",
                                                          f"    group: {{en: Group A}}\n    photo: {photo}\n"))
    if link:
        os.symlink("alice.jpg", folder / "photos" / "alice.jpg")  # a link to itself
    [problem] = problems(folder)
    assert "roster.yaml:5: people[0].photo: " in problem and "cannot be a file" in problem


def test_a_logo_path_with_a_nul_is_located(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, CAMPAIGN.replace("    organisation: Org One\n",
                                                     '    organisation: Org One\n    logo: "a\\0.png"\n'))
    [problem] = problems(folder)
    assert "campaign.yaml:21: accounts[0].logo: " in problem and "is not a file inside the campaign folder" in problem


def template_with(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "mine"
    shutil.copytree(ASSETS / "portrait", folder)
    text = (folder / "template.yaml").read_text(encoding="utf-8")
    assert old in text
    (folder / "template.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def template_problem(folder: Path) -> str:
    with pytest.raises(InputError) as err:
        load_template(folder)
    [problem] = err.value.problems
    return str(problem)


@pytest.mark.parametrize("package", ["this.x", "../../etc", "os.path"])
def test_a_font_package_is_one_top_level_name_and_nothing_is_imported(tmp_path: Path, package: str,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    folder = template_with(tmp_path, "sans: {package: fontpkg_noto_sans}", f"sans: {{package: '{package}'}}")
    problem = template_problem(folder)
    assert "fonts.sans.package: " in problem and "is not a font package name" in problem
    assert "Zen of Python" not in capsys.readouterr().out  # `this` was never imported


def test_a_font_file_path_with_a_nul_is_located(tmp_path: Path) -> None:
    folder = template_with(tmp_path, "sans: {package: fontpkg_noto_sans}", 'sans: {file: "fonts/a\\0.ttf"}')
    assert "fonts.sans: " in template_problem(folder) and "cannot be a file" in template_problem(folder)


GRADIENT = '- background: {gradient: {from: "#1e2636", to: "#0a0c11", direction: vertical}}'


def test_a_truncated_background_image_is_refused_when_the_template_is_checked(tmp_path: Path) -> None:
    from io import BytesIO

    from PIL import Image

    folder = template_with(tmp_path, GRADIENT, "- background: {image: bg.jpg}")
    out = BytesIO()
    Image.effect_noise((800, 800), 64).convert("RGB").save(out, "JPEG")
    (folder / "bg.jpg").write_bytes(out.getvalue()[: len(out.getvalue()) // 2])
    problem = template_problem(folder)
    assert ("layers[0].background.image: 'bg.jpg': the background image is truncated (the file was cut short); export "
            "it again as PNG or JPEG") in problem


@pytest.mark.parametrize("name", ['"a\\0.jpg"', "bg.jpg"])
def test_a_background_image_path_that_cannot_be_a_file_is_located(tmp_path: Path, name: str) -> None:
    folder = template_with(tmp_path, GRADIENT, f"- background: {{image: {name}}}")
    os.symlink("bg.jpg", folder / "bg.jpg")
    assert "layers[0].background.image: " in template_problem(folder)


def run_briefly(func: object, *args: object) -> BaseException | object:
    """``func(*args)``'s result or exception, failing the test if it has not returned within 10 s."""
    box: list[object] = []

    def call() -> None:
        try:
            box.append(func(*args))  # type: ignore[operator]
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box.append(exc)

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():
        with open(args[0], "wb"):  # type: ignore[arg-type]  # let the blocked open return
            pass
        pytest.fail(f"{func} waited on a named pipe")
    return box[0]


def test_a_roster_that_is_a_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    (folder / "roster.yaml").unlink()
    os.mkfifo(folder / "roster.yaml")
    result = run_briefly(load_consistent, folder)
    assert isinstance(result, InputError) and "roster.yaml: cannot be read (it is a named pipe" in str(result)


def test_a_secret_file_that_is_a_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "token")
    result = run_briefly(read_secret, tmp_path / "token")
    assert isinstance(result, OSError) and "named pipe" in str(result)


def test_a_secret_file_of_more_than_one_line_is_refused_and_never_shown(tmp_path: Path) -> None:
    """A private key or a system file named as a token (file:/etc/passwd) is refused, its content
    never shown: a token or URL is one line (a trailing newline is fine)."""
    from campaign.credentials import CredentialError, resolve

    (tmp_path / "key").write_text("-----BEGIN KEY-----\nc2VjcmV0LXZhbHVl\n-----END KEY-----\n", encoding="utf-8")
    (tmp_path / "token").write_text("abc123-token\n", encoding="utf-8")
    with pytest.raises(CredentialError) as err:
        resolve("file:key", tmp_path)
    assert "has 3 lines, so it is not a secret" in str(err.value) and "c2VjcmV0" not in str(err.value)
    assert resolve("file:token", tmp_path).reveal() == "abc123-token"


@pytest.mark.parametrize("escape, code", [("\\0", "U+0000"), ("\\a", "U+0007"), ("\\e", "U+001B"), ("\\x85", "U+0085"),
                                          ("\\r", "U+000D")])
def test_a_control_character_in_a_shown_text_is_located(tmp_path: Path, escape: str, code: str) -> None:
    folder = write_folder(tmp_path, roster=ROSTER.replace("name: {en: Alice A,", f'name: {{en: "Alice{escape}A",'))
    [problem] = problems(folder)
    assert f"roster.yaml:3: people[0].name: the en text has the control character {code} at character 6" in problem
    org = write_folder(tmp_path / "org", CAMPAIGN.replace("organisation: Org One", f'organisation: "Org{escape}One"'))
    [problem] = problems(org)
    assert f"accounts[0].organisation: has the control character {code}" in problem


@pytest.mark.parametrize("text, said", [
    ("\\u202bAlice A", "U+202B (RIGHT-TO-LEFT EMBEDDING) at character 1 (after ''), never closed"),
    ("Alice \\u2067A", "U+2067 (RIGHT-TO-LEFT ISOLATE) at character 7 (after 'Alice '), never closed"),
    ("Alice\\u2069 A", "U+2069 (POP DIRECTIONAL ISOLATE) at character 6, closing nothing"),
    ("\\u2067Alice\\u202c", "U+202C (POP DIRECTIONAL FORMATTING) at character 7, closing nothing"),
    ("Alice\\u2028A", "the line separator U+2028 at character 6"),
    ("\\u0301\\u0301\\u0301", "shows nothing: it has only combining marks"),
    ("\\u200b\\u0301", "shows nothing: it has only combining marks (accents with no letter to sit on, and invisible"),
    ("A" + "\\u0301" * 31 + "lice", "stacks more than 30 combining marks on one letter at character 2 (after 'A')"),
])
def test_a_text_that_would_draw_other_than_written_is_refused(tmp_path: Path, text: str, said: str) -> None:
    """Bidirectional embeddings and isolates left open (or closing nothing) reorder what follows them;
    a line or paragraph separator draws as nothing or a box; marks with no letter show nothing, and
    more than 30 on one letter spill over the text around it (Unicode's stream-safe limit)."""
    folder = write_folder(tmp_path, roster=ROSTER.replace("group: {en: Group A}", f'group: {{en: "{text}"}}'))
    [problem] = problems(folder)
    assert "roster.yaml:4: people[0].group: the en text " in problem and said in problem, problem


def test_paired_bidirectional_isolates_and_a_letter_s_marks_stay_allowed(tmp_path: Path) -> None:
    group = "\\u2067ក្រុម\\u2069 A\\u202bB\\u202c e\\u0301\\u0301"  # mixed scripts ordered; an accented letter
    load_consistent(write_folder(tmp_path, roster=ROSTER.replace("group: {en: Group A}", f'group: {{en: "{group}"}}')))


def test_line_breaks_and_tabs_stay_allowed(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, roster=ROSTER.replace("group: {en: Group A}", 'group: {en: "Group\\tA\\nNorth"}'))
    load_consistent(folder)


def test_a_shown_text_too_long_for_any_card_is_located(tmp_path: Path) -> None:
    group = "Group " * 1667  # 10,002 characters
    folder = write_folder(tmp_path, roster=ROSTER.replace("group: {en: Group A}", f'group: {{en: "{group}"}}'))
    [problem] = problems(folder)
    assert "roster.yaml:4: people[0].group: the en text is 10,002 characters long, more than the 10,000" in problem
    load_consistent(write_folder(tmp_path / "ok", roster=ROSTER.replace("group: {en: Group A}", f'group: {{en: "{group[:10_000]}"}}')))


def test_a_name_is_one_line_of_at_most_300_characters(tmp_path: Path) -> None:
    for name, said in (("Alice " * 51, "the en name is 306 characters long (at most 300)"),
                       ("Alice\\nA", "has a line break; write a name on one line"),
                       ("Alice\\tA", "has a tab; write a name on one line")):
        folder = write_folder(tmp_path / str(len(name)), roster=ROSTER.replace("name: {en: Alice A,", f'name: {{en: "{name}",'))
        [problem] = problems(folder)
        assert "roster.yaml:3: people[0].name: " in problem and said in problem, problem
    load_consistent(write_folder(tmp_path / "ok", roster=ROSTER.replace("name: {en: Alice A,", f'name: {{en: "{"A" * 300}",')))


@pytest.mark.parametrize("zone, says", [("localtime", "a machine's own setting"), ("Factory", "a machine's own setting"),
                                        ("posixrules", "a machine's own setting"),
                                        ("right/Asia/Phnom_Penh", "is not an IANA timezone (did you mean 'Asia/Phnom_Penh'?)"),
                                        ("posix/Asia/Phnom_Penh", "is not an IANA timezone")])
def test_a_timezone_is_a_place_every_machine_reads_alike(tmp_path: Path, zone: str, says: str) -> None:
    # "localtime" links to the machine's /etc/localtime: UTC here, Phnom Penh on the scheduler, something else on a worker
    folder = write_folder(tmp_path, CAMPAIGN.replace("timezone: Asia/Phnom_Penh", f"timezone: {zone}"))
    [problem] = problems(folder)
    assert "campaign.yaml:3: timezone: " in problem and says in problem


@pytest.mark.parametrize("name", ["{outside}", "../../mine", "mine/", "..", "templates/../../mine"])
def test_a_template_in_campaign_yaml_is_a_name_not_a_path(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A path was read from the current folder: a template outside the campaign, found or not by where the command ran
    from campaign.checks import load_checked

    shutil.copytree(ASSETS / "portrait", tmp_path / "mine")
    monkeypatch.chdir(tmp_path)
    folder = write_folder(tmp_path, CAMPAIGN.replace("template: portrait", f"template: '{name.format(outside=tmp_path / 'mine')}'"))
    with pytest.raises(InputError) as err:
        load_checked(folder)
    [problem] = [str(p) for p in err.value.problems]
    assert "campaign.yaml:10: template: " in problem and "is a path; name a template instead" in problem


@pytest.mark.parametrize("mark", ["\\u202e", "\\u202d"])
def test_a_bidirectional_override_in_a_shown_text_is_located(tmp_path: Path, mark: str) -> None:
    # "Rong \u202eChhun" was drawn "Rong nuhhC" on the card
    folder = write_folder(tmp_path, roster=ROSTER.replace("name: {en: Alice A,", f'name: {{en: "Alice {mark}A",'))
    [problem] = problems(folder)
    assert "roster.yaml:3: people[0].name: the en text has the bidirectional control U+202" in problem and "delete it" in problem


def test_bidirectional_marks_embeddings_and_isolates_stay_allowed(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, roster=ROSTER.replace("name: {en: Alice A,", 'name: {en: "Alice \\u2067A\\u2069 \\u200fB \\u202bC\\u202c",'))
    load_consistent(folder)


@pytest.mark.parametrize("start, end", [("2021-08-11", "9999-12-31"), ("0001-01-01", "2021-10-06"),
                                        ("2021-08-11", "2121-10-06")])
def test_a_campaign_of_more_than_ten_years_is_one_located_problem(tmp_path: Path, start: str, end: str) -> None:
    """A year mistyped (end: 9999, 2121; start: 0001) is refused at once at the end date, not planned
    for minutes (a campaign to 9999 took over two minutes to validate)."""
    text = CAMPAIGN.replace("start: 2021-08-11", f"start: {start}").replace("end: 2021-10-06", f"end: {end}")
    assert start in text and end in text
    [problem] = problems(write_folder(tmp_path, text))
    assert ": end: " in problem and "a campaign runs at most 10 years" in problem


@pytest.mark.parametrize("written, says", [
    ("Alice.A", "'A' at character 1 is a capital letter; an id is lowercase letters a-z, digits, - and _, "
                "beginning with a letter or digit; e.g. 'alice-a'"),
    ("alice/a", "'/' (U+002F, solidus) at character 6 is not allowed"),
    ("аlice", "'а' (U+0430, cyrillic small letter a) at character 1 is not allowed"),  # a Cyrillic a
    ("-alice", "it starts with '-'"),
])
def test_a_bad_id_says_which_character_and_what_to_write(tmp_path: Path, written: str, says: str) -> None:
    """Ids name posts (<campaign>:<date>:<account>) and files: a bad one is refused at its line saying
    what is wrong with it, not with the pattern it fails."""
    [problem] = problems(write_folder(tmp_path, roster=ROSTER.replace("  - id: alice\n", f"  - id: '{written}'\n")))
    assert "roster.yaml:2: people[0].id: " in problem and says in problem and "pattern" not in problem, problem


def test_the_quick_look_for_suspect_characters_misses_none_the_slow_one_refuses() -> None:
    """``types.control`` looks character by character only where a pattern finds something to look
    at: every code point it would refuse (a control but tab and line feed, a line or paragraph
    separator, a bidirectional override, embedding or isolate) is one the pattern finds."""
    import unicodedata

    from campaign import types as T

    refused = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF
               and ((unicodedata.category(chr(cp)) == "Cc" and chr(cp) not in "\t\n")
                    or unicodedata.category(chr(cp)) in ("Zl", "Zp") or 0x202A <= cp <= 0x202E or 0x2066 <= cp <= 0x2069)]
    assert len(refused) > 60 and all(T._SUSPECT.search(chr(cp)) for cp in refused)
    assert all(T.control(f"a{chr(cp)}b") for cp in refused if cp not in (0x202A, 0x202B, 0x2066, 0x2067, 0x2068))


def test_a_text_cut_at_an_unquoted_comma_is_told_to_quote_it(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, roster=ROSTER.replace("group: {en: Group A}",
                                                          "group: {en: Union of teachers, nurses and farmers}"))
    [problem] = problems(folder)
    assert "'nurses and farmers' is not a language code" in problem and "put a text with a comma in quotes" in problem
