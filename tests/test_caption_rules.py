"""The platform text rules of campaign/captions.py, one rule per test: how each platform counts,
where a caption may be cut and what a shortened caption keeps, what a template may contain, and
what ``campaign validate`` warns about. Written against the mutants ``make mutate`` found alive;
each test names the rule such a mutant broke. Fast on purpose: mutmut runs them for every mutant.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from khmernltk import word_tokenize

from campaign.captions import ELLIPSIS, caption_length, check_template, fit_caption, fits, graphemes
from campaign.checks.caption_lints import caption_problems
from campaign.fields import tidy as _tidy
from campaign.definition import Campaign

# ---- the rule for shortening, written out plainly (the reference the implementation must match) ----

# A caption may be cut on either side of a run of spaces or punctuation (Latin and Khmer), and at
# its end; a text with none of those is cut between grapheme clusters. What is kept of the text
# holds at least one word (not only spaces and punctuation). Before the ellipsis, a trailing
# space, comma, colon, semicolon or dash is dropped.
BREAKS = re.compile(r"[\s។៕៖,;:.!?]+")
WORD_CHAR = re.compile(r"[^\s។៕៖,;:.!?\-–—]")
TRIM = " \t\n,;:-–—"


def boundaries(body: str) -> list[int]:
    runs = list(BREAKS.finditer(body))
    if not runs:
        return [len("".join(graphemes(body)[:i])) for i in range(1, len(graphemes(body)) + 1)]
    return sorted({len(body)} | {m.start() for m in runs if m.start() > 0} | {m.end() for m in runs})


def shortened(head: str, tail: str) -> str:
    return head.rstrip(TRIM) + ELLIPSIS + (f" {tail}" if tail else "")


def reference_fit(text: str, platform: str, tags: list[str]) -> str:
    """The longest caption cut at a word boundary that fits, keeping as many of the hashtags
    (from the first) as leave room for at least one word; else cut between graphemes."""
    if fits(text, platform):
        return text
    present = [t for t in tags if re.search(rf"(?<!\S){re.escape(t)}(?!\w)", text)]
    body = text
    for t in present:
        body = re.sub(rf"(?<!\S){re.escape(t)}(?!\w)", "", body)
    body = re.sub(r"[ \t]{2,}", " ", body).strip()
    for k in range(len(present), -1, -1):
        tail = " ".join(present[:k])
        fitting = [shortened(body[:c], tail) for c in boundaries(body)
                   if WORD_CHAR.search(body[:c]) and fits(shortened(body[:c], tail), platform)]
        if fitting:
            return fitting[-1]
    clusters = graphemes(body)
    while clusters and not fits("".join(clusters) + ELLIPSIS, platform):
        clusters.pop()
    return "".join(clusters) + ELLIPSIS


CLUSTERS = ["a", "b", "e", "X", "é", "ñ", "👩🏽‍⚖️", "🇰🇭"]
SEPARATORS = [" ", " ", " ", ", ", ". ", "! ", " - ", "; ", ": ", "? "]
PLATFORMS = ["x", "bluesky", "mastodon"]


@st.composite
def captions(draw: st.DrawFn) -> tuple[str, list[str]]:
    words = draw(st.lists(st.lists(st.sampled_from(CLUSTERS), min_size=1, max_size=14).map("".join),
                          min_size=1, max_size=70))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words)))
    parts = [draw(st.sampled_from(["", "", "", ". ", "! ", "... ", ", ", "— ", "។ "]))] + [w + s for w, s in zip(words, seps)]
    tags = [f"#T{i}{'x' * n}" for i, n in enumerate(draw(st.lists(st.integers(1, 120), max_size=4)))]
    middle = draw(st.booleans()) and tags
    if middle:  # a hashtag written inside the sentence moves to the end with the others
        parts.insert(draw(st.integers(0, len(parts))), tags[0] + " ")
    text = "".join(parts).strip() + " " + " ".join(tags[1:] if middle else tags)
    return unicodedata.normalize("NFC", text.strip()), tags + (["#NotInTheText"] if draw(st.booleans()) else [])


@settings(max_examples=80, deadline=None)
@given(case=captions(), platform=st.sampled_from(PLATFORMS))
@example(case=("TAX " * 80 + "#Free", ["#Free"]), platform="x")  # a kept word ending in X stays whole
@example(case=("Free. " + "#" + "A" * 240 + " #" + "B" * 60, ["#" + "A" * 240, "#" + "B" * 60]), platform="x")
@example(case=("A #T0" + "x" * 300, ["#T0" + "x" * 300]), platform="x")  # a one-letter text, a tag too long
@example(case=(". www " + "b" * 300 + " #T0" + "x" * 270, ["#T0" + "x" * 270]), platform="x")
def test_fit_caption_keeps_the_most_words_that_fit_with_the_most_hashtags(case: tuple[str, list[str]],
                                                                         platform: str) -> None:
    text, tags = case
    out = fit_caption(text, platform, tags)
    assert fits(out, platform)
    assert out == reference_fit(text, platform, tags)


# ---- where a caption is cut, and what it keeps ------------------------------------------------------------


def _head(out: str, tail: str = "") -> str:
    head = out.removesuffix(f" {tail}" if tail else "")
    assert head.endswith(ELLIPSIS), out
    return head.removesuffix(ELLIPSIS)


def test_no_word_is_cut_in_the_middle() -> None:
    words = [f"w{i:03d}{'abcdefghij'[i % 10] * (i % 7)}" for i in range(120)]
    text = " ".join(words)
    for platform in PLATFORMS:
        head = _head(fit_caption(text, platform))
        assert head.split() == words[: len(head.split())]  # whole words, from the first
        assert fits(f"{head} {words[len(head.split())]}{ELLIPSIS}", platform) is False  # and as many as fit


def test_a_cut_may_fall_before_punctuation() -> None:
    # "A." does not fit before the hashtag, "A" does: the cut falls before the full stop.
    tag = "#" + "h" * 275  # "A… " weighs 4 on X (an ellipsis weighs 2), leaving exactly this tag's 276
    text = "A. " + "b" * 300 + " " + tag
    assert fit_caption(text, "x", [tag]) == f"A{ELLIPSIS} {tag}"


def test_the_ellipsis_never_follows_a_space_comma_colon_semicolon_or_dash() -> None:
    for sep in [", ", ": ", "; ", " - ", " – ", " — "]:
        text = sep.join(["Rong Chhun"] * 60)
        out = fit_caption(text, "x")
        head = _head(out)
        assert head == head.rstrip(TRIM) and text.startswith(head) and text[len(head)] in " ,;:", (sep, out)


@pytest.mark.parametrize("lead", [". ", "! ", ", ", "... ", "— ", "។ "])
def test_a_kept_hashtag_follows_at_least_one_word_of_the_text(lead: str) -> None:
    # The tag leaves room for "." but not for "www": the tag goes, never the text's only word.
    tag = "#T" + "x" * 271
    out = fit_caption(f"{lead}www " + "b" * 300 + f" {tag}", "x", [tag])
    assert out.startswith(f"{lead}www") and tag not in out, out


def test_a_caption_of_hashtags_alone_still_fits() -> None:
    tags = [f"#Tag{i}" + "x" * 40 for i in range(8)]
    for platform in PLATFORMS:
        assert fits(fit_caption(" ".join(tags), platform, tags), platform)


def test_hashtags_written_inside_the_text_move_to_the_end_once() -> None:
    text = "Rong Chhun #FreeThemAll has been behind bars " + "for many days " * 30
    out = fit_caption(text, "x", ["#FreeThemAll"])
    assert out.startswith("Rong Chhun has been behind bars for many days")  # no tag, no double space
    assert out.endswith(f"{ELLIPSIS} #FreeThemAll") and out.count("#FreeThemAll") == 1
    assert "  " not in out


def test_only_the_hashtags_that_must_go_are_dropped_and_the_words_stay() -> None:
    a, b = "#" + "A" * 240, "#" + "B" * 60
    out = fit_caption(f"Free them. {a} {b}", "x", [a, b])
    assert out.startswith("Free them.") and a in out and b not in out


def test_a_text_without_spaces_is_cut_between_graphemes_keeping_the_hashtags() -> None:
    for word in ["a" * 600, "👩🏽‍⚖️" * 600, "e\u0301" * 600]:
        for platform in PLATFORMS:
            out = fit_caption(f"{word} #Free", platform, ["#Free"])
            assert fits(out, platform) and out.endswith(f"{ELLIPSIS} #Free"), (word[:3], platform)
            head = _head(out, "#Free")
            body = unicodedata.normalize("NFC", word)
            clusters = graphemes(body)
            n = len(graphemes(head))
            assert head == "".join(clusters[:n])  # whole clusters from the start
            assert not fits(f"{''.join(clusters[:n + 1])}{ELLIPSIS} #Free", platform)  # as many as fit


def test_a_first_word_longer_than_the_limit_is_cut_between_graphemes() -> None:
    # No word boundary fits, even without hashtags: the caption is cut inside the first word,
    # never inside a grapheme cluster, and as late as the limit allows.
    for first in ["a" * 600, "👩🏽‍⚖️" * 600, "e\u0301" * 600]:
        for platform in PLATFORMS:
            text = f"{first} end #Free"
            out = fit_caption(text, platform, ["#Free"])
            assert fits(out, platform) and out.endswith(ELLIPSIS) and "#Free" not in out
            head = out.removesuffix(ELLIPSIS)
            clusters = graphemes(unicodedata.normalize("NFC", first))
            n = len(graphemes(head))
            assert head == "".join(clusters[:n]) and n > 0
            assert not fits("".join(clusters[:n + 1]) + ELLIPSIS, platform)


KHMER_RUN = "រ៉ុងឈុនបានជាប់ឃុំអស់រយៈពេលមួយឆ្នាំដោយការចោទប្រកាន់ពីបទញុះញង់"  # no spaces, no punctuation


@pytest.mark.parametrize("platform", PLATFORMS)
def test_khmer_without_spaces_is_cut_between_words(platform: str) -> None:
    body = KHMER_RUN * 25 + "។"
    words = word_tokenize(body)
    ends = {len("".join(words[:i])) for i in range(1, len(words) + 1)}
    out = fit_caption(body + " #FreeThemAll", platform, ["#FreeThemAll"])
    head = _head(out, "#FreeThemAll")
    assert body.startswith(head) and len(head) in ends, out  # after a whole word
    following = min(e for e in ends if e > len(head))
    assert not fits(f"{body[:following]}{ELLIPSIS} #FreeThemAll", platform)  # and as many words as fit


# ---- each platform's count -------------------------------------------------------------------------------


def test_telegram_counts_utf16_code_units_as_a_whole_number() -> None:
    n = caption_length("😀" * 3 + "ក", "telegram")
    assert n == 7 and type(n) is int  # an emoji outside the BMP is two units, Khmer one
    assert fits("😀" * 512, "telegram") and not fits("😀" * 512 + "a", "telegram")


@given(st.text(max_size=40))
@settings(max_examples=30, deadline=None)
def test_every_length_is_a_whole_number_of_units(text: str) -> None:
    for platform in ["x", "mastodon", "bluesky", "telegram", "facebook"]:
        assert type(caption_length(text, platform)) is int


def test_a_platform_without_a_limit_takes_any_caption() -> None:
    text = "word " * 20000
    assert fits(text, "outbox") and fit_caption(text, "outbox", ["#Free"]) == unicodedata.normalize("NFC", text)


@pytest.mark.parametrize("blank", ["", " ", "\n\t "])
def test_x_refuses_a_blank_caption(blank: str) -> None:
    assert not fits(blank, "x")


# ---- templates --------------------------------------------------------------------------------------------


@given(st.lists(st.sampled_from(["Free", "Rong", "Chhun", "", " ", "\t", "ក"]), max_size=12))
@settings(max_examples=40, deadline=None)
def test_an_empty_field_leaves_no_double_space(parts: list[str]) -> None:
    text = " ".join(parts)
    tidy = _tidy(text)
    assert not re.search(r"[ \t]{2}", tidy) and tidy == tidy.strip()
    assert tidy.split() == text.split()  # every word kept, in order


def test_a_placeholder_must_have_a_name() -> None:
    for template in ["{} {hashtags}", "{0} {hashtags}", "{name} {1}"]:
        assert (check_template(template) or "").startswith("a field needs a name, e.g. {name}"), template


def test_an_unknown_placeholder_is_named_with_a_suggestion_and_the_known_ones() -> None:
    err = check_template("{name} {nmae}") or ""
    assert err.startswith("unknown field {nmae} (did you mean {name}?); known: ")
    known = set(err.split("known: ", 1)[1].replace("; older caption names: ", ", ").split(", "))
    assert {"name", "hashtags", "duration"} <= known


def test_literal_braces_do_not_hide_a_later_unknown_placeholder() -> None:
    assert check_template("{{literal}} {name}") is None
    assert "unknown field {nmae}" in (check_template("{{literal}} {nmae}") or "")


@pytest.mark.parametrize("template", ["{name:>20}", "{name!r}", "{name!s:10}"])
def test_a_placeholder_takes_no_format_spec_and_no_conversion(template: str) -> None:
    assert (check_template(template) or "").startswith("{name}: no format spec or conversion is allowed")


# ---- validation warnings ----------------------------------------------------------------------------------

CREDS = {"x": {"credentials": "env:T"}, "bluesky": {"credentials": "env:T", "handle": "a.bsky.social"},
         "mastodon": {"credentials": "env:T", "base_url": "https://m.example"},
         "telegram": {"credentials": "env:T", "channel": "@c"}, "outbox": {}}


def _campaign(accounts: list[tuple[str, str, str]], captions: dict[str, Any], hashtags: list[str] = (),  # type: ignore[assignment]
              name: str = "C", organisations: list[str] | None = None) -> Campaign:
    """A campaign with accounts given as (id, platform, language)."""
    return Campaign.model_validate({
        "id": "c", "name": name, "timezone": "Asia/Phnom_Penh", "start": "2025-03-05", "end": "2025-04-02",
        "cadence": {"every": "week", "weekday": "wednesday", "time": "10:00"}, "hashtags": list(hashtags),
        "captions": captions,
        "accounts": [{"id": i, "organisation": (organisations or [i.upper() for i, _, _ in accounts])[n],
                      "platform": p, "language": lang, **CREDS[p]}
                     for n, (i, p, lang) in enumerate(accounts)],
    })


def _hashtag_warnings(c: Campaign) -> list[str]:
    return [p for p in caption_problems(c) if p.startswith("hashtags:")]


def test_hashtags_are_warned_when_they_leave_less_than_40_characters() -> None:
    one = ["#" + "a" * 117, "#" + "b" * 119]  # 239 with the space between: 239 + 1 + 40 = 280, fits X
    roomy = _campaign([("a", "x", "en")], {"en": ["{name} {hashtags}"]}, one)
    assert _hashtag_warnings(roomy) == []
    tight = _campaign([("a", "x", "en")], {"en": ["{name} {hashtags}"]}, [one[0], one[1] + "b"])
    assert _hashtag_warnings(tight) == [
        f"hashtags: {' '.join([one[0], one[1] + 'b'])!r} leave almost no room on x (limit 280 weighted characters); "
        "use fewer hashtags"]
    assert _hashtag_warnings(_campaign([("a", "x", "en")], {"en": ["{name}"]})) == []  # no hashtags, no warning


def _too_long(problems: list[str], where: str) -> list[str]:
    return [p for p in problems if p.startswith(where + ":") and "so it will be shortened" in p]


def test_a_too_long_template_is_warned_with_its_length_in_the_platforms_unit() -> None:
    c = _campaign([("a", "x", "km"), ("t", "telegram", "km")], {"km": ["ក" * 150, "😀" * 600]})
    problems = caption_problems(c)
    assert _too_long(problems, "captions.km.weekly[0]") == [
        "captions.km.weekly[0]: about 300 weighted characters with typical names; x takes 280, so it will be "
        "shortened at a word boundary (hashtags kept); shorten the template to keep every word"]
    assert [p for p in _too_long(problems, "captions.km.weekly[1]") if "about 1200 characters" in p
            and "telegram takes 1024" in p]


def test_a_caption_is_measured_with_names_in_its_own_language() -> None:
    # Khmer names weigh 2 a character on X: the same template is too long in Khmer and fits in English.
    template = "{name} ({role}), {charge}: {duration}. " + "a" * 150
    km = _campaign([("a", "x", "km")], {"km": [template]})
    en = _campaign([("a", "x", "en")], {"en": [template]})
    assert _too_long(caption_problems(km), "captions.km.weekly[0]")
    assert not _too_long(caption_problems(en), "captions.en.weekly[0]")


def test_a_language_without_sample_names_is_measured_with_english_ones() -> None:
    c = _campaign([("a", "x", "fr")], {"fr": ["{name} " + "mot " * 70, "{name} court"]})
    problems = caption_problems(c)
    assert _too_long(problems, "captions.fr.weekly[0]") and not _too_long(problems, "captions.fr.weekly[1]")


def test_a_caption_using_the_campaign_name_is_measured_with_it() -> None:
    c = _campaign([("a", "x", "en")], {"en": ["{campaign}: {name}"]}, name="Free " + "them " * 60)
    assert _too_long(caption_problems(c), "captions.en.weekly[0]")


def test_a_broken_variant_does_not_hide_the_next_ones_warning() -> None:
    c = _campaign([("a", "x", "en")], {"en": ["{name", "{name} " + "word " * 70]})
    assert _too_long(caption_problems(c), "captions.en.weekly[1]")


def _identical(problems: list[str]) -> list[str]:
    return [p for p in problems if "X forbids identical posts across accounts" in p]


def test_only_x_accounts_can_post_identical_text() -> None:
    c = _campaign([("a", "x", "en"), ("b", "mastodon", "en"), ("t", "telegram", "en")], {"en": ["{name}"]})
    assert _identical(caption_problems(c)) == []


def test_identical_text_is_checked_per_language_even_after_a_language_with_one_x_account() -> None:
    c = _campaign([("e", "x", "en"), ("k1", "x", "km"), ("k2", "x", "km")], {"en": ["{name}"], "km": ["{name}"]})
    problems = _identical(caption_problems(c))
    # Only the kinds that have captions: a release or finale post never borrows the weekly ones.
    assert [p.split(":")[0] for p in problems] == ["captions.km.weekly"]


def test_an_identical_text_warning_names_the_accounts_and_the_variants() -> None:
    c = _campaign([("a", "x", "en"), ("b", "x", "en"), ("d", "x", "en")],
                  {"en": ["{name} one", "{name} two"]})
    problems = _identical(caption_problems(c))
    assert problems[0] == (
        "captions.en.weekly: 3 X accounts (a, b, d) share 2 variant(s), and variant(s) 0, 1 do not name the "
        "{organisation}; X forbids identical posts across accounts: add variants or put {organisation} in them")
