"""Kits for partners who post by hand: ``campaign kit`` and the dashboard's "download kit". A zip per
language holds every size of each of the week's cards, a caption per platform, the alt text and when
to post; no kit caption is ever identical to one an API account posts on X that week."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from campaign.cards.kit import KIT_PLATFORMS, KitError, kit_captions, kit_entries, week_cards, x_captions
from campaign.checks import load_checked
from campaign.cli import main
from campaign.cli.kit import folder_sources
from campaign.plan import week_of
from tests.folder_fixtures import example_with
from tests.web_fixtures import *  # noqa: F403
from tests.web_fixtures import OPERATOR, VIEWER, Populated

X_CREDS = {"credentials": {"api_key": "env:K", "api_secret": "env:S", "access_token": "env:T", "access_secret": "env:A"}}


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


# Every X account of a language takes every variant somewhere (two en accounts, three en weekly
# variants; km has one variant of each kind): the kit must still differ from all of them.
ACCOUNTS = [
    {"id": "licadho-x", "organisation": "LICADHO", "platform": "x", "language": "km", **X_CREDS},
    {"id": "cchr-x", "organisation": "CCHR", "platform": "x", "language": "en", **X_CREDS},
    {"id": "cita-x", "organisation": "CITA", "platform": "x", "language": "en", **X_CREDS},
    {"id": "adhoc-out", "organisation": "ADHOC", "platform": "outbox", "language": "km"},
]


@pytest.fixture(scope="module")
def x_sources(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return folder_sources(load_checked(example_with(tmp_path_factory.mktemp("kit"), ACCOUNTS)))


def test_no_kit_caption_is_one_an_x_account_posts_that_week(x_sources) -> None:  # type: ignore[no-untyped-def]
    c = x_sources.campaign
    checked = 0
    for week in range(1, week_of(c, c.end) + 1):
        taken = x_captions(x_sources, week)
        for lang in ("en", "km"):
            for slot in week_cards(x_sources, week, lang):
                captions = kit_captions(x_sources, slot, taken)
                assert set(captions) == {"anywhere", *KIT_PLATFORMS}
                for text in captions.values():
                    assert not any(_same(text, t) for t in taken), (slot.id, text)
                    checked += 1
    assert checked > 100


def test_week_cards_are_the_weeks_cards_in_the_language(x_sources) -> None:  # type: ignore[no-untyped-def]
    for lang in ("en", "km"):
        cards = week_cards(x_sources, 6, lang)
        expected = {(s.date, s.kind, s.people) for s in x_sources.slots if s.week == 6 and s.language == lang}
        assert {(s.date, s.kind, s.people) for s in cards} == expected
        assert len(cards) == len(expected)


@pytest.mark.parametrize(("week", "message"), [(0, "weeks are 1 to"), (99, "weeks are 1 to")])
def test_an_unknown_week_is_a_clear_error(x_sources, week: int, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(KitError, match=message):
        kit_entries(x_sources, week)
    with pytest.raises(KitError, match="no account posts in fr"):
        kit_entries(x_sources, 6, ["fr"])


def check_kit(data: bytes, template_sizes: set[str], n_cards: int) -> None:
    """A language's zip: per card every size, captions for every platform, alt text; when-to-post."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        folders = sorted({n.split("/")[0] for n in names if "/" in n})
        assert len(folders) == n_cards
        for folder in folders:
            assert {n.split("/")[1] for n in names if n.startswith(folder + "/")} == {
                *(f"card-{s}.jpg" for s in template_sizes), "captions.txt", "alt-text.txt"}
            captions = z.read(f"{folder}/captions.txt").decode()
            assert all(f"== {p} ==" in captions for p in KIT_PLATFORMS)
            assert z.read(f"{folder}/alt-text.txt").strip()
            assert z.read(f"{folder}/card-{sorted(template_sizes)[0]}.jpg")[:2] == b"\xff\xd8"
        when = z.read("when-to-post.txt").decode()
        assert all(folder in when for folder in folders)


def test_the_cli_writes_a_zip_per_language(tmp_path: Path, example_folder: Path) -> None:
    result = CliRunner().invoke(main, ["kit", str(example_folder), "--week", "6", "--out", str(tmp_path / "kits")])
    assert result.exit_code == 0, result.output
    folder = load_checked(example_folder)
    src = folder_sources(folder)
    zips = sorted((tmp_path / "kits").iterdir())
    assert [z.name for z in zips] == ["release-hrds-2021-week06-en.zip", "release-hrds-2021-week06-km.zip"]
    for path, lang in zip(zips, ("en", "km")):
        sizes = set(folder.template(week_cards(src, 6, lang)[0].template).sizes)
        check_kit(path.read_bytes(), sizes, len(week_cards(src, 6, lang)))
    assert "Making kits" in result.output  # the progress bar (stderr, mixed in by CliRunner)


def test_the_cli_refuses_an_unknown_week_with_exit_2(tmp_path: Path, example_folder: Path) -> None:
    result = CliRunner().invoke(main, ["kit", str(example_folder), "--week", "40", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "weeks are 1 to 18" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


# ---- the dashboard ---------------------------------------------------------------------------

def test_the_dashboard_week_downloads_its_kit(browser: Callable[[str], TestClient], populated: Populated) -> None:
    page = browser(VIEWER).get("/campaigns/small/calendar")
    assert 'href="/campaigns/small/kits/1"' in page.text
    for token in (VIEWER, OPERATOR):
        answer = browser(token).get("/campaigns/small/kits/1")
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(answer.content)) as outer:
            assert sorted(outer.namelist()) == ["small-week01-en.zip", "small-week01-km.zip"]
    one = browser(VIEWER).get("/campaigns/small/kits/1?language=km")
    assert 'filename="small-week01-km.zip"' in one.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(one.content)) as z:
        assert "when-to-post.txt" in z.namelist()
    assert browser(VIEWER).get("/campaigns/small/kits/9").status_code == 404


def test_the_dashboard_kit_never_repeats_what_an_x_post_of_the_ledger_says(
        browser: Callable[[str], TestClient], populated: Populated) -> None:
    def first_caption() -> str:
        data = browser(VIEWER).get("/campaigns/small/kits/1?language=en").content
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            text = z.read(sorted(n for n in z.namelist() if n.endswith("captions.txt"))[0]).decode()
        return text.split("== anywhere ==\n", 1)[1].split("\n", 1)[0]

    before = first_caption()
    ledger = populated.ledger
    post = next(p for p in ledger.posts("small") if p.slot.week == 1 and p.slot.language == "en")
    ledger.r.hset(ledger.post_key(post.id), mapping={"platform": "x", "caption": before})  # an X post says it
    after = first_caption()
    assert after and not _same(after, before)


def test_the_dashboard_kit_never_features_as_held_someone_released_on_the_cards_day(
        browser: Callable[[str], TestClient], populated: Populated, small_folder: Path, tmp_path: Path) -> None:
    """A post that went out (or failed) before the news keeps the slot it had; the kit, made now for
    partners who post by hand, follows the plan as known now, as `campaign kit` does: someone released
    on a day gets no weekly card that day saying they are behind bars."""
    import yaml

    from campaign.pipeline import apply_folder

    ledger = populated.ledger
    day_posts = [p for p in ledger.posts("small") if p.slot.date.isoformat() == "2021-11-08"]
    featured = {pid for p in day_posts for pid in p.slot.people}
    person = sorted(featured)[0]
    roster = yaml.safe_load((small_folder / "roster.yaml").read_text())
    for entry in roster["people"]:
        if entry["id"] == person:
            entry["events"] = [e for e in entry["events"] if e["type"] != "released"]
            entry["events"].append({"date": "2021-11-08", "type": "released"})
    write_folder(small_folder, roster=roster)
    apply_folder(ledger, load_checked(small_folder), populated.now,
                 {"force_outbox": "1", "outbox_dir": str(tmp_path / "outbox")})
    assert any(person in p.slot.people for p in ledger.posts("small") if p.slot.date.isoformat() == "2021-11-08")
    cli_kit = folder_sources(load_checked(small_folder))
    for language in ("en", "km"):
        data = browser(VIEWER).get(f"/campaigns/small/kits/1?language={language}").content
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            cards = sorted({n.split("/")[0] for n in z.namelist() if "/" in n})
        assert not [c for c in cards if c.endswith(f"2021-11-08-{person}")], cards
        expected = sorted({e.name.split("/")[0] for e in kit_entries(cli_kit, 1, [language]) if "/" in e.name})
        assert cards == expected
