"""Layout: Khmer clusters and words, wrapping, shrink-to-fit, raqm shaping, the grid."""

from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

from campaign.cards.breaks import clusters, has_khmer, units
from campaign.cards.layout import fit, font, initials, wrap
from campaign.cards.grid import grid_layout
from campaign.cards.load import package_font

KHMER_FONT = package_font("fontpkg_noto_sans_khmer")
SANS_FONT = package_font("fontpkg_noto_sans")
COENG = "\u17d2"
CONSONANTS = [chr(c) for c in range(0x1780, 0x17A3)]
VOWELS = [chr(c) for c in range(0x17B6, 0x17C6)]
SIGNS = [chr(c) for c in range(0x17C6, 0x17D2)] + ["\u17d3", "\u17dd"]
DEPENDENT = set(VOWELS + SIGNS + ["\u17b4", "\u17b5"])


def khmer_font(size: int = 32) -> ImageFont.FreeTypeFont:
    return font(KHMER_FONT, size, 400)


# A Khmer syllable: consonant, optional subscripts, optional vowel and sign; words of 1-4
# syllables, separated by nothing, a space or a zero-width space.
syllable = st.builds(
    lambda c, subs, v, s: c + "".join(COENG + x for x in subs) + v + s,
    st.sampled_from(CONSONANTS), st.lists(st.sampled_from(CONSONANTS), max_size=2),
    st.sampled_from(VOWELS + [""]), st.sampled_from(SIGNS + [""] * 4),
)
word = st.lists(syllable, min_size=1, max_size=4).map("".join)
khmer_text = st.lists(st.tuples(word, st.sampled_from(["", " ", "\u200b"])), min_size=1, max_size=12).map(
    lambda parts: "".join(w + sep for w, sep in parts).strip(" \u200b"))


def _starts_inside_cluster(line: str) -> bool:
    return bool(line) and (line[0] in DEPENDENT or line[0] == COENG)


def _ends_inside_cluster(line: str) -> bool:
    return bool(line) and line[-1] == COENG


@settings(max_examples=150, deadline=None)
@given(khmer_text, st.integers(min_value=40, max_value=400))
def test_wrapping_never_splits_a_khmer_cluster(text: str, width: int) -> None:
    f = khmer_font()
    lines = wrap(text, f.getlength, width)
    # nothing lost or added except the spaces and zero-width spaces a break consumed
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\u200b", "")
    for line in lines:
        assert not _starts_inside_cluster(line), (text, lines)
        assert not _ends_inside_cluster(line), (text, lines)
    # every line boundary is a cluster boundary of the original text
    flat = text.replace(" ", "").replace("\u200b", "")
    bounds = {0}
    pos = 0
    for c in clusters(flat):
        pos += len(c)
        bounds.add(pos)
    pos = 0
    for line in lines:
        pos += len(line.replace(" ", ""))
        assert pos in bounds


@given(khmer_text)
def test_clusters_rejoin_to_the_text(text: str) -> None:
    parts = clusters(text)
    assert "".join(parts) == text
    assert all(not _starts_inside_cluster(p) for p in parts)


def test_subscript_and_vowels_stay_with_their_consonant() -> None:
    assert clusters("ស្រី") == ["ស្រី"]
    assert clusters("ព្រឹត្ត") == ["ព្រឹ", "ត្ត"]
    assert clusters("រ៉ុង") == ["រ៉ុ", "ង"]


def test_khmer_wraps_at_word_boundaries_before_clusters() -> None:
    f = khmer_font(32)
    text = "ញុះញង់ឱ្យប្រព្រឹត្តបទឧក្រិដ្ឋ"
    words = [u.text for u in units(text)]
    assert words == ["ញុះញង់", "ឱ្យ", "ប្រព្រឹត្ត", "បទឧក្រិដ្ឋ"]
    lines = wrap(text, f.getlength, f.getlength("ញុះញង់ឱ្យ") + 2)
    assert lines[0] == "ញុះញង់ឱ្យ"
    assert all(line in words or "".join(lines).startswith(line) for line in lines)


def test_zero_width_space_is_a_break_and_vanishes() -> None:
    f = khmer_font(32)
    text = "សហព័ន្ធ\u200bសហជីព\u200bកម្ពុជា"
    lines = wrap(text, f.getlength, f.getlength("សហព័ន្ធសហជីព") - 1)
    assert lines == ["សហព័ន្ធ", "សហជីព", "កម្ពុជា"] or lines == ["សហព័ន្ធ", "សហជីពកម្ពុជា"]
    assert all("\u200b" not in line for line in lines)


def test_english_wraps_on_spaces_only() -> None:
    f = font(SANS_FONT, 30, 400)
    lines = wrap("incitement to commit a felony", f.getlength, f.getlength("incitement to co"))
    assert lines == ["incitement to", "commit a felony"]
    # a single over-long word is left whole (the fit reports it), never cut mid-word
    assert wrap("Keoraksmey", f.getlength, 20) == ["Keoraksmey"]


def test_fit_shrinks_within_the_range() -> None:
    fonts = lambda px: font(SANS_FONT, px, 700)  # noqa: E731
    big = fit("Rong Chhun", fonts, 900, 200, (20, 80))
    assert big.fits and big.size == 80 and big.lines == ("Rong Chhun",)
    small = fit("Phuon Keoraksmey and Chhoeun Daravy", fonts, 300, 200, (10, 80), max_lines=1)
    assert small.fits and 10 <= small.size < 80
    assert fonts(small.size).getlength(small.lines[0]) <= 300
    # one size larger would not fit on one line
    assert fonts(small.size + 1).getlength(small.lines[0]) > 300


_FIT_TEXTS = [
    "Rong Chhun", "ឈឿន ដារ៉ាវី សុវណ្ណរិទ្ធ កែវរស្មី វណ្ណៈ", "Chhoeun Daravy Sovannarith Keoraksmey-Vannak",
    "ញុះញង់ឱ្យប្រព្រឹត្តបទឧក្រិដ្ឋ និងឃុបឃិតប្រឆាំងនឹងរដ្ឋ", "incitement to commit a felony and plotting against the state",
    "១ ឆ្នាំ ២ ខែ និង ៣០ ថ្ងៃ", "Khmer Student Intelligent League Association and Mother Nature Cambodia",
    "សហព័ន្ធសហជីពកម្ពុជា", "Keoraksmey",
]


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(_FIT_TEXTS), st.integers(80, 1000), st.integers(20, 320), st.integers(1, 3),
       st.integers(9, 40), st.integers(0, 60))
def test_fit_finds_the_largest_size_that_fits(text: str, width: int, height: int, max_lines: int,
                                              lo: int, span: int) -> None:
    """The estimate-and-step search gives what trying every size from the largest down gives:
    the largest size at which the text fits (spaces-only breaks first for Khmer), or an
    overflow set at the minimum size."""
    from campaign.cards.layout import set_text

    path = KHMER_FONT if has_khmer(text) else SANS_FONT
    fonts = lambda px: font(path, px, 700)  # noqa: E731
    hi = lo + span
    got = fit(text, fonts, width, height, (lo, hi), max_lines)
    expected = None
    for fine in ((False, True) if has_khmer(text) else (True,)):
        expected = next((r for s in range(hi, lo - 1, -1)
                         if (r := set_text(text, fonts(s), width, height, max_lines, 1.0, fine)).fits), None)
        if expected:
            break
    if expected is None:
        assert not got.fits and got.size == lo
    else:
        assert got.fits and (got.size, got.lines) == (expected.size, expected.lines)
        assert got.widths == tuple(fonts(got.size).getlength(line) for line in got.lines)


def test_fit_reports_overflow_at_minimum_instead_of_cutting() -> None:
    fonts = lambda px: font(SANS_FONT, px, 400)  # noqa: E731
    text = "a very long charge that cannot possibly fit in this tiny box"
    result = fit(text, fonts, 120, 40, (20, 30), max_lines=1)
    assert not result.fits
    assert result.size == 20
    assert " ".join(result.lines) == text  # nothing dropped


def test_fit_uses_more_lines_when_allowed() -> None:
    fonts = lambda px: font(SANS_FONT, px, 400)  # noqa: E731
    one = fit("Cambodian Confederation of Unions", fonts, 300, 300, (10, 40), max_lines=1)
    three = fit("Cambodian Confederation of Unions", fonts, 300, 300, (10, 40), max_lines=3)
    assert three.size > one.size and len(three.lines) > 1


def test_khmer_is_shaped_by_raqm_not_basic() -> None:
    """Shaping moves the subscript and vowel of ស្រី under/over the base: raqm's glyph run
    differs from BASIC layout's naive one, and so do the pixels."""
    for text in ("ស្រី", "រ៉ុង ឈុន"):
        raqm = ImageFont.truetype(str(KHMER_FONT), 48, layout_engine=ImageFont.Layout.RAQM)
        basic = ImageFont.truetype(str(KHMER_FONT), 48, layout_engine=ImageFont.Layout.BASIC)
        assert raqm.getlength(text) != basic.getlength(text)
        images = []
        for f in (raqm, basic):
            im = Image.new("L", (400, 120), 0)
            ImageDraw.Draw(im).text((10, 10), text, font=f, fill=255)
            images.append(im.tobytes())
        assert images[0] != images[1]
    # and our font loader asks for raqm
    assert font(KHMER_FONT, 48).layout_engine == ImageFont.Layout.RAQM


def test_noto_sans_khmer_covers_latin_and_digits() -> None:
    """Mixed Khmer/Latin text is set in the Khmer font: its Latin glyphs must exist (not .notdef)."""
    f = khmer_font(40)
    notdef = f.getmask("\ue000").getbbox()
    for ch in "AKz09(),":
        assert f.getmask(ch).getbbox() != notdef or f.getlength(ch) != f.getlength("\ue000")


def test_has_khmer_and_initials() -> None:
    """Initials come only from a real given and family name (first and last words capitalised,
    no remark in brackets); Khmer gives the silhouette alone unless the template asks for the
    first syllable cluster (Khmer has no initials convention)."""
    assert has_khmer("Rong ឈុន") and not has_khmer("Rong Chhun")
    assert initials("Rong Chhun", "រ៉ុង ឈុន") == "RC"
    assert initials("Ludwig van Beethoven") == "LB"  # given and family name, the particle skipped
    assert initials("Алесь Бяляцкі") == "АБ"  # Cyrillic has capitals too
    assert initials("KSILA member (name withheld)") == ""  # a description, not a name
    assert initials("KSILA member") == "" and initials("(withheld)") == ""
    assert initials("สมชาย ใจดี") == "" and initials("အောင် ဆန်း") == ""  # no capitals, no initials
    assert initials("", "សុខ ស្រីនាង") == ""  # Khmer: the silhouette alone...
    assert initials("", "សុខ ស្រីនាង", khmer_cluster=True) == "សុ"  # ...or the first cluster, when asked
    assert initials("Sok Sreyneang", "សុខ ស្រីនាង", khmer_cluster=True) == "SS"  # a Latin name still wins


@pytest.mark.parametrize("n", [1, 2, 3, 7, 12, 13, 30, 59, 60])
def test_grid_fits_every_count(n: int) -> None:
    cols, rows, side, label = grid_layout(n, 1000, 750, 14, 0.34)
    assert cols * rows >= n and cols * (rows - 1) < n  # room for all, no empty row
    assert side > 0
    assert cols * side + (cols - 1) * 14 <= 1000
    assert rows * (side + label) + (rows - 1) * 14 <= 750 + rows  # rounding


def test_khmer_prefers_spaces_over_segmenter_words() -> None:
    """A Khmer name breaks at the spaces between its parts, never inside a part, when it can."""
    from campaign.cards.layout import set_text

    name = "ឈឿន ដារ៉ាវី សុវណ្ណរិទ្ធ កែវរស្មី"
    f = khmer_font(40)
    width = int(f.getlength("ឈឿន ដារ៉ាវី សុវណ្ណរិទ្ធ") - 5)  # the first three parts do not fit one line
    result = set_text(name, f, width, 500, 3, 1.0)
    assert result.fits
    assert all(part in name.split(" ") for line in result.lines for part in line.split(" "))
    # the fit prefers a smaller size with space breaks to a larger one that splits a part
    fitted = fit(name, lambda px: khmer_font(px), 330, 150, (20, 80), max_lines=2)
    assert fitted.fits and all(part in name.split(" ") for line in fitted.lines for part in line.split(" "))


def test_missing_raqm_stops_naming_fribidi_and_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import features

    from campaign.cards import CardError, require_raqm

    monkeypatch.setattr(features, "check", lambda name: False if name == "raqm" else True)
    with pytest.raises(CardError) as exc:
        require_raqm()
    msg = str(exc.value)
    assert "FriBiDi" in msg and "apt-get install libfribidi0" in msg


def test_english_breaks_after_a_hyphen_when_spaces_are_not_enough() -> None:
    from campaign.cards.layout import set_text

    f = font(SANS_FONT, 9, 600)
    name = "Chhoeun Daravy Sovannarith Keoraksmey-Vannak"
    width = int(f.getlength("Keoraksmey-Vannak")) - 4  # the hyphenated name is wider than a line
    result = set_text(name, f, width, 200, 6, 1.0)
    assert result.fits and "Keoraksmey-" in result.lines and "Vannak" in result.lines
    roomy = set_text(name, f, int(f.getlength("Keoraksmey-Vannak")) + 2, 200, 6, 1.0)
    assert "Keoraksmey-Vannak" in roomy.lines  # a space break is preferred when one is enough


def test_a_fresh_font_measures_like_a_used_one() -> None:
    """Whatever was measured before, a string has one width: cards rendered in a fresh process
    are the same bytes as in a busy one."""
    texts = ["incitement to commit a felony and plotting against the state", "Rong Chhun", "ញុះញង់ឱ្យប្រព្រឹត្តបទឧក្រិដ្ឋ"]
    for size in range(9, 40):
        for path, weight in ((SANS_FONT, 700), (SANS_FONT, 400), (KHMER_FONT, 700)):
            font.cache_clear()
            first = [font(path, size, weight).getlength(t) for t in texts]
            again = [font(path, size, weight).getlength(t) for t in texts]
            assert first == again, (path.name, size, weight)
    font.cache_clear()
