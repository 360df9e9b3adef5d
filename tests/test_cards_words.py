"""A line set word by word and a number digit by digit (each rasterised once, ``runs.line_pieces``) paints exactly the
pixels ImageDraw.text paints for the whole line, in every script's font, at any position and
size; and a line whose words cannot be set apart is set whole."""

from __future__ import annotations

from PIL import Image, ImageDraw
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.cards import runs
from campaign.cards.layout import font
from campaign.cards.scripts import default_font
from campaign.cards.text import _ink, place_line

from .cards_fixtures import portrait, templates  # noqa: F401

WORDS = {
    "sans": ["Sok", "Dara", "17", "Prey", "Lang", "Community", "Network,", "incitement", "(case", "4)", "AV", "Ty",
             "fly", "office", "2021", "11", "100", "1947", "Тихановская", "Лукашенко", "Ελλάδα", "“quoted”", "—", "WAVE", "j", "f"],
    "khmer": ["សុខ", "ដារា", "១៧", "បណ្តាញសហគមន៍ព្រៃឡង់", "ញុះញង់", "សំណុំរឿង", "ក្រុមខ្មែរថាមពល", "ស្រី", "ឿ", "17", "១២៣៤៥", "១១", "២០២១"],
    "thai": ["ปนัสยา", "สิทธิจิรวัฒนกุล", "๑๗", "ราษฎร", "17", "๒๕๖๔", "๑๑"],
    "myanmar": ["အောင်ဆန်းစုကြည်", "၁၇", "မြန်မာ", "17", "၂၀၂၁", "၁၁"],
}


def _paint(pieces: list[runs.Piece], size: tuple[int, int]) -> bytes:
    im = Image.new("RGB", size, (20, 30, 40))
    for mask, xy in pieces:
        if mask.size[0] and mask.size[1]:
            _ink(im, xy, mask, (233, 180, 76, 255))
    return im.tobytes()


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(WORDS)), st.data(), st.integers(0, 64 * 300), st.integers(60, 90),
       st.sampled_from([0.0, 0.25, 0.5, 0.75]), st.sampled_from([18, 29, 41, 64]), st.sampled_from([400, 700]))
def test_a_line_set_word_by_word_paints_what_the_whole_line_paints(portrait, script: str, data: st.DataObject,  # type: ignore[no-untyped-def]
                                                                    x64: int, y: int, yfrac: float, px: int,
                                                                    weight: int) -> None:
    words = data.draw(st.lists(st.sampled_from(WORDS[script]), min_size=1, max_size=6))
    line = " ".join(words)
    path = portrait.fonts["sans"] if script == "sans" else default_font(script, weight)
    f = font(path, px, weight)
    xy = (x64 / 64, y + yfrac)
    size = (x64 // 64 + int(f.getlength(line)) + 2 * px, 160)
    expected = Image.new("RGB", size, (20, 30, 40))
    ImageDraw.Draw(expected, "RGBA").text(xy, line, font=f, fill=(233, 180, 76, 255), anchor="ls")
    pieces = place_line(f, xy, line, f.getlength(line))
    assert _paint(pieces, size) == expected.tobytes()


def test_words_are_set_apart_only_where_the_line_adds_up(portrait) -> None:  # type: ignore[no-untyped-def]
    f = font(portrait.fonts["sans"], 41, 700)
    line = "Prey Lang Community Network"
    assert len(place_line(f, (10.0, 50.0), line, f.getlength(line))) == 4  # one piece a word
    dated = "Network 2021"
    assert len(place_line(f, (10.0, 50.0), dated, f.getlength(dated))) == 5  # a number digit by digit
    assert len(place_line(f, (10.0, 50.0), line)) == 1  # no measured width: set whole
    assert len(place_line(f, (10.0, 50.0), line, f.getlength(line) + 1)) == 1  # the words do not add up: whole
    rtl = "Sok שלום Dara"  # right-to-left words reorder the line: set whole
    assert len(place_line(f, (10.0, 50.0), rtl, f.getlength(rtl))) == 1


def test_a_number_whose_digits_kern_is_set_whole(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from .test_cards_measure import _kerning_font

    f = font(_kerning_font(tmp_path / "kerns.ttf", digits=True), 40)
    assert f.getlength("12") != f.getlength("1") + f.getlength("2")
    line = "A 12 21"
    xy = (10.0, 50.0)
    assert len(place_line(f, xy, line, f.getlength(line))) == 1
    expected = Image.new("RGB", (400, 100), (20, 30, 40))
    ImageDraw.Draw(expected, "RGBA").text(xy, line, font=f, fill=(233, 180, 76, 255), anchor="ls")
    assert _paint(place_line(f, xy, line, f.getlength(line)), (400, 100)) == expected.tobytes()


DIGITS = "0123456789០១២៣៤៥៦៧៨៩๐๑๒๓๔๕๖๗๘๙၀၁၂၃၄၅၆၇၈၉"


def test_a_digit_inks_the_same_wherever_in_a_half_pixel_its_pen_starts(portrait) -> None:  # type: ignore[no-untyped-def]
    """What lets runs._word keep two rasterisations of a digit, not 64: Pillow draws a glyph at
    its pen position rounded to a whole pixel, so a lone digit's ink (cropped) and where it goes
    change only between the two halves of a pixel. Held for every digit in every script's font."""
    paths = [portrait.fonts["sans"], portrait.fonts["khmer"], default_font("thai"), default_font("myanmar")]
    for path in paths:
        for weight in (400, 700):
            for px in (18, 80):
                f = font(path, px, weight)
                for digit in DIGITS:
                    for yfrac in (0.0, 0.5):
                        halves: dict[bool, set[object]] = {False: set(), True: set()}
                        for k in [*range(0, 64, 2), 31, 33, 63]:  # every other position, and each half's edges
                            mask, (dx, dy) = runs._rasterise(f, digit, (k / 64, yfrac))
                            box = mask.getbbox() or (0, 0, 0, 0)
                            ink = mask.crop(box)
                            halves[k >= 32].add((ink.tobytes(), ink.size, dx + box[0], dy + box[1]))
                        assert len(halves[False]) == len(halves[True]) == 1, (path.name, weight, px, digit, yfrac)
                        runs.clear()
                        first = runs._word(f, digit, 5, yfrac)  # kept for the first half, then asked at 31
                        assert runs._word(f, digit, 31, yfrac) is first
                        assert (first[0].tobytes(), first[0].size, *first[1]) in halves[False]


def test_a_line_is_read_as_right_to_left_wherever_a_character_runs_right_to_left() -> None:
    """The quick look for right-to-left text misses no character of this Python's Unicode whose
    bidirectional class runs right to left (or is an explicit control): such a line is never set
    word by word, left to right."""
    import sys
    import unicodedata

    missed = [hex(c) for c in range(sys.maxunicode + 1)
              if unicodedata.bidirectional(chr(c)) in runs._RTL and runs._MAYBE_RTL.search(chr(c)) is None]
    assert missed == []
    for line in ("Sok Dara", "សុខ ដារា ៥០០២", "Аляксандр 12"):
        assert runs._left_to_right(line)
    for line in ("Sok \u05d0", "A\u202eB", "٣ x", "Rumi \U00010e60"):
        assert not runs._left_to_right(line)
