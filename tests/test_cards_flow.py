"""Flow layout, names in every script, placeholders, finished release bands and QR codes (issue 13).

Positions are measured from the layout (``Card.boxes``: each text block set, as x, y, width,
height), never from pixels; glyphs are checked against the font's own character map."""

from __future__ import annotations

import io
import textwrap
from datetime import date
from pathlib import Path

import pytest
import yaml
from PIL import Image

from campaign.cards import CardError, load_template, render
from campaign.cards.canvas import clear_caches
from campaign.cards.coverage import missing
from campaign.cards.layout import font
from campaign.cards.scripts import default_font, font_for, script_of
from campaign.cards.template import Template
from campaign.fields import Post, namespace, value_of
from campaign.roster import Facts, Roster, facts

from .cards_fixtures import AFTER_RELEASE, card_input, folder, person_facts, templates  # noqa: F401

DAY = date(2023, 1, 20)
ROSTER = Roster.model_validate(yaml.safe_load("""\
people:
  - {id: short, name: {en: Ann Lee}, group: {en: Mother Nature}, events: [{date: 2022-06-01, type: arrested, charge: {en: plotting}}]}
  - id: long
    name: {en: Chhoeun Daravy Sovannarith Keoraksmey-Vannak Sopheap Chan}
    group: {en: Mother Nature}
    events: [{date: 2022-06-01, type: arrested, charge: {en: plotting}}]
  - {id: nogroup, name: {en: Ann Lee}, events: [{date: 2022-06-01, type: arrested}]}
  - {id: ales, name: {be: Алесь Бяляцкі, en: Ales Bialiatski}, group: {be: Вясна, en: Viasna}, events: [{date: 2021-07-14, type: arrested}]}
  - {id: somchai, name: {th: สมชาย ใจดี, en: Somchai Jaidee}, events: [{date: 2022-03-01, type: arrested}]}
  - {id: aung, name: {my: အောင်ဆန်းစုကြည်, en: Aung San Suu Kyi}, events: [{date: 2021-02-01, type: arrested}]}
  - {id: sopheap, name: {km: សុភាព ចាន់, en: Sopheap Chan}, events: [{date: 2022-06-01, type: arrested}]}
  - {id: withheld, name: {en: "KSILA member (name withheld)"}, events: [{date: 2022-06-01, type: arrested}]}
  - {id: khmer-only, name: {km: សុខ ស្រីនាង}, events: [{date: 2022-06-01, type: arrested}]}
  - {id: thai-only, name: {th: สมชาย ใจดี}, events: [{date: 2022-06-01, type: arrested}]}
  - {id: french-only, name: {fr: Élodie Bélanger}, events: [{date: 2022-06-01, type: arrested}]}
  - {id: belarusian-only, name: {be: Алесь Бяляцкі}, events: [{date: 2022-06-01, type: arrested}]}
""")).by_id()


def person(pid: str) -> Facts:
    return facts(ROSTER[pid], DAY)


def flow_template(tmp_path: Path, extra: str = "") -> Template:
    d = tmp_path / "flow"
    d.mkdir(exist_ok=True)
    (d / "template.yaml").write_text(textwrap.dedent("""\
        layers:
          - background: {color: "#000000"}
          - flow:
              box: [40, 40, 600, 620]
              gap: 10
              layers:
                - text: {id: name, text: "{name.primary}", size: [30, 70], max_lines: 3}
                - text: {id: second, text: "{name.secondary}", size: [20, 40], max_lines: 2}
                - text: {id: group, text: "{group}", size: [20, 32], max_lines: 2, gap: 24}
                - text: {id: charge, text: "{charge}", size: [20, 32]}
        """) + extra + "alt: {en: '{name}', km: '{name}'}\n", encoding="utf-8")
    return load_template(d)


def boxes(t: Template, f: Facts, lang: str = "en", size: str = "square", **kw: object) -> dict[str, tuple[int, int, int, int]]:
    return dict(render(t, card_input((f,), lang, **kw), size=size).boxes)


def stacked(b: dict[str, tuple[int, int, int, int]], order: list[str], gaps: dict[str, int]) -> None:
    """Each shown text starts exactly its gap below the one before: never over it, no hole."""
    shown = [k for k in order if k in b]
    for above, below in zip(shown, shown[1:]):
        assert b[below][1] == b[above][1] + b[above][3] + gaps.get(below, 10), (above, below, b)


# --- flow --------------------------------------------------------------------------------------


def test_a_missing_field_closes_up(tmp_path: Path) -> None:
    t = flow_template(tmp_path)
    full, bare = boxes(t, person("short")), boxes(t, person("nogroup"))
    assert "second" not in full  # no second name: no room, no gap
    assert set(bare) == {"name"}  # no group, no charge: nothing after the name
    stacked(full, ["name", "second", "group", "charge"], {"group": 24})
    assert full["group"][1] == full["name"][1] + full["name"][3] + 24  # the group moved up into the name's gap


def test_a_long_name_pushes_the_next_line_down_never_over_it(tmp_path: Path) -> None:
    t = flow_template(tmp_path)
    short, long = boxes(t, person("short")), boxes(t, person("long"))
    assert long["name"][3] > short["name"][3]  # more lines
    assert long["group"][1] > short["group"][1]  # pushed down
    for b in (short, long):
        stacked(b, ["name", "second", "group", "charge"], {"group": 24})


def test_a_crowded_flow_shrinks_what_follows_rather_than_overlap_or_drop_it(tmp_path: Path) -> None:
    """The later texts keep one line at their smallest size: an early long text cannot squeeze
    them out of the column."""
    d = tmp_path / "tight"
    d.mkdir()
    (d / "template.yaml").write_text(textwrap.dedent("""\
        layers:
          - flow:
              box: [40, 40, 500, 260]
              gap: 8
              layers:
                - text: {id: name, text: "{name}", size: [20, 90], max_lines: 4}
                - text: {id: group, text: "{group}", size: [18, 40]}
                - text: {id: charge, text: "{charge}", size: [18, 40]}
        alt: {en: '{name}'}
        """), encoding="utf-8")
    card = render(load_template(d), card_input((person("long"),), "en"))
    b = dict(card.boxes)
    assert not card.overflows, card.overflows
    stacked(b, ["name", "group", "charge"], {"group": 8, "charge": 8})
    assert b["charge"][1] + b["charge"][3] <= 40 + 260


def test_the_shipped_templates_close_up_a_missing_second_name(templates: dict[str, Template], folder) -> None:  # type: ignore[no-untyped-def]
    """Kak Komphear has no Khmer name: the group sits right under the name, in every canvas."""
    for size in ("square", "portrait", "landscape"):
        b = boxes(templates["portrait"], person_facts(folder, "kak-komphear"), "km", size)
        assert "name (second script)" not in b
        assert b["group"][1] == b["name"][1] + b["name"][3] + (16 if size == "square" else 12)


def test_flow_overflow_is_reported_not_cut(tmp_path: Path) -> None:
    d = tmp_path / "over"
    d.mkdir()
    (d / "template.yaml").write_text(textwrap.dedent("""\
        layers:
          - flow:
              box: [40, 40, 300, 60]
              layers:
                - text: {id: name, text: "{name}", size: 40}
                - text: {id: group, text: "{group}", size: 40}
        alt: {en: '{name}'}
        """), encoding="utf-8")
    card = render(load_template(d), card_input((person("short"),), "en"))
    assert [o.field for o in card.overflows] == ["group"] and dict(card.boxes)["group"][1] > 100


# --- names in every declared language and script -----------------------------------------------


@pytest.mark.parametrize("pid,languages,lang,primary,secondary", [
    ("ales", ["be", "en"], "be", "Алесь Бяляцкі", "Ales Bialiatski"),
    ("ales", ["be", "en"], "en", "Алесь Бяляцкі", "Ales Bialiatski"),
    ("ales", ["en", "be"], "be", "Ales Bialiatski", "Алесь Бяляцкі"),  # the order decides the first...
    ("somchai", ["th", "en"], "en", "สมชาย ใจดี", "Somchai Jaidee"),
    ("aung", ["my", "en"], "fr", "အောင်ဆန်းစုကြည်", "Aung San Suu Kyi"),  # ...then the card's language, else the next
    ("sopheap", [], "en", "សុភាព ចាន់", "Sopheap Chan"),  # no order given: Khmer, then English, as before
    ("ales", [], "be", "Ales Bialiatski", "Алесь Бяляцкі"),  # no order, no Khmer name: English, then the card's
])
def test_name_primary_follows_the_campaign_order_and_secondary_the_card_language(
        pid: str, languages: list[str], lang: str, primary: str, secondary: str) -> None:
    v = namespace([person(pid)], lang, Post(week=1, languages=tuple(languages)))
    assert (value_of(v, "name.primary"), value_of(v, "name.secondary")) == (primary, secondary)


@pytest.mark.parametrize("pid,languages,script,font_name", [
    ("ales", ("be", "en"), None, "NotoSans["),
    ("somchai", ("th", "en"), "thai", "NotoSansThai"),
    ("aung", ("my", "en"), "myanmar", "NotoSansMyanmar"),
    ("sopheap", ("km", "en"), "khmer", "NotoSansKhmer"),
])
def test_each_scripts_name_as_primary_is_set_in_a_font_that_has_its_glyphs(
        tmp_path: Path, pid: str, languages: tuple[str, ...], script: str | None, font_name: str) -> None:
    """Cyrillic, Thai, Burmese and Khmer names as the first name: each in its script's Noto font,
    whose character map has every character (no .notdef box), and its shaped line is not a row
    of .notdef boxes."""
    t = flow_template(tmp_path)
    card = render(t, card_input((person(pid),), "en", languages=languages))
    name = dict(card.texts)["name"]
    assert script_of(name) == script
    style = t.spec.layers[1].flow.layers[0].text  # type: ignore[union-attr]
    _, path = font_for(t, name, style)
    assert font_name in path.name and missing(name, path) == []
    f = font(path, 60, 400)
    notdef = f.getmask2("\U000f0000" * len(name), "L")[0]  # a private-use character: the font's .notdef
    assert bytes(f.getmask2(name, "L")[0]) != bytes(notdef)
    x, y, w, h = dict(card.boxes)["name"]
    ink = Image.open(io.BytesIO(card.image)).convert("L").crop((x, y, x + w, y + h)).getextrema()
    assert ink[1] > 128  # drawn


def test_a_script_without_its_font_is_an_error_naming_the_script_and_the_fix() -> None:
    with pytest.raises(CardError, match=r"Thai script needs a Thai font.*pip install fontpkg-not-installed.*thai:"):
        default_font("thai", 400, package="fontpkg_not_installed")
    assert "Bold" in default_font("myanmar", 700).name and "Regular" in default_font("myanmar", 400).name


# --- placeholders ------------------------------------------------------------------------------


def _face(tmp_path: Path, f: Facts, placeholder: str = "") -> bytes:
    d = tmp_path / f"face{len(placeholder)}"
    d.mkdir(exist_ok=True)
    (d / "template.yaml").write_text("layers:\n  - photo: {box: [0, 0, 300, 300]%s}\nalt: {en: x}\n" % placeholder,
                                     encoding="utf-8")
    return render(load_template(d), card_input((f,), "en"), fmt="png").image


def test_initials_only_from_a_real_name_and_khmer_only_on_request(tmp_path: Path) -> None:
    silhouette = _face(tmp_path, person("withheld"))
    assert _face(tmp_path, person("khmer-only")) == silhouette  # Khmer: the silhouette alone
    assert _face(tmp_path, person("thai-only")) == silhouette  # no capitals, no initials
    assert _face(tmp_path, person("short")) != silhouette  # "AL"
    # A real name in another script with capitals, with no English one, gives its initials too ("ÉB", "АБ").
    assert _face(tmp_path, person("french-only")) not in (silhouette, _face(tmp_path, person("short")))
    assert _face(tmp_path, person("belarusian-only")) not in (silhouette, _face(tmp_path, person("french-only")))
    asked = _face(tmp_path, person("khmer-only"), ", placeholder: {khmer: first_cluster}")
    assert asked != silhouette


# --- the shipped templates, finished -----------------------------------------------------------


def test_every_release_card_of_the_example_fills_its_band(templates: dict[str, Template], folder) -> None:  # type: ignore[no-untyped-def]
    """Under the band's top (square: y 840) something is always said, and a label is never alone."""
    released = [p for p in folder.roster.people if any(e.type == "released" for e in p.events)]
    assert released
    for p in released:
        day = next(e.date for e in p.events if e.type == "released")
        for lang in ("en", "km"):
            card = render(templates["released"], card_input((facts(p, day),), lang, kind="released"))
            band = [k for k, (_, y, _, _) in card.boxes if y >= 840]
            assert band and band != ["charges remain label"], (p.id, lang, band)
            assert not card.overflows


def test_the_several_people_release_line_is_balanced(templates: dict[str, Template], folder) -> None:  # type: ignore[no-untyped-def]
    people = tuple(person_facts(folder, pid, AFTER_RELEASE) for pid in ("rong-chhun", "sar-kanika"))
    card = render(templates["released"], card_input(people, "en", kind="released"))
    line = dict(card.texts)["release note (several)"]
    assert line == "Drop the charges against all of them."
    from campaign.cards.runs import fitted

    style = next(e.text for layer in templates["released"].spec.layers if layer.flow
                 for e in layer.flow.layers if e.text.id == "release note (several)")
    _, _, w, h = dict(card.boxes)["release note (several)"]
    set_ = fitted(line, templates["released"].fonts["sans"], style.weight, w, 150, (26, 44), 2, 1.0, True)
    assert len(set_.lines) == 2 and min(len(x.split()) for x in set_.lines) >= 3  # no "them." alone


def test_the_finale_is_a_collage_of_everyone_still_held(templates: dict[str, Template], folder) -> None:  # type: ignore[no-untyped-def]
    held = [facts(p, date(2021, 12, 10)) for p in folder.roster.people]
    held = [f for f in held if f.status.value in ("detained", "imprisoned")]
    assert len(held) >= 2
    card = render(templates["collage"], card_input(tuple(held), "km", kind="finale"))
    assert sum(1 for k, _ in card.texts if k == "grid.label") == len(held) and not card.overflows


def test_the_campaign_name_is_said_in_the_cards_language(folder) -> None:  # type: ignore[no-untyped-def]
    from campaign.cards import card_input as make

    c = folder.campaign
    for account in c.accounts:
        ci = make(c, account, (person_facts(folder, "rong-chhun"),), kind="weekly", week=6, photos={}, logo=None)
        assert ci.campaign_name == c.title(account.language) and ci.campaign_name == c.names[account.language]
    assert c.names["km"] != c.names["en"] and c.name == c.names["en"]


def test_campaign_name_languages_and_url_are_checked() -> None:
    from pydantic import ValidationError

    from campaign.definition import Campaign

    base = yaml.safe_load((Path("config/campaigns/release-hrds-2021/campaign.yaml")).read_text(encoding="utf-8"))
    for bad, said in ((dict(name={"english": "x"}), "not a language code"), (dict(name={"en": " "}), "shows nothing"),
                      (dict(languages=["be", "be"]), "each language once"), (dict(url="example.org"), "web address")):
        with pytest.raises(ValidationError, match=said):
            Campaign.model_validate({**base, **bad})
    ok = Campaign.model_validate({**base, "languages": ["be", "en"], "url": "https://example.org/x"})
    assert ok.language_order == ("be", "en") and ok.title("fr") == "Release Human Rights Defenders"


# --- QR codes, determinism ---------------------------------------------------------------------


def test_the_qr_code_is_segnos_own_and_only_where_the_campaign_gives_a_page(templates: dict[str, Template], folder) -> None:  # type: ignore[no-untyped-def]
    import segno

    from campaign.cards.paint import qr_image

    url = "https://example.org/release-hrds"
    spec = next(layer.qr for layer in templates["portrait"].spec.layers if layer.qr)
    mine = qr_image(url, 120, spec).convert("L")
    buf = io.BytesIO()
    scale = mine.size[0] // (len(segno.make(url, error="m", micro=False).matrix) + 2 * spec.margin)
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=scale, border=spec.margin)
    theirs = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    assert mine.size == theirs.size
    assert mine.point(lambda v: 255 if v > 128 else 0).tobytes() == theirs.point(lambda v: 255 if v > 128 else 0).tobytes()
    rc = person_facts(folder, "rong-chhun")
    with_page = render(templates["portrait"], card_input((rc,), "en", url=url), fmt="png").image
    without = render(templates["portrait"], card_input((rc,), "en"), fmt="png").image
    assert with_page != without


def test_the_same_card_is_the_same_bytes_twice(tmp_path: Path, templates: dict[str, Template], folder) -> None:  # type: ignore[no-untyped-def]
    rc = person_facts(folder, "rong-chhun", AFTER_RELEASE)
    cases = [(templates["released"], (rc,), "released", "km"), (flow_template(tmp_path), (person("aung"),), "weekly", "en")]
    for t, people, kind, lang in cases:
        first = render(t, card_input(people, lang, kind=kind, url="https://example.org/x", languages=("my", "en"))).image
        clear_caches(fonts=True)
        t.cache.clear()
        assert render(t, card_input(people, lang, kind=kind, url="https://example.org/x", languages=("my", "en"))).image == first


def test_a_flow_layer_only_on_some_canvases_needs_values_only_for_them(tmp_path: Path) -> None:
    from campaign.sources import InputError

    d = tmp_path / "sized"
    d.mkdir()
    (d / "template.yaml").write_text(textwrap.dedent("""\
        layers:
          - flow:
              when: {size: [squar]}
              box: {square: [0, 0, 100, 100]}
              layers:
                - text: {text: "{name}", size: {square: 20}}
        alt: {en: x}
        """), encoding="utf-8")
    with pytest.raises(InputError, match=r"no canvas named 'squar'.*did you mean 'square'"):
        load_template(d)
    (d / "template.yaml").write_text((d / "template.yaml").read_text(encoding="utf-8").replace("squar]", "square]"),
                                     encoding="utf-8")
    assert load_template(d).spec.layers[0].flow is not None


def test_alt_text_says_every_field_as_the_card_does(tmp_path: Path) -> None:
    """The alt text is filled from the same fields as the card's own text: the campaign's
    language order for {name.primary}, its page, the number of people."""
    extra = "alt: {en: '{name.primary} / {name.secondary} / {count} / {url} / {campaign} / {week}'}\n"
    d = tmp_path / "alt"
    d.mkdir()
    (d / "template.yaml").write_text(textwrap.dedent("""\
        layers:
          - background: {color: "#000000"}
          - text: {id: said, box: [20, 20, 1000, 200], size: [10, 20], max_lines: 4,
                   text: "{name.primary} / {name.secondary} / {count} / {url} / {campaign} / {week}"}
        """) + extra, encoding="utf-8")
    t = load_template(d)
    for pid, languages in (("ales", ("be", "en")), ("ales", ()), ("short", ("fr", "en"))):
        card = render(t, card_input((person(pid),), "en", url="https://example.org/x", languages=languages))
        assert card.alt["en"] == dict(card.texts)["said"], (pid, languages)


@pytest.mark.parametrize("card_lang", ["km", "en", "fr"])
def test_every_text_names_the_campaign_in_its_own_language(tmp_path: Path, folder: object, card_lang: str) -> None:
    """``{campaign}`` and ``{campaign.name}`` say the campaign's name in the language of the text
    they are in (each alt text; a layer with ``lang:``), whatever the card's language: as
    Campaign.title says it, its default name where it gives none (Belarusian here)."""
    from campaign.cards.card import card_input as post_card
    c = folder.campaign.model_copy(update={"names": {"en": "Free Them", "km": "ដោះលែងពួកគេ", "fr": "Libérez-les"},
                                           "name": "Free Them"})  # type: ignore[attr-defined]
    account = c.accounts[0].model_copy(update={"language": card_lang})
    d = tmp_path / "names"
    d.mkdir()
    (d / "template.yaml").write_text(textwrap.dedent("""\
        layers:
          - background: {color: "#000000"}
          - text: {id: own, box: [20, 20, 1000, 100], size: [10, 20], text: "{campaign.name}"}
          - text: {id: in fr, box: [20, 120, 1000, 100], size: [10, 20], lang: fr, text: "{campaign}"}
          - text: {id: in en, box: [20, 220, 1000, 100], size: [10, 20], lang: en, text: "{campaign.name}"}
        alt: {en: "{campaign} / {campaign.name}", km: "{campaign} / {campaign.name}",
              fr: "{campaign} / {campaign.name}", be: "{campaign} / {campaign.name}"}
        """), encoding="utf-8")
    card = render(load_template(d), post_card(c, account, (person("ales"),), kind="weekly", week=6,
                                              photos={}, logo=None))
    for lang in ("en", "km", "fr", "be"):
        assert card.alt[lang] == f"{c.title(lang)} / {c.title(lang)}", lang
    assert {k: v for k, v in card.texts} == {"own": c.title(card_lang), "in fr": "Libérez-les", "in en": "Free Them"}
    assert c.title("be") == "Free Them"
