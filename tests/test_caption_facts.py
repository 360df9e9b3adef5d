"""Warnings where a caption's own words state what is not true of someone it is posted about on the
post's day ("charged with" for someone sentenced, "released" for someone held, "the charges remain"
where they were dropped), with the number of posts and the first post's id; fields are never read."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.checks.caption_facts import claim_problems, claims_in, phrases
from campaign.cli import main
from campaign.words import LANGUAGES

from .fields_fixtures import CAMPAIGN, models, write_folder


def warnings(lang: str, kind: str, text: str) -> list[str]:
    """The claim warnings of the test campaign with its ``lang`` captions of ``kind`` set to ``text``
    (English: the one-en account's; another language: two-fr's, moved to that language)."""
    c, r = models()
    if lang != "en":
        c = c.model_copy(update={"accounts": [a if a.id != "two-fr" else a.model_copy(update={"language": lang})
                                              for a in c.accounts]})
    cset = c.captions.get(lang, c.captions["fr"]).model_copy(update={kind: [text]})
    c = c.model_copy(update={"captions": {**c.captions, lang: cset}})
    return [w for w in claim_problems(c, r) if w.startswith(f"captions.{lang}.")]


def test_charged_with_for_someone_already_sentenced_is_warned_with_the_first_post() -> None:
    [w] = warnings("en", "weekly", "{name}, charged with {charge}. {hashtags}")
    # Ales is sentenced on 3 March: weekly posts of 22 March, 12 April, 26 April, 10 and 24 May
    assert w.startswith("captions.en.weekly[0] says 'charged with' (charged, with no conviction yet), which is not true "
                        "on the day of 5 planned posts: first minsk-2023:2023-03-22:one-en, featuring ales (imprisoned "
                        "since 2021-07-14, sentenced to 10 years on 2023-03-03); write {case} instead")


def test_the_field_that_says_it_truly_is_never_read() -> None:
    assert warnings("en", "weekly", "{name}, {case}. {status}. {hashtags}") == []


def test_sentenced_for_someone_only_charged_is_warned() -> None:
    [w] = warnings("en", "weekly", "{name} was sentenced unjustly. {hashtags}")
    # every weekly post but Ales's after his conviction: Maria is only charged, and Ihar's new
    # detention has no conviction (his earlier one's does not count)
    assert "says 'sentenced' (convicted), which is not true on the day of 8 planned posts" in w
    assert "first minsk-2023:2023-03-01:one-en, featuring ales (detained since 2021-07-14, charged, not convicted)" in w


def test_released_in_a_weekly_caption_is_warned_and_a_demand_is_not() -> None:
    [w] = warnings("en", "weekly", "{name}, released on bail, is held again. {hashtags}")
    assert "says 'released' (released)" in w and "13 planned posts" in w  # every weekly post
    assert warnings("en", "weekly", "{name} must be released. {name} is not convicted. {hashtags}") == []


def test_charges_that_remain_where_they_were_dropped_are_warned() -> None:
    [w] = warnings("en", "released", "{name} is free. The charges remain. {hashtags}")
    assert "says 'The charges remain' (the charges remain)" in w
    assert "first minsk-2023:2023-04-13:one-en, featuring ihar (released on 2023-04-12, no charge recorded, charges dropped" in w
    assert warnings("en", "released", "{name} is free; the charges were dropped. {hashtags}") == []


def test_a_released_post_recounts_the_time_held_without_a_warning() -> None:
    assert warnings("en", "released", "{name} is free after {detained} behind bars. {hashtags}") == []


@pytest.mark.parametrize("lang,text,says", [
    ("km", "{name} ការចោទប្រកាន់ពីបទ{charge}។ {hashtags}", "'ការចោទប្រកាន់ពីបទ'"),
    ("fr", "{name}, inculpation pour {charge}. {hashtags}", "'inculpation pour'"),
    ("be", "{name}: асуджэнне. {hashtags}", "'асуджэнне' (convicted)"),
])
def test_each_languages_own_words_for_a_case_are_read(lang: str, text: str, says: str) -> None:
    found = warnings(lang, "weekly", text)
    assert len(found) == 1 and says in found[0]


def test_every_language_has_words_for_each_status_claim() -> None:
    for lang in LANGUAGES:
        words = phrases(lang)
        assert all(words[k] for k in ("held", "released", "convicted", "charges_kept", "charges_dropped")), lang


def test_belarusian_charge_words_are_not_read_as_a_pending_case() -> None:
    """Belarusian names the charge in a sentence too ("прысуд: ..., абвінавачанне: ..."), so the word
    states no pending case."""
    assert phrases("be")["pending"] == () and claims_in("абвінавачанне: {charge}", "be") == ()


def test_validate_and_plan_print_the_warning(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, CAMPAIGN.replace("{name} has been held for {detained}, {case}.",
                                                     "{name} has been held for {detained}, charged with {charge}."))
    for command in ("validate", "plan"):
        result = CliRunner().invoke(main, [command, str(folder)])
        assert result.exit_code == 0, result.output
        assert ("warning: captions.en.weekly[0] says 'charged with' (charged, with no conviction yet), which is not true "
                "on the day of 4 planned posts: first minsk-2023:2023-04-12:one-en, featuring ales") in result.stderr, command


def test_the_example_campaigns_captions_state_the_case_its_cards_state(example_folder: Path) -> None:
    from datetime import date

    from campaign.captions import caption_text
    from campaign.definition import load_folder
    from campaign.plan import plan
    from campaign.roster import facts

    f = load_folder(example_folder)
    assert claim_problems(f.campaign, f.roster) == []
    people = f.roster.by_id()
    texts = {s.account: caption_text(f.campaign, s, [facts(people[p], s.date) for p in s.people])
             for s in plan(f.campaign, f.roster) if s.date == date(2021, 8, 11)}  # Rong Chhun, sentenced on 4 August
    assert "sentenced to 2 years for incitement to commit a felony" in texts["cchr-en"]
    assert "ត្រូវបានកាត់ទោស ២ ឆ្នាំ ពីបទញុះញង់ឱ្យប្រព្រឹត្តបទឧក្រិដ្ឋ" in texts["licadho-km"]
    assert not any("charged with" in t for t in texts.values())
