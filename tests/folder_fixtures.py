"""Small campaign folders written from text, so tests can break one line and check the error."""

from __future__ import annotations

from pathlib import Path

CAMPAIGN = """\
id: test-campaign
name: Test Campaign
timezone: Asia/Phnom_Penh
start: 2021-08-11
end: 2021-10-06
cadence:
  every: week
  weekday: wednesday
  time: "10:00"
template: portrait
hashtags: ["#FreeThem"]
captions:
  en:
    - "Week {week}: {name} has been detained for {duration}. {hashtags}"
    - "{name}: {days} days behind bars. {hashtags}"
  km:
    - "សប្តាហ៍ទី{week}៖ {name} ជាប់ឃុំ {duration}។ {hashtags}"
accounts:
  - id: one-en
    organisation: Org One
    platform: outbox
    language: en
  - id: two-km
    organisation: Org Two
    platform: outbox
    language: km
"""

ROSTER = """\
people:
  - id: alice
    name: {en: Alice A, km: អាលីស}
    group: {en: Group A}
    events:
      - {date: 2020-08-01, type: arrested}
      - {date: 2020-08-02, type: charged, charge: {en: incitement}}
  - id: bob
    name: {en: Bob B}
    events:
      - {date: 2021-01-10, type: arrested}
      - {date: 2021-09-01, type: released, note: {en: charges not dropped}}
  - id: chea
    name: {km: ជា}
    events:
      - {date: 2021-03-01, type: arrested}
"""


def write_folder(root: Path, campaign: str = CAMPAIGN, roster: str = ROSTER) -> Path:
    """Write a campaign folder under ``root`` and return it."""
    folder = root / "camp"
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    (folder / "campaign.yaml").write_text(campaign, encoding="utf-8")
    (folder / "roster.yaml").write_text(roster, encoding="utf-8")
    return folder
