"""The designers' commands: template check, preview with its contact sheet."""

from __future__ import annotations

import io
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from PIL import Image

from campaign.cli import main
from campaign.definition import load_folder

from .cards_fixtures import EXAMPLE


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", [["template"], ["template", "check"], ["preview"]])
def test_help_has_an_example(command: list[str]) -> None:
    code, out, _ = run(*command, "--help")
    assert code == 0
    assert re.search(r"^\s*campaign \S+", out, re.M), out


def test_template_check_ok() -> None:
    code, out, _ = run("template", "check", "assets/templates/portrait")
    assert code == 0 and out.startswith("ok: template portrait")


def test_template_check_reports_file_line(tmp_path: Path) -> None:
    d = tmp_path / "bad"
    shutil.copytree("assets/templates/portrait", d)
    text = (d / "template.yaml").read_text(encoding="utf-8")
    (d / "template.yaml").write_text(text.replace("max_lines: 2", "max_line: 2", 1), encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "max_lines: 2" in row)
    code, _, err = run("template", "check", str(d))
    assert code == 2
    assert f"{d / 'template.yaml'}:{line}: " in err and "did you mean 'max_lines'" in err


def test_preview_with_template_lists_every_card(tmp_path: Path) -> None:
    out = tmp_path / "prev"
    code, stdout, err = run("preview", str(EXAMPLE), "--out", str(out), "--template", "portrait")
    assert code == 0, err
    sheet = (out / "index.html").read_text(encoding="utf-8")
    cards = sorted(p.name for p in out.glob("*.jpg"))
    # every roster person and the stress cases, in both languages the campaign posts in
    people = len(load_folder(EXAMPLE).roster.people) + 3  # roster + longest name, Khmer-only, no photo
    assert len(cards) == people * 2
    for name in cards:
        assert f'src="{name}"' in sheet
    assert "stress-longest-name" in sheet and "stress-khmer-only" in sheet and "no-photo" in sheet
    assert "alt (en):" in sheet and "alt (km):" in sheet
    assert "Rendering cards" in err  # the progress bar


def test_preview_of_planned_posts(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    code, stdout, _ = run("preview", str(EXAMPLE), "--out", str(out))
    assert code == 0
    sheet = (out / "index.html").read_text(encoding="utf-8")
    cards = list(out.glob("*.jpg"))
    assert len(cards) == sheet.count("<figure")
    assert any("_finale_" in c.name for c in cards) and any("_released_" in c.name for c in cards)


def test_preview_exits_non_zero_on_overflow(tmp_path: Path) -> None:
    camp = tmp_path / "camp"
    shutil.copytree(EXAMPLE, camp)
    tdir = camp / "templates" / "tiny"
    tdir.mkdir(parents=True)
    (tdir / "template.yaml").write_text(textwrap.dedent("""\
        layers:
          - background: {color: "#000000"}
          - text: {id: name, box: [10, 10, 60, 20], text: "{name}", size: [10, 12]}
        alt: {en: "{name}"}
        """), encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run("preview", str(camp), "--out", str(out), "--template", "tiny")
    assert code == 1
    assert "overflow:" in err and "tiny (square):" in err
    sheet = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="bad"' in sheet and "overflow:" in sheet


def test_preview_unknown_template_is_an_input_error(tmp_path: Path) -> None:
    code, _, err = run("preview", str(EXAMPLE), "--out", str(tmp_path / "x"), "--template", "nope")
    assert code == 2 and "no template 'nope'" in err


def _wait_for(lines: list[str], since: int, needle: str, proc: subprocess.Popen[str], timeout: float = 60.0) -> None:
    """Wait until a line from ``since`` on (``lines`` grows as the process writes) contains ``needle``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(needle in line for line in lines[since:]):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(f"never saw {needle!r}; stderr so far:\n" + "".join(lines))


def test_preview_watch_renders_again_when_the_template_changes(tmp_path: Path) -> None:
    """--watch: an edit re-renders; a broken template is reported and watching goes on; Ctrl-C ends it."""
    camp = tmp_path / "camp"
    shutil.copytree(EXAMPLE, camp)
    tdir = camp / "templates" / "mine"
    tdir.mkdir(parents=True)
    yaml_text = textwrap.dedent("""\
        layers:
          - background: {color: "#000000"}
          - text: {id: name, box: [10, 10, 1000, 200], text: "{name}", size: [20, 60]}
        alt: {en: "{name}"}
        """)
    (tdir / "template.yaml").write_text(yaml_text, encoding="utf-8")
    out = tmp_path / "out"
    exe = Path(sys.executable).parent / "campaign"
    proc = subprocess.Popen([str(exe), "preview", str(camp), "--out", str(out), "--template", "mine", "--watch"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(iter(proc.stderr.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        _wait_for(err, 0, "watching", proc)
        card = next(out.glob("mine_rong-chhun_en_square.jpg"))
        first = card.read_bytes()
        assert Image.open(card).getpixel((1000, 1000)) == (0, 0, 0)

        n = len(err)
        (tdir / "template.yaml").write_text(yaml_text.replace("#000000", "#ffffff"), encoding="utf-8")
        _wait_for(err, n, "changed; rendering again", proc)
        _wait_for(err, n, "watching", proc)
        assert card.read_bytes() != first
        assert Image.open(card).getpixel((1000, 1000)) == (255, 255, 255)  # the new background

        n = len(err)
        (tdir / "template.yaml").write_text(yaml_text.replace("size: [20, 60]", "sise: [20, 60]"), encoding="utf-8")
        _wait_for(err, n, "watching", proc)
        assert any(f"{tdir / 'template.yaml'}:3" in line and "sise" in line for line in err[n:]), err[n:]
        assert proc.poll() is None  # a broken template does not end the watch

        n = len(err)
        (tdir / "template.yaml").write_text(yaml_text.replace("#000000", "#ff0000"), encoding="utf-8")
        # rendered again once fixed (the watcher may first see the file half written, and render twice:
        # each run ends "watching"; Ctrl-C is sent once the red card is there, not in the middle of a run)
        def red() -> bool:
            r, g, b = Image.open(card).getpixel((1000, 1000))
            return r > 250 and g < 10 and b < 10

        deadline = time.monotonic() + 60
        while not red() and time.monotonic() < deadline:
            _wait_for(err, n, "watching", proc)
            n = n if red() else len(err)
            time.sleep(0.1)
        assert red()
        _wait_for(err, n, "watching", proc)

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0  # the last run had no overflow
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# --- what a new designer ran into ----------------------------------------------------------------


def test_preview_unknown_size_is_one_error_before_any_card(tmp_path: Path) -> None:
    for extra in ([], ["--template", "portrait"]):
        out = tmp_path / f"out{len(extra)}"
        code, _, err = run("preview", str(EXAMPLE), "--out", str(out), "--size", "storyy", *extra)
        assert code == 2
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, err
        assert "'storyy'" in errors[0] and "square, portrait, landscape" in errors[0]
        assert not list(out.glob("*.jpg")) and "Rendering cards" not in err
    code, _, err = run("preview", str(EXAMPLE), "--out", str(tmp_path / "o"), "--size", "sqare", "--template", "portrait")
    assert code == 2 and "did you mean 'square'?" in err


def test_preview_size_only_some_templates_have_names_them_and_suggests_no_misspelling(tmp_path: Path) -> None:
    """A canvas the campaign's weekly template adds (story) but its other templates lack: the error
    does not ask "did you mean 'story'?" of someone who wrote 'story', and says which template has it."""
    camp = tmp_path / "camp"
    shutil.copytree(EXAMPLE, camp)
    (camp / "templates" / "portrait").mkdir(parents=True)
    (camp / "templates" / "portrait" / "template.yaml").write_text(
        "sizes: {square: [1080, 1080], portrait: [1080, 1350], landscape: [1200, 675], story: [1080, 1920]}\n"
        "layers:\n  - background: {color: '#101826'}\n  - text: {text: '{name}', box: [40, 40, 1000, 120]}\n"
        "alt: {en: '{name}', km: '{name}'}\n", encoding="utf-8")
    code, _, err = run("preview", str(camp), "--out", str(tmp_path / "o"), "--size", "story")
    assert code == 2
    assert "did you mean 'story'" not in err, err
    assert "no such canvas in templates collage, released" in err
    assert "--template portrait --size story" in err, err


def test_preview_size_help_says_any_canvas_of_the_template() -> None:
    _, out, _ = run("preview", "--help")
    assert "any canvas the template defines" in " ".join(out.split())


def _broken_template(tmp_path: Path) -> Path:
    d = tmp_path / "bad"
    shutil.copytree("assets/templates/portrait", d)
    text = (d / "template.yaml").read_text(encoding="utf-8")
    (d / "template.yaml").write_text(text.replace("max_lines: 2", "max_line: 2", 1), encoding="utf-8")
    return d


def test_template_problems_close_with_what_they_mean_for_the_command(tmp_path: Path) -> None:
    code, _, err = run("template", "check", str(_broken_template(tmp_path)))
    assert code == 2
    assert err.rstrip().endswith("1 problem found in the template.") and "queued" not in err

    camp = tmp_path / "camp"
    shutil.copytree(EXAMPLE, camp)
    shutil.copytree(_broken_template(tmp_path / "t"), camp / "templates" / "broken")
    code, _, err = run("preview", str(camp), "--out", str(tmp_path / "out"), "--template", "broken")
    assert code == 2
    assert err.rstrip().endswith("1 problem found; no cards were rendered.") and "queued" not in err


def _campaign_with(tmp_path: Path, templates: dict[str, str]) -> Path:
    camp = tmp_path / "camp"
    shutil.copytree(EXAMPLE, camp)
    for name, text in templates.items():
        (camp / "templates" / name).mkdir(parents=True)
        (camp / "templates" / name / "template.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return camp


SOLO = """\
    max_people: 1
    layers:
      - background: {color: "#000000"}
      - badge: {id: freed, box: [0, 0, 300, 100], text: FREED, fill: "#ff0000", when: {status: released}}
      - text: {id: name, box: [10, 300, 1000, 200], text: "{name}", size: [20, 60]}
    alt: {en: "{name}", km: "{name}"}
    """
GRID = """\
    layers:
      - background: {color: "#000000"}
      - grid: {box: [0, 0, 600, 600]}
    alt: {en: "{names}", km: "{names}"}
    """


def test_preview_of_a_template_the_campaign_does_not_use_shows_what_it_can_show(tmp_path: Path) -> None:
    camp = _campaign_with(tmp_path, {"solo": SOLO, "crowd": GRID, "four": "max_people: 4\n" + textwrap.dedent(GRID)})
    files = {}
    for name in ("solo", "crowd", "four"):
        out = tmp_path / name
        code, _, err = run("preview", str(camp), "--out", str(out), "--template", name)
        assert code in (0, 1) and "error:" not in err, err
        files[name] = {p.name for p in out.glob("*.jpg")}

    # a released person (the first freed during the campaign, on their release day), as a released card
    assert "solo_released-tha-lavy_en_square.jpg" in files["solo"]
    sheet = (tmp_path / "solo" / "index.html").read_text(encoding="utf-8")
    assert "released tha-lavy (en) · as of 2021-11-05" in sheet
    red = Image.open(tmp_path / "solo" / "solo_released-tha-lavy_en_square.jpg").convert("RGB").getpixel((20, 50))
    black = Image.open(tmp_path / "solo" / "solo_rong-chhun_en_square.jpg").convert("RGB").getpixel((20, 50))
    assert red[0] > 200 and red[1] < 60 and max(black) < 40  # the when: {status: released} badge shows
    assert not any("people" in f or "everyone" in f for f in files["solo"])  # one person per card only

    # a grid gets groups, capped at max_people
    assert {"crowd_60-people_en_square.jpg", "crowd_everyone-held-on-2021-12-10_en_square.jpg",
            "crowd_one-person_en_square.jpg", "crowd_released-tha-lavy_en_square.jpg"} <= files["crowd"]
    assert "four_4-people_km_square.jpg" in files["four"] and not any("60-people" in f for f in files["four"])


def test_preview_as_of_a_date(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, err = run("preview", str(EXAMPLE), "--out", str(out), "--template", "portrait", "--as-of", "2021-11-20")
    assert code == 0, err
    sheet = (out / "index.html").read_text(encoding="utf-8")
    assert "rong-chhun (en) · as of 2021-11-20" in sheet and "kak-komphear (km) · as of 2021-11-20" in sheet
    assert "freed on 12 November 2021" in sheet  # Rong Chhun's facts on that day, not on his weekly card's
    code, _, err = run("preview", str(EXAMPLE), "--out", str(out), "--as-of", "2021-11-20")
    assert code == 2 and "--as-of needs --template" in err
    code, _, err = run("preview", str(EXAMPLE), "--out", str(out), "--template", "portrait", "--as-of", "20-11-2021")
    assert code == 2 and "YYYY-MM-DD" in err


def test_template_check_warns_about_missing_alt_language_and_tiny_text(tmp_path: Path) -> None:
    d = tmp_path / "mine"
    d.mkdir()
    (d / "template.yaml").write_text(textwrap.dedent("""\
        layers:
          - background: {color: "#000000"}
          - grid: {box: [0, 0, 600, 600], label: {size: [6, 20]}}
          - text: {box: [0, 610, 600, 60], text: "{count}", size: {default: 30, landscape: 7}}
        alt: {en: "{names}"}
        """), encoding="utf-8")
    code, out, err = run("template", "check", str(d), "--strict")
    assert code in (0, 1) and out.startswith("ok: template mine")  # warnings never fail, even with --strict
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert any(f"{d / 'template.yaml'}:5: alt: no km text" in w and "English alt text" in w for w in warnings), err
    assert any(":3: layers[1].grid.label.size:" in w and "6 px" in w for w in warnings), err
    assert any(":4: layers[2].text.size:" in w and "7 px (landscape)" in w for w in warnings), err
    _, _, err = run("template", "check", "assets/templates/portrait")
    assert "warning:" not in err


def test_template_check_warns_about_tiny_text_inside_a_flow(tmp_path: Path) -> None:
    """A flow's texts shrink within their own size ranges: each one that may go under 8 px is
    warned about at its own line, and one that stays readable is not."""
    d = tmp_path / "mine"
    d.mkdir()
    (d / "template.yaml").write_text(textwrap.dedent("""\
        layers:
          - background: {color: "#000000"}
          - flow:
              box: [0, 0, 600, 600]
              layers:
                - text: {text: "{name}", size: [20, 60]}
                - text: {text: "{group}", size: [5, 30]}
                - text: {text: "{charge}", size: {default: [12, 30], landscape: [6, 20]}}
        alt: {en: "{names}", km: "{names}"}
        """), encoding="utf-8")
    code, out, err = run("template", "check", str(d))
    assert code == 0 and out.startswith("ok: template mine"), err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert any(":7: layers[1].flow.layers[1].text.size:" in w and "5 px" in w for w in warnings), err
    assert any(":8: layers[1].flow.layers[2].text.size:" in w and "6 px (landscape)" in w
               and "(default)" not in w for w in warnings), err
    assert not any("layers[0].text" in w for w in warnings), err
    assert len(warnings) == 2, err


def test_schema_of_a_template() -> None:
    import json

    code, out, _ = run("schema", "template")
    schema = json.loads(out)
    assert code == 0 and {"layers", "sizes", "alt", "max_people"} <= set(schema["properties"])
    assert {"GridLayer", "TextLayer", "When"} <= set(schema["$defs"])
    assert json.loads(run("schema", "--file", "template")[1]) == schema
    assert set(json.loads(run("schema")[1])) == {"campaign", "roster"}  # unchanged without FILE
    code, _, err = run("schema", "roster", "--file", "template")
    assert code == 2 and "disagree" in err


def test_preview_says_a_photo_problem_once_with_the_cards_it_stops(tmp_path: Path) -> None:
    """A photo that cannot be read stops every card of its person: preview says so once, naming the
    first card and how many more, not once per card."""
    folder = tmp_path / "camp"
    shutil.copytree(EXAMPLE, folder)
    buf = io.BytesIO()
    Image.new("RGB", (600, 800), (120, 90, 60)).save(buf, "JPEG")
    (folder / "photos" / "rong.jpg").write_bytes(buf.getvalue()[:300])  # truncated
    roster = (folder / "roster.yaml").read_text(encoding="utf-8")
    assert "  - id: rong-chhun\n" in roster
    (folder / "roster.yaml").write_text(roster.replace("  - id: rong-chhun\n", "  - id: rong-chhun\n    photo: photos/rong.jpg\n"),
                                        encoding="utf-8")
    code, _, err = run("preview", str(folder), "--out", str(tmp_path / "out"))
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 2 and len(errors) == 1, err
    assert re.search(r"\(and \d+ more cards\): .*rong.jpg \(rong-chhun\): the image cannot be read", errors[0]), errors[0]


def test_preview_watch_stops_on_ctrl_c_even_when_started_with_it_ignored(tmp_path: Path) -> None:
    """A script or a background job may start a command with SIGINT ignored (a child inherits that):
    --watch says "Ctrl-C to stop" and stops on it all the same, as `campaign run` does."""
    exe = Path(sys.executable).parent / "campaign"
    proc = subprocess.Popen([str(exe), "preview", str(EXAMPLE), "--out", str(tmp_path / "out"), "--template", "portrait",
                             "--watch"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    err: list[str] = []
    threading.Thread(target=lambda: err.extend(iter(proc.stderr.readline, "")), daemon=True).start()  # type: ignore[union-attr]
    try:
        _wait_for(err, 0, "watching", proc)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) in (0, 1)  # stopped (1: some sample overflowed its box)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_preview_warns_of_what_an_accounts_language_lacks_and_still_draws(tmp_path: Path) -> None:
    """A Belarusian account on templates with only English and Khmer labels: validate refuses
    the campaign; preview draws its cards (what they fall back to) and says so, naming the account."""
    camp = tmp_path / "camp"
    shutil.copytree(EXAMPLE, camp)
    spec = camp / "campaign.yaml"
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    data["accounts"][1]["language"] = "be"
    data["captions"]["be"] = data["captions"]["en"]  # its captions are there: the templates' labels are not
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert run("validate", str(camp))[0] == 2
    code, stdout, err = run("preview", str(camp), "--out", str(tmp_path / "out"))
    warned = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert code == 0 and "wrote " in stdout
    assert warned and all("validate refuses this" in w and "accounts[1].language" in w for w in warned)
    assert any("'be'" in w or " be " in w or "Belarusian" in w for w in warned)


def test_a_campaign_s_contact_sheet_shows_the_alt_texts_of_the_languages_it_posts_in(tmp_path: Path) -> None:
    """The trio template also has Belarusian and Khmer alt texts; the Minsk campaign posts in English
    and French: its contact sheet shows those, not alt texts no post carries."""
    from tests.fields_fixtures import TEMPLATE, write_folder

    template = TEMPLATE.replace('      be: "{name}: {case}. {detained}."\n',
                                '      be: "{name}: {case}. {detained}."\n      km: "{name}៖ {case}។"\n')
    folder = write_folder(tmp_path, template=template)
    code, out, err = run("preview", str(folder), "--out", str(tmp_path / "out"))
    assert code == 0, err
    sheet = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "alt (en):" in sheet and "alt (fr):" in sheet and "alt (be):" not in sheet and "alt (km):" not in sheet
