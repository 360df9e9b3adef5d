"""Languages are declared, not guessed: an account's language needs the captions of every kind of post
it plans and the labels of every template its posts use; a "released" or "finale" post never
borrows a weekly caption. Checked with a third language (French) and with Khmer weekly captions only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.captions import MissingCaptions, caption_text
from campaign.cards import CardInput, load_template, render
from campaign.checks import load_checked
from campaign.cli import main
from campaign.definition import CaptionSet
from campaign.checks.languages import missing_labels
from campaign.plan import plan
from campaign.roster import facts
from campaign.sources import InputError

from .fields_fixtures import CAMPAIGN, TEMPLATE, line_of, models, write_folder

WEEKLY_ONLY_FR = CAMPAIGN[:CAMPAIGN.index("  fr:\n")] + """\
  fr:
    - "Semaine {week} : {name}, {status} depuis {since}, {case}. {hashtags}"
""" + CAMPAIGN[CAMPAIGN.index("accounts:"):]


def refused(folder: Path) -> list[str]:
    with pytest.raises(InputError) as err:
        load_checked(folder)
    return [str(p) for p in err.value.problems]


def test_a_third_language_with_its_captions_and_labels_is_usable(tmp_path: Path) -> None:
    folder = load_checked(write_folder(tmp_path))
    c, r = folder.campaign, folder.roster
    people = r.by_id()
    fr = [s for s in plan(c, r) if s.language == "fr"]
    assert {s.kind for s in fr} == {"weekly", "released", "finale"}
    released = next(s for s in fr if s.kind == "released")
    text = caption_text(c, released, [facts(people[p], released.date) for p in released.people])
    assert text == "Ihar L : de nouveau libre, après 1 an, 8 mois et 10 jours au total. #FreeThemAll #Belarus"
    t = load_template(folder.root / "templates" / "trio")
    card = render(t, CardInput(people=(facts(people["ales"], date(2023, 3, 22)),), photos={}, language="fr",
                               kind="weekly", week=4, campaign_name=c.name), size="square", fmt="png")
    painted = [text for _, text in card.texts]
    assert "SEMAINE 4" in painted and "En détention : 1 an, 8 mois et 8 jours" in painted
    assert "English only" not in painted  # that layer is for en and km cards only
    assert card.alt == {"en": "Ales B: sentenced to 10 years for tax evasion. 1 year, 8 months and 8 days.",
                        "fr": "Ales B : condamnation à 10 ans pour fraude fiscale. 1 an, 8 mois et 8 jours.",
                        "be": "Алесь Б: прысуд: 10 гадоў, абвінавачанне: ухіленне ад падаткаў. 1 год, 8 месяцаў і 8 дзён."}


def test_a_language_without_released_and_finale_captions_is_refused_at_the_accounts_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, WEEKLY_ONLY_FR)
    found = refused(folder)
    line = line_of(WEEKLY_ONLY_FR, "language: fr")
    at = f"{folder / 'campaign.yaml'}:{line}: accounts[1].language: two-fr posts in 'fr', but captions.fr has no "
    assert len(found) == 2, found
    assert found[0].startswith(at + "finale captions, and the plan gives it 1 finale post (first 2023-05-31)")
    assert found[1].startswith(at + "released captions, and the plan gives it 1 released post (first 2023-04-13); "
                                    "a released post never borrows a weekly caption: add captions.fr.released")


def test_a_kind_of_post_a_language_does_not_plan_needs_no_captions(tmp_path: Path) -> None:
    campaign = WEEKLY_ONLY_FR.replace("announce_releases: true", "announce_releases: false").replace(
        'finale: {date: 2023-05-31, time: "18:00", template: trio}\n', "")
    assert load_checked(write_folder(tmp_path, campaign)).campaign.captions["fr"].released is None


def test_khmer_weekly_captions_only_never_lend_a_weekly_caption_to_a_release_or_finale(tmp_path: Path) -> None:
    """The issue's case: the release post said '... has been behind bars for ...' on the day of the
    release, and the finale listed names inside the duration."""
    km = TEMPLATE.replace('fr: "SEMAINE {week}"', 'km: "សប្តាហ៍ទី {week}"').replace(
        'fr: "En détention : {detained}"', 'km: "ជាប់ឃុំ {detained}"').replace('  fr: "{name} : {case}. {detained}."',
                                                                            '  km: "{name}៖ {case}។ {detained}។"').replace(
        '  fr: "{name} : {status}. {detained}."', '  km: "{name}៖ {status}។ {detained}។"')
    campaign = CAMPAIGN.replace("language: fr}", "language: km}")
    campaign = campaign[:campaign.index("  fr:\n")] + """\
  km:
    - "{name} បានជាប់ឃុំអស់រយៈពេល {detained}។ {hashtags}"
""" + campaign[campaign.index("accounts:"):]
    folder = write_folder(tmp_path, campaign, template=km)
    found = refused(folder)
    assert [p.split(": ", 2)[2][:60] for p in found] == [
        "two-fr posts in 'km', but captions.km has no finale captions",
        "two-fr posts in 'km', but captions.km has no released captio"]
    c, r = models(campaign)
    assert c.captions["km"].for_kind("released") == [] and c.captions["km"].for_kind("finale") == []
    release = next(s for s in plan(c, r) if s.kind == "released" and s.language == "km")
    with pytest.raises(MissingCaptions, match="captions.km has no released captions"):
        caption_text(c, release, [facts(r.by_id()["ihar"], release.date)])


def test_for_kind_gives_only_that_kinds_variants() -> None:
    cset = CaptionSet(weekly=["w"], released=["r"])
    assert cset.for_kind("weekly") == ["w"] and cset.for_kind("released") == ["r"] and cset.for_kind("finale") == []


def test_a_template_without_the_languages_labels_is_refused_naming_each_place(tmp_path: Path) -> None:
    template = TEMPLATE.replace(', fr: "SEMAINE {week}"', "").replace('      fr: "{name} : {case}. {detained}."\n', "").replace(
        '      fr: "{name} : {status}. {detained}."\n', "")
    folder = write_folder(tmp_path, template=template)
    [problem] = refused(folder)
    spec = folder / "templates" / "trio" / "template.yaml"
    lines = spec.read_text(encoding="utf-8").splitlines()
    badge = next(i for i, line in enumerate(lines, 1) if 'text: {en: "WEEK {week}"' in line)
    alt = lines.index("alt:") + 1
    released, other = (i for i, line in enumerate(lines, 1) if i > alt and line.strip() in ("text:", "- text:"))
    assert problem.startswith(f"{folder / 'campaign.yaml'}:{line_of(CAMPAIGN, 'language: fr')}: accounts[1].language: "
                              f"two-fr posts in 'fr', but template 'trio' (its weekly and released and finale posts) "
                              f"has no 'fr' text in {spec}: layers[2].badge.text (line {badge}); alt[0].text (line "
                              f"{released}); alt[1].text (line {other});")


def test_labels_for_every_language_or_only_for_other_languages_need_nothing(tmp_path: Path) -> None:
    t = load_template(write_folder(tmp_path).joinpath("templates", "trio"))
    assert missing_labels(t, "fr") == []  # the en/km-only layer has when: {language: [en, km]}
    assert [p.split(" (")[0] for p in missing_labels(t, "km")] == ["layers[2].badge.text", "layers[3].text.text",
                                                                  "alt[0].text", "alt[1].text"]
    star = write_folder(tmp_path / "s", template=TEMPLATE.replace('fr: "SEMAINE {week}"', '"*": "{week}"'))
    assert [p.split(" (")[0] for p in missing_labels(load_template(star / "templates" / "trio"), "km")] == [
        "layers[3].text.text", "alt[0].text", "alt[1].text"]  # "*" is every language's; alt texts have no "*"


def test_validate_says_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(write_folder(tmp_path, WEEKLY_ONLY_FR))])
    assert result.exit_code == 2 and "captions.fr has no released captions" in result.stderr
    assert "2 problems found; nothing was queued or posted." in result.stderr
