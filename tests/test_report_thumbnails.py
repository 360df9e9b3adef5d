"""The report's thumbnails made while a replay goes on (``report.Thumbnails``) are the ones the report
makes itself, byte for byte, and the report keeps only those of cards its posts show."""

from __future__ import annotations

from pathlib import Path

from campaign.clock import SimulatedClock
from campaign.checks import load_checked
from campaign.ledger import Ledger
from campaign.pipeline import apply_folder, prerender_slot, render_post
from campaign.report import Thumbnails, write_report
from tests.pipeline_fixtures import *  # noqa: F403
from tests.pipeline_fixtures import local


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_thumbnails_made_during_a_replay_are_the_reports_own(ledger: Ledger, small_folder: Path, tmp_path: Path) -> None:
    now = local("2021-11-07")
    SimulatedClock(ledger).set(now)
    f = load_checked(small_folder)
    apply_folder(ledger, f, now, {"outbox_dir": str(small_folder / "outbox"), "force_outbox": "1"})
    cid = f.campaign.id
    rendered = [f"{cid}:2021-11-08:a-en", f"{cid}:2021-11-08:b-km"]
    at = local("2021-11-08", "09:30")
    for pid in rendered:
        assert render_post(ledger, pid, at) == "rendered"
    assert prerender_slot(ledger, f"{cid}:2021-11-09:b-km", at) == "cached"  # a card no post shows (yet)
    cards = {ledger.post(pid).card for pid in rendered}
    unshown = {ledger.cached_render(k.decode().removeprefix(ledger.key("rcache", ""))).card  # type: ignore[union-attr]
               for k in ledger.r.scan_iter(ledger.key("rcache", "*"))} - cards
    assert unshown and all(cards)

    during = Thumbnails(ledger, tmp_path / "during" / "cards")
    during.add([*cards, *unshown])
    write_report(ledger, cid, tmp_path / "during", thumbnails=during)
    write_report(ledger, cid, tmp_path / "after")
    made = _files(tmp_path / "during" / "cards")
    assert made == _files(tmp_path / "after" / "cards")
    assert set(made) == {f"{c[:16]}.jpg" for c in cards}  # the unshown card's thumbnail is gone


def test_the_report_shows_each_cards_warnings_beside_it(ledger: Ledger, tmp_path: Path) -> None:
    """A name too long for its card even at the smallest size is drawn anyway: the report says so
    beside the post (what a person should look at), as the post's page does."""
    import copy
    import html

    roster = copy.deepcopy(SMALL_ROSTER)  # noqa: F405
    roster["people"][1]["name"]["en"] = "Kanika" + "x" * 120  # one word: never broken inside
    folder = write_folder(tmp_path / "small", roster=roster)  # noqa: F405
    now = local("2021-11-07")
    SimulatedClock(ledger).set(now)
    f = load_checked(folder)
    apply_folder(ledger, f, now, {"outbox_dir": str(folder / "outbox"), "force_outbox": "1"})
    cid = f.campaign.id
    long_one = f"{cid}:2021-11-09:a-en"  # Sar Kanika's card
    fine = f"{cid}:2021-11-08:a-en"
    for pid in (long_one, fine):
        assert render_post(ledger, pid, local("2021-11-08", "09:30")) in ("rendered", "awaiting_review")
    said = ledger.post(long_one).warnings
    assert said and any("does not fit" in w for w in said) and not ledger.post(fine).warnings
    page = write_report(ledger, cid, tmp_path / "report").read_text(encoding="utf-8")
    row = next(r for r in page.split("<tr") if "2021-11-09" in r and "<td>a-en<" in r)
    assert all(f'<div class="warning">{html.escape(w)}</div>' in row for w in said)
    assert page.count('<div class="warning">') == sum(len(p.warnings or ()) for p in ledger.posts(cid))
