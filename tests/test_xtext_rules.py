"""Rules of X's count (campaign.xtext) that twitter-text's conformance cases leave unchecked:
found by mutation testing (mutmut over xtext.py), one rule per test."""

from __future__ import annotations

import unicodedata

from campaign import xtext

LIGHT_RANGES = [(0, 4351), (8192, 8205), (8208, 8223), (8242, 8247)]  # config/v3.json: weight 100


def test_every_code_point_of_the_light_ranges_weighs_one_beside_heavy_text() -> None:
    # Beside a Khmer letter the text is not ASCII, so each character goes through the weight ranges.
    wrong = []
    for lo, hi in LIGHT_RANGES:
        for cp in range(lo, hi + 1):
            text = "ក" + chr(cp)
            if len(unicodedata.normalize("NFC", text)) == 2 and chr(cp) not in "\ufffe\ufeff\uffff":
                if xtext.weighted_length(text) != 3:
                    wrong.append(hex(cp))
    assert not wrong, wrong[:20]


def _url(length: int, start: str) -> str:
    return start + "a" * (length - len(start))


def test_a_url_of_4096_characters_links_and_one_more_does_not() -> None:
    for start in ["https://www.example.com/", "http://example.org/path/"]:
        assert xtext.weighted_length(_url(4096, start)) == 23
        assert xtext.weighted_length(_url(4097, start)) == 4097


def test_a_url_without_protocol_is_measured_with_https_added() -> None:
    start = "www.example.com/"
    assert xtext.weighted_length(_url(4096 - len("https://"), start)) == 23
    assert xtext.weighted_length(_url(4097 - len("https://"), start)) == 4097 - len("https://")


def test_a_unicode_domain_is_measured_as_punycode() -> None:
    start = "https://ñandú.com/"  # ñandú is xn--and-6ma2c: 13 characters where 5 are written
    extra = len("xn--and-6ma2c") - len("ñandú")
    assert xtext.weighted_length(_url(4096 - extra, start)) == 23
    assert xtext.url_spans(_url(4097 - extra, start)) == []


def test_a_tco_slug_of_40_characters_links_and_41_does_not() -> None:
    assert xtext.weighted_length("https://t.co/" + "a" * 40) == 23
    assert xtext.url_spans("https://t.co/" + "a" * 41) == []


def test_a_url_that_does_not_link_does_not_stop_the_search_in_its_word() -> None:
    cases = {
        "https://" + "a" * 64 + ".com^": "a label over 63 characters",
        "https://t.co/" + "a" * 41 + "^": "a t.co slug over 40 characters",
        "/example.com^": "no protocol, after a slash",
    }
    for head, why in cases.items():
        text = head + "https://example.com"
        assert xtext.url_spans(text) == [(len(head), len(text))], why
        assert xtext.weighted_length(text) == len(head) + 23, why


def test_a_bare_domain_with_no_ascii_name_is_no_url_even_with_a_path() -> None:
    assert xtext.url_spans("例え.jp/path") == [] and xtext.weighted_length("例え.jp/path") == 2 + 2 + 1 + 2 + 5


def test_an_emoji_sequence_starting_inside_a_url_does_not_hide_what_follows() -> None:
    # The keycap #️⃣ starts on the URL's last character: the URL weighs 23, the keycap's other two
    # code points 2 each, then a space and a skin-toned fist, a sequence, 2.
    assert xtext.weighted_length("https://example.com/#\ufe0f\u20e3 \u270a\U0001f3fd") == 23 + 2 + 2 + 1 + 2
