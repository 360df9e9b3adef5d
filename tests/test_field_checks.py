"""How a misused field is refused (campaign/vocabulary.py ``check``): each message names the field as
written and says how to write it instead. One rule per test, written against the mutants
``make mutate`` found alive; the vocabulary itself is tested in tests/test_fields.py."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.vocabulary import FIELDS, check
from campaign.words import LANGUAGES

WRITTEN_AS_FIELDS = sorted(FIELDS) + ["days", "duration", "names"]


@settings(max_examples=40, deadline=None)
@given(root=st.sampled_from(WRITTEN_AS_FIELDS), index=st.sampled_from(["[0]", "[1]", "[x]", ".en[0]"]))
def test_an_index_is_refused_with_how_to_write_the_field(root: str, index: str) -> None:
    written = root + index
    assert check("{" + written + "}") == [f"{{{written}}}: write a field as {{{root}}} or {{{root}.LANG}}"]


@pytest.mark.parametrize("written,root", [("name.en.km", "name"), ("detained.km.en", "detained"),
                                          ("days.km.x", "days"), ("name.primary.en", "name")])
def test_a_field_takes_one_attribute_at_most(written: str, root: str) -> None:
    assert check("{" + written + "}") == [f"{{{written}}}: write a field as {{{root}}} or {{{root}.LANG}}"]


@pytest.mark.parametrize("written,also", [("detained.klingon", ""), ("days.english", ""),
                                          ("name.klingon", " or primary/secondary"),
                                          ("names.klingon", " or primary/secondary")])
def test_an_attribute_that_is_no_language_code_is_refused_naming_the_fields_own_attributes(
        written: str, also: str) -> None:
    attr = written.split(".")[1]
    assert check("{" + written + "}") == [f"{{{written}}}: .{attr} is not a language code{also}"]


@pytest.mark.parametrize("written", ["name.de", "detained.th", "week.es", "days.zh"])
def test_a_language_the_project_cannot_write_is_refused_naming_those_it_can(written: str) -> None:
    lang = written.split(".")[1]
    assert check("{" + written + "}") == [
        f"{{{written}}}: the project has no words for {lang!r} (it writes {', '.join(LANGUAGES)}); use one of "
        "these, or add the language to campaign/words.py"]
