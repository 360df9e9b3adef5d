"""A caption whose words state what is not true of someone it features on its day ("convicted" of
someone only charged, "the charges remain" where they were dropped) never goes out on its own: the
post waits for a person, whatever the campaign's ``review``, and says why (``campaign validate``
warned first). A post whose caption says nothing untrue goes on as before."""

from __future__ import annotations

from pathlib import Path

from campaign.checks import load_checked
from campaign.checks.caption_facts import claim_problems
from campaign.ledger import Ledger
from campaign.pipeline import approve, render_post
from campaign.web.schedule import review
from tests.pipeline_fixtures import *  # noqa: F403
from tests.test_shared_cards import DAY, _apply, _drawn
from tests.pipeline_fixtures import SMALL_CAMPAIGN, SMALL_ROSTER, write_folder

CONVICTED = "{name} was convicted for speaking up. {hashtags}"  # sar-kanika is charged, not convicted


def _folder(root: Path) -> Path:
    captions = {**SMALL_CAMPAIGN["captions"],
                "en": {"weekly": [CONVICTED, "{organisation} stands with {name}: {days} days. {hashtags}"]}}
    return write_folder(root, campaign={**SMALL_CAMPAIGN, "captions": captions},
                        roster={"people": [p for p in SMALL_ROSTER["people"] if p["id"] == "sar-kanika"]})


def test_a_caption_stating_what_is_not_so_waits_for_a_person(ledger: Ledger, tmp_path: Path) -> None:
    folder = _folder(tmp_path / "small")
    checked = load_checked(folder)
    assert not (checked.campaign.review and checked.campaign.review.required)  # posts go out without a person, but not this one
    assert any("'convicted'" in w and "waits for a person" in w for w in claim_problems(checked.campaign, checked.roster))
    now = _apply(ledger, folder)
    said = {acc: f"small:{DAY}:{acc}" for acc in ("a-en", "b-km", "c-en")}
    got = {acc: render_post(ledger, pid, now) for acc, pid in said.items()}
    posts = {acc: ledger.post(pid) for acc, pid in said.items()}
    held = [acc for acc, p in posts.items() if p.caption and "convicted" in p.caption]
    assert len(held) == 1, {a: p.caption for a, p in posts.items()}  # one of the two English variants says it
    (untrue,) = held
    assert got == {acc: "awaiting_review" if acc == untrue else "rendered" for acc in said}
    why = [w for w in posts[untrue].warnings or () if "not true of sar-kanika" in w]
    assert why and "'convicted'" in why[0] and "charged, not convicted" in why[0], posts[untrue].warnings
    # The English partners share one drawn card; the reason is the post's own, not the card's.
    assert _drawn(ledger) == 2 and not any("not true" in w for acc, p in posts.items() if acc != untrue
                                           for w in p.warnings or ())
    # The dashboard's review page lists it, with why, though the campaign asks for no review.
    listed = [p for w in review(ledger, "small", now).weeks for p in w.posts]
    assert [p.id for p in listed] == [said[untrue]] and why[0] in listed[0].warnings
    assert approve(ledger, "small", now, post_id=said[untrue], by="Sokha") == [said[untrue]]
    assert ledger.post(said[untrue]).state == "approved"
