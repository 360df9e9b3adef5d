"""Rendering: truthful wording, Khmer digits, byte limits, determinism, overflow reporting."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace

import pytest
from PIL import Image

from campaign.cards import CardError, render
from campaign.cards.samples import crowd, sample_facts, sample_people
from campaign.cards.template import Template
from campaign.types import LocalText

from .cards_fixtures import AFTER_RELEASE, WEEK6, card_input, folder, make_photo, person_facts, portrait, templates  # noqa: F401

DETAINED_WORDING = ("Behind bars for", "BEHIND BARS FOR", "Still behind bars", "remain behind bars")
KHMER_PRESENT = ("ជាប់ឃុំអស់រយៈពេល", "នៅតែជាប់ឃុំ")  # "behind bars for", "still held": at the start of a phrase


def decode(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize("size,dims", [("square", (1080, 1080)), ("portrait", (1080, 1350)), ("landscape", (1200, 675))])
def test_portrait_card_in_every_size(portrait: Template, folder, size: str, dims: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    card = render(portrait, card_input((person_facts(folder, "rong-chhun"),), "km"), size=size)
    im = decode(card.image)
    assert im.format == "JPEG" and im.size == dims == card.size
    assert not card.overflows
    texts = dict(card.texts)
    assert texts["name"] == "រ៉ុង ឈុន" and texts["name (second script)"] == "Rong Chhun"
    # Khmer card: numbers in Khmer digits, no ASCII digit in any Khmer text painted
    assert texts["time behind bars"] == "១៣ ខែ និង ១៤ ថ្ងៃ"
    assert texts["week"] == "សប្តាហ៍ទី ៦"
    assert set(card.alt) == {"en", "km"}
    assert "13 months and 14 days" in card.alt["en"] and "១៣ ខែ និង ១៤ ថ្ងៃ" in card.alt["km"]


def test_english_card_uses_english_fields(portrait: Template, folder) -> None:  # type: ignore[no-untyped-def]
    card = render(portrait, card_input((person_facts(folder, "rong-chhun"),), "en"))
    texts = dict(card.texts)
    assert texts["charge"] == "incitement to commit a felony"
    assert texts["time behind bars"] == "13 months and 14 days"
    assert texts["week"] == "WEEK 6"


def test_released_person_is_never_described_as_detained(templates: dict[str, Template], folder) -> None:  # type: ignore[no-untyped-def]
    freed = person_facts(folder, "rong-chhun", AFTER_RELEASE)
    assert freed.status.value == "released"
    for name in ("portrait", "released"):
        for lang in ("en", "km"):
            card = render(templates[name], card_input((freed,), lang, kind="released"))
            painted = " ".join(t for _, t in card.texts)
            everything = painted + " " + " ".join(card.alt.values())
            assert not any(w in everything for w in DETAINED_WORDING), (name, lang, everything)
            assert "detained label" not in dict(card.texts)
            phrases = [t for _, t in card.texts] + [p.strip() for a in card.alt.values() for p in a.split("។")]
            assert not any(p.startswith(KHMER_PRESENT) for p in phrases), (name, lang, phrases)
            assert ("12 November 2021" in everything) and ("១២ វិច្ឆិកា ២០២១" in everything or lang == "en")
    released = render(templates["released"], card_input((freed,), "en", kind="released"))
    texts = dict(released.texts)
    assert texts["released badge"] == "RELEASED"
    assert texts["charges remain label"] == "THE CHARGES REMAIN"
    assert "three years of judicial probation" in texts["release note"]


def _released_with(folder, charges: str | None, note: dict[str, str] | None):  # type: ignore[no-untyped-def]
    """Suong Sophorn as of after his release, the release event recording ``charges`` and ``note``."""
    from campaign.roster import facts

    person = next(p for p in folder.roster.people if p.id == "suong-sophorn")
    events = [e.model_copy(update={"charges": charges, "note": note and LocalText(note)}) if e.type == "released" else e
              for e in person.events]
    return facts(person.model_copy(update={"events": events}), AFTER_RELEASE)


def test_released_card_says_what_the_roster_records_about_the_charges(templates: dict[str, Template], folder) -> None:  # type: ignore[no-untyped-def]
    """"The charges remain" only where the release event says ``charges: kept``; never on a note
    alone (an acquittal's note said "all charges dropped" under "THE CHARGES REMAIN")."""
    def texts(charges, note, lang="en"):  # type: ignore[no-untyped-def]
        return dict(render(templates["released"], card_input((_released_with(folder, charges, note),), lang, kind="released")).texts)

    nothing = texts(None, None)
    assert "charges remain label" not in nothing and "release note" not in nothing
    dropped = texts("dropped", {"en": "acquitted; all charges dropped"})
    assert "charges remain label" not in dropped and dropped["release note"] == "acquitted; all charges dropped"
    assert texts("kept", None)["charges remain label"] == "THE CHARGES REMAIN"
    assert texts("kept", None, "km")["charges remain label"] == "ការចោទប្រកាន់នៅតែមាន"
    assert "charges remain label" not in texts(None, {"en": "charges not dropped"})  # a note is not a record
    several = (_released_with(folder, "kept", None), person_facts(folder, "rong-chhun", AFTER_RELEASE))
    grid = dict(render(templates["released"], card_input(several, "en", kind="released")).texts)
    assert grid["charges remain label"] == "THE CHARGES REMAIN" and "release note (several)" in grid
    # several whose releases differ: said only of whom it is true, by name, never as everyone's
    mixed = (_released_with(folder, "dropped", None), person_facts(folder, "rong-chhun", AFTER_RELEASE))
    band = dict(render(templates["released"], card_input(mixed, "en", kind="released")).texts)
    assert band["charges remain label"] == "RONG CHHUN (THE CHARGES REMAIN)"
    assert band["charges dropped label"] == "SUONG SOPHORN (THE CHARGES WERE DROPPED)"


def test_the_charge_label_follows_the_case_as_of_the_day(portrait: Template, folder) -> None:  # type: ignore[no-untyped-def]
    """Charged with (before a verdict), convicted of (verdict, no sentence recorded), sentenced
    to ... for (with the sentence), in the card and its alt text."""
    from datetime import date

    from campaign.roster import facts

    rc = next(p for p in folder.roster.people if p.id == "rong-chhun")  # arrested 2020-08-01, 2 years on 2021-08-04
    before = render(portrait, card_input((facts(rc, date(2021, 7, 1)),), "en"))
    after = render(portrait, card_input((facts(rc, date(2021, 9, 1)),), "en"))
    after_km = render(portrait, card_input((facts(rc, date(2021, 9, 1)),), "km"))
    assert dict(before.texts)["case label"] == "CHARGED WITH" and "Charged with" in before.alt["en"]
    assert dict(after.texts)["case label"] == "SENTENCED TO 2 YEARS FOR"
    assert "Sentenced to 2 years for incitement" in after.alt["en"] and "Charged with" not in after.alt["en"]
    assert dict(after_km.texts)["case label"].startswith("ត្រូវបានកាត់ទោស ២ ឆ្នាំ")
    no_sentence = rc.model_copy(update={"events": [e.model_copy(update={"sentence": None}) for e in rc.events]})
    convicted = render(portrait, card_input((facts(no_sentence, date(2021, 9, 1)),), "en"))
    assert dict(convicted.texts)["case label"] == "CONVICTED OF" and "Convicted of" in convicted.alt["en"]


def test_a_card_after_a_rearrest_states_the_new_detentions_case(portrait: Template) -> None:
    """Convicted for one charge, freed, arrested again on another: the card and its alt text say
    "charged with" the new charge, never the earlier sentence; with no new charge, no charge at all."""
    from datetime import date

    from campaign.roster import Person, facts

    events = [{"date": "2021-03-01", "type": "arrested", "charge": "inciting hatred"},
              {"date": "2021-09-01", "type": "convicted", "sentence": "1 year 6 months"},
              {"date": "2022-09-01", "type": "released", "charges": "dropped"},
              {"date": "2025-10-02", "type": "arrested", "charge": "extremism"}]
    person = Person.model_validate({"id": "p", "name": {"en": "Ales P"}, "events": events})
    card = render(portrait, card_input((facts(person, date(2025, 11, 1)),), "en", durations="years"))
    texts, alt = dict(card.texts), card.alt["en"]
    assert texts["case label"] == "CHARGED WITH" and texts["charge"] == "extremism"
    assert "Charged with extremism" in alt
    assert not any(w in alt + " ".join(texts.values()) for w in ("SENTENCED", "Sentenced", "inciting", "1 year and 6"))
    assert texts["time behind bars"] == "1 year and 7 months in all"  # 18 months, then 30 days: a month
    bare = Person.model_validate({"id": "p", "name": {"en": "Ales P"},
                                  "events": [*events[:3], {"date": "2025-10-02", "type": "arrested"}]})
    card = render(portrait, card_input((facts(bare, date(2025, 11, 1)),), "en"))
    texts = dict(card.texts)
    assert "case label" not in texts and not texts.get("charge")
    assert not any(w in card.alt["en"] for w in ("Sentenced", "Charged", "Convicted", "inciting", "extremism"))


def test_released_several_people_use_a_grid(templates: dict[str, Template], folder) -> None:  # type: ignore[no-untyped-def]
    ids = ("rong-chhun", "sar-kanika", "ton-nimol")
    card = render(templates["released"], card_input(tuple(person_facts(folder, p, AFTER_RELEASE) for p in ids), "en", kind="released"))
    labels = [t for f, t in card.texts if f == "grid.label"]
    assert len(labels) == 3 and labels[0].startswith("Rong Chhun")
    assert dict(card.texts)["headline"] == "3 human rights defenders freed"


@pytest.mark.parametrize("n", [1, 2, 12, 60])
def test_collage_works_from_one_to_sixty(templates: dict[str, Template], folder, n: int) -> None:  # type: ignore[no-untyped-def]
    people = crowd(list(folder.roster.people), n, WEEK6)
    card = render(templates["collage"], card_input(people, "km", kind="finale"), size="square")
    assert not card.overflows, [str(o) for o in card.overflows]
    labels = [t for f, t in card.texts if f == "grid.label"]
    assert len(labels) == n
    headline = dict(card.texts).get("headline") or dict(card.texts)["headline (one)"]
    assert (f"{n} " if n > 1 else "") in headline.translate(str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789"))
    assert "km" in card.alt


def test_same_inputs_give_the_same_bytes(portrait: Template, folder, make_photo: Callable[..., bytes]) -> None:  # type: ignore[no-untyped-def]
    from campaign.cards.canvas import clear_caches

    card = card_input((person_facts(folder, "rong-chhun"),), "km", photos={"rong-chhun": make_photo()}, logo=make_photo((300, 120), "PNG"))
    first = render(portrait, card)
    clear_caches()
    portrait.cache.clear()
    second = render(portrait, card)
    assert first.image == second.image
    assert render(portrait, card, fmt="png").image == render(portrait, card, fmt="png").image
    assert b"Exif" not in first.image[:200] and "exif" not in decode(first.image).info


def test_png_output(portrait: Template, folder) -> None:  # type: ignore[no-untyped-def]
    card = render(portrait, card_input((person_facts(folder, "rong-chhun"),)), size="landscape", fmt="png")
    im = decode(card.image)
    assert im.format == "PNG" and im.size == (1200, 675) and card.format == "png"
    assert not any(k in im.info for k in ("date:create", "date:modify", "Creation Time"))


def noisy_photo(size: tuple[int, int]) -> bytes:
    """High-entropy content: the hardest case for a byte limit."""
    im = Image.effect_noise(size, 120).convert("RGB")
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def test_byte_limit_steps_quality_down(portrait: Template, folder) -> None:  # type: ignore[no-untyped-def]
    card = card_input((person_facts(folder, "rong-chhun"),), photos={"rong-chhun": noisy_photo((1200, 1500))})
    free = render(portrait, card, size="portrait")
    limited = render(portrait, card, size="portrait", max_bytes=len(free.image) - 1)
    assert len(limited.image) < len(free.image) and limited.quality is not None and limited.quality < (free.quality or 100)
    bluesky = render(portrait, card, size="portrait", max_bytes=1_000_000)
    assert len(bluesky.image) <= 1_000_000
    with pytest.raises(CardError, match="over the limit"):
        render(portrait, card, max_bytes=5_000)
    with pytest.raises(CardError, match="use JPEG"):
        render(portrait, card, fmt="png", max_bytes=5_000)


def test_overflow_is_reported_with_template_person_and_field(portrait: Template, folder) -> None:  # type: ignore[no-untyped-def]
    rc = person_facts(folder, "rong-chhun")
    long_charge = replace(rc, charge=rc.charge.model_copy(update={"root": {"en": "incitement " * 40}}))  # type: ignore[union-attr]
    card = render(portrait, card_input((long_charge,), "en"))
    [o] = card.overflows
    assert (o.template, o.person, o.field, o.size) == ("portrait", "rong-chhun", "charge", "square")
    assert "portrait (square): rong-chhun: charge: does not fit" in str(o)
    with pytest.raises(CardError, match="portrait \\(square\\): rong-chhun: charge"):
        render(portrait, card_input((long_charge,), "en"), strict=True)


def test_photo_and_placeholder_differ_and_placeholder_has_initials(portrait: Template, folder, make_photo: Callable[..., bytes]) -> None:  # type: ignore[no-untyped-def]
    rc = person_facts(folder, "rong-chhun")
    with_photo = decode(render(portrait, card_input((rc,), photos={"rong-chhun": make_photo()}), fmt="png").image)
    without = decode(render(portrait, card_input((rc,)), fmt="png").image)
    box = (60, 160, 490, 590)
    assert with_photo.crop(box).tobytes() != without.crop(box).tobytes()


def test_logo_is_drawn_only_when_given(portrait: Template, folder) -> None:  # type: ignore[no-untyped-def]
    rc = person_facts(folder, "rong-chhun")
    logo = Image.new("RGBA", (200, 100), (255, 255, 255, 255))
    buf = io.BytesIO()
    logo.save(buf, "PNG")
    plain = decode(render(portrait, card_input((rc,)), fmt="png").image)
    branded = decode(render(portrait, card_input((rc,), logo=buf.getvalue()), fmt="png").image)
    region = (830, 880, 1020, 1040)
    assert plain.crop(region).tobytes() != branded.crop(region).tobytes()
    assert branded.crop(region).convert("L").getextrema()[1] == 255


def test_refuses_what_the_template_cannot_show(portrait: Template, folder) -> None:  # type: ignore[no-untyped-def]
    two = (person_facts(folder, "rong-chhun"), person_facts(folder, "sar-kanika"))
    with pytest.raises(CardError, match="at most 1"):
        render(portrait, card_input(two))
    with pytest.raises(CardError, match="no size 'story'"):
        render(portrait, card_input(two[:1]), size="story")
    with pytest.raises(CardError, match="format 'gif'"):
        render(portrait, card_input(two[:1]), fmt="gif")


def test_stress_samples_fit_the_portrait(portrait: Template) -> None:
    for f in sample_facts():
        for lang in ("en", "km"):
            for size in portrait.sizes:
                card = render(portrait, card_input((f,), lang), size=size)
                assert not card.overflows, [str(o) for o in card.overflows]


def test_khmer_only_name_on_english_card(portrait: Template) -> None:
    f = next(x for x in sample_facts() if x.person.id == "stress-khmer-only")
    card = render(portrait, card_input((f,), "en"))
    texts = dict(card.texts)
    assert texts["name"] == "សុខ ស្រីនាង" and "name (second script)" not in texts


# --- the card-level base cache and the photo composite cache ----------------------------------


@pytest.mark.parametrize("lang", ["en", "km"])
def test_cached_base_gives_the_same_bytes_as_painting_every_layer_in_order(
        templates: dict[str, Template], folder, make_photo: Callable[..., bytes], lang: str) -> None:  # type: ignore[no-untyped-def]
    import importlib

    R = importlib.import_module("campaign.cards.canvas")  # the module of the cached base

    rc = person_facts(folder, "rong-chhun")
    long_charge = replace(rc, charge=rc.charge.model_copy(update={"root": {"en": "incitement " * 80, "km": "ញុះញង់ " * 80}}))  # type: ignore[union-attr]
    page = "https://example.org/release-hrds"  # the QR code: a card-level layer after the person's
    cases = [(t, card_input(people, lang, photos=photos, url=page), size)
             for t, people, photos in [(templates["portrait"], (f,), photos) for f in (rc, long_charge, *sample_facts())
                                       for photos in ({}, {f.person.id: make_photo()})]
             + [(templates["collage"], tuple(crowd(sample_people()[:3], 12, WEEK6)), {})]
             for size in t.sizes]
    on_base = [R._render_fast(t, card, size) is not None for t, card, size in cases]  # called, never patched
    assert any(on_base)  # the base is used...
    assert not all(on_base)  # ...and the over-long charge, drawn over the QR code, is painted in order
    for t in (templates["portrait"], templates["collage"]):
        t.cache.clear()
    slow = [render(t, card, size=size, in_order=True) for t, card, size in cases]
    assert "bases" not in templates["portrait"].cache  # in order: no card-level base was drawn
    fast = [render(t, card, size=size) for t, card, size in cases]
    assert fast == slow


def test_a_fact_change_still_changes_the_card(portrait: Template, folder, make_photo: Callable[..., bytes]) -> None:  # type: ignore[no-untyped-def]
    rc = person_facts(folder, "rong-chhun")
    photo = make_photo()
    first = render(portrait, card_input((rc,), "en", photos={"rong-chhun": photo}))
    bases = len(portrait.cache["bases"])
    other = replace(rc, charge=rc.charge.model_copy(update={"root": {"en": "Plotting"}}))  # type: ignore[union-attr]
    second = render(portrait, card_input((other,), "en", photos={"rong-chhun": photo}))
    assert len(portrait.cache["bases"]) == bases  # same base, reused
    assert dict(second.texts)["charge"] == "Plotting" and first.image != second.image
    third = render(portrait, card_input((rc,), "en", photos={"rong-chhun": make_photo((500, 700))}))
    assert third.image != first.image  # another photo, another face
    assert render(portrait, card_input((rc,), "en", photos={"rong-chhun": photo})).image == first.image


def test_draw_line_paints_what_imagedraw_text_paints(portrait: Template) -> None:
    from PIL import ImageChops, ImageDraw

    from campaign.cards.layout import font
    from campaign.cards.text import draw_line

    for family, text in (("sans", "Behind bars for 13 months"), ("khmer", "ជាប់ឃុំអស់រយៈពេល ១៣ ខែ")):
        f = font(portrait.fonts[family], 41, 700)
        for xy in ((10, 60), (10.5, 60.25), (33.7, 71.9)):
            a, b = Image.new("RGB", (700, 120), (20, 30, 40)), Image.new("RGB", (700, 120), (20, 30, 40))
            ImageDraw.Draw(a, "RGBA").text(xy, text, font=f, fill=(233, 180, 76, 255), anchor="ls")
            x0, y0, x1, y1 = draw_line(b, xy, text, f, (233, 180, 76, 255))
            assert a.tobytes() == b.tobytes()
            changed = ImageChops.difference(a, Image.new("RGB", a.size, (20, 30, 40))).getbbox()
            assert changed and x0 <= changed[0] and y0 <= changed[1] and changed[2] <= x1 and changed[3] <= y1


def test_warm_caches_give_the_same_bytes_as_every_card_rendered_cold(
        templates: dict[str, Template], folder, make_photo: Callable[..., bytes]) -> None:  # type: ignore[no-untyped-def]
    """Set and rasterised strings, faces, placeholders and text composited onto the cached base
    are reused card after card; in any order, a card is the same bytes as one rendered with
    every cache empty."""
    import random

    from campaign.cards.canvas import clear_caches

    rc = person_facts(folder, "rong-chhun")
    long_charge = replace(rc, charge=rc.charge.model_copy(update={"root": {"en": "incitement " * 40, "km": "ញុះញង់ " * 40}}))  # type: ignore[union-attr]
    people = [rc, long_charge, *sample_facts(), *(person_facts(folder, p.id) for p in folder.roster.people[:4])]
    photo = make_photo()
    cases = [(templates["portrait"], (f,), photos, lang, size, "weekly") for f in people
             for photos in ({}, {f.person.id: photo}) for lang in ("km", "en") for size in ("square", "landscape")]
    cases += [(templates["collage"], tuple(crowd(sample_people()[:3], 7, WEEK6)), {}, lang, "square", "finale")
              for lang in ("km", "en")]
    cases += [(templates["released"], (f,), {f.person.id: photo}, "en", "portrait", "released")
              for f in sample_facts() if not f.held]

    def one(case) -> bytes:  # type: ignore[no-untyped-def]
        t, who, photos, lang, size, kind = case
        return render(t, card_input(who, lang, photos=photos, kind=kind), size=size).image

    cold = {}
    for i, case in enumerate(cases):
        clear_caches()
        cold[i] = one(case)
    order = list(range(len(cases))) * 2
    random.Random(7).shuffle(order)
    clear_caches()
    for i in order:
        assert one(cases[i]) == cold[i], cases[i][1][0].person.id
    clear_caches()


def test_grid_gives_labels_room_when_names_do_not_fit_under_the_largest_faces(templates: dict[str, Template]) -> None:
    """60 people in the landscape collage: under the largest faces the longest Khmer names do
    not fit even at the smallest label size; the grid gives up some face size for them."""
    from campaign.cards.grid import grid_layout

    people = crowd(sample_people()[:3], 60, WEEK6)  # a third have the longest sample name
    card = render(templates["collage"], card_input(people, "km", kind="finale"), size="landscape")
    assert not card.overflows, [str(o) for o in card.overflows]
    labels = [t for f, t in card.texts if f == "grid.label"]
    assert len(labels) == 60 and "ឈឿន ដារ៉ាវី សុវណ្ណរិទ្ធ កែវរស្មី វណ្ណៈ" in labels
    # the largest-face layout is not what was used: with it, this name overflows
    spec = next(layer.grid for layer in templates["collage"].spec.layers if layer.grid)
    assert spec is not None
    from campaign.cards.layout import font, set_text
    from campaign.cards.values import per_size

    _, _, w, h = per_size(spec.box, "landscape")
    cols, _, side, label_h = grid_layout(60, w, h, spec.gap, spec.label_ratio)
    f = font(templates["collage"].fonts["khmer"], 9, spec.label.weight)  # type: ignore[union-attr]
    assert not set_text("ឈឿន ដារ៉ាវី សុវណ្ណរិទ្ធ កែវរស្មី វណ្ណៈ", f, int((w - spec.gap * (cols - 1)) / cols),
                        int(label_h * 0.92), spec.label.max_lines, 1.0).fits  # type: ignore[union-attr]


@pytest.mark.parametrize("direction, start, end", [
    ("vertical", (540, 2), (540, 1077)), ("horizontal", (2, 540), (1077, 540)), ("diagonal", (5, 5), (1074, 1074))])
def test_gradients_run_from_from_to_to(tmp_path, folder, direction: str, start, end) -> None:  # type: ignore[no-untyped-def]
    """``from`` is at the top, the left or the top left corner; ``to`` at the other end."""
    from campaign.cards import load_template

    d = tmp_path / "g"
    d.mkdir()
    (d / "template.yaml").write_text(
        "fonts: {sans: {package: fontpkg_noto_sans}, khmer: {package: fontpkg_noto_sans_khmer}}\n"
        "layers:\n"
        f"  - background: {{gradient: {{from: '#ff0000', to: '#0000ff', direction: {direction}}}}}\n"
        "alt: {en: '{name}'}\n", encoding="utf-8")
    im = decode(render(load_template(d), card_input((person_facts(folder, "rong-chhun"),)), fmt="png").image)
    first, last = im.getpixel(start), im.getpixel(end)
    assert first[0] > 200 and first[2] < 60, first  # red: from
    assert last[2] > 200 and last[0] < 60, last  # blue: to


def _latin_only_template(tmp_path, layers: str):  # type: ignore[no-untyped-def]
    from campaign.cards import load_template

    d = tmp_path / "latin"
    d.mkdir(exist_ok=True)
    (d / "template.yaml").write_text(
        "fonts: {sans: {package: fontpkg_noto_sans}}\n"
        "layers:\n  - background: {color: '#000000'}\n" + layers + "alt: {en: '{name}', km: '{name}'}\n", encoding="utf-8")
    return load_template(d)


def test_text_the_font_cannot_show_is_an_error_not_boxes(tmp_path, folder) -> None:  # type: ignore[no-untyped-def]
    """A Khmer name set in a Latin-only font would be drawn as empty boxes: the render stops,
    naming the template, the layer, the font and the characters, and says what to do."""
    t = _latin_only_template(tmp_path, "  - text: {id: name, text: '{name}', box: [10, 10, 900, 200], size: [20, 60], font_khmer: sans}\n")
    rc = person_facts(folder, "rong-chhun")
    assert render(t, card_input((rc,), "en")).texts  # English is fine
    with pytest.raises(CardError) as err:
        render(t, card_input((rc,), "km"))
    message = str(err.value)
    assert "'latin'" in message and "name:" in message and "font 'sans'" in message and "NotoSans" in message
    assert "U+179A KHMER LETTER RO" in message and "fontpkg_noto_sans_khmer" in message


def test_initials_the_fonts_cannot_show_are_an_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Changed on purpose (issue 13): a Khmer-only name gives the silhouette alone, so only a
    template asking for the first syllable cluster needs a Khmer font for it."""
    khmer_only = next(f for f in sample_facts() if f.person.id == "stress-khmer-only")
    assert render(_latin_only_template(tmp_path, "  - photo: {box: [10, 10, 400, 400]}\n"),
                  card_input((khmer_only,), "en")).image  # the silhouette alone: no font needed
    t = _latin_only_template(tmp_path, "  - photo: {box: [10, 10, 400, 400], placeholder: {khmer: first_cluster}}\n")
    with pytest.raises(CardError, match=r"initials 'ស'.*no font|no font.*initials"):
        render(t, card_input((khmer_only,), "en"))
    typical = sample_facts()[0]
    assert render(t, card_input((typical,), "en")).image  # Latin initials: the Latin font has them


def test_template_check_reports_a_font_without_khmer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from campaign.cli import main

    _latin_only_template(tmp_path, "  - text: {id: name, text: '{name}', box: [10, 10, 900, 200], size: [20, 60], font_khmer: sans}\n")
    result = CliRunner().invoke(main, ["template", "check", str(tmp_path / "latin")])
    assert result.exit_code == 2 and "no glyph for" in result.stderr and "empty boxes" in result.stderr


def test_numbers_take_the_digits_of_the_words_around_them(tmp_path, folder) -> None:  # type: ignore[no-untyped-def]
    from campaign.cards import load_template

    d = tmp_path / "digits"
    d.mkdir()
    (d / "template.yaml").write_text(
        "fonts: {sans: {package: fontpkg_noto_sans}, khmer: {package: fontpkg_noto_sans_khmer}}\n"
        "layers:\n"
        "  - text: {id: english, text: '{days_detained} DAYS BEHIND BARS', box: [10, 10, 1000, 100]}\n"
        "  - text: {id: khmer, text: 'សប្តាហ៍ទី {week}', box: [10, 200, 1000, 100]}\n"
        "  - text: {id: bare, text: '{week}', box: [10, 400, 1000, 100]}\n"
        "alt: {en: '{name}', km: '{name}'}\n", encoding="utf-8")
    t = load_template(d)
    rc = person_facts(folder, "rong-chhun")
    km = dict(render(t, card_input((rc,), "km")).texts)
    en = dict(render(t, card_input((rc,), "en")).texts)
    assert km["english"] == en["english"] == f"{rc.days_detained} DAYS BEHIND BARS"  # ASCII on the Khmer card too
    assert km["khmer"] == en["khmer"] == "សប្តាហ៍ទី ៦"  # Khmer digits on the English card too
    assert (km["bare"], en["bare"]) == ("៦", "6")  # no words: the card's language decides


def test_khmer_card_warns_about_english_fields_it_shows(portrait: Template) -> None:
    from campaign.roster import Person, facts

    p = Person.model_validate({"id": "p", "name": {"en": "Mech Dara", "km": "ម៉ែច ដារ៉ា"}, "group": {"en": "VOD"},
                               "events": [{"date": "2021-01-01", "type": "arrested", "charge": {"en": "spreading false information"}}]})
    card = render(portrait, card_input((facts(p, WEEK6),), "km"))
    assert "p has no Khmer charge; the Khmer card shows 'spreading false information'" in card.warnings
    assert "p has no Khmer group; the Khmer card shows 'VOD'" in card.warnings
    assert not any("Khmer name" in w for w in card.warnings)
    assert not render(portrait, card_input((facts(p, WEEK6),), "en")).warnings


def test_an_overflow_report_shows_a_long_text_cut_with_its_length() -> None:
    from campaign.cards.card import SHOWN_CHARS, Overflow

    long = Overflow("portrait", "p1", "name", "Rong " * 600, "square", 36)
    assert str(long).endswith(f"{'Rong ' * 24!r}... (3,000 characters)") and len(str(long)) < SHOWN_CHARS + 120
    short = Overflow("portrait", "p1", "name", "Rong Chhun", "square", 36)
    assert str(short) == "portrait (square): p1: name: does not fit even at 36px: 'Rong Chhun'"
