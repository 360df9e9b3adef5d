"""A designer's workflow: ``campaign template new`` writes a commented template with every canvas
that passes ``campaign template check`` as written; ``check --out`` keeps the sample cards with a
contact sheet; ``check`` warns, at the template.yaml line, about text below WCAG AA contrast."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from PIL import Image

from campaign.cards import load_template
from campaign.cards.preview.check import sample_inputs

from .cards_fixtures import EXAMPLE
from .test_cards_cli import run


def _campaign(tmp_path: Path) -> Path:
    camp = tmp_path / "camp"
    shutil.copytree(EXAMPLE, camp)
    return camp


def test_a_new_template_passes_check_and_check_keeps_its_samples(tmp_path: Path) -> None:
    camp = _campaign(tmp_path)
    code, out, err = run("template", "new", "mine", "--campaign", str(camp))
    assert code == 0, err
    made = camp / "templates" / "mine" / "template.yaml"
    text = made.read_text(encoding="utf-8")
    assert text.count("\n#") + text.count("  # ") >= 10  # commented for the designer
    assert set(yaml.safe_load(text)["sizes"]) == {"square", "portrait", "landscape"}  # every canvas
    assert "campaign template check mine" in out
    samples = tmp_path / "samples"
    code, out, err = run("template", "check", "mine", "--campaign", str(camp), "--out", str(samples))
    assert code == 0, err
    assert "warning" not in err and "overflow" not in err, err
    assert "0 distinct overflow(s), 0 low contrast(s)" in out
    t = load_template(made.parent)
    want = list(sample_inputs(t))
    cards = sorted(samples.glob("*.jpg"))
    assert len(cards) == len(want) == 3 * 2 * 7  # canvases x languages x sample people (4, and 3 other scripts)
    sheet = (samples / "index.html").read_text(encoding="utf-8")
    for card in cards:
        assert f'src="{card.name}"' in sheet
        assert Image.open(card).size in set(t.sizes.values())
    # a second run empties the folder of the cards an earlier one left
    (samples / "stale_en_square.jpg").write_bytes(cards[0].read_bytes())
    assert run("template", "check", "mine", "--campaign", str(camp), "--out", str(samples))[0] == 0
    assert not (samples / "stale_en_square.jpg").exists()


def test_a_template_started_from_a_shipped_one_is_a_renamed_copy_that_passes(tmp_path: Path) -> None:
    code, out, err = run("template", "new", "my-portrait", "--from", "portrait", "--dir", str(tmp_path))
    assert code == 0, err
    copy = (tmp_path / "my-portrait" / "template.yaml").read_text(encoding="utf-8")
    shipped = Path("assets/templates/portrait/template.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(copy)["name"] == "my-portrait"
    assert yaml.safe_load(copy)["layers"] == yaml.safe_load(shipped)["layers"]
    assert [ln for ln in shipped.splitlines() if ln.lstrip().startswith("#")][:3] == \
        [ln for ln in copy.splitlines() if ln.lstrip().startswith("#")][1:4]  # its comments kept
    code, out, err = run("template", "check", str(tmp_path / "my-portrait"))
    assert code == 0 and out.startswith("ok: template my-portrait"), err


def test_template_new_refuses_a_bad_name_an_existing_folder_and_an_unknown_source(tmp_path: Path) -> None:
    code, _, err = run("template", "new", "My Card", "--dir", str(tmp_path))
    assert code == 2 and "lower-case letters" in err
    assert run("template", "new", "ok", "--dir", str(tmp_path))[0] == 0
    code, _, err = run("template", "new", "ok", "--dir", str(tmp_path))
    assert code == 2 and "already exists" in err
    code, _, err = run("template", "new", "other", "--from", "nope", "--dir", str(tmp_path))
    assert code == 2 and "no template 'nope'" in err
    code, _, err = run("template", "new", "third")  # no campaign here, no --dir
    assert code == 2 and "--campaign" in err


def test_check_warns_about_low_contrast_at_the_colour_s_line_with_the_figure(tmp_path: Path) -> None:
    d = tmp_path / "grey"
    d.mkdir()
    (d / "template.yaml").write_text(
        "name: grey\n"
        "layers:\n"
        "  - background: {color: '#ffffff'}\n"
        "  - text:\n"
        "      id: name\n"
        "      text: '{name}'\n"
        "      box: [40, 40, 1000, 120]\n"
        "      size: 20\n"
        "      color: '#777777'\n"
        "alt: {en: '{name}', km: '{name}'}\n", encoding="utf-8")
    code, out, err = run("template", "check", str(d))
    assert code == 0  # a warning, not a failure
    for canvas in ("square", "portrait", "landscape"):
        assert (f"{d / 'template.yaml'}:9: layers[1].text.color: low contrast: grey ({canvas}, "
                in err), err
    assert "name: #777777 over #ffffff is 4.48:1, below WCAG AA 4.5:1" in err
    assert "3 low contrast(s)" in out


def _script(text: str) -> str:
    """The Unicode script of a name's first letter, as far as these tests need it."""
    import unicodedata

    return unicodedata.name(next(ch for ch in text if ch.isalpha())).split()[0]


def test_preview_of_a_template_the_campaign_does_not_use_shows_every_script_of_the_roster_as_a_first_name(
        tmp_path: Path) -> None:
    from campaign.cards.canvas import paint_card
    from campaign.cards.preview import template_jobs
    from campaign.checks import load_consistent

    camp = _campaign(tmp_path)
    with (camp / "roster.yaml").open("a", encoding="utf-8") as f:
        f.write("\n  - id: ales-bialiatski\n    name: {be: Алесь Бяляцкі, en: Ales Bialiatski}\n"
                "    events:\n      - {date: 2021-07-14, type: arrested, charge: {en: smuggling, be: кантрабанда}}\n")
    assert run("template", "new", "mine", "--campaign", str(camp))[0] == 0
    starter = camp / "templates" / "mine" / "template.yaml"  # the name in the card's language, whichever it is
    starter.write_text(starter.read_text(encoding="utf-8").replace('"{name.primary}"', '"{name}"'), encoding="utf-8")
    folder = load_consistent(camp)
    shown: dict[str, set[str]] = {}  # script -> first names set in it

    def first_names(name: str) -> set[str]:
        t = load_template(camp / "templates" / name)
        for job in template_jobs(folder, t, name, ["square"]):
            texts = dict(paint_card(t, job.card, job.size).texts)
            if "name" in texts:
                shown.setdefault(_script(texts["name"]), set()).add(texts["name"])
        return {s for s, names in shown.items() if names}

    scripts = {_script(text) for p in folder.roster.people for text in p.name.root.values()}
    assert scripts == {"LATIN", "KHMER", "CYRILLIC"}
    assert first_names("mine") == scripts
    assert "Алесь Бяляцкі" in shown["CYRILLIC"]
    # a template the campaign uses shows the cards it makes: in the languages it posts in
    shown.clear()
    shutil.copytree(camp / "templates" / "mine", camp / "templates" / "portrait")
    assert first_names("portrait") == {"LATIN", "KHMER"}


def test_check_samples_every_language_the_template_writes_not_only_english_and_khmer(tmp_path: Path) -> None:
    """A Belarusian label that overflows, and a Belarusian-only layer below AA contrast, are
    reported by ``template check`` as English and Khmer ones are ("every size and language")."""
    d = tmp_path / "be"
    d.mkdir()
    (d / "template.yaml").write_text(
        "name: be\n"
        "layers:\n"
        "  - background: {color: '#101826'}\n"
        "  - badge:\n"
        "      id: week\n"
        "      text: {en: 'WEEK {week}', km: 'សប្តាហ៍ទី {week}',\n"
        "             be: 'ТЫДЗЕНЬ КАМПАНІІ ЗА ВЫЗВАЛЕННЕ ПАЛІТВЯЗНЯЎ {week}'}\n"
        "      box: [60, 50, 240, 56]\n"
        "      size: [18, 28]\n"
        "  - text:\n"
        "      id: solidarity\n"
        "      when: {language: be}\n"
        "      text: 'Салідарнасць'\n"
        "      box: [60, 200, 900, 60]\n"
        "      size: 20\n"
        "      color: '#2a3344'\n"
        "alt: {en: '{name}', km: '{name}', be: '{name}'}\n", encoding="utf-8")
    code, out, err = run("template", "check", str(d))
    assert code == 0, err
    assert "overflow: be: be (square): sample-typical: week: does not fit" in err, err
    assert "layers[2].text.color: low contrast: be (square, be): solidarity: #2a3344 over #101826" in err, err
    assert {lang for _, lang, _, _ in sample_inputs(load_template(d))} == {"en", "km", "be"}


def test_check_draws_the_campaign_s_hashtags_and_page_so_their_text_and_qr_are_checked(tmp_path: Path) -> None:
    """A text of ``{hashtags}`` or ``{url}`` is on the sample cards (not an empty text that no
    contrast check ever sees), and a qr layer is drawn there."""
    d = tmp_path / "tags"
    d.mkdir()
    (d / "template.yaml").write_text(
        "name: tags\n"
        "layers:\n"
        "  - background: {color: '#101826'}\n"
        "  - text: {id: footer, text: '{hashtags} {url}', box: [40, 40, 1000, 60], size: 20, color: '#2a3344'}\n"
        "  - qr: {box: [40, 200, 300, 300]}\n"
        "alt: {en: '{name}', km: '{name}'}\n", encoding="utf-8")
    code, out, err = run("template", "check", str(d), "--out", str(tmp_path / "out"))
    assert code == 0, err
    assert "layers[1].text.color: low contrast: tags (square, " in err, err
    card = Image.open(tmp_path / "out" / "sample-typical_en_square.jpg").convert("L")
    qr = card.crop((60, 220, 320, 480))
    assert qr.getextrema()[0] < 60 and qr.getextrema()[1] > 200  # black modules on white: a QR code is there


def test_check_names_the_fonts_line_of_a_khmer_family_without_khmer(tmp_path: Path) -> None:
    """A designer's slip, a Latin font declared as `khmer:`: the error names that line of
    template.yaml and the package to put there, not only the layer whose Khmer it cannot draw."""
    d = tmp_path / "latin-khmer"
    d.mkdir()
    (d / "template.yaml").write_text(
        "fonts:\n  sans: {package: fontpkg_noto_sans}\n  khmer: {package: fontpkg_noto_sans}\n"
        "layers:\n  - background: {color: '#000000'}\n"
        "  - badge: {box: [40, 40, 400, 60], text: {en: 'WEEK {week}', km: 'សប្តាហ៍ទី {week}'}}\n"
        "alt: {en: '{name}', km: '{name}'}\n", encoding="utf-8")
    code, _, err = run("template", "check", str(d))
    assert code == 2
    assert f"fonts.khmer ({d / 'template.yaml'}:3) is NotoSans" in err, err
    assert "khmer: {package: fontpkg_noto_sans_khmer}" in err, err


def test_preview_of_the_released_template_shows_the_releases_the_campaign_announces_as_of_their_day(
        tmp_path: Path) -> None:
    """A person freed before the campaign began (and held again during it) has no release post: the
    released template's preview shows the campaign's own releases, each as of its day, in its week."""
    from campaign.cards.preview import template_jobs
    from campaign.checks import load_consistent
    from campaign.plan import week_of

    camp = _campaign(tmp_path)
    with (camp / "roster.yaml").open("a", encoding="utf-8") as f:
        f.write("\n  - id: freed-before\n    name: {en: Freed Before}\n    events:\n"
                "      - {date: 2019-01-01, type: arrested, charge: {en: protest}}\n"
                "      - {date: 2020-12-01, type: released}\n"
                "      - {date: 2021-09-01, type: arrested, charge: {en: incitement}}\n")
    folder = load_consistent(camp)
    c = folder.campaign
    t = load_template(Path("assets/templates") / c.released_template)
    jobs = list(template_jobs(folder, t, c.released_template, ["square"]))
    assert jobs and not [j for j in jobs if "freed-before" in j.title]
    for job in jobs:
        [f] = job.card.people
        assert f.status.value == "released" and c.start <= f.on <= c.end and f.released_on == f.on, job.title
        assert job.card.week == week_of(c, f.on)


def test_check_shows_a_long_name_in_each_other_script_as_the_first_name_and_the_starter_fits_it(tmp_path: Path) -> None:
    """Every template is checked with a long Cyrillic, Thai and Burmese name as the card's first name
    (a campaign's ``languages: [th, en]``), set in that script's font: the starter's boxes fit each."""
    from campaign.cards.canvas import paint_card
    from campaign.cards.preview.check import sample_inputs
    from campaign.cards.samples import other_script_people

    assert run("template", "new", "mine", "--dir", str(tmp_path))[0] == 0
    t = load_template(tmp_path / "mine")
    seen = {}
    for size, lang, label, card in sample_inputs(t):
        painted = paint_card(t, card, size)
        seen[(label, lang, size)] = (dict(painted.texts).get("name"), painted.overflows)
    for script, person in other_script_people():
        for lang in ("en", "km"):
            for size in t.sizes:
                name, overflows = seen[(person.id, lang, size)]
                assert name == person.name.get(script) and not overflows, (script, lang, size, name, overflows)
