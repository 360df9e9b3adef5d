"""A string is fitted to its box measuring its words (each measured once, ``runs.by_words``) only
where that gives what measuring it whole gives: in every script's font the setting is the one
``layout.fit`` makes measuring each string whole, also where the words do not add up (a font
that kerns across a space; a quotation mark after a Cyrillic word)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from campaign.cards import runs
from campaign.cards.coverage import missing
from campaign.cards.layout import fit, font
from campaign.cards.scripts import default_font

from .cards_fixtures import portrait, templates  # noqa: F401
from .test_cards_words import WORDS


def _fonts(path: Path, weight: int):  # type: ignore[no-untyped-def]
    return lambda px: font(path, px, weight)


def _setting(f):  # type: ignore[no-untyped-def]
    return (f.size, f.lines, f.widths, f.fits, f.ascent, f.descent, f.pitch)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(WORDS)), st.data(), st.integers(80, 700), st.integers(30, 300),
       st.sampled_from([(12, 40), (20, 64), (30, 30), (8, 90)]), st.integers(1, 4), st.sampled_from([400, 700]),
       st.booleans())
def test_fitting_by_words_sets_what_fitting_whole_strings_sets(portrait, script: str, data: st.DataObject,  # type: ignore[no-untyped-def]
                                                              width: int, height: int, sizes: tuple[int, int],
                                                              max_lines: int, weight: int, balance: bool) -> None:
    words = data.draw(st.lists(st.sampled_from(WORDS[script]), min_size=1, max_size=8))
    text = " ".join(words)
    path = portrait.fonts["sans"] if script == "sans" else default_font(script, weight)
    assume(not missing(text, path))  # (Latin digits are not in every script's font)
    whole = fit(text, _fonts(path, weight), width, height, sizes, max_lines, 1.1, balance)
    runs.fitted.cache_clear()
    assert _setting(runs.fitted(text, path, weight, width, height, sizes, max_lines, 1.1, balance)) == _setting(whole)


def _kerning_font(path: Path, digits: bool = False) -> Path:
    """A font whose "T" kerns with a following space and the space with a following "A" (or,
    with ``digits``, whose "1" kerns with a following "2")."""
    from fontTools.feaLib.builder import addOpenTypeFeaturesFromString
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    names = [".notdef", "space", "T", "A", "one", "two"]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({32: "space", ord("T"): "T", ord("A"): "A", ord("1"): "one", ord("2"): "two"})
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        if name != "space":
            pen.moveTo((50, 0))
            pen.lineTo((50, 700))
            pen.lineTo((450, 700))
            pen.lineTo((450, 0))
            pen.closePath()
        glyphs[name] = pen.glyph()
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({name: (250, 0) if name == "space" else (500, 50) for name in names})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Kerns", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    fb.setupPost()
    pairs = "pos one two -150;" if digits else "pos T space -200; pos space A -120;"
    addOpenTypeFeaturesFromString(fb.font, "feature kern { " + pairs + " } kern;")
    fb.save(str(path))
    return path


def test_a_font_that_kerns_across_a_space_is_measured_whole(tmp_path: Path) -> None:
    path = _kerning_font(tmp_path / "kerns.ttf")
    f = font(path, 40)
    assert runs.by_words(f, "T A") != f.getlength("T A")  # its words do not add up to the line
    runs.fitted.cache_clear()
    for text, width in (("AT TA 12", 400), ("TA AT T A 21 T", 300), ("T A", 1000)):
        whole = fit(text, _fonts(path, 400), width, 200, (10, 60), 3)
        assert _setting(runs.fitted(text, path, 400, width, 200, (10, 60), 3, 1.0)) == _setting(whole), text


def test_a_quotation_after_a_cyrillic_word_is_measured_as_laid_out(portrait) -> None:  # type: ignore[no-untyped-def]
    path, text = portrait.fonts["sans"], "Тихановская “quoted” Лукашенко"
    f = font(path, 40)
    assert runs.by_words(f, text) != f.getlength(text)  # raqm shapes the quote as Cyrillic after a Cyrillic word
    runs.fitted.cache_clear()
    for width in (300, 500, 900):
        whole = fit(text, _fonts(path, 400), width, 200, (10, 60), 3)
        assert _setting(runs.fitted(text, path, 400, width, 200, (10, 60), 3, 1.0)) == _setting(whole), width


def test_a_number_whose_digits_kern_is_fitted_as_laid_out(tmp_path: Path) -> None:
    path = _kerning_font(tmp_path / "digits.ttf", digits=True)
    f = font(path, 40)
    assert runs.by_words(f, "A 12") != f.getlength("A 12")  # set digit by digit, "12" does not add up
    runs.fitted.cache_clear()
    for text, width in (("A 12 12 A 21", 300), ("12 A 12", 200), ("A 1212", 1000)):
        whole = fit(text, _fonts(path, 400), width, 200, (10, 60), 3)
        assert _setting(runs.fitted(text, path, 400, width, 200, (10, 60), 3, 1.0)) == _setting(whole), text
