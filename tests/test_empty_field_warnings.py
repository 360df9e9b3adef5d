"""The warning for a caption field that is empty for someone a post features
(campaign/caption_facts.py ``empty_field_problems``), one rule per test: which fields can be empty,
why each is said to be, in what order, how many posts and people are named, and how the caption is
quoted around the gap. A campaign of its own (Phnom Penh, January 2024; not the example). Written
against the mutants ``make mutate`` found alive."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from campaign.checks.caption_facts import _around_empty, empty_field_problems

from .caption_fixtures import campaign_for, person


def warnings(people: list[dict[str, Any]], captions: dict[str, dict[str, list[str]]],
             accounts: tuple[tuple[str, str], ...] = (("en-1", "en"),)) -> list[str]:
    return empty_field_problems(*campaign_for(people, captions, accounts))


# --- who and how many ------------------------------------------------------------------------------------


@pytest.mark.parametrize("n,who", [(1, "p1"), (3, "p1, p2, p3"), (4, "p1, p2, p3 and 1 more"),
                                   (6, "p1, p2, p3 and 3 more")])
def test_a_warning_names_at_most_three_people_and_counts_the_others(n: int, who: str) -> None:
    people = [person(f"p{i}") for i in range(1, n + 1)]
    [w] = warnings(people, {"en": {"finale": ["{name} ({sentence})"]}})  # the finale features everyone held
    assert f", first for {who} on 2024-01-31 (not sentenced):" in w


@pytest.mark.parametrize("accounts,says", [((("en-1", "en"),), "empty in 1 planned post, first"),
                                           ((("en-1", "en"), ("en-2", "en")), "empty in 2 planned posts, first"),
                                           ((("a", "en"), ("b", "en"), ("c", "en")), "empty in 3 planned posts, first")])
def test_a_warning_counts_the_posts_it_affects_in_words_that_agree(accounts: tuple[tuple[str, str], ...],
                                                                   says: str) -> None:
    [w] = warnings([person("dara")], {"en": {"finale": ["{name} ({sentence})"]}}, accounts)
    assert says in w


# --- which fields, and in what order -----------------------------------------------------------------------


def test_the_empty_fields_of_a_variant_are_warned_in_the_vocabularys_order_not_the_templates() -> None:
    found = warnings([person("dara")], {"en": {"weekly": ["{charge} ({name}, {role})"]}})
    assert [re.search(r"uses (\{\w+\})", w).group(1) for w in found] == ["{role}", "{charge}"]  # type: ignore[union-attr]


def test_a_field_with_a_value_does_not_stop_the_next_field_being_checked() -> None:
    found = warnings([person("dara", group={"en": "Khmer Thavrak"})], {"en": {"weekly": ["{group}: {name}, {sentence}"]}})
    assert [w.split(" uses ")[1].split(",")[0] for w in found] == ["{sentence}"]


def test_a_post_whose_variant_has_nothing_that_can_be_empty_does_not_stop_the_others_being_checked() -> None:
    # the English post of each day comes first and cannot be empty; the French one can
    found = warnings([person("dara")], {"fr": {"weekly": ["{name} ({sentence})"]}}, (("en-1", "en"), ("fr-1", "fr")))
    assert [w.split(" uses ")[0] for w in found] == ["captions.fr.weekly[0]"]


def test_a_post_whose_kind_has_no_captions_does_not_stop_the_later_posts_being_counted() -> None:
    # (validate refuses such a campaign; the warnings still count every post they can read)
    freed = person("sokha", events=[{"date": "2023-05-05", "type": "arrested"}, {"date": "2024-01-04", "type": "released"}])
    [w] = warnings([freed, person("dara")], {"en": {"weekly": ["{name} ({sentence})"], "released": None}})
    assert "empty in 4 planned posts, first for sokha on 2024-01-03" in w  # 3, 10, 17 and 24 January


def test_name_primary_and_secondary_are_never_warned_about() -> None:
    """{name.secondary} is empty by design for someone with one name, and {name.primary} never is."""
    people = [person("dara"), person("sokha", name={"km": "សុខា"})]
    assert warnings(people, {"en": {"weekly": ["{name.primary} / {name.secondary}"],
                                    "finale": ["{name.primary} / {name.secondary}"]}}) == []


@pytest.mark.parametrize("written,why", [
    ("sentence.km", "not sentenced"),  # a fact nobody has, in any language: the fact's own reason
    ("charge.fr", "no French charge"),  # a roster text in a language it is not given in
    ("group.km", "no Khmer group"),
    ("release_note.fr", "no French release note"),
])
def test_a_warning_says_why_the_field_is_empty(written: str, why: str) -> None:
    dara = person("dara", group={"en": "Khmer Thavrak"}, events=[
        {"date": "2023-05-05", "type": "arrested", "charge": {"en": "incitement"}},
        {"date": "2024-01-15", "type": "released", "note": {"en": "on bail"}}])
    kind = "released" if written.startswith("release_note") else "weekly"
    found = [w for w in warnings([dara, person("sokha")], {"en": {"weekly": [f"{{name}} {{{written}}}"],
                                                                  "released": [f"{{name}} {{{written}}}"]}})
             if w.startswith(f"captions.en.{kind}[")]
    assert found and all(f"({why}): the caption would read" in w for w in found), found


# --- how the caption is quoted around the gap --------------------------------------------------------------

MARK = "\x00"
CONTEXT = 24  # characters either side of the gap that are always quoted


def reference_quote(template: str, field: str) -> str:
    """The caption around the first place ``field`` (empty) would have been: every character within
    24 of it, widened to whole words (words are separated by spaces); "... " / " ..." where the
    caption goes on."""
    text = template.replace("{" + field + "}", MARK).replace("{{", "{").replace("}}", "}")
    text = re.sub(r"[ \t]{2,}", " ", text).strip()
    at = text.index(MARK)
    lo, hi = at - CONTEXT, at + 1 + CONTEXT
    starts = [i for i in range(len(text) + 1) if i == 0 or text[i - 1] == " "]  # where a word may start
    ends = [j for j in range(len(text) + 1) if j == len(text) or text[j] == " "]  # where a word may end
    start = 0 if lo <= 0 else max(i for i in starts if i <= lo + 1)
    end = len(text) if hi >= len(text) else min(j for j in ends if j >= hi)
    quoted = re.sub(r"[ \t]{2,}", " ", text[start:end].replace(MARK, "")).strip()
    return ("... " if start > 0 else "") + quoted + (" ..." if end < len(text) else "")


WORDS = st.lists(st.sampled_from(["a", "Rong", "Chhun", "union", "leader", "{{tag}}", "ជាប់ឃុំ", "x" * 30, "—", "."]),
                 max_size=14)


@settings(max_examples=150, deadline=None)
@given(before=WORDS, after=WORDS, again=st.booleans())
@example(before=["a"], after=["b"], again=False)  # the caption starts with a one-letter word
@example(before=["Rong"] * 5, after=["Chhun"] * 5, again=True)
@example(before=["ab"] * 8 + ["a"], after=["b"] * 12, again=False)  # a cut that falls on a space
def test_the_caption_is_quoted_around_the_first_gap_in_whole_words(before: list[str], after: list[str],
                                                                   again: bool) -> None:
    template = " ".join([*before, "{sentence}", *after, *(["{sentence}", "end"] if again else [])])
    assert _around_empty(template, {}, "sentence") == reference_quote(template, "sentence")


def test_literal_braces_are_quoted_as_the_caption_shows_them() -> None:
    assert _around_empty("{{FreeThem}} {name}: {sentence}.", {"name": "Dara"}, "sentence") == "{FreeThem} Dara: ."


def test_the_other_fields_are_quoted_as_the_caption_writes_them() -> None:
    """(validate refuses a format spec or conversion in a caption; the quote still keeps them.)"""
    quote = _around_empty("{organisation!r}: {sentence} {organisation:.3}", {"organisation": "LICADHO"}, "sentence")
    assert quote == "'LICADHO': LIC"
