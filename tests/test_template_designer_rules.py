"""What a designer's trial found silently accepted or badly said in ``template.yaml``, as rules:
a text per language takes only languages the project can write (one check with ``lang:`` and
``when: {language: ..}``, a did-you-mean at the key's line); the colour error lists every form a
colour is accepted in, and only those; every ``when: {size: ..}`` (a layer's, a flow text's, an
alt rule's) names a real canvas, with a did-you-mean."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from campaign.cards import load_template
from campaign.cards.values import Color, parse_color
from campaign.sources import InputError
from campaign.types import language_problem
from campaign.words import LANGUAGES

from .cards_fixtures import EXAMPLE
from .test_cards_template import MINIMAL

BASE = MINIMAL.replace("      size: [20, 40]\n", "%s\n")  # a text layer, then what a test adds


def _problems(tmp_path: Path, text: str) -> tuple[Path, list[str]]:
    d = tmp_path / "mini"
    d.mkdir(exist_ok=True)
    (d / "template.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    try:
        load_template(d)
    except InputError as exc:
        return d / "template.yaml", [str(p) for p in exc.problems]
    return d / "template.yaml", []


def _line(file: Path, marker: str) -> int:
    return next(n for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1) if marker in line)


# Each place a text is given per language, with a key ("XX") the project cannot write in.
PER_LANGUAGE = {
    "layers[2].text.text": "  - text:\n      box: [10, 10, 500, 100]\n      text:\n        en: \"{name}\"\n        XX: \"{name}\"",
    "layers[2].badge.text": "  - badge:\n      box: [10, 10, 200, 50]\n      text:\n        en: WEEK\n        XX: WEEK",
    "layers[2].flow.layers[0].text.text": ("  - flow:\n      box: [10, 200, 500, 300]\n      layers:\n"
                                           "        - text:\n            text:\n              XX: \"{name}\""),
    "layers[2].grid.label.text": ("  - grid:\n      box: [10, 200, 500, 300]\n      label:\n        text:\n"
                                  "          en: \"{name}\"\n          XX: \"{name}\""),
}


@pytest.mark.parametrize("code,hint", [("kh", "km"), ("by", "be"), ("eng", "en"), ("EN", "en"), ("xx", None)])
@pytest.mark.parametrize("where", PER_LANGUAGE)
def test_a_text_per_language_refuses_a_language_the_project_cannot_write_at_its_key(
        tmp_path: Path, where: str, code: str, hint: str | None) -> None:
    # text: {en: .., kh: ..} was accepted, and its kh text never used (Khmer is km)
    file, found = _problems(tmp_path, BASE % PER_LANGUAGE[where].replace("XX", code))
    assert len(found) == 1, found
    assert found[0].startswith(f"{file}:{_line(file, code + ':')}: {where}.{code}: "), found[0]
    assert found[0].endswith(language_problem(code) or "not refused")
    assert ("did you mean 'km'" if code == "kh" else "") in found[0]
    assert (f"(did you mean {hint!r}?" in found[0]) if hint else "did you mean" not in found[0]
    assert all(f"{lang} (" in found[0] for lang in LANGUAGES)  # says what it can write


@pytest.mark.parametrize("alt,where", [
    ("alt:\n  en: \"{name}\"\n  kh: \"{name}\"\n", "alt.kh"),
    ("alt:\n  - when: {status: released}\n    text:\n      kh: \"{name}\"\n  - text: {en: \"{name}\"}\n",
     "alt[0].text.kh"),
])
def test_alt_text_refuses_a_language_the_project_cannot_write_at_its_key(tmp_path: Path, alt: str, where: str) -> None:
    file, found = _problems(tmp_path, (BASE % "").replace("alt:\n  en: \"{name}\"\n", alt))
    assert len(found) == 1, found
    assert found[0].startswith(f"{file}:{_line(file, 'kh:')}: {where}: ") and "(did you mean 'km'?" in found[0]


@pytest.mark.parametrize("option", ["      lang: kh", "      when: {language: [en, kh]}"])
def test_lang_and_when_language_are_the_same_check_as_a_text_s_keys(tmp_path: Path, option: str) -> None:
    file, found = _problems(tmp_path, BASE % option)
    assert len(found) == 1 and found[0].endswith(language_problem("kh") or "not refused"), found


@pytest.mark.parametrize("text", ['{"*": "{name}", km: "{name}"}', '{fr-CA: "{name}", en: "{name}"}',
                                  "{" + ", ".join(f'{lang}: "{{name}}"' for lang in LANGUAGES) + "}"])
def test_every_language_the_project_writes_and_the_any_language_text_are_accepted(tmp_path: Path, text: str) -> None:
    assert _problems(tmp_path, BASE % f"  - badge: {{box: [10, 10, 200, 50], text: {text}}}")[1] == []


def test_the_colour_error_lists_exactly_the_forms_a_colour_is_accepted_in() -> None:
    with pytest.raises(ValidationError) as err:
        TypeAdapter(Color).validate_python("dark")
    message = str(err.value)
    listed = set(re.findall(r"#([rgba]+)\b", message))
    assert listed, message
    for n in range(1, 11):
        written = "#" + "7f3a9c0e1b2d"[:n]
        try:
            TypeAdapter(Color).validate_python(written)
            accepted = True
        except ValidationError:
            accepted = False
        assert accepted == any(len(form) == n for form in listed), (written, message)
        if accepted:
            assert len(parse_color(written)) == 4
    assert "alpha" in message  # says what the 4th pair is


WHEN_SIZE = {
    "layers[1].text.when.size": ("  - text:\n      box: [10, 10, 500, 100]\n      text: \"{name}\"\n"
                                 "      when:\n        size: [square, XX]\nalt:\n  en: \"{name}\"\n"),
    "layers[1].flow.layers[0].text.when.size": ("  - flow:\n      box: [10, 200, 500, 300]\n      layers:\n"
                                                "        - text:\n            text: \"{name}\"\n"
                                                "            when:\n              size: XX\nalt:\n  en: \"{name}\"\n"),
    "alt[0].when.size": ("  - text: {box: [10, 10, 500, 100], text: \"{name}\"}\nalt:\n  - when:\n      size: XX\n"
                         "    text: {en: \"{name}\"}\n  - text: {en: \"{name}\"}\n"),
}


@pytest.mark.parametrize("where", WHEN_SIZE)
@pytest.mark.parametrize("written,meant", [("sqare", "square"), ("landscap", "landscape"), ("storey", "story")])
def test_every_when_size_names_a_canvas_with_a_did_you_mean(tmp_path: Path, where: str, written: str, meant: str) -> None:
    text = "name: mini\nsizes: {square: [1080, 1080], portrait: [1080, 1350], landscape: [1200, 675], story: [1080, 1920]}\n"
    text += "layers:\n  - background: {color: \"#101010\"}\n" + WHEN_SIZE[where]
    file, found = _problems(tmp_path, text.replace("XX", written))
    assert len(found) == 1, found
    assert found[0].startswith(f"{file}:{_line(file, 'size: ')}: {where}: no canvas named {written!r} "
                               f"(did you mean {meant!r}?); sizes: square, portrait, landscape, story"), found[0]
    file, found = _problems(tmp_path, text.replace("XX", meant))
    assert found == []


@pytest.mark.parametrize("written", ["{dir}", "./mine", "mine/", "mine/template.yaml", "{dir}/template.yaml", "."])
def test_preview_names_a_template_as_campaign_yaml_does_and_refuses_a_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str) -> None:
    from .test_cards_cli import run

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "template.yaml").write_text(textwrap.dedent(BASE % ""), encoding="utf-8")
    monkeypatch.chdir(mine if written == "." else tmp_path)
    written = written.format(dir=mine)
    out = tmp_path / "out"
    code, _, err = run("preview", str(EXAMPLE), "--out", str(out), "--template", written)
    assert code == 2 and not (out / "index.html").exists(), err
    assert f"--template {written!r} is a path; name a template instead: put its folder in " in err, err
    assert f"{EXAMPLE / 'templates'}/" in err and "campaign template check" in err  # where, and what takes a path
    # the same words as campaign.yaml's template: (one rule), and template check keeps taking a path
    from campaign.checks.templates import check_folder_templates
    from campaign.definition import load_folder

    camp = tmp_path / "camp"
    shutil.copytree(EXAMPLE, camp)
    yaml_file = camp / "campaign.yaml"
    yaml_file.write_text(re.sub(r"(?m)^template: .*$", f"template: {written!r}", yaml_file.read_text(encoding="utf-8")),
                         encoding="utf-8")
    [refused] = check_folder_templates(load_folder(camp))
    assert refused.message.startswith(f"{written!r} is a path; name a template instead: put its folder in {camp / 'templates'}/")
    assert run("template", "check", written)[0] == 0


def test_preview_of_a_template_by_its_name_still_works(tmp_path: Path) -> None:
    from .test_cards_cli import run

    camp = tmp_path / "camp"
    shutil.copytree(EXAMPLE, camp)
    (camp / "templates" / "mine").mkdir(parents=True)
    (camp / "templates" / "mine" / "template.yaml").write_text(textwrap.dedent(BASE % ""), encoding="utf-8")
    code, _, err = run("preview", str(camp), "--out", str(tmp_path / "out"), "--template", "mine")
    assert code in (0, 1) and (tmp_path / "out" / "index.html").is_file(), err  # 1: its names overflow


MYANMAR = Path(__file__).resolve().parents[1] / "campaign" / "cards" / "fonts" / "noto-sans-myanmar"
STATIC = """\
name: mini
fonts:
  sans: {file: fonts/Static-Regular.ttf}
  khmer: {package: fontpkg_noto_sans_khmer}
  heavy: {file: fonts/Static-Bold.ttf}
  variable: {package: fontpkg_noto_sans}
layers:
  - background: {color: "#101010"}
%s
alt:
  en: "{name}"
"""


def _weight_warnings(tmp_path: Path, layer: str) -> tuple[Path, list[str]]:
    from campaign.checks.templates import template_warnings

    d = tmp_path / "mini"
    (d / "fonts").mkdir(parents=True, exist_ok=True)
    shutil.copy(MYANMAR / "NotoSansMyanmar-Regular.ttf", d / "fonts" / "Static-Regular.ttf")
    shutil.copy(MYANMAR / "NotoSansMyanmar-Bold.ttf", d / "fonts" / "Static-Bold.ttf")
    (d / "template.yaml").write_text(STATIC % layer, encoding="utf-8")
    return d / "template.yaml", [w for w in template_warnings(load_template(d)) if ".weight: " in w]


WEIGHTED = {  # where a text takes a weight: (the layer, as written, and its location)
    "layers[1].text": "  - text:\n      id: the name\n      box: [10, 10, 500, 100]\n      text: \"{name}\"\n      weight: 700",
    "layers[1].badge": "  - badge:\n      box: [10, 10, 300, 60]\n      text: WEEK\n      weight: 700",
    "layers[1].flow.layers[0].text": ("  - flow:\n      box: [10, 10, 500, 300]\n      layers:\n"
                                      "        - text:\n            text: \"{name}\"\n            weight: 700"),
    "layers[1].grid.label": "  - grid:\n      box: [10, 10, 500, 500]\n      label:\n        weight: 700",
}


@pytest.mark.parametrize("where", WEIGHTED)
def test_a_weight_a_static_font_cannot_draw_is_a_warning_naming_the_layer_and_the_file(tmp_path: Path, where: str) -> None:
    # weight 700 with a regular-only static font was drawn regular, silently
    file, found = _weight_warnings(tmp_path, WEIGHTED[where])
    assert len(found) == 1, found
    assert found[0].startswith(f"{file}:{_line(file, 'weight: 700')}: {where}.weight: "), found[0]
    assert "Static-Regular.ttf" in found[0] and "400" in found[0] and "700" in found[0]
    assert all(fix in found[0] for fix in ("Bold", "variable font", "remove weight"))  # what to do
    if where == "layers[1].text":
        assert "'the name'" in found[0]


@pytest.mark.parametrize("layer", [
    WEIGHTED["layers[1].text"].replace("weight: 700", "weight: 400"),  # the static font's own weight
    WEIGHTED["layers[1].text"].replace("weight: 700", "weight: 700\n      font: heavy"),  # a bold file: its own
    WEIGHTED["layers[1].text"].replace("weight: 700", "weight: 300\n      font: variable"),  # a variable font
    WEIGHTED["layers[1].badge"].replace("\n      weight: 700", ""),  # no weight written
    WEIGHTED["layers[1].text"].replace("weight: 700", "font: heavy"),  # a bold family without weight: as meant
])
def test_no_weight_warning_when_the_font_draws_the_weight(tmp_path: Path, layer: str) -> None:
    assert _weight_warnings(tmp_path, layer)[1] == []


def test_a_weight_the_khmer_family_cannot_draw_is_a_warning_too(tmp_path: Path) -> None:
    layer = WEIGHTED["layers[1].text"].replace("weight: 700", "weight: 700\n      font: variable\n      font_khmer: sans")
    file, found = _weight_warnings(tmp_path, layer)
    assert len(found) == 1 and "font_khmer" in found[0] and "Static-Regular.ttf" in found[0], found


def test_template_check_prints_the_weight_warning(tmp_path: Path) -> None:
    from .test_cards_cli import run

    file, _ = _weight_warnings(tmp_path, WEIGHTED["layers[1].text"])
    code, out, err = run("template", "check", str(file.parent))
    assert f"warning: {file}:{_line(file, 'weight: 700')}: layers[1].text.weight: " in err, err


def test_alt_text_missing_a_language_the_template_writes_is_warned_of_not_only_english_and_khmer(tmp_path: Path) -> None:
    from campaign.checks.templates import template_warnings

    d = tmp_path / "be"
    d.mkdir()
    (d / "template.yaml").write_text(textwrap.dedent('''\
        name: be
        layers:
          - background: {color: "#101010"}
          - text: {box: [40, 40, 1000, 120], text: {en: "Week {week}", be: "Тыдзень {week}", fr: "Semaine {week}"}, size: [16, 40]}
        alt:
          en: "{name}"
          km: "{name}"
          fr: "{name}"
        '''), encoding="utf-8")
    said = [w for w in template_warnings(load_template(d)) if ": alt: " in w]
    assert said == [f"{d / 'template.yaml'}:5: alt: no be text: Belarusian cards would fall back to the English alt text"]
