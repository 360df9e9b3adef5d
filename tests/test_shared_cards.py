"""Partner accounts of one language share a card when the template shows nothing that sets them apart:
the render cache knows a card by everything it shows, and only by that (``render.draw_keys``); what is
approved stays the post's own (``shown.card_key``). A replay's warm-up draws such a card once."""

from __future__ import annotations

import io
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from campaign.clock import SimulatedClock
from campaign.checks import load_checked
from campaign.ledger import Ledger
from campaign.pipeline import apply_folder, prerender_slot, render_post
from tests.pipeline_fixtures import *  # noqa: F403
from tests.pipeline_fixtures import SMALL_CAMPAIGN, SMALL_ROSTER, local, write_folder

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "templates"
DAY = "2021-11-09"
PARTNERS = (f"small:{DAY}:a-en", f"small:{DAY}:c-en")  # two accounts in English, the same person each day


def _folder(root: Path, *, logo: bool = False, organisation_in_alt: bool = False) -> Path:
    """The small campaign with one person (so every account features her every day); ``logo``: the first
    account has one; ``organisation_in_alt``: the campaign's own portrait says the organisation in its alt text."""
    accounts = [dict(a) for a in SMALL_CAMPAIGN["accounts"]]
    if logo:
        accounts[0]["logo"] = "logo.jpg"
    roster = {"people": [p for p in SMALL_ROSTER["people"] if p["id"] == "sar-kanika"]}
    folder = write_folder(root, campaign={**SMALL_CAMPAIGN, "accounts": accounts}, roster=roster)
    if logo:
        buf = io.BytesIO()
        Image.new("RGB", (64, 40), "#224488").save(buf, "JPEG")
        (folder / "logo.jpg").write_bytes(buf.getvalue())
    if organisation_in_alt:
        shutil.copytree(ASSETS / "portrait", folder / "templates" / "portrait")
        spec = folder / "templates" / "portrait" / "template.yaml"
        text = spec.read_text(encoding="utf-8")
        spec.write_text(text.replace("{campaign.name}.", "{campaign.name}, {organisation}."), encoding="utf-8")
    return folder


def _apply(ledger: Ledger, folder: Path) -> datetime:
    now = local("2021-11-07")
    SimulatedClock(ledger).set(now)
    apply_folder(ledger, load_checked(folder), now, {"outbox_dir": str(folder / "outbox"), "force_outbox": "1"})
    return local(DAY, "09:30")


def _drawn(ledger: Ledger) -> int:
    """Cards in the render cache."""
    return sum(1 for _ in ledger.r.scan_iter(ledger.key("rcache", "*")))


def test_partner_accounts_of_one_language_post_one_card_drawn_once(ledger: Ledger, tmp_path: Path) -> None:
    now = _apply(ledger, _folder(tmp_path / "small"))
    first, second = PARTNERS
    assert render_post(ledger, first, now) == "rendered" and render_post(ledger, second, now) == "rendered"
    a, b = ledger.post(first), ledger.post(second)
    assert a.slot.people == b.slot.people
    assert a.card == b.card and a.alt == b.alt and _drawn(ledger) == 1
    assert a.draw_seconds is not None and b.draw_seconds is None  # the second found the first's card
    assert a.shown_fp != b.shown_fp  # what a person approves is still each post's own (its caption too)


@pytest.mark.parametrize("apart", ["logo", "organisation_in_alt"])
def test_what_the_template_shows_of_the_account_keeps_the_cards_apart(ledger: Ledger, tmp_path: Path,
                                                                       apart: str) -> None:
    now = _apply(ledger, _folder(tmp_path / "small", **{apart: True}))
    first, second = PARTNERS
    assert render_post(ledger, first, now) == "rendered" and render_post(ledger, second, now) == "rendered"
    a, b = ledger.post(first), ledger.post(second)
    assert _drawn(ledger) == 2 and a.draw_seconds is not None and b.draw_seconds is not None
    if apart == "logo":
        assert a.card != b.card
    else:
        assert a.alt != b.alt and "Org A" in a.alt["en"] and "Org C" in b.alt["en"]


def test_the_warm_up_draws_a_shared_card_once(ledger: Ledger, tmp_path: Path) -> None:
    now = _apply(ledger, _folder(tmp_path / "small"))
    first, second = PARTNERS
    assert prerender_slot(ledger, first, now) == "cached"
    assert prerender_slot(ledger, second, now) == "drawing"  # the same card: the first worker's
    assert _drawn(ledger) == 1
    assert render_post(ledger, first, now) == "rendered" and render_post(ledger, second, now) == "rendered"
    assert ledger.post(first).draw_seconds is None and ledger.post(second).draw_seconds is None


def test_a_card_follows_the_campaign_s_name_in_every_language_its_texts_say(ledger: Ledger, tmp_path: Path) -> None:
    """The Khmer account's card carries an English alt text too, which names the campaign in English:
    renaming the campaign in English makes that card again (its key follows every name), and no
    cached card of the old name is posted."""
    names = {"en": "Free Them", "km": "ដោះលែងពួកគេ"}
    post = f"small:{DAY}:b-km"
    alts = []
    for english in ("Free Them", "Free Them All"):
        folder = write_folder(tmp_path / english.replace(" ", "-"), campaign={**SMALL_CAMPAIGN, "name": {**names, "en": english}},
                              roster={"people": [p for p in SMALL_ROSTER["people"] if p["id"] == "sar-kanika"]})
        now = _apply(ledger, folder)
        assert render_post(ledger, post, now) == "rendered"
        alts.append(ledger.post(post).alt)
    assert [a["en"].endswith(f"{e}.") for a, e in zip(alts, ("Free Them", "Free Them All"))] == [True, True], alts
    assert alts[0]["km"] == alts[1]["km"] and names["km"] in alts[0]["km"]


def test_a_logo_or_photo_is_read_from_redis_once_per_worker_process(ledger: Ledger, tmp_path: Path) -> None:
    """A blob is named by its content, so a worker keeps what it read: the next card showing the same
    logo is drawn with it even where Redis no longer holds it (it would fail, reading it again)."""
    from campaign.pipeline import load_applied
    from campaign.pipeline import render as task

    now = _apply(ledger, _folder(tmp_path / "small", logo=True))
    task._BLOBS.clear()
    assert render_post(ledger, f"small:{DAY}:a-en", now) == "rendered"
    ledger.r.delete(ledger.key("blob", load_applied(ledger, "small").logos["a-en"]))
    later, day = local("2021-11-10", "09:30"), "2021-11-10"
    assert render_post(ledger, f"small:{day}:a-en", later) == "rendered"
    assert render_post(ledger, f"small:{day}:c-en", later) == "rendered"
    assert ledger.post(f"small:{day}:a-en").card != ledger.post(f"small:{day}:c-en").card  # the logo, drawn
    task._BLOBS.clear()  # a fresh process: it reads Redis, which no longer has the logo
    assert render_post(ledger, "small:2021-11-11:a-en", local("2021-11-11", "09:30")) == "failed"
