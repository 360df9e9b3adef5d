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


def test_text_composited_on_the_base_never_carries_another_cards_photo(tmp_path: Path, folder) -> None:  # type: ignore[no-untyped-def]
    """A text's lines cached on the base are pasted back as one rectangle: where a person's photo lies
    inside that rectangle but beside the lines (a short first line, a long second), the paste must
    not bring back the photo of the card the text was first drawn on."""
    import io
    from datetime import date

    from PIL import Image

    from campaign.cards.canvas import clear_caches

    d = tmp_path / "beside"
    d.mkdir()
    (d / "template.yaml").write_text(
        "fonts: {sans: {package: fontpkg_noto_sans}, khmer: {package: fontpkg_noto_sans_khmer}}\n"
        "sizes: {square: [400, 300], portrait: [400, 300], landscape: [400, 300]}\nlayers:\n"
        "  - background: {color: '#1e2636'}\n"
        "  - photo: {box: [300, 14, 80, 24], shape: rect, when: {status: imprisoned}}\n"  # right of the short first line
        "  - text: {text: \"Free\\n{name} and all the others held with them\", box: [20, 20, 360, 200], "
        "size: [24, 24], max_lines: 4, align: left, valign: top}\n"
        "  - shape: {box: [0, 290, 400, 10], fill: '#e9b44c'}\n"  # a card-level layer after them: the base is cached
        "alt: {en: '{name}', km: '{name}'}\n", encoding="utf-8")
    t = load_template(d)
    rc = person_facts(folder, "rong-chhun")

    def photo(colour: str) -> bytes:
        buf = io.BytesIO()
        Image.new("RGB", (160, 120), colour).save(buf, "PNG")
        return buf.getvalue()

    red, blue = photo("#d01010"), photo("#1010d0")
    free = person_facts(folder, "rong-chhun", date(2021, 11, 20))  # released: the same text, no photo drawn
    assert free.status == "released" and rc.status == "imprisoned"
    for first, then in (((rc, red), (rc, blue)), ((rc, red), (free, blue)), ((free, blue), (rc, red))):
        clear_caches()
        render(t, card_input((first[0],), "en", photos={"rong-chhun": first[1]}), fmt="png")  # the text cached
        cached = render(t, card_input((then[0],), "en", photos={"rong-chhun": then[1]}), fmt="png")
        clear_caches()
        fresh = render(t, card_input((then[0],), "en", photos={"rong-chhun": then[1]}), fmt="png", in_order=True)
        assert cached.image == fresh.image, (first[0].status, then[0].status)


@pytest.mark.parametrize("lang", ["km", "en"])
def test_a_card_leaves_nothing_for_the_garbage_collector(folder, templates, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Whatever a card makes (its fields, their values in every language, its alt text) is freed
    the moment it is done with: no reference cycle, so no collection pauses a busy worker to find
    it (a field's value once held a lambda over itself: 120 cyclic objects a card)."""
    import gc

    from campaign.cards.fields import card_namespace
    from campaign.roster import facts

    from .cards_fixtures import AFTER_RELEASE

    people = [facts(p, AFTER_RELEASE) for p in folder.roster.people]
    held = tuple(f for f in people if f.status.value != "released")
    released = next(f for f in people if f.status.value == "released")
    cards = [(templates["portrait"], card_input((held[0],), lang)),
             (templates["released"], card_input((released,), lang, kind="released")),
             (templates["collage"], card_input(held, lang, kind="finale"))]
    for t, card in cards:
        render(t, card)  # every cache warm: what is kept between cards is not garbage
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for t, card in cards:
            render(t, card)
            values = card_namespace(card, lang)
            assert [format(values[name], "") for name in values.whole()]  # every field made
            assert [getattr(values["name"], attr) for attr in ("primary", "secondary", "en", "km")]
        gc.collect()
        left = [type(o).__name__ for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []
