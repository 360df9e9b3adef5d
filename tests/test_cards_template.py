"""Template files: the shipped ones load; every mistake comes out as file:line: field: message."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from campaign.cards import CardError, find_template, load_template
from campaign.checks.templates import check_folder_templates
from campaign.cards import ASSETS
from campaign.definition import load_folder
from campaign.sources import InputError

from .cards_fixtures import EXAMPLE

MINIMAL = """\
name: mini
layers:
  - background: {color: "#101010"}
  - text:
      box: [10, 10, 500, 100]
      text: "{name}"
      size: [20, 40]
alt:
  en: "{name}"
"""


def write(tmp_path: Path, text: str, name: str = "mini") -> Path:
    d = tmp_path / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "template.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return d


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_template(path)
    return [str(p) for p in exc.value.problems]


@pytest.mark.parametrize("name", ["portrait", "released", "collage"])
def test_shipped_templates_load(name: str) -> None:
    t = load_template(find_template(name))
    assert {"square", "portrait", "landscape"} <= set(t.sizes)
    assert t.sizes["square"] == (1080, 1080) and t.sizes["portrait"] == (1080, 1350) and t.sizes["landscape"] == (1200, 675)
    assert all(p.is_file() for p in t.fonts.values())


def test_minimal_template_loads(tmp_path: Path) -> None:
    t = load_template(write(tmp_path, MINIMAL))
    assert t.name == "mini" and len(t.spec.layers) == 2


def test_unknown_key_is_located_with_a_hint(tmp_path: Path) -> None:
    d = write(tmp_path, MINIMAL.replace("      size: [20, 40]", "      size: [20, 40]\n      max_line: 2"))
    [p] = problems(d)
    assert p.startswith(f"{d / 'template.yaml'}:8: layers[1].text.max_line: unknown key (did you mean 'max_lines'?)")


def test_bad_colour_and_range(tmp_path: Path) -> None:
    d = write(tmp_path, MINIMAL.replace('{color: "#101010"}', '{color: "dark"}'))
    [p] = problems(d)
    assert ":3: layers[0].background.color" in p and "not a colour" in p
    d = write(tmp_path, MINIMAL.replace("size: [20, 40]", "size: [40, 20]"), "b")
    [p] = problems(d)
    assert ":7: layers[1].text.size" in p and "[min, max]" in p


def test_unknown_field_in_text_names_the_line(tmp_path: Path) -> None:
    d = write(tmp_path, MINIMAL.replace('text: "{name}"', 'text: "{nmae.km}"'))
    [p] = problems(d)
    assert ":6: layers[1].text.text: unknown field {nmae} (did you mean {name}?)" in p


def test_box_outside_a_canvas(tmp_path: Path) -> None:
    d = write(tmp_path, MINIMAL.replace("box: [10, 10, 500, 100]", "box: [10, 600, 500, 100]"))
    [p] = problems(d)
    assert ":5: layers[1].text.box" in p and "outside the landscape canvas (1200x675)" in p


def test_per_size_box_must_cover_every_canvas(tmp_path: Path) -> None:
    d = write(tmp_path, MINIMAL.replace("box: [10, 10, 500, 100]", "box: {square: [10, 10, 500, 100]}"))
    [p] = problems(d)
    assert ":5: layers[1].text.box: no value for canvas 'portrait'" in p


def test_layer_must_be_exactly_one_kind(tmp_path: Path) -> None:
    d = write(tmp_path, MINIMAL.replace("  - background: {color: \"#101010\"}", "  - {}"))
    [p] = problems(d)
    assert ":3: layers[0]" in p and "exactly one of" in p


def test_missing_font_package_and_file_are_errors_not_fallbacks(tmp_path: Path) -> None:
    d = write(tmp_path, "fonts:\n  sans: {package: fontpkg_does_not_exist}\n  khmer: {file: fonts/Missing.ttf}\n" + MINIMAL)
    ps = problems(d)
    assert any(":2: fonts.sans: font package 'fontpkg_does_not_exist' is not installed" in p for p in ps)
    assert any(":3: fonts.khmer: font file 'fonts/Missing.ttf' not found" in p for p in ps)


def test_font_file_in_template_folder(tmp_path: Path) -> None:
    from campaign.cards.load import package_font

    d = write(tmp_path, "fonts:\n  sans: {file: fonts/Mine.ttf}\n  khmer: {package: fontpkg_noto_sans_khmer}\n" + MINIMAL)
    (d / "fonts").mkdir()
    shutil.copy(package_font("fontpkg_noto_sans"), d / "fonts" / "Mine.ttf")
    assert load_template(d).fonts["sans"] == (d / "fonts" / "Mine.ttf").resolve()
    (d / "fonts" / "Mine.ttf").write_bytes(b"not a font")
    assert any("not a usable font file" in p for p in problems(d))


def test_text_family_must_be_declared(tmp_path: Path) -> None:
    d = write(tmp_path, MINIMAL.replace("      size: [20, 40]", "      size: [20, 40]\n      font: serif"))
    [p] = problems(d)
    assert "layers[1].text.font: no font family 'serif'" in p


def test_background_image_must_exist_and_decode(tmp_path: Path) -> None:
    d = write(tmp_path, MINIMAL.replace('{color: "#101010"}', "{image: bg.jpg}"))
    [p] = problems(d)
    assert ":3: layers[0].background.image" in p
    (d / "bg.jpg").write_bytes(b"garbage")
    [p] = problems(d)
    assert "'bg.jpg': not an image file (JPEG, PNG or WEBP expected); export the background image again" in p


def test_not_yaml_and_no_file(tmp_path: Path) -> None:
    d = write(tmp_path, "layers: [\n")
    [p] = problems(d)
    assert "not valid YAML" in p
    [p] = problems(tmp_path / "nothing")
    assert "no template.yaml" in p


def test_find_template_order_and_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_template("portrait") == ASSETS / "portrait"
    extra = tmp_path / "extra"
    write(extra, MINIMAL, "portrait")
    monkeypatch.setenv("CAMPAIGN_TEMPLATE_PATH", str(extra))
    assert find_template("portrait") == extra / "portrait"
    campaign_root = tmp_path / "camp"
    write(campaign_root / "templates", MINIMAL, "portrait")
    assert find_template("portrait", campaign_root) == campaign_root / "templates" / "portrait"
    with pytest.raises(CardError) as exc:
        find_template("nope", campaign_root)
    msg = str(exc.value)
    assert str(campaign_root / "templates" / "nope") in msg and str(extra / "nope") in msg and str(ASSETS / "nope") in msg


def test_check_folder_templates(tmp_path: Path) -> None:
    assert check_folder_templates(load_folder(EXAMPLE)) == []
    camp = tmp_path / "camp"
    shutil.copytree(EXAMPLE, camp)
    text = (camp / "campaign.yaml").read_text(encoding="utf-8")
    (camp / "campaign.yaml").write_text(text.replace("template: collage", "template: colage"), encoding="utf-8")
    write(camp / "templates", MINIMAL.replace("size: [20, 40]", "size: [20, 40]\n      colour: red"), "released")
    ps = [str(p) for p in check_folder_templates(load_folder(camp))]
    line = text.splitlines().index("  template: collage") + 1
    assert any(p.startswith(f"{camp / 'campaign.yaml'}:{line}: finale.template: no template 'colage'") for p in ps)
    assert any("released_template: template 'released' has 1 problem" in p for p in ps)
    assert any("templates/released/template.yaml:8: layers[1].text.colour: unknown key (did you mean 'color'?)" in p for p in ps)


def test_required_canvas_sizes(tmp_path: Path) -> None:
    d = write(tmp_path, "sizes: {square: [1080, 1080]}\n" + MINIMAL)
    [p] = problems(d)
    assert ":1: sizes: " in p and "missing canvas size(s): portrait, landscape" in p


def test_alt_text_is_checked_like_layer_text(tmp_path: Path) -> None:
    d = write(tmp_path, MINIMAL.replace('  en: "{name}"', '  en: "{name}, {nights}"'))
    [p] = problems(d)
    assert "alt.en: unknown field {nights}" in p
    d = write(tmp_path, MINIMAL.replace('  en: "{name}"', '  en: "{name"'), "b")
    [p] = problems(d)
    assert "alt.en: not a valid format string" in p


def test_every_cross_check_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    text = MINIMAL.replace("box: [10, 10, 500, 100]", "box: [10, 600, 500, 100]").replace(
        '  - background: {color: "#101010"}',
        '  - background: {color: "#101010"}\n  - shape: {box: [900, 10, 250, 50], fill: "#ffffff"}',
    ).replace('  en: "{name}"', '  en: "{nmae}"')
    d = write(tmp_path, "fonts:\n  sans: {file: fonts/Missing.ttf}\n  khmer: {package: fontpkg_noto_sans_khmer}\n" + text)
    ps = problems(d)
    assert len(ps) == 4, ps
    assert ":2: fonts.sans: font file 'fonts/Missing.ttf' not found" in ps[0]
    assert ":7: layers[1].shape.box: [900, 10, 250, 50] reaches outside the square canvas (1080x1080)" in ps[1]
    assert "and the portrait canvas (1080x1350): x + width = 1150 (at most 1080)" in ps[1]  # one box, every canvas it misses
    assert "or give it per canvas" in ps[1]
    assert ":9: layers[2].text.box" in ps[2] and "outside the landscape canvas (1200x675)" in ps[2]
    assert ":13: alt.en: unknown field {nmae}" in ps[3]


def test_per_canvas_box_outside_is_located_at_its_canvas(tmp_path: Path) -> None:
    box = "box:\n        square: [10, 10, 500, 100]\n        default: [10, 10, 500, 100]\n        landscape: [10, 600, 500, 100]"
    d = write(tmp_path, MINIMAL.replace("box: [10, 10, 500, 100]", box))
    [p] = problems(d)
    assert ":8: layers[1].text.box.landscape: [10, 600, 500, 100] reaches outside the landscape canvas" in p
    assert "(1200x675): y + height = 700 (at most 675); move or shrink the box" in p  # what to change, by how much


def yaml_problem(tmp_path: Path, text: str, name: str) -> str:
    [p] = problems(write(tmp_path, text, name))
    assert "not valid YAML" in p
    assert "indentation" in p and "a space after each colon" in p and "quotes around text containing ': ' or '#'" in p, p
    return p


def test_yaml_errors_give_a_hint_and_the_line_of_the_mistake(tmp_path: Path) -> None:
    f = "template.yaml"
    # text containing ': ' is the mistake on its own line
    p = yaml_problem(tmp_path, MINIMAL.replace('text: "{name}"', "text: Week 3: free them"), "colon")
    assert f"{f}:6: not valid YAML: mapping values are not allowed here" in p
    # a key without its colon: PyYAML reports the next line
    p = yaml_problem(tmp_path, MINIMAL.replace("  - text:", "  - text"), "nocolon")
    assert f"{f}:4: not valid YAML:" in p
    p = yaml_problem(tmp_path, MINIMAL.replace("size: [20, 40]", "size [20, 40]\n      max_lines: 2"), "nocolon2")
    assert f"{f}:7: not valid YAML:" in p
    # no space after a colon
    p = yaml_problem(tmp_path, MINIMAL.replace('text: "{name}"', 'text:"{name}"'), "nospace")
    assert f"{f}:6: not valid YAML:" in p
    # an unclosed bracket is where it was opened, not where PyYAML gave up
    p = yaml_problem(tmp_path, MINIMAL.replace("box: [10, 10, 500, 100]", "box: [10, 10, 500, 100"), "bracket")
    assert f"{f}:5: not valid YAML:" in p
    # a line indented too far is itself the mistake (not the mapping it breaks, far above)
    p = yaml_problem(tmp_path, MINIMAL.replace("      size: [20, 40]", "       size: [20, 40]"), "indent")
    assert f"{f}:7: not valid YAML: expected <block end>" in p


def test_default_khmer_family_missing_names_font_khmer_and_the_fix(tmp_path: Path) -> None:
    d = write(tmp_path, "fonts:\n  sans: {package: fontpkg_noto_sans}\n" + MINIMAL)
    [p] = problems(d)
    assert ":6: layers[1].text.font_khmer: no font family 'khmer' in fonts (have: sans)" in p
    assert "khmer: {package: fontpkg_noto_sans_khmer}" in p and "set font_khmer: to a family that has Khmer" in p
    d = write(tmp_path, "fonts:\n  sans: {package: fontpkg_noto_sans}\n"
              + MINIMAL.replace("size: [20, 40]", "size: [20, 40]\n      font_khmer: khmr"), "b")
    [p] = problems(d)
    assert ":10: layers[1].text.font_khmer: no font family 'khmr' in fonts (have: sans)" in p
    d = write(tmp_path, "fonts:\n  sans: {package: fontpkg_noto_sans}\n  khmer: {package: fontpkg_noto_sans_khmer}\n"
              + MINIMAL.replace("size: [20, 40]", "size: [20, 40]\n      font_khmer: sans"), "c")
    assert load_template(d).spec.layers[1].text.font_khmer == "sans"  # type: ignore[union-attr]


def test_missing_font_file_says_what_to_do(tmp_path: Path) -> None:
    d = write(tmp_path, "fonts:\n  sans: {file: fonts/Brand-Bold.ttf}\n  khmer: {package: fontpkg_noto_sans_khmer}\n" + MINIMAL)
    [p] = problems(d)
    assert ":2: fonts.sans: font file 'fonts/Brand-Bold.ttf' not found in" in p
    assert "put the file there" in p and "relative to the template folder" in p and "{package: fontpkg_noto_sans}" in p


def test_box_with_three_numbers_is_one_clear_error(tmp_path: Path) -> None:
    d = write(tmp_path, MINIMAL.replace("box: [10, 10, 500, 100]", "box: [390, 60, 300]"))
    [p] = problems(d)
    assert ":5: layers[1].text.box: a box is [x, y, width, height] (4 numbers)" in p
    assert "or a mapping of canvas names to such boxes" in p and "[390, 60, 300]" in p
    d = write(tmp_path, MINIMAL.replace("box: [10, 10, 500, 100]", "box: {default: [10, 10, 500, 100], landscape: [1, 2]}"), "b")
    [p] = problems(d)
    assert ":5: layers[1].text.box.landscape: a box is [x, y, width, height] (4 numbers)" in p
    d = write(tmp_path, MINIMAL.replace("box: [10, 10, 500, 100]", "box: [10, 10, 500, wide]"), "c")
    [p] = problems(d)
    assert ":5: layers[1].text.box: a box is [x, y, width, height] (4 numbers)" in p


def test_misspelled_canvas_name_gets_a_suggestion(tmp_path: Path) -> None:
    box = "box: {default: [10, 10, 500, 100], landscap: [10, 10, 500, 100]}"
    d = write(tmp_path, MINIMAL.replace("box: [10, 10, 500, 100]", box))
    [p] = problems(d)
    assert ":5: layers[1].text.box.landscap: no canvas named 'landscap' (did you mean 'landscape'?)" in p


@pytest.mark.parametrize("kind", ["photo", "grid"])
def test_radius_with_a_rect_shape_is_an_error(tmp_path: Path, kind: str) -> None:
    layer = f"  - {kind}: {{box: [10, 10, 300, 300], shape: rect, radius: 20}}\n"
    d = write(tmp_path, MINIMAL.replace("alt:\n", layer + "alt:\n"))
    [p] = problems(d)
    assert f":8: layers[2].{kind}.radius: " in p and "shape: rounded" in p
    d = write(tmp_path, MINIMAL.replace("alt:\n", layer.replace(", radius: 20", "") + "alt:\n"), "b")
    assert load_template(d)  # the grid's default radius is no mistake
    d = write(tmp_path, MINIMAL.replace("alt:\n", layer.replace("rect", "rounded") + "alt:\n"), "c")
    assert load_template(d)
    d = write(tmp_path, MINIMAL.replace("alt:\n", layer.replace("rect", "circle") + "alt:\n"), "d")
    [p] = problems(d)
    assert f":8: layers[2].{kind}.radius: a circle has no corners to round" in p


def test_a_photo_layer_on_a_card_of_several_is_an_error_at_its_line_saying_what_to_do(tmp_path: Path) -> None:
    from campaign.cards import render

    from .cards_fixtures import card_input, person_facts
    d = write(tmp_path, MINIMAL.replace("name: mini\n", "name: mini\nmax_people: 3\n").replace(
        "  - text:\n", "  - photo: {box: [600, 10, 300, 300]}\n  - text:\n", 1))
    people = tuple(person_facts(load_folder(EXAMPLE), pid) for pid in ("rong-chhun", "sar-kanika"))
    with pytest.raises(CardError) as err:
        render(load_template(d), card_input(people))
    message = str(err.value)
    assert message.startswith(f"{d / 'template.yaml'}:5: layers[1].photo: ") and "max_people: 3" in message
    assert "when: {max_people: 1}" in message and "grid" in message


def test_a_font_package_of_static_files_gives_its_regular_not_the_first_by_name(tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from campaign.cards.load import package_font
    from campaign.cards.scripts import FONTS_DIR

    pkg = tmp_path / "fontpkg_static_family"
    (pkg / "files").mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    source = FONTS_DIR / "noto-sans-myanmar"
    for name in ("Fam-Bold.ttf", "Fam-BoldItalic.ttf", "Fam-Italic.ttf", "Fam-Regular.ttf", "Fam-Black.ttf"):
        shutil.copy(source / "NotoSansMyanmar-Regular.ttf", pkg / "files" / name)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert package_font("fontpkg_static_family").name == "Fam-Regular.ttf"
    assert package_font("fontpkg_static_family", italic=True).name == "Fam-Italic.ttf"
    assert package_font("fontpkg_static_family", "Fam-Bold.ttf").name == "Fam-Bold.ttf"  # asked for by name
    assert package_font("fontpkg_noto_sans").name == "NotoSans[wdth,wght].ttf"  # a variable font: every weight


@pytest.mark.parametrize("option,line", [("      lang: kh\n", 7), ("      when: {language: [en, kh]}\n", 7)])
def test_a_language_the_project_cannot_write_is_refused_at_its_line(tmp_path: Path, option: str, line: int) -> None:
    # lang: kh once reached the renderer, where writing {name}'s facts in 'kh' was a traceback;
    # when: {language: [kh]} hid the layer on every card, silently
    d = write(tmp_path, MINIMAL.replace('      text: "{name}"\n', '      text: "{name}"\n' + option))
    found = problems(d)
    assert len(found) == 1 and found[0].startswith(f"{d / 'template.yaml'}:{line}: layers[1].text.")
    assert "no words for the language 'kh'" in found[0] and "en (English), km (Khmer)" in found[0]
