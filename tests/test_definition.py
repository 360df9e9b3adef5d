"""Bad input gets a clear error naming the file, line and field; good input loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from campaign.checks import load_consistent
from campaign.definition import load_folder
from campaign.sources import InputError
from tests.folder_fixtures import CAMPAIGN, ROSTER, write_folder


def problems(tmp_path: Path, campaign: str = CAMPAIGN, roster: str = ROSTER) -> list[str]:
    """Every problem of the folder: each file on its own, then what needs both files and the disk."""
    with pytest.raises(InputError) as err:
        load_consistent(write_folder(tmp_path, campaign, roster))
    return [str(p) for p in err.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def one(found: list[str], file: str, line: int, field: str, words: str) -> str:
    """Exactly one problem, at file:line, naming the field, containing the words."""
    assert len(found) == 1, found
    msg = found[0]
    assert re.match(rf"^.*{re.escape(file)}:{line}: {re.escape(field)}: ", msg), msg
    assert words.lower() in msg.lower(), msg
    return msg


def test_valid_folder_loads(tmp_path: Path) -> None:
    f = load_folder(write_folder(tmp_path))
    assert f.campaign.id == "test-campaign" and len(f.roster.people) == 3


def test_malformed_yaml(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace("name: Test Campaign", "name: [Test Campaign")
    found = problems(tmp_path, bad)
    assert len(found) == 1 and "campaign.yaml:" in found[0] and "not valid YAML" in found[0]


def test_malformed_yaml_names_the_line_of_the_mistake_with_a_hint(tmp_path: Path) -> None:
    # PyYAML stops on the next line; the unclosed bracket is on the name line
    bad = CAMPAIGN.replace("name: Test Campaign", "name: [Test Campaign")
    msg = one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "name:"), "not valid YAML", "a space after each colon")
    assert "indentation" in msg and "quotes around text containing ': ' or '#'" in msg


def test_unknown_key_did_you_mean(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace("template: portrait", "templat: portrait")
    msg = one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "templat:"), "templat", "unknown key")
    assert "did you mean 'template'" in msg


def test_unknown_nested_key(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace("  weekday: wednesday", "  weekday: wednesday\n  hour: 10")
    msg = one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "hour:"), "cadence.hour", "unknown key")
    assert "known keys" in msg


def test_wrong_type(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace("template: portrait", "template: portrait\npeople_per_post: many")
    one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "people_per_post"), "people_per_post", "should be a whole number, not 'many'")


def test_end_before_start(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace("end: 2021-10-06", "end: 2021-08-01")
    one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "end:"), "end", "2021-08-01 is before start (2021-08-11)")


def test_finale_outside_campaign(tmp_path: Path) -> None:
    bad = CAMPAIGN + "finale: {date: 2021-12-10}\n"
    one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "finale:"), "finale.date", "outside the campaign")


def test_impossible_date(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace("end: 2021-10-06", "end: 2021-02-30")
    one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "end:"), "end", "date")


def test_a_date_that_is_not_one_is_quoted_with_how_to_write_it(tmp_path: Path) -> None:
    """An impossible or foreign-format date says what was written and the form to write, as a bad time does."""
    bad = CAMPAIGN.replace("end: 2021-10-06", "end: 2021-02-30")
    msg = one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "end:"), "end", "'2021-02-30' is not a date")
    assert "YYYY-MM-DD" in msg and "Input should be" not in msg
    first = re.search(r"date: (\S+?),", ROSTER)
    assert first is not None
    written = ROSTER.replace(f"date: {first.group(1)},", "date: 11/12/2021,", 1)
    msg = one(problems(tmp_path / "r", roster=written), "roster.yaml", line_of(written, "11/12/2021"),
              "people[0].events[0].date", "'11/12/2021' is not a date")
    assert "YYYY-MM-DD" in msg


def test_unknown_timezone(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace("Asia/Phnom_Penh", "Asia/Phnom_Pen")
    msg = one(problems(tmp_path, bad), "campaign.yaml", 3, "timezone", "not an IANA timezone")
    assert "Asia/Phnom_Penh" in msg


def test_a_timezone_written_as_its_city_is_told_its_full_name(tmp_path: Path) -> None:
    for written, meant in (("minsk", "Europe/Minsk"), ("Phnom Penh", "Asia/Phnom_Penh"), ("caracas", "America/Caracas")):
        bad = CAMPAIGN.replace("Asia/Phnom_Penh", written)
        msg = one(problems(tmp_path / written, bad), "campaign.yaml", 3, "timezone", "not an IANA timezone")
        assert f"did you mean '{meant}'?" in msg


def test_timezone_offset_refused(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace("Asia/Phnom_Penh", "+07:00")
    one(problems(tmp_path, bad), "campaign.yaml", 3, "timezone", "IANA")


def test_weekday_misspelt(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace("weekday: wednesday", "weekday: wendesday")
    msg = one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "weekday"), "cadence.weekday", "not a weekday")
    assert "did you mean 'wednesday'" in msg


def test_bad_time(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace('time: "10:00"', "time: 25:00")
    one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "time:"), "cadence.time", "not a time of day")


def test_unquoted_time_is_read_as_time(tmp_path: Path) -> None:
    ok = CAMPAIGN.replace('time: "10:00"', "time: 10:00")
    assert load_folder(write_folder(tmp_path, ok)).campaign.cadence.time.hour == 10


def test_pin_on_date_without_slot(tmp_path: Path) -> None:
    bad = CAMPAIGN + "pins:\n  - date: 2021-08-12\n    people: [alice]\n"
    msg = one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "date: 2021-08-12"), "pins[0].date", "has no slot")
    assert "2021-08-11" in msg


def test_pin_unknown_person(tmp_path: Path) -> None:
    bad = CAMPAIGN + "pins:\n  - date: 2021-08-18\n    people: [alicia]\n"
    msg = one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "people: [alicia]"), "pins[0].people[0]", "no person 'alicia'")
    assert "did you mean 'alice'" in msg


def test_duplicate_person_id(tmp_path: Path) -> None:
    bad = ROSTER.replace("id: bob", "id: alice")
    second = [i for i, line in enumerate(bad.splitlines(), 1) if "id: alice" in line][1]
    one(problems(tmp_path, roster=bad), "roster.yaml", second, "people[1].id", "used twice")


def test_duplicate_account_id(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace("id: two-km", "id: one-en")
    second = [i for i, line in enumerate(bad.splitlines(), 1) if "id: one-en" in line][1]
    one(problems(tmp_path, bad), "campaign.yaml", second, "accounts[1].id", "used twice")


def test_events_out_of_order(tmp_path: Path) -> None:
    bad = ROSTER.replace("2020-08-02, type: charged", "2020-07-02, type: charged")
    one(problems(tmp_path, roster=bad), "roster.yaml", line_of(bad, "2020-07-02"), "people[0].events[1]", "list events in date order")


def test_released_while_not_detained(tmp_path: Path) -> None:
    bad = ROSTER.replace("      - {date: 2021-03-01, type: arrested}", "      - {date: 2021-03-01, type: released}")
    one(problems(tmp_path, roster=bad), "roster.yaml", line_of(bad, "2021-03-01, type: released"), "people[2].events[0]", "while not detained")


def test_arrested_twice(tmp_path: Path) -> None:
    bad = ROSTER.replace("type: released, note: {en: charges not dropped}", "type: arrested")
    one(problems(tmp_path, roster=bad), "roster.yaml", line_of(bad, "2021-09-01"), "people[1].events[1]", "already detained")


def test_event_field_on_wrong_type(tmp_path: Path) -> None:
    bad = ROSTER.replace("{date: 2021-01-10, type: arrested}", "{date: 2021-01-10, type: arrested, sentence: 2 years}")
    msg = one(problems(tmp_path, roster=bad), "roster.yaml", line_of(bad, "sentence"), "people[1].events[0]", "does not belong")
    assert "'sentence'" in msg


def test_name_needs_a_language(tmp_path: Path) -> None:
    bad = ROSTER.replace("name: {km: ជា}", "name: {}")
    found = problems(tmp_path, roster=bad)
    assert len(found) == 1 and "people[2].name" in found[0] and "at least one language" in found[0]


def test_photo_missing(tmp_path: Path) -> None:
    bad = ROSTER.replace("    group: {en: Group A}", "    group: {en: Group A}\n    photo: photos/alice.jpg")
    one(problems(tmp_path, roster=bad), "roster.yaml", line_of(bad, "photo:"), "people[0].photo", "does not exist")


def test_photo_outside_folder(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.jpg").write_bytes(b"x")
    bad = ROSTER.replace("    group: {en: Group A}", "    group: {en: Group A}\n    photo: ../elsewhere.jpg")
    one(problems(tmp_path, roster=bad), "roster.yaml", line_of(bad, "photo:"), "people[0].photo", "outside the campaign folder")


def test_literal_token_refused_and_never_echoed(tmp_path: Path) -> None:
    token = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F"
    bad = CAMPAIGN.replace("    platform: outbox\n    language: en", f"    platform: x\n    language: en\n    credentials: {{bearer: {token}}}")
    msg = one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "credentials"), "accounts[0].credentials.bearer", "literal secret")
    assert token not in msg and "env:" in msg


def test_secret_references_accepted(tmp_path: Path) -> None:
    ok = CAMPAIGN.replace("    platform: outbox\n    language: en",
                          "    platform: x\n    language: en\n    credentials: {api_key: env:X_KEY, api_secret: file:/run/secrets/x}")
    account = load_folder(write_folder(tmp_path, ok)).campaign.accounts[0]
    assert account.credentials == {"api_key": "env:X_KEY", "api_secret": "file:/run/secrets/x"}


def test_a_credential_name_the_platform_does_not_take_is_refused_at_its_line(tmp_path: Path) -> None:
    """A misspelt credential ('tokne') is never read, so every post of the account would fail in any
    environment: validate says so at its line, with the names the platform takes."""
    bad = CAMPAIGN.replace("    platform: outbox\n    language: en",
                           "    platform: telegram\n    language: en\n    channel: '@chan'\n    credentials: {tokne: env:TG}")
    msg = one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "credentials"), "accounts[0].credentials.tokne",
              "a telegram account takes no 'tokne' credential")
    assert "did you mean 'token'" in msg


def test_platform_needs_credentials(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace("    platform: outbox\n    language: en", "    platform: mastodon\n    language: en")
    found = problems(tmp_path, bad)
    assert len(found) == 1 and "accounts[0]" in found[0] and "needs credentials" in found[0]


def test_empty_roster(tmp_path: Path) -> None:
    found = problems(tmp_path, roster="people: []\n")
    assert len(found) == 1 and "roster.yaml:1: people:" in found[0] and "roster is empty" in found[0]


def test_empty_file(tmp_path: Path) -> None:
    found = problems(tmp_path, roster="")
    assert len(found) == 1 and "roster.yaml" in found[0] and "empty" in found[0]


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace("template: portrait", "template: portrait\ntemplate: collage")
    found = problems(tmp_path, bad)
    assert len(found) == 1 and f"campaign.yaml:{line_of(bad, 'template: collage')}" in found[0] and "twice" in found[0]


def test_unknown_caption_placeholder(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace("{name}: {days} days", "{nme}: {days} days")
    msg = one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "{nme}"), "captions.en[1]", "unknown field {nme}")
    assert "did you mean {name}" in msg


def test_account_language_without_captions(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace("    language: km", "    language: fr")
    one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "language: fr"), "accounts[1].language", "no 'fr'")


def test_several_problems_reported_together(tmp_path: Path) -> None:
    bad_c = CAMPAIGN.replace("weekday: wednesday", "weekday: wendesday")
    bad_r = ROSTER.replace("id: bob", "id: alice")
    found = problems(tmp_path, bad_c, bad_r)
    assert len(found) == 2 and any("campaign.yaml" in p for p in found) and any("roster.yaml" in p for p in found)


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_folder(tmp_path / "nope")
    assert "not a folder" in str(err.value)


def test_durations_default_to_years_and_take_months(tmp_path: Path) -> None:
    assert load_folder(write_folder(tmp_path)).campaign.durations == "years"
    months = CAMPAIGN.replace("template: portrait", "template: portrait\ndurations: months")
    assert load_folder(write_folder(tmp_path / "m", months)).campaign.durations == "months"
    bad = CAMPAIGN.replace("template: portrait", "template: portrait\ndurations: weeks")
    one(problems(tmp_path / "b", bad), "campaign.yaml", line_of(bad, "durations:"), "durations", "'years' or 'months'")


def test_an_account_in_a_language_without_words_is_refused_at_its_line(tmp_path: Path) -> None:
    bad = CAMPAIGN.replace("    language: km", "    language: de").replace("  km:\n", "  de:\n")
    msg = one(problems(tmp_path, bad), "campaign.yaml", line_of(bad, "language: de"), "accounts[1].language",
              "no words for the language 'de'")
    assert "en (English), km (Khmer), be (Belarusian), fr (French)" in msg
    # the one check of a language (campaign.types.language_problem), with templates' lang: and text keys
    bad = CAMPAIGN.replace("    language: km", "    language: kh")
    one(problems(tmp_path / "kh", bad), "campaign.yaml", line_of(bad, "language: kh"), "accounts[1].language",
        "no words for the language 'kh' (did you mean 'km'?")
    ok = CAMPAIGN.replace("    language: km", "    language: be").replace("  km:\n", "  be:\n")
    assert load_folder(write_folder(tmp_path / "be", ok)).campaign.accounts[1].language == "be"



@pytest.mark.parametrize("old, new, field, said", [
    ("template: portrait", "template: portrait\npeople_per_post: 40", "people_per_post", "is 40; it can be at most 12"),
    ("template: portrait", "template: portrait\nannounce_releases: maybe", "announce_releases",
     "should be true or false, not 'maybe'"),
    ("id: test-campaign", "id: 2021", "id", 'should be text, not 2021; put it in quotes: "2021"'),
])
def test_a_wrong_type_is_said_in_the_words_of_the_yaml(tmp_path: Path, old: str, new: str, field: str, said: str) -> None:
    """Not pydantic's "Input should be a valid string" or "less than or equal to 12": what was found and what to write."""
    bad = CAMPAIGN.replace(old, new, 1)
    [problem] = problems(tmp_path, bad)
    assert f": {field}: {said}" in problem and "Input should" not in problem, problem
