"""What the render's short cuts must keep: each gives the bytes the plain way gives, in a fresh
process as in a busy one.

* A photo's mask and ring are drawn as a quarter and mirrored when the box has even sides: the
  same bytes as the shape drawn whole at 4x and averaged down.
* A photo is pasted through its mask and ring in pieces (the strips around the part that is
  all opaque or all clear): the same bytes as pasting through the whole masks.
* An opaque background painted first becomes the canvas itself instead of being pasted over a
  black one: the same card as when something was painted under it.
* A fresh process's first card is the same bytes as the same card in a process that has
  rendered others (every cache warm).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from campaign.cards import load_template, render
from campaign.cards.faces import _draw_masks, _pieces, _through

from .cards_fixtures import card_input, encode, face_image, folder, person_facts, portrait, templates  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("w,h", [(430, 430), (500, 500), (340, 340), (120, 80), (64, 128), (2, 2), (431, 430), (99, 77)])
@pytest.mark.parametrize("shape,radius", [("circle", 0), ("rounded", 4), ("rounded", 30), ("rect", 0)])
@pytest.mark.parametrize("width", [0, 1, 6])
def test_photo_masks_are_the_shape_drawn_whole(w: int, h: int, shape: str, radius: int, width: int) -> None:
    if shape == "rect" and not width:
        return  # a rectangle without a border needs no mask at all
    got, want = _draw_masks(w, h, shape, radius, width), _draw_masks(w, h, shape, radius, width, quarter=False)
    for g, x in zip(got, want):
        assert (g is None) == (x is None)
        if g is not None and x is not None:
            assert g.size == x.size == (w, h)
            assert g.tobytes() == x.tobytes(), (w, h, shape, radius, width)


@pytest.mark.parametrize("w,h", [(430, 430), (480, 480), (120, 80), (64, 128), (3, 3), (431, 430)])
@pytest.mark.parametrize("shape,radius", [("circle", 0), ("rounded", 4), ("rounded", 30), ("rect", 0)])
@pytest.mark.parametrize("width", [0, 1, 6])
def test_a_photo_pasted_in_pieces_is_the_photo_pasted_through_its_masks(w: int, h: int, shape: str, radius: int,
                                                                       width: int) -> None:
    from PIL import Image
    mask, ring = _draw_masks(w, h, shape, radius, width)
    face = face_image((w, h))
    colour = Image.new("RGB", (w, h), (233, 180, 76))
    base = Image.linear_gradient("L").resize((w + 40, h + 30)).convert("RGB")
    whole, pieced = base.copy(), base.copy()
    for m, src, hollow in ((mask, face, 255), (ring, colour, 0)):
        if m is not None:
            whole.paste(src, (17, 9), m)
            _through(pieced, src, (17, 9), _pieces(m, hollow))
    assert pieced.tobytes() == whole.tobytes()


def _template(tmp_path: Path, name: str, first: str) -> object:
    d = tmp_path / name
    d.mkdir()
    (d / "template.yaml").write_text(
        "fonts: {sans: {package: fontpkg_noto_sans}, khmer: {package: fontpkg_noto_sans_khmer}}\n"
        "sizes: {square: [240, 200], portrait: [240, 300], landscape: [300, 200]}\nlayers:\n" + first +
        "  - shape: {box: [20, 20, 100, 40], fill: '#e9b44c80'}\n"
        "  - text: {text: 'Week {week}', box: [130, 10, 100, 40], size: [10, 20]}\n"
        "  - text: {text: '{name}', box: [20, 80, 200, 60], size: [10, 30], max_lines: 2}\n"
        "alt: {en: '{name}', km: '{name}'}\n", encoding="utf-8")
    return load_template(d)


@pytest.mark.parametrize("background", ["{gradient: {from: '#1e2636', to: '#0a0c11', direction: vertical}}",
                                        "{gradient: {from: '#ff0000', to: '#0000ff', direction: diagonal}}",
                                        "{color: '#7f1d1d'}", "{color: '#7f1d1d80'}"])
def test_an_opaque_first_background_is_the_card_it_would_paint(tmp_path: Path, folder, background: str) -> None:  # type: ignore[no-untyped-def]
    """The same card whether the opaque background is the first layer (it becomes the canvas) or
    comes after a see-through one (it is pasted over the black canvas), on both render paths."""
    first = _template(tmp_path, "first", f"  - background: {background}\n")
    under = _template(tmp_path, "under", f"  - background: {{color: '#00000000'}}\n  - background: {background}\n")
    card = card_input((person_facts(folder, "rong-chhun"),), "en")
    for size in ("square", "portrait"):
        for in_order in (False, True):
            for _ in range(2):  # cold, then from the caches
                a = render(first, card, size=size, fmt="png", in_order=in_order)  # type: ignore[arg-type]
                b = render(under, card, size=size, fmt="png", in_order=in_order)  # type: ignore[arg-type]
                assert a.image == b.image, (size, in_order)


FIRST_CARD = """
import hashlib, sys
from campaign.cards import find_template, load_template, render
from tests.cards_fixtures import card_input, load_folder, EXAMPLE, facts, WEEK6
folder = load_folder(EXAMPLE)
person = facts(folder.roster.by_id()["rong-chhun"], WEEK6)
photo = open(sys.argv[1], "rb").read()
card = card_input((person,), "km", {"rong-chhun": photo})
print(hashlib.sha256(render(load_template(find_template("portrait")), card, size=sys.argv[2]).image).hexdigest())
"""


@pytest.mark.parametrize("size", ["square", "portrait", "landscape"])
def test_a_fresh_process_draws_the_same_card_as_a_busy_one(tmp_path: Path, folder, portrait, size: str) -> None:  # type: ignore[no-untyped-def]
    photo = tmp_path / "face.jpg"
    photo.write_bytes(encode(face_image((1200, 1500)), "JPEG", quality=90))
    person = person_facts(folder, "rong-chhun")
    for other in ("sar-kanika", "rong-chhun"):  # warm every cache first, with another card and this one
        render(portrait, card_input((person_facts(folder, other),), "km", {other: photo.read_bytes()}), size=size)
    busy = hashlib.sha256(render(portrait, card_input((person,), "km", {"rong-chhun": photo.read_bytes()}),
                                 size=size).image).hexdigest()
    fresh = subprocess.run([sys.executable, "-c", FIRST_CARD, str(photo), size], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.strip()
    assert fresh == busy
