"""Cards rendered by the pipeline get the campaign's fields: a template writing {hashtags} shows the
campaign's, and a card that shows them is rendered again when they change (one that does not, is not)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from campaign.cards import ASSETS
from campaign.clock import SimulatedClock
from campaign.checks import load_checked
from campaign.ledger import CardRef, Ledger
from campaign.pipeline import apply_folder, load_applied
from campaign.pipeline.render import render_card
from campaign.pipeline.settings import Settings
from campaign.roster import facts
from tests.pipeline_fixtures import *  # noqa: F403


def _render(ledger: Ledger, folder: Path, hashtags: list[str] | None = None) -> CardRef:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    now = datetime(2021, 11, 7, 12, tzinfo=ZoneInfo("Asia/Phnom_Penh"))
    SimulatedClock(ledger).set(now)
    f = load_checked(folder)
    apply_folder(ledger, f, now, {"outbox_dir": str(folder / "outbox"), "force_outbox": "1"})
    applied = load_applied(ledger, f.campaign.id)
    if hashtags is not None:
        applied = replace(applied, campaign=applied.campaign.model_copy(update={"hashtags": hashtags}))
    post = ledger.post(f"{f.campaign.id}:2021-11-08:a-en")
    people = applied.roster.by_id()
    featured = tuple(facts(people[p], applied.campaign.start) for p in post.slot.people)
    return render_card(ledger, applied, post.slot, featured, Settings(cache_dir=folder / "cache"))


def test_a_template_writing_hashtags_shows_the_campaigns_and_follows_them(ledger: Ledger, small_folder: Path) -> None:
    plain = _render(ledger, small_folder)
    assert plain == _render(ledger, small_folder, ["#Other"])  # the card does not show them: same render
    mine = small_folder / "templates" / "portrait"
    shutil.copytree(ASSETS / "portrait", mine)
    spec = mine / "template.yaml"
    text = spec.read_text(encoding="utf-8")
    alt = text.index("\nalt:")
    spec.write_text(text[:alt] + '\nalt:\n  en: "{name}: {case}. {hashtags}"\n  km: "{name} {hashtags}"\n',
                    encoding="utf-8")
    tagged = _render(ledger, small_folder)
    assert tagged.alt["en"].endswith(". #FreeThemAll")
    other = _render(ledger, small_folder, ["#Other"])
    assert other.alt["en"].endswith(". #Other")
