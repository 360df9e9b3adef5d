"""One field vocabulary: captions, card texts and alt texts accept the same fields, written the same
way, with the same values; .xx forces a language; the older caption names are aliases; several
people are listed and their differing facts said with each name; every unknown field is reported."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from campaign.captions import caption_fields, caption_text, check_template
from campaign.checks.caption_lints import caption_problems
from campaign.cards import CardInput, load_template, render
from campaign.cards.fields import fill
from campaign.cards.fields import namespace as card_namespace
from campaign.cards.fields import check_format
from campaign.cli import main
from campaign.checks import load_consistent
from campaign.fields import caption_values, value_of
from campaign.vocabulary import ALIASES, FIELDS, NAMES, VOCABULARY, check, resolve
from campaign.plan import Slot, plan
from campaign.roster import facts
from campaign.sources import InputError
from campaign.words import LANGUAGES

from .fields_fixtures import CAMPAIGN, TEMPLATE, line_of, models, write_folder

C, R = models()
PEOPLE = R.by_id()


def slot_on(day: date, account: str = "one-en") -> Slot:
    return next(s for s in plan(C, R) if s.date == day and s.account == account)


def written_forms() -> list[str]:
    """Every field and alias, bare and with each attribute it takes."""
    out = []
    for name in NAMES:
        root, attr = resolve(name)
        field = FIELDS[root]
        out.append(name)
        if not attr:
            out += [f"{name}.{a}" for a in field.attrs]
            if field.kind != "plain":
                out += [f"{name}.{lang}" for lang in LANGUAGES]
    return out


# --- one vocabulary -------------------------------------------------------------------------------


@pytest.mark.parametrize("written", written_forms())
def test_every_field_is_accepted_the_same_way_in_captions_card_texts_and_alt_texts(written: str) -> None:
    text = f"Free {{{written}}} now"
    assert check(text) == [] and check_template(text) is None and check_format(text) is None


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_.", min_size=1, max_size=16))
def test_captions_and_templates_accept_and_refuse_the_same_names(name: str) -> None:
    text = "{" + name + "}"
    assert (check_template(text) is None) == (check_format(text) is None) == (check(text) == [])


@pytest.mark.parametrize("text,says", [
    ("{campaign.km}", "{campaign.km}: campaign has only .name"),
    ("{hashtags.en}", "{hashtags.en}: hashtags takes no attribute"),
    ("{name.de}", "the project has no words for 'de'"),
    ("{detained.klingon}", ".klingon is not a language code"),
    ("{name_km.en}", "{name_km} stands for {name.km}; write {name.en}"),
    ("{name!r}", "no format spec or conversion"),
    ("{}", "a field needs a name"),
])
def test_a_misused_field_says_how_to_write_it(text: str, says: str) -> None:
    [problem] = check(text)
    assert says in problem


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("day,account", [(date(2023, 3, 22), "one-en"), (date(2023, 4, 13), "two-fr"),
                                         (date(2023, 3, 15), "one-en")])
def test_a_caption_and_a_card_give_every_field_the_same_value(lang: str, day: date, account: str) -> None:
    """Sentenced (Ales), released with the charges dropped (Ihar), re-arrested with no charge (Ihar)."""
    slot = slot_on(day, account)
    account_ = C.account(account).model_copy(update={"language": lang})
    people = [facts(PEOPLE[p], day) for p in slot.people]
    caption = caption_values(C, account_, slot, people)
    card = card_namespace(people, lang, week=slot.week, campaign=C.name, organisation=account_.organisation,
                          durations=C.durations, hashtags=C.hashtags)
    for written in written_forms():
        assert value_of(caption, written) == value_of(card, written), written
    assert caption_fields(C, account_, slot, people) == {k: value_of(card, k) for k in NAMES}


def test_aliases_are_the_fields_they_stand_for_in_every_language() -> None:
    day = date(2023, 3, 22)
    for lang in LANGUAGES:
        values = card_namespace([facts(PEOPLE["ales"], day)], lang, week=4)
        for alias, target in ALIASES.items():
            assert value_of(values, alias) == value_of(values, target), (lang, alias)
    km = card_namespace([facts(PEOPLE["ales"], day)], "km", week=4)
    assert value_of(km, "days") == value_of(km, "days_detained") == "៦១៦"  # Khmer digits, not 616


def test_a_field_outside_the_vocabulary_is_a_key_error_naming_it() -> None:
    """What a format string asks of the fields and the vocabulary lacks is a KeyError naming it, as
    a dict's would be (the template and caption checks report it by that name)."""
    values = card_namespace([facts(PEOPLE["ales"], date(2023, 3, 22))], "en", week=4)
    with pytest.raises(KeyError) as raised:
        values["nonsense"]
    assert raised.value.args == ("nonsense",)


def test_a_language_suffix_forces_that_language_whatever_the_account_writes() -> None:
    slot = slot_on(date(2023, 3, 22))  # Ales, sentenced on 3 March
    ales = [facts(PEOPLE["ales"], slot.date)]
    fr = C.account("two-fr")
    text = "{name.be}: {detained.km}; {case.en}; {week.km}; {name}: {case}"
    captions = {**C.captions, "fr": C.captions["fr"].model_copy(update={"weekly": [text]})}
    out = caption_text(C.model_copy(update={"captions": captions}),
                       replace(slot, account=fr.id, language="fr", variant=0), ales)
    assert out == ("Алесь Б: ១ ឆ្នាំ ៨ ខែ និង ៨ ថ្ងៃ; sentenced to 10 years for tax evasion; ៤; "
                   "Ales B: condamnation à 10 ans pour fraude fiscale")


def test_a_forced_language_nobody_featured_has_gives_nothing_and_is_warned() -> None:
    maria = [facts(PEOPLE["maria"], date(2023, 3, 8))]
    values = card_namespace(maria, "en", week=2)
    assert value_of(values, "name.fr") == "" and value_of(values, "name_km") == ""
    assert value_of(values, "name.be") == "Марыя К"
    captions = {**C.captions, "en": C.captions["en"].model_copy(update={"weekly": ["{name} / {name.fr}. {hashtags}"]})}
    warned = [p for p in caption_problems(C.model_copy(update={"captions": captions}), R) if "{name.fr}" in p]
    assert len(warned) == 1 and warned[0].startswith(
        "captions.en.weekly[0] uses {name.fr}, empty in 5 planned posts, first for maria on 2023-03-08 (no French name): "
        "the caption would read 'Maria K / . #FreeThemAll #Belarus'")


# --- several people -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang,joined,each", [
    ("en", "Ales B and Maria K", "Ales B (sentenced to 10 years for tax evasion) and Maria K (charged with extremism)"),
    ("be", "Алесь Б і Марыя К", "Алесь Б (прысуд: 10 гадоў, абвінавачанне: ухіленне ад падаткаў) і "
                                "Марыя К (абвінавачанне: экстрэмізм)"),
])
def test_several_people_are_listed_and_differing_facts_said_with_each_name(lang: str, joined: str, each: str) -> None:
    finale = next(s for s in plan(C, R) if s.kind == "finale")
    people = [facts(PEOPLE[p], finale.date) for p in finale.people]
    values = card_namespace(people, lang, week=finale.week)
    assert fill("{name}", values) == joined and fill("{names}", values) == joined
    assert fill("{case}", values) == each
    # a fact they share is said once
    both = [facts(PEOPLE["maria"], finale.date), facts(PEOPLE["maria"].model_copy(update={"id": "m2"}), finale.date)]
    assert fill("{status}", card_namespace(both, lang, week=1)) == fill("{status}", card_namespace(both[:1], lang, week=1))
    # a caption says it the same way
    account = C.accounts[0].model_copy(update={"language": lang})
    assert caption_fields(C, account, finale, people)["case"] == each


def test_a_number_that_differs_between_people_is_said_with_each_name() -> None:
    finale = next(s for s in plan(C, R) if s.kind == "finale")
    people = [facts(PEOPLE[p], finale.date) for p in finale.people]
    values = card_namespace(people, "en", week=finale.week)
    days = [f.days_detained for f in people]
    assert fill("{days_detained}", values) == f"Ales B ({days[0]}) and Maria K ({days[1]})"


@pytest.mark.parametrize("lang", ["en", "be"])
def test_a_fact_only_some_of_the_people_have_is_said_with_their_names_never_as_everyones(lang: str) -> None:
    # 13 April 2023: ales is held, sentenced; ihar was released the day before, the charges dropped, no charge
    # recorded for that detention. "the charges were dropped" or "sentenced to 10 years" said once would be
    # read as true of both.
    day = date(2023, 4, 13)
    ales, ihar = facts(PEOPLE["ales"], day), facts(PEOPLE["ihar"], day)
    both = card_namespace([ales, ihar], lang, week=1)
    checked = []
    for field in ("case", "case_label", "charge", "sentence", "convicted_on", "released_on", "charges_dropped",
                  "charges_remain", "release_note", "next_hearing"):
        a, i = (fill(f"{{{field}}}", card_namespace([p], lang, week=1)) for p in (ales, ihar))
        if bool(a) != bool(i):
            who = ales if a else ihar
            assert fill(f"{{{field}}}", both) == f"{who.person.name.get(lang)} ({a or i})", field
            checked.append(field)
    assert {"case", "sentence", "released_on", "charges_dropped"} <= set(checked)


# --- every unknown field, at its line ------------------------------------------------------------


def test_validate_reports_every_unknown_field_of_every_variant_and_language_at_its_line(tmp_path: Path) -> None:
    bad = (CAMPAIGN
           .replace("{name} has been held for {detained}", "{nmae} has been held for {detaned}")
           .replace("{organisation}: {name} ({group})", "{organisaton}: {name} ({gruop})")
           .replace("{name} : {status}, après", "{name} : {statut}, après"))
    folder = write_folder(tmp_path, bad)
    with pytest.raises(InputError) as err:
        load_consistent(folder)
    found = [str(p) for p in err.value.problems]
    expected = [("{nmae}", "{name}", "captions.en.weekly[0]"), ("{detaned}", "{detained}", "captions.en.weekly[0]"),
                ("{organisaton}", "{organisation}", "captions.en.weekly[1]"), ("{gruop}", "{group}", "captions.en.weekly[1]"),
                ("{statut}", "{status}", "captions.fr.released[0]")]
    assert len(found) == len(expected), found
    for (unknown, hint, where), problem in zip(expected, found):
        line = line_of(bad, unknown)
        assert problem.startswith(f"{folder / 'campaign.yaml'}:{line}: {where}: unknown field {unknown} "
                                  f"(did you mean {hint}?)"), problem


def test_a_template_gets_every_unknown_field_too(tmp_path: Path) -> None:
    d = tmp_path / "t"
    d.mkdir()
    (d / "template.yaml").write_text(TEMPLATE.replace('text: "{name}"', 'text: "{nmae} {gruop}"'), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_template(d)
    assert [p.message.split(";")[0] for p in err.value.problems] == [
        "unknown field {nmae} (did you mean {name}?)", "unknown field {gruop} (did you mean {group}?)"]


# --- templates use the caption names and {hashtags} ----------------------------------------------


def test_a_card_template_writes_caption_names_and_hashtags(tmp_path: Path) -> None:
    template = TEMPLATE.replace('text: "{name}"', 'text: "{name_en} {hashtags}"').replace(
        'en: "{name}: {case}. {detained}."', 'en: "{names}, {duration}, {days} days, since {since}. {hashtags}"')
    folder = write_folder(tmp_path, template=template)
    t = load_template(folder / "templates" / "trio")
    day = date(2023, 3, 22)
    card = render(t, CardInput(people=(facts(PEOPLE["ales"], day),), photos={}, language="en", kind="weekly", week=4,
                               campaign_name=C.name, hashtags=tuple(C.hashtags)), size="square", fmt="png")
    assert card.alt["en"] == "Ales B, 1 year, 8 months and 8 days, 616 days, since 14 July 2021. #FreeThemAll #Belarus"
    assert ("Ales B #FreeThemAll #Belarus" in [text for _, text in card.texts])


# --- campaign fields ------------------------------------------------------------------------------


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_campaign_fields_lists_every_field_with_the_value_a_caption_would_get(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    code, out, err = run("fields", folder, "--person", "ihar", "--date", "2023-04-13", "--lang", "fr")
    assert code == 0, err
    slot = slot_on(date(2023, 4, 13), "two-fr")
    values = caption_fields(C, C.account("two-fr"), slot, [facts(PEOPLE["ihar"], slot.date)])
    rows = {line.split()[0]: line.split(None, 1)[1] for line in out.splitlines() if line.startswith("  {")}
    listed = [f"{{{f.name}}}" for f in VOCABULARY] + [f"{{{f.name}.{a}}}" for f in VOCABULARY for a in f.attrs]
    assert set(rows) == set(listed)
    for f in VOCABULARY:
        shown = rows[f"{{{f.name}}}"]
        assert shown == (values[f.name] or f"(empty: {f.empty})"), f.name
    assert rows["{status}"] == "de nouveau libre" and rows["{charges_dropped}"] == "les poursuites ont été abandonnées"
    assert rows["{released_on}"] == "12 avril 2023" and rows["{organisation}"] == "Org Deux"
    assert "{name_km} = {name.km}" in out and "{duration} = {detained}" in out and "{days} = {days_detained}" in out


def test_campaign_fields_defaults_to_every_language_and_the_first_post_of_the_first_person(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, CAMPAIGN.replace("{name} has been", "{nmae} has been"))  # still lists
    code, out, _ = run("fields", folder)
    assert code == 0 and out.startswith("Fields for ales on 2023-03-01 (week 1)")
    assert "\nen (one-en)\n" in out and "\nfr (two-fr)\n" in out


def test_campaign_fields_says_what_the_caption_says_of_the_campaign_its_order_and_page(tmp_path: Path) -> None:
    """The campaign's name in the language, its page and its language order for {name.primary}:
    the listing is the caption's, for a campaign that sets them."""
    campaign = CAMPAIGN.replace("name: Free Political Prisoners", "name: {en: Free Political Prisoners, "
                                "fr: Libérez les prisonniers politiques}\nlanguages: [be, fr, en]\n"
                                "url: https://example.org/free")
    folder = write_folder(tmp_path, campaign)
    code, out, err = run("fields", folder, "--person", "ales", "--date", "2023-03-08", "--lang", "fr")
    assert code == 0, err
    rows = {line.split()[0]: line.split(None, 1)[1] for line in out.splitlines() if line.startswith("  {")}
    c, _ = models(campaign)
    slot = slot_on(date(2023, 3, 8), "two-fr")
    values = caption_values(c, c.account("two-fr"), slot, [facts(PEOPLE["ales"], slot.date)])
    assert rows["{campaign}"] == "Libérez les prisonniers politiques" == format(values["campaign"])
    assert rows["{url}"] == "https://example.org/free" == format(values["url"])
    assert rows["{name.primary}"] == "Алесь Б" == value_of(values, "name.primary")


@pytest.mark.parametrize("args,says", [(["--person", "aless"], "no person 'aless' in roster.yaml (did you mean 'ales'?)"),
                                       (["--person", "nobody"], "no person 'nobody' in roster.yaml; its ids: ales, maria, ihar"),
                                       (["--lang", "de"], "no words for 'de'")])
def test_campaign_fields_refuses_an_unknown_person_or_language(tmp_path: Path, args: list[str], says: str) -> None:
    code, _, err = run("fields", write_folder(tmp_path), *args)
    assert code == 2 and says in err


def test_a_card_text_loses_only_what_an_empty_field_left_behind() -> None:
    maria = card_namespace([facts(PEOPLE["maria"], date(2023, 3, 8))], "fr", week=2)
    assert fill("{name} ({group}), {release_note}.", maria) == "Maria K."
    assert fill("En détention : {detained} !", maria) == "En détention : 2 ans, 6 mois et 1 jour !"  # French spacing kept
    assert fill("{group}, {name}", maria) == "Maria K"


def test_an_empty_sentence_leaves_no_second_full_stop() -> None:
    """A field that is a sentence of its own ("{release_note}.") and gives nothing takes its full
    stop with it: the shipped released card's alt text read "... behind bars.. Free them." for a
    release without a note. A full stop the text writes twice itself is kept."""
    maria = card_namespace([facts(PEOPLE["maria"], date(2023, 3, 8))], "fr", week=2)
    assert fill("{name} est libre. {release_note}. Libérez-les.", maria) == "Maria K est libre. Libérez-les."
    assert fill("{name} est libre ! {release_note}. Fin", maria) == "Maria K est libre ! Fin"
    km = card_namespace([facts(PEOPLE["maria"], date(2023, 3, 8))], "km", week=2)
    assert fill("ត្រូវបានដោះលែង {name}។ {release_note}។ សូមដោះលែង", km).endswith("។ សូមដោះលែង")
    assert "។។" not in fill("ត្រូវបានដោះលែង {name}។ {release_note}។ សូមដោះលែង", km)
    assert fill("{name}.. {group}", maria) == "Maria K.."  # written by hand: not the field's to take
