"""Breaking words of scripts written without spaces (Thai, Lao, Burmese, Khmer) when one is wider
than a whole line: only between clusters or syllables, nothing lost, and only as a last resort."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.cards.breaks import break_pieces, unspaced
from campaign.cards.layout import fit, font
from campaign.cards.scripts import default_font

# Burmese syllables: consonant, medial, vowel signs, asat-ed final consonant, a stacked consonant (virama).
MY_SYLLABLES = ["မြ", "န်", "မာ", "အောင်", "ဆန်း", "စု", "ကြည်", "ဗိုလ်", "ချုပ်", "မင်္ဂ", "လာ", "သိန်း", "ဦး", "၁၂"]
# Thai clusters: leading vowels, tone marks, vowel signs above and below, a silenced consonant (thanthakhat).
TH_PIECES = ["เก", "แม่", "โร", "ไท", "ก็", "สุ", "ขุ", "มิ", "จัน", "ทร์", "โอ", "ชา", "ประ", "ยุทธ์", "นํ้า", "ฤๅ"]
# Never at the start of a piece: what belongs to the character before it.
_ATTACHED = set("\u0e30\u0e32\u0e33\u0e45\u0e4c\u103a\u1039\u17d2")
# Never at the end of a piece: what belongs to the character after it.
_LEADING = set("\u0e40\u0e41\u0e42\u0e43\u0e44\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4\u1039\u17d2")


def _word(pieces: list[str]) -> str:
    return "".join(pieces)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(MY_SYLLABLES + TH_PIECES + ["ព្រៃ", "ឡង់", "Ab"]), min_size=1, max_size=12))
def test_a_word_breaks_only_between_clusters_and_nothing_is_lost(parts: list[str]) -> None:
    word = _word(parts)
    pieces = break_pieces(word)
    assert "".join(pieces) == word and all(pieces)
    for piece in pieces[1:]:
        assert piece[0] not in _ATTACHED and unicodedata.category(piece[0]) not in ("Mn", "Mc"), (word, pieces)
    for piece in pieces[:-1]:
        assert piece[-1] not in _LEADING, (word, pieces)


def test_burmese_breaks_before_each_syllable_and_thai_before_each_syllable_it_can_tell() -> None:
    assert break_pieces("အောင်ဆန်းစုကြည်") == ["အောင်", "ဆန်း", "စု", "ကြည်"]
    assert break_pieces("မင်္ဂလာ") == ["မင်္ဂ", "လာ"]  # a stacked consonant stays under its syllable
    assert break_pieces("เกแม่ไท") == ["เก", "แม่", "ไท"]  # a leading vowel goes with its consonant
    assert break_pieces("ชาวนา") == ["ชาว", "นา"]  # a final consonant stays in its syllable
    assert break_pieces("จันทร์") == ["จันทร์"]  # ...as does one after mai han-akat, and a silenced one
    assert break_pieces("Abcdef") == ["Abcdef"]  # a script written with spaces: never inside a word
    assert unspaced("สมชาย") and unspaced("မြန်မာ") and unspaced("ព្រៃ") and not unspaced("Прывітанне")


def test_a_word_wider_than_its_box_at_the_smallest_size_wraps_inside_it_within_the_box() -> None:
    for script, word in (("myanmar", "အောင်ဆန်းစုကြည်" * 3), ("thai", "ประยุทธ์จันทร์โอชา" * 3)):
        path = default_font(script, 700)
        fitted = fit(word, lambda px, path=path: font(path, px, 700), 400, 400, (30, 60), max_lines=4)
        assert fitted.fits and len(fitted.lines) > 1, (script, fitted.lines)
        assert "".join(fitted.lines) == word
        assert all(w <= 400 + 0.5 for w in fitted.widths)
        assert all(font(path, fitted.size, 700).getlength(line) <= 400.5 for line in fitted.lines)


def test_a_name_that_fits_shrunk_is_never_broken_inside_a_word() -> None:
    path = default_font("thai", 700)
    name = "ประยุทธ์ จันทร์โอชา"
    fitted = fit(name, lambda px: font(path, px, 700), 300, 200, (20, 80), max_lines=3)
    assert fitted.fits and {w for line in fitted.lines for w in line.split(" ")} <= {"ประยุทธ์", "จันทร์โอชา"}


def test_a_number_and_its_unit_or_month_never_end_up_on_two_lines() -> None:
    """In every language the project writes: "6 месяцаў", "១៤ ខែ", "9 November" are one unit of a line
    (no break between them), while a year before the next words may still end a line."""
    from datetime import date

    from campaign.cards.breaks import units
    from campaign.words import LANGUAGES, count, date_text, span

    for lang in LANGUAGES:
        for years, months, days in ((1, 6, 14), (2, 0, 1), (0, 11, 21), (5, 5, 5)):
            text = span(years, months, days, lang)
            pieces = [u.text.rstrip(",") for u in units(text) if not u.space]
            for n, unit in ((years, "year"), (months, "month"), (days, "day")):
                if n:
                    assert count(n, unit, lang) in pieces, (lang, text, pieces)
        said = date_text(date(2021, 11, 9), lang)
        pieces = [u.text for u in units(said + " after") if not u.space]
        assert said.rsplit(" ", 1)[0] in pieces and pieces[-1] == "after", (lang, pieces)  # "9 November" | "2021"
