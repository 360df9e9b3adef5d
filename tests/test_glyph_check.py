"""A campaign whose planned cards would show a roster text their fonts cannot draw is refused before
anything is queued (``campaign validate``), at the roster line of that text, saying what to do; a
text no card shows (a name in a language no card is in) is no problem. Without the check, every
post about the person fails when its card is rendered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from campaign.checks import load_checked
from campaign.errors import InputError
from tests.pipeline_fixtures import SMALL_CAMPAIGN, SMALL_ROSTER, write_folder

ARABIC = "محمد علي"


def _roster(**person: Any) -> dict[str, Any]:
    """The small roster with sar-kanika changed (the one person of every post of the week)."""
    sar = next(p for p in SMALL_ROSTER["people"] if p["id"] == "sar-kanika")
    return {"people": [{**sar, **person}]}


def _problems(tmp_path: Path, roster: dict[str, Any]) -> list[Any]:
    folder = write_folder(tmp_path / "c", campaign=SMALL_CAMPAIGN, roster=roster)
    try:
        load_checked(folder)
    except InputError as exc:
        return list(exc.problems)
    return []


@pytest.mark.parametrize("where,person", [
    ("people[0].name", {"name": ARABIC}),  # one name for every language, in a script Noto Sans lacks
    ("people[0].group.en", {"group": {"en": f"Friends of {ARABIC}", "km": "មិត្តភក្តិ"}}),
])
def test_a_roster_text_a_planned_card_cannot_draw_is_refused_at_its_line(tmp_path: Path, where: str,
                                                                          person: dict[str, Any]) -> None:
    problems = _problems(tmp_path, _roster(**person))
    assert len(problems) == 1, [str(p) for p in problems]
    p = problems[0]
    assert p.file.endswith("roster.yaml") and p.line is not None and p.field == where, str(p)
    assert "cannot be drawn on template 'portrait'" in p.message and "add a font that has them" in p.message


def test_a_text_no_card_shows_is_no_problem(tmp_path: Path) -> None:
    """An Arabic name beside the English and Khmer ones: the cards are in English and Khmer."""
    assert _problems(tmp_path, _roster(name={"en": "Sar Kanika", "km": "សារ កាណិកា", "ar": ARABIC})) == []


def test_a_persons_text_that_sets_the_template_s_words_in_a_font_without_them_is_refused(tmp_path: Path) -> None:
    """A layer writes Belarusian words before the charge; a charge given in Khmer alone sets the whole
    text in the Khmer font, which has no Cyrillic: refused at the person, naming the text."""
    folder = write_folder(tmp_path / "c", campaign=SMALL_CAMPAIGN, roster=_roster(events=[
        {"date": "2020-08-07", "type": "arrested", "charge": {"km": "ញុះញង់"}}]))
    (folder / "templates" / "portrait").mkdir(parents=True)
    (folder / "templates" / "portrait" / "template.yaml").write_text(
        "layers:\n  - background: {color: '#000000'}\n"
        "  - text: {box: [20, 20, 1000, 200], size: [10, 40], text: 'Абвінавачанне: {charge}'}\n"
        "alt: {en: '{name}', km: '{name}'}\n", encoding="utf-8")
    try:
        load_checked(folder)
    except InputError as exc:
        problems = list(exc.problems)
    else:
        problems = []
    assert [(p.field, "'Абвінавачанне: ញុះញង់'" in p.message) for p in problems] == [("people[0]", True)], [str(p) for p in problems]
