"""A release post's card and alt text say the release (``checks.release_cards``): a template whose
words, as a freed person's card picks them, say nothing of it (a weekly or finale template named as
``released_template``: "Still behind bars" on a freed person's card) is refused by validate at the
template's line, before anything is queued. The words are read as written, never a fact's value."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.checks import load_checked
from campaign.checks.release_cards import says_release
from campaign.errors import InputError
from tests.pipeline_fixtures import SMALL_CAMPAIGN, write_folder

from .test_cards_cli import run

WEEKLY_MONDAYS = {"every": "week", "weekday": "monday", "time": "10:00"}  # 12 Nov, a Friday, is free: announced


def _folder(root: Path, template: str) -> Path:
    captions = {lang: {**SMALL_CAMPAIGN["captions"][lang], "released": ["{name}: {status}"]} for lang in ("en", "km")}
    return write_folder(root, campaign={**SMALL_CAMPAIGN, "released_template": template, "announce_releases": True,
                                        "cadence": WEEKLY_MONDAYS, "captions": captions})


@pytest.mark.parametrize("template", ["released", "portrait", "starter"])
def test_a_template_that_says_the_release_on_card_and_alt_text_passes(tmp_path: Path, template: str) -> None:
    folder = _folder(tmp_path / "c", "plain" if template == "starter" else template)
    if template == "starter":  # `campaign template new` as written, named as the released template
        assert run("template", "new", "plain", "--campaign", str(folder))[0] == 0
    checked = load_checked(folder)
    assert sum(1 for s in checked.slots if s.kind == "released") == 3  # three accounts announce Rong Chhun's release


def test_a_template_that_does_not_say_it_is_refused_at_its_lines(tmp_path: Path) -> None:
    with pytest.raises(InputError) as got:
        load_checked(_folder(tmp_path / "c", "collage"))  # "Still behind bars", for a freed man
    problems = [str(p) for p in got.value.problems]
    card = [p for p in problems if "no text on the card says the release" in p]
    alt = [p for p in problems if "alt text" in p]
    assert len(card) == 2 and {"in en" in p for p in card} == {True, False}  # per language of the accounts
    assert len(alt) == 2 and len(problems) == 4
    assert all("collage/template.yaml:" in p and "rong-chhun (released on 2021-11-12" in p for p in problems)
    assert any("Still behind bars" in p for p in card) and any("Still behind bars" in p for p in alt)
    assert all("when: {status: released}" in p for p in problems)  # what to do


@pytest.mark.parametrize("text, lang, says", [
    ("Freed on {released_on}", "en", True),
    ("{name}: {status}", "en", True),
    ("{name} was released today", "en", True),
    ("Released: {name}", "en", True),
    ("{name} must be released", "en", False),  # a demand, not a statement
    ("Behind bars for {detained}", "en", False),
    ("{name}, {group}. {detained}", "en", False),
    ("ត្រូវបានដោះលែង៖ {name}", "km", True),
    ("សូមដោះលែងពួកគេទាំងអស់", "km", False),  # "release them all": a call
    ("{release_note}", "en", False),  # a note may say anything
])
def test_what_says_a_release(text: str, lang: str, says: bool) -> None:
    assert says_release(text, lang) is says
