"""A campaign of its own for the field, language and caption-claim tests (not the example): three
people in Belarus, accounts in English and French, a template of its own with per-language labels.

- ales: charged, then sentenced on 2023-03-03 (10 years) during the campaign;
- maria: charged, never convicted; her name has no French or Khmer form;
- ihar: convicted and sentenced in 2021, released with the charges dropped, re-arrested on
  2023-02-02 with no charge recorded, released again on 2023-04-12 (announced on the 13th).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

from campaign.definition import Campaign
from campaign.roster import Roster

CAMPAIGN = """\
id: minsk-2023
name: Free Political Prisoners
timezone: Europe/Minsk
start: 2023-03-01
end: 2023-05-31
cadence: {every: week, weekday: wednesday, time: "12:00"}
finale: {date: 2023-05-31, time: "18:00", template: trio}
template: trio
released_template: trio
announce_releases: true
hashtags: ["#FreeThemAll", "#Belarus"]
captions:
  en:
    weekly:
      - "Week {week}: {name} has been held for {detained}, {case}. {hashtags}"
      - "{organisation}: {name} ({group}), {days} days. {hashtags}"
    released:
      - "{name} is free after {detained}. {hashtags}"
    finale:
      - "{count} people are still held: {name}. {hashtags}"
  fr:
    weekly:
      - "Semaine {week} : {name}, {status} depuis {since}, {case}. {hashtags}"
    released:
      - "{name} : {status}, après {detained}. {hashtags}"
    finale:
      - "{count} personnes : {name}. {hashtags}"
accounts:
  - {id: one-en, organisation: Org One, platform: outbox, language: en}
  - {id: two-fr, organisation: Org Deux, platform: outbox, language: fr}
"""

ROSTER = """\
people:
  - id: ales
    name: {en: Ales B, be: Алесь Б, fr: Ales B}
    group: {en: Viasna, be: Вясна, fr: Viasna}
    events:
      - {date: 2021-07-14, type: arrested, charge: {en: tax evasion, be: ухіленне ад падаткаў, fr: fraude fiscale}}
      - {date: 2023-03-03, type: convicted, sentence: 10 years}
  - id: maria
    name: {en: Maria K, be: Марыя К}
    events:
      - {date: 2020-09-07, type: arrested, charge: {en: extremism, be: экстрэмізм, fr: extrémisme}}
  - id: ihar
    name: {en: Ihar L, be: Ігар Л, fr: Ihar L}
    events:
      - {date: 2021-01-10, type: arrested, charge: {en: protest, fr: manifestation}}
      - {date: 2021-03-01, type: convicted, sentence: 1 year 6 months}
      - {date: 2022-07-10, type: released, charges: dropped}
      - {date: 2023-02-02, type: arrested}
      - {date: 2023-04-12, type: released, charges: dropped}
"""

TEMPLATE = """\
name: trio
layers:
  - background: {color: "#101010"}
  - text: {box: [40, 40, 1000, 120], text: "{name}", size: [20, 60], max_lines: 2}
  - badge:
      box: [40, 200, 420, 80]
      text: {en: "WEEK {week}", fr: "SEMAINE {week}", be: "ТЫДЗЕНЬ {week}"}
      size: [16, 30]
  - text:
      box: [40, 320, 1000, 200]
      text: {en: "Held for {detained}", fr: "En détention : {detained}", be: "Пад вартай: {detained}"}
      size: [16, 40]
      max_lines: 3
      when: {status: [detained, imprisoned]}
  - text:
      box: [40, 560, 1000, 100]
      text: {en: "English only", km: "ខ្មែរ"}
      size: [16, 30]
      when: {language: [en, km]}
  - text: {box: [40, 320, 1000, 200], text: "{status}", size: [16, 40], when: {status: released}}
alt:
  - when: {status: released}
    text:
      en: "{name}: {status}. {detained}."
      fr: "{name} : {status}. {detained}."
      be: "{name}: {status}. {detained}."
  - text:
      en: "{name}: {case}. {detained}."
      fr: "{name} : {case}. {detained}."
      be: "{name}: {case}. {detained}."
"""


def write_folder(root: Path, campaign: str = CAMPAIGN, roster: str = ROSTER, template: str = TEMPLATE) -> Path:
    """The campaign folder under ``root`` with its template in templates/trio/."""
    folder = root / "minsk"
    (folder / "templates" / "trio").mkdir(parents=True, exist_ok=True)
    (folder / "campaign.yaml").write_text(campaign, encoding="utf-8")
    (folder / "roster.yaml").write_text(roster, encoding="utf-8")
    (folder / "templates" / "trio" / "template.yaml").write_text(textwrap.dedent(template), encoding="utf-8")
    return folder


def models(campaign: str = CAMPAIGN, roster: str = ROSTER) -> tuple[Campaign, Roster]:
    """The campaign and roster as models, without the folder's cross-checks."""
    return Campaign.model_validate(yaml.safe_load(campaign)), Roster.model_validate(yaml.safe_load(roster))


def line_of(text: str, part: str) -> int:
    """The 1-based line of ``text`` containing ``part``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if part in line)
