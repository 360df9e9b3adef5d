"""Text shown to people (a name, a group, a charge, the campaign's name, an organisation) shows
something: one made only of spaces, controls or format characters (a zero-width space, bidirectional
controls: Unicode categories Zs, Zl, Zp, Cc, Cf) is refused as empty, at its line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from campaign.checks import load_consistent
from campaign.errors import InputError
from tests.folder_fixtures import CAMPAIGN, ROSTER, write_folder

INVISIBLE_TEXTS = ["", " ", "\u200b", "\u202e\u202c", "\u2066\u2069", "\u200f\u200e", "\u00a0\u3000", "\t\u2060\ufeff",
                   "\u00ad", "\u200d\u200c"]


@pytest.mark.parametrize("text", INVISIBLE_TEXTS)
@pytest.mark.parametrize("where", ["name-en", "name-plain", "group", "charge"])
def test_roster_text_made_only_of_invisible_characters_is_refused_as_empty(tmp_path: Path, text: str,
                                                                           where: str) -> None:
    written = json.dumps(text)  # escaped: the file shows what is in it
    roster = {
        "name-en": ROSTER.replace("name: {en: Bob B}", f"name: {{en: {written}}}"),
        "name-plain": ROSTER.replace("name: {en: Bob B}", f"name: {written}"),
        "group": ROSTER.replace("name: {en: Bob B}", f"name: {{en: Bob B}}\n    group: {{en: {written}}}"),
        "charge": ROSTER.replace("charge: {en: incitement}", f"charge: {{en: {written}}}"),
    }[where]
    with pytest.raises(InputError) as err:
        load_consistent(write_folder(tmp_path, roster=roster))
    [problem] = err.value.problems
    line = next(i for i, t in enumerate(roster.splitlines(), 1) if written in t)
    field = {"name-en": "people[1].name", "name-plain": "people[1].name", "group": "people[1].group",
             "charge": "people[0].events[1].charge"}[where]
    assert (problem.file.endswith("roster.yaml"), problem.line, problem.field) == (True, line, field), problem
    assert problem.message.endswith("; write the text")
    assert ("is empty" if not text else "shows nothing: it has only invisible characters (U+") in problem.message


@pytest.mark.parametrize("text", INVISIBLE_TEXTS)
@pytest.mark.parametrize("field", ["name", "organisation"])
def test_campaign_text_made_only_of_invisible_characters_is_refused_as_empty(tmp_path: Path, text: str,
                                                                             field: str) -> None:
    old = {"name": "name: Test Campaign", "organisation": "organisation: Org One"}[field]
    campaign = CAMPAIGN.replace(old, f"{field}: {json.dumps(text)}")
    with pytest.raises(InputError) as err:
        load_consistent(write_folder(tmp_path, campaign))
    [problem] = err.value.problems
    line = next(i for i, t in enumerate(campaign.splitlines(), 1) if t.strip().startswith(f"{field}: "))
    assert (problem.line, problem.field) == (line, {"name": "name", "organisation": "accounts[0].organisation"}[field])
    assert problem.message.endswith("; write the text")


@pytest.mark.parametrize("text", ["Bob\u200bB", "\u202bបុប\u202c", "\u00a0x", "\U0001f54a"])
def test_text_with_something_visible_among_invisible_characters_is_taken(tmp_path: Path, text: str) -> None:
    roster = ROSTER.replace("name: {en: Bob B}", f"name: {{en: {json.dumps(text, ensure_ascii=False)}}}")
    assert load_consistent(write_folder(tmp_path, roster=roster)).roster.by_id()["bob"].name.get("en") == text
