"""The shipped 'released' template's band says what became of the charges of everyone it
features, whatever the mix: all kept, all dropped, nothing recorded, or some of each."""

from __future__ import annotations

from datetime import date
from itertools import combinations

import pytest
import yaml

from campaign.cards import Template, render
from campaign.roster import Roster, facts

from .cards_fixtures import card_input, templates  # noqa: F401

RELEASED = date(2025, 1, 9)
ROSTER = Roster.model_validate(yaml.safe_load("""
people:
  - id: kept
    name: {en: Anna Kept, km: អាណា}
    events:
      - {date: 2024-01-01, type: arrested, charge: {en: incitement, km: ញុះញង់}}
      - {date: 2025-01-09, type: released, charges: kept}
  - id: dropped
    name: {en: Boris Dropped, km: បូរីស}
    events:
      - {date: 2024-03-01, type: arrested, charge: {en: plotting, km: ឃុបឃិត}}
      - {date: 2025-01-09, type: released, charges: dropped}
  - id: unrecorded
    name: {en: Chan Nothing, km: ចាន់}
    events:
      - {date: 2024-05-01, type: arrested}
      - {date: 2025-01-09, type: released}
"""))
GROUPS = [g for n in (1, 2, 3) for g in combinations(("kept", "dropped", "unrecorded"), n)]


@pytest.mark.parametrize("lang", ["en", "km"])
@pytest.mark.parametrize("group", GROUPS, ids="+".join)
def test_the_band_says_what_became_of_the_charges_of_each(templates: dict[str, Template], group: tuple[str, ...],  # noqa: F811
                                                          lang: str) -> None:
    people = tuple(facts(ROSTER.by_id()[pid], RELEASED) for pid in group)
    card = render(templates["released"], card_input(people, lang, kind="released"))
    band = [t for k, t in card.texts if dict(card.boxes)[k][1] >= 840]  # square: the band starts at y 840
    assert band, group
    said = " ".join(band).lower()
    if "kept" in group:  # whoever keeps the charges is told of, by name when the others do not
        assert ("the charges remain" if lang == "en" else "ការចោទប្រកាន់នៅតែមាន") in said
        if len(set(group)) > 1 and group != ("kept",):
            assert ("anna kept" if lang == "en" else "អាណា") in said
    if group == ("dropped",) or (len(group) > 1 and "dropped" in group):
        assert ("the charges were dropped" if lang == "en" else "ការចោទប្រកាន់ត្រូវបានលុបចោល") in said
    assert not card.overflows
