"""Text contrast: WCAG 2 figures on known colour pairs, and ``template check``'s warning for text
below AA over what is really under it (flat colours, a shape, a gradient, a background image,
a badge's own fill), with large text held to 3:1."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from campaign.cards import load_template
from campaign.cards.contrast import AA_LARGE, AA_NORMAL, contrast_problems, is_large, luminance, ratio
from campaign.cards.preview.check import sample_inputs

WHITE, BLACK = (255, 255, 255), (0, 0, 0)


def hexrgb(h: str) -> tuple[int, int, int]:
    return int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)


@pytest.mark.parametrize("fg, bg, want", [
    ("#000000", "#ffffff", 21.0), ("#777777", "#ffffff", 4.48), ("#767676", "#ffffff", 4.54),
    ("#ffffff", "#ffffff", 1.0), ("#ff0000", "#ffffff", 4.0), ("#0000ff", "#ffffff", 8.59),
    ("#595959", "#ffffff", 7.0),
])
def test_ratio_of_known_pairs(fg: str, bg: str, want: float) -> None:
    assert ratio(hexrgb(fg), hexrgb(bg)) == pytest.approx(want, abs=0.01)
    assert ratio(hexrgb(bg), hexrgb(fg)) == ratio(hexrgb(fg), hexrgb(bg))  # either way round


def test_luminance_runs_from_black_to_white_and_weighs_green_most() -> None:
    assert luminance(BLACK) == 0 and luminance(WHITE) == pytest.approx(1)
    assert luminance((0, 255, 0)) > luminance((255, 0, 0)) > luminance((0, 0, 255))


@pytest.mark.parametrize("px, weight, large", [
    (24, 400, True), (23, 400, False), (19, 700, True), (18, 700, False), (19, 600, False), (30, 300, True)])
def test_large_text_is_24_px_or_18_7_px_bold(px: int, weight: int, large: bool) -> None:
    assert is_large(px, weight) is large


def _template(tmp_path: Path, layers: str, files: dict[str, Image.Image] | None = None):  # type: ignore[no-untyped-def]
    d = tmp_path / "t"
    d.mkdir(exist_ok=True)
    for name, im in (files or {}).items():
        im.save(d / name)
    (d / "template.yaml").write_text(
        "name: t\nfonts: {sans: {package: fontpkg_noto_sans}, khmer: {package: fontpkg_noto_sans_khmer}}\n"
        "layers:\n" + layers + "alt: {en: '{name}', km: '{name}'}\n", encoding="utf-8")
    return load_template(d)


def _low(t) -> list:  # type: ignore[no-untyped-def,type-arg]
    return contrast_problems(t, ((size, card) for size, _, label, card in sample_inputs(t)
                                 if label == "sample-typical"))


def _text(color: str, size: int, box: str = "[40, 40, 1000, 120]", weight: int = 400) -> str:
    return f"  - text: {{id: name, text: '{{name}}', box: {box}, size: {size}, weight: {weight}, color: '{color}'}}\n"


def test_grey_on_white_below_aa_is_named_with_its_figure_on_every_canvas(tmp_path: Path) -> None:
    low = _low(_template(tmp_path, "  - background: {color: '#ffffff'}\n" + _text("#777777", 20)))
    assert {c.size for c in low} == {"square", "portrait", "landscape"}
    c = low[0]
    assert (c.template, c.layer, c.kind, c.field, c.figure, c.needed) == ("t", 1, "text", "name", 4.48, AA_NORMAL)
    assert c.under == WHITE and "4.48:1" in str(c) and "4.5:1" in str(c) and "#777777 over #ffffff" in str(c)


def test_the_same_grey_passes_as_large_text_and_a_darker_grey_passes_at_any_size(tmp_path: Path) -> None:
    assert _low(_template(tmp_path, "  - background: {color: '#ffffff'}\n" + _text("#777777", 30))) == []
    assert _low(_template(tmp_path, "  - background: {color: '#ffffff'}\n" + _text("#777777", 20, weight=700))) == []
    assert _low(_template(tmp_path, "  - background: {color: '#ffffff'}\n" + _text("#767676", 16))) == []


def test_large_text_below_3_to_1_is_named(tmp_path: Path) -> None:
    low = _low(_template(tmp_path, "  - background: {color: '#ffffff'}\n" + _text("#aaaaaa", 60)))
    assert low and all(c.needed == AA_LARGE and c.figure < AA_LARGE for c in low)


def test_dark_text_on_a_red_band_is_sampled_from_the_band_not_the_background(tmp_path: Path) -> None:
    band = "  - shape: {box: [0, 0, 1080, 300], fill: '#7f1d1d'}\n"
    low = _low(_template(tmp_path, "  - background: {color: '#ffffff'}\n" + band + _text("#333333", 40)))
    assert low and low[0].under == (0x7F, 0x1D, 0x1D) and low[0].figure < AA_LARGE
    # the same text on the white background, below the band, reads well
    assert _low(_template(tmp_path, "  - background: {color: '#ffffff'}\n" + band
                          + _text("#333333", 40, box="[40, 400, 1000, 120]"))) == []


def test_a_gradient_is_sampled_where_the_text_lies(tmp_path: Path) -> None:
    grad = "  - background: {gradient: {from: '#ffffff', to: '#000000', direction: vertical}}\n"
    assert _low(_template(tmp_path, grad + _text("#000000", 40, box="[40, 10, 1000, 80]"))) == []  # on the light top
    foot = "{square: [40, 980, 1000, 80], portrait: [40, 1250, 1000, 80], landscape: [40, 580, 1000, 80]}"
    low = _low(_template(tmp_path, grad + _text("#000000", 40, box=foot)))  # on the dark foot
    assert {c.size for c in low} == {"square", "portrait", "landscape"} and all(c.figure < AA_LARGE for c in low)


def test_a_background_image_is_sampled_under_the_glyphs(tmp_path: Path) -> None:
    photo = Image.new("RGB", (1200, 1350), WHITE)
    photo.paste((20, 20, 20), (0, 0, 1200, 400))  # a dark top, a white rest
    layers = "  - background: {image: bg.png}\n"
    low = _low(_template(tmp_path, layers + _text("#000000", 40, box="[40, 40, 1000, 80]"), {"bg.png": photo}))
    assert low and low[0].figure < 1.5
    assert _low(_template(tmp_path, layers + _text("#000000", 40, box="[40, 500, 1000, 80]"), {"bg.png": photo})) == []


def test_a_badge_is_read_against_its_own_fill(tmp_path: Path) -> None:
    badge = "  - badge: {{id: week, text: 'WEEK {{week}}', box: [40, 40, 300, 60], size: 28, fill: '{fill}', color: '#ffffff'}}\n"
    black = "  - background: {color: '#000000'}\n"
    low = _low(_template(tmp_path, black + badge.format(fill="#f5f5f5")))  # white on near-white, on black
    assert low and low[0].kind == "badge" and low[0].field == "week" and low[0].figure < 1.2
    assert _low(_template(tmp_path, black + badge.format(fill="#1d4ed8"))) == []


def test_a_grid_s_names_are_read_against_what_is_under_them_not_the_faces(tmp_path: Path) -> None:
    from campaign.cards.preview.check import sample_inputs as inputs

    grid = ("  - grid: {{box: [40, 40, 1000, 560], placeholder: {{fill: '#ffffff', figure: '#ffffff', initials: '#000000'}}, "
            "label: {{color: '{color}', size: [16, 24]}}}}\n")
    t = _template(tmp_path, "  - background: {color: '#000000'}\n" + grid.format(color="#222222"))
    pairs = [(size, card) for size, _, label, card in inputs(t) if label == "two people"]
    low = contrast_problems(t, pairs)
    assert low and all(c.kind == "grid" and c.field == "labels" and c.under == BLACK for c in low)
    assert low[0].loc == ("layers", 1, "grid", "label", "color") and low[0].needed == AA_NORMAL  # held to 16 px
    assert contrast_problems(_template(tmp_path, "  - background: {color: '#000000'}\n" + grid.format(color="#eeeeee")),
                             pairs) == []


def test_each_text_of_a_flow_is_read_on_its_own_at_the_size_it_is_set(tmp_path: Path) -> None:
    flow = ("  - flow:\n      box: [40, 40, 1000, 400]\n      layers:\n"
            "        - text: {id: name, text: '{name}', size: [40, 60], color: '#ffffff'}\n"
            "        - text: {id: group, text: '{group}', size: [18, 20], color: '#555555'}\n")
    low = _low(_template(tmp_path, "  - background: {color: '#000000'}\n" + flow))
    assert {c.size for c in low} == {"square", "portrait", "landscape"}
    assert all((c.kind, c.entry, c.field, c.under) == ("flow", 1, "group", BLACK) for c in low)
    assert low[0].loc == ("layers", 1, "flow", "layers", 1, "text", "color") and low[0].needed == AA_NORMAL
    assert low[0].figure == pytest.approx(ratio(hexrgb("#555555"), BLACK), abs=0.01)


def test_text_the_colour_of_its_ground_is_caught(tmp_path: Path) -> None:
    """Invisible text changes no pixel; its glyphs are still found."""
    low = _low(_template(tmp_path, "  - background: {color: '#336699'}\n" + _text("#336699", 40)))
    assert low and low[0].figure == 1.0


def test_the_shipped_templates_pass() -> None:
    from campaign.cards import find_template

    for name in ("portrait", "released", "collage"):
        t = load_template(find_template(name))
        assert _low(t) == [], name
