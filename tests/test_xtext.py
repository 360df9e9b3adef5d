"""X's weighted count (campaign.xtext) against twitter-text's published conformance cases, and
the rule's parts: the weight ranges, URLs weigh 23, an emoji sequence weighs 2, validity.

The cases are vendored in tests/data/twitter_text_*.yml (Apache-2.0, source in their headers).
Of each counting case we check weightedLength, valid and permillage. The cases also give
validRangeEnd and displayRangeEnd, UTF-16 offsets of where X's composer greys the text out;
xtext has no such API (captions are cut at word boundaries, not where X would cut), so those
fields are not checked.
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from emoji import EMOJI_DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign import xtext

DATA = Path(__file__).parent / "data"
VALIDATE = yaml.safe_load((DATA / "twitter_text_validate.yml").read_text(encoding="utf-8"))["tests"]
EXTRACT = yaml.safe_load((DATA / "twitter_text_extract_urls.yml").read_text(encoding="utf-8"))["tests"]

# WeightedTweetsCounterTest runs under twitter-text's v2 config, which weighs each code point of
# an emoji sequence; X counts by v3 (emoji sequences weigh 2), and so does xtext. The v3 section
# holds the same texts with their v3 counts: these cases are checked against those instead.
V2_ONLY = {
    "Count a mix of single byte single word, and double word unicode characters":
        "v2 weighs the family emoji's 7 code points; v3 weighs the sequence 2",
    "Count unicode emoji chars outside the basic multilingual plane with skin tone modifiers":
        "v2 weighs emoji, skin tone and ZWJ each; v3 weighs each sequence 2",
}


def _cases(section: str) -> list[Any]:
    return [pytest.param(case, id=case["description"]) for case in VALIDATE[section]]


def _check(case: dict[str, Any], expected: dict[str, Any]) -> None:
    text = case["text"]
    got = xtext.weighted_length(text)
    assert got == expected["weightedLength"], case["description"]
    assert xtext.is_valid(text) == expected["valid"], case["description"]
    assert got * 1000 // xtext.MAX_WEIGHTED_LENGTH == expected["permillage"]


@pytest.mark.parametrize("case", _cases("WeightedTweetsWithDiscountedEmojiCounterTest") + _cases("UnicodeDirectionalMarkerCounterTest"))
def test_v3_conformance_cases(case: dict[str, Any]) -> None:
    _check(case, case["expected"])


@pytest.mark.parametrize("case", _cases("WeightedTweetsCounterTest"))
def test_v2_conformance_cases_count_the_same_but_for_emoji_sequences(case: dict[str, Any]) -> None:
    if case["description"] not in V2_ONLY:
        _check(case, case["expected"])
        return
    v3 = {c["text"]: c["expected"] for c in VALIDATE["WeightedTweetsWithDiscountedEmojiCounterTest"]}
    assert case["text"] in v3, "a case we do not meet must have its v3 count to be checked against"
    assert xtext.weighted_length(case["text"]) != case["expected"]["weightedLength"]  # else drop it from V2_ONLY
    _check(case, v3[case["text"]])


def test_the_vendored_cases_are_all_there() -> None:
    counts = {section: len(cases) for section, cases in {**VALIDATE, **EXTRACT}.items()}
    assert counts == {"WeightedTweetsCounterTest": 20, "WeightedTweetsWithDiscountedEmojiCounterTest": 22,
                      "UnicodeDirectionalMarkerCounterTest": 2, "urls": 91, "urls_with_indices": 10,
                      "urls_with_directional_markers": 2, "tco_urls_with_params": 5}


def _url_cases() -> list[Any]:
    return [pytest.param(section, case, id=f"{section}: {case['description']}")
            for section, cases in EXTRACT.items() for case in cases]


@pytest.mark.parametrize(("section", "case"), _url_cases())
def test_url_conformance_cases(section: str, case: dict[str, Any]) -> None:
    text = case["text"]
    spans = xtext.url_spans(text)
    if section in ("urls", "tco_urls_with_params"):
        assert [text[s:e] for s, e in spans] == case["expected"]
    else:
        assert [{"url": text[s:e], "indices": [s, e]} for s, e in spans] == case["expected"]
    # and each counts 23, whatever its length: as if it were 23 characters of weight 1
    if unicodedata.normalize("NFC", text) == text:
        masked = text
        for start, end in reversed(spans):
            masked = masked[:start] + "\x00" * xtext.URL_LENGTH + masked[end:]
        assert xtext.weighted_length(text) == xtext.weighted_length(masked)


# ---- the weight of each code point --------------------------------------------------------------

V3_RANGES = [(0, 4351), (8192, 8205), (8208, 8223), (8242, 8247)]  # config/v3.json: weight 100, else 200
BOUNDARIES = sorted({chr(cp) for lo, hi in V3_RANGES for cp in (lo, hi, hi + 1, max(lo - 1, 0))} - {"\x00"})
PLAIN = [c for c in BOUNDARIES + ["a", "ក", "ា", "中", "\U0001f600", " ", "\n"]
         if c not in EMOJI_DATA and unicodedata.normalize("NFC", c) == c and c not in ".\ufffe\ufeff\uffff"]


def _rule_weight(ch: str) -> int:
    return 1 if any(lo <= ord(ch) <= hi for lo, hi in V3_RANGES) else 2


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(PLAIN), max_size=60))
def test_each_code_point_weighs_as_its_range_says(text: str) -> None:
    text = unicodedata.normalize("NFC", text)
    assert xtext.weighted_length(text) == sum(map(_rule_weight, text))


def test_khmer_weighs_two_and_a_precomposed_letter_one() -> None:
    assert xtext.weighted_length("ស្តី") == 8 and xtext.weighted_length("A\u0301") == xtext.weighted_length("Á") == 1


# ---- URLs ------------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(label=st.from_regex(r"[a-z][a-z0-9-]{0,30}[a-z0-9]", fullmatch=True),
       tld=st.sampled_from(["org", "com", "kh", "ngo", "info", "中国", "xn--fiqs8s"]),
       protocol=st.sampled_from(["", "http://", "https://", "HTTPS://"]),
       path=st.from_regex(r"(/[a-z0-9_-]{1,40}){0,5}", fullmatch=True))
def test_a_url_weighs_23_whatever_its_length(label: str, tld: str, protocol: str, path: str) -> None:
    if not protocol and not tld.isascii():
        protocol = "https://"  # without a protocol only ASCII domains link
    url = f"{protocol}{label}.{tld}{path}"
    assert xtext.url_spans(f"see {url} now") == [(4, 4 + len(url))]
    assert xtext.weighted_length(f"see {url} now") == 4 + 23 + 4


@pytest.mark.parametrize("text", ["e.g. this", "file.notatld", "a..com", "1.5 million", "@user.com", "#tag.com",
                                  "x.com-y", "see ftp://example", "http://localhost/x"])
def test_what_is_no_url_weighs_its_characters(text: str) -> None:
    assert xtext.url_spans(text) == [] and xtext.weighted_length(text) == len(text)


def test_a_tco_link_ends_at_its_slug() -> None:
    assert xtext.weighted_length("https://t.co/abc123/more") == 23 + len("/more")


def test_a_domain_label_over_63_characters_is_no_url() -> None:
    assert xtext.url_spans(f"https://{'a' * 63}.com") and not xtext.url_spans(f"https://{'a' * 64}.com")


# ---- emoji sequences -----------------------------------------------------------------------------

SEQUENCES = sorted(e for e in EMOJI_DATA if len(e) > 1)


def test_every_emoji_sequence_weighs_two() -> None:
    wrong = [e for e in SEQUENCES if xtext.weighted_length(f"a{e}b") != 4]
    assert not wrong, f"{len(wrong)} sequences, e.g. {wrong[:5]}"


def test_a_single_code_point_emoji_weighs_as_its_code_point() -> None:
    # twitter-text links © and ® as emoji only with U+FE0F; alone they weigh 1 like any Latin-1 sign
    singles = [e for e in EMOJI_DATA if len(e) == 1]
    assert all(xtext.weighted_length(e) == _rule_weight(e) for e in singles)
    assert xtext.weighted_length("©") == 1 and xtext.weighted_length("©\ufe0f") == 2


def test_every_emoji_sequence_holds_wide_characters_after_its_first() -> None:
    """xtext looks for sequences only around characters from U+2000 on (fast on Khmer and
    Latin text): every character but the first must be one, and a first that is not is a keycap
    base or © / ®."""
    for e in SEQUENCES:
        assert all(ord(c) >= 0x2000 for c in e[1:]), e
        assert ord(e[0]) >= 0x2000 or e[0] in "#*0123456789©®", e


def test_skin_tones_flags_keycaps_and_zwj_sequences_weigh_two_each() -> None:
    assert xtext.weighted_length("👩🏽\u200d⚖\ufe0f🇰🇭1\ufe0f\u20e3👨\u200d👩\u200d👧\u200d👦") == 8
    assert xtext.weighted_length("🇰🇭🇺") == 4  # a flag, then a lone regional indicator


def test_an_emoji_in_a_url_is_part_of_the_url() -> None:
    assert xtext.weighted_length("https://example.com/a ✊🏽") == 23 + 1 + 2


# ---- validity ----------------------------------------------------------------------------------


def test_a_post_is_valid_when_not_blank_and_within_280() -> None:
    assert xtext.is_valid("a" * 280) and not xtext.is_valid("a" * 281)
    assert xtext.is_valid("ក" * 140) and not xtext.is_valid("ក" * 141)
    assert not xtext.is_valid("") and not xtext.is_valid(" \n ")
    assert not xtext.is_valid("hello\ufeff") and not xtext.is_valid("\uffffhello")


def test_nothing_imports_pkg_resources() -> None:
    """Since Python 3.12 a new venv has no setuptools: the X count must not need it."""
    code = ("import sys, campaign.captions, campaign.publishers.x; from campaign import xtext; "
            "xtext.weighted_length('see example.org 👩🏽\u200d⚖\ufe0f'); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('pkg_resources', 'twitter_text')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
