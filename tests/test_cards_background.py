"""Background layers: an opaque one replaces what is under it, a see-through one (a colour with
alpha, an image with transparent parts) blends over it by its alpha, on every card alike."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from campaign.cards import load_template, render

from .cards_fixtures import card_input, folder, person_facts  # noqa: F401
from .test_cards_render import decode


def _template(tmp_path: Path, layers: str):  # type: ignore[no-untyped-def]
    d = tmp_path / "bg"
    d.mkdir(exist_ok=True)
    (d / "template.yaml").write_text(
        "fonts: {sans: {package: fontpkg_noto_sans}, khmer: {package: fontpkg_noto_sans_khmer}}\n"
        "sizes: {square: [200, 200], portrait: [200, 250], landscape: [250, 200]}\nlayers:\n" + layers + "alt: {en: '{name}', km: '{name}'}\n", encoding="utf-8")
    return load_template(d)


def _near(got: tuple[int, ...], want: tuple[int, ...]) -> bool:
    return all(abs(a - b) <= 1 for a, b in zip(got, want))


def test_see_through_backgrounds_blend_by_their_alpha_and_opaque_ones_replace(tmp_path: Path, folder) -> None:  # type: ignore[no-untyped-def]
    half = Image.new("RGBA", (200, 200), (0, 255, 0, 255))
    half.paste((0, 255, 0, 0), (0, 0, 100, 200))  # left half fully transparent
    half.paste((0, 255, 0, 64), (0, 0, 50, 200))  # left quarter a quarter opaque
    half.save(tmp_path / "half.png")
    (tmp_path / "bg").mkdir()
    (tmp_path / "half.png").rename(tmp_path / "bg" / "half.png")
    t = _template(tmp_path, "  - background: {color: '#ff0000'}\n"
                            "  - background: {color: '#0000ff80'}\n"
                            "  - background: {image: half.png}\n")
    rc = person_facts(folder, "rong-chhun")
    for _ in range(2):  # the second card comes from the caches: the same pixels
        im = decode(render(t, card_input((rc,), "en"), fmt="png").image)
        under = (127, 0, 128)  # red under half-opaque blue
        assert _near(im.getpixel((75, 100)), under), im.getpixel((75, 100))
        assert im.getpixel((150, 100)) == (0, 255, 0)  # opaque green replaces
        quarter = tuple(round(u + (g - u) * 64 / 255) for u, g in zip(under, (0, 255, 0)))
        assert _near(im.getpixel((25, 100)), quarter), im.getpixel((25, 100))
    opaque = _template(tmp_path, "  - background: {color: '#ff0000'}\n  - background: {color: '#00ff00'}\n")
    assert decode(render(opaque, card_input((rc,), "en"), fmt="png").image).getpixel((10, 10)) == (0, 255, 0)


def _resampled(size: tuple[int, int], direction: str, start: str, end: str) -> Image.Image:
    """A gradient made the plain way: the 256x256 ramp resampled to the whole canvas."""
    from campaign.cards.values import parse_color

    ramp = Image.linear_gradient("L")
    if direction == "horizontal":
        ramp = ramp.rotate(90, expand=True)
    mask = ramp.resize(size, Image.Resampling.BICUBIC)
    return Image.composite(Image.new("RGB", size, parse_color(end)[:3]), Image.new("RGB", size, parse_color(start)[:3]), mask)


def test_straight_gradients_are_the_bytes_of_the_whole_canvas_resampled() -> None:
    """A vertical or horizontal gradient is made from one line; every canvas shape and colour pair
    gives the same bytes as resampling the ramp to the whole canvas."""
    import random
    from types import SimpleNamespace

    from campaign.cards.paint import _gradient

    rng = random.Random(14)
    sizes = [(1080, 1080), (1080, 1350), (1200, 675), (100, 4096), (4096, 100), (257, 255)]
    sizes += [(rng.randint(100, 2000), rng.randint(100, 2000)) for _ in range(6)]
    for direction in ("vertical", "horizontal"):
        for size in sizes:
            start, end = f"#{rng.randrange(1 << 24):06x}", f"#{rng.randrange(1 << 24):06x}"
            g = SimpleNamespace(direction=direction, from_=start, to=end)
            assert _gradient(size, g).tobytes() == _resampled(size, direction, start, end).tobytes(), (direction, size)
