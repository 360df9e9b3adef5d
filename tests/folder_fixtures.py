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


def example_with(tmp_path: Path, accounts: list[dict[str, object]], en_weekly: list[str] | None = None) -> Path:
    """A copy of the example campaign under ``tmp_path`` with other accounts (and English weekly captions)."""
    import shutil

    import yaml

    example = Path(__file__).resolve().parents[1] / "config" / "campaigns" / "release-hrds-2021"
    target = tmp_path / "campaign"
    shutil.copytree(example, target)
    data = yaml.safe_load((target / "campaign.yaml").read_text(encoding="utf-8"))
    data["accounts"] = accounts
    if en_weekly is not None:
        data["captions"]["en"]["weekly"] = en_weekly
    (target / "campaign.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target
