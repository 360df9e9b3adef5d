"""A small campaign of its own for the caption-warning tests (Phnom Penh, January 2024; not the
example): weekly posts on Wednesdays from 3 to 31 January, a finale on the 31st, releases announced,
captions "{name}" unless a test gives its own, and people held since May 2023 unless given events."""

from __future__ import annotations

from typing import Any

import yaml

from campaign.definition import Campaign
from campaign.roster import Roster

CAMPAIGN = """\
id: pp-2024
name: Free Them
timezone: Asia/Phnom_Penh
start: 2024-01-03
end: 2024-01-31
cadence: {every: week, weekday: wednesday, time: "09:00"}
finale: {date: 2024-01-31, time: "18:00", template: t}
template: t
released_template: t
announce_releases: true
captions:
  en: {weekly: ["{name}"], released: ["{name}"], finale: ["{name}"]}
  fr: {weekly: ["{name}"], released: ["{name}"], finale: ["{name}"]}
accounts:
  - {id: en-1, organisation: One, platform: outbox, language: en}
"""


def person(pid: str, **more: Any) -> dict[str, Any]:
    """Someone held since 5 May 2023 with no charge recorded and no group or role, unless ``more`` says otherwise."""
    return {"id": pid, "name": {"en": pid.title()}, "events": [{"date": "2023-05-05", "type": "arrested"}], **more}


def campaign_for(people: list[dict[str, Any]], captions: dict[str, dict[str, list[str]]],
                 accounts: tuple[tuple[str, str], ...] = (("en-1", "en"),)) -> tuple[Campaign, Roster]:
    """The campaign with these captions (a kind not given: "{name}") and accounts (id, language), and
    a roster of ``people``."""
    c = yaml.safe_load(CAMPAIGN)
    for lang, kinds in captions.items():
        c["captions"][lang] = {**c["captions"][lang], **kinds}
    c["accounts"] = [{"id": i, "organisation": i.upper(), "platform": "outbox", "language": lang} for i, lang in accounts]
    return Campaign.model_validate(c), Roster.model_validate({"people": people})
