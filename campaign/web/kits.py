"""The dashboard's kits for partners who post by hand (the "download kit" link of a Calendar week):
the same zips as ``campaign kit``, made from the campaign as applied in Redis (its posts, roster
as known today, templates, photos and logos), never from a folder."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from ..cards.kit import KitSources, kit_entries, kit_name, zip_kits
from ..ledger import Ledger
from ..ledger.states import CANCELLED
from ..pipeline.applied import load_applied, template_for
from ..pipeline.render import held_blob
from ..pipeline.settings import Settings
from ..pipeline.tick import known_roster
from ..plan import plan


def applied_sources(ledger: Ledger, cid: str, now: datetime, week: int) -> KitSources:
    """A kit's sources from the ledger: the plan as known ``now`` (as ``campaign kit`` makes it from
    the folder), less the posts that were cancelled, and what its X posts of ``week`` already say.
    Not the ledger's own slots: a post that went out, failed or was missed before news (a release)
    became known keeps the slot it had, and a kit made now must not tell partners to post that."""
    applied = load_applied(ledger, cid)
    posts = ledger.posts(cid)
    cancelled = {p.id for p in posts if p.state == CANCELLED}
    roster = known_roster(applied, now)
    slots = [s for s in plan(applied.campaign, roster, now=now) if s.id not in cancelled]
    cache = Settings().cache_dir
    names = {s.template for s in slots if s.week == week}
    return KitSources(
        applied.campaign, roster, slots,
        {name: template_for(ledger, applied, name, cache) for name in names},
        photo=lambda pid: held_blob(ledger, applied.photos[pid]) if pid in applied.photos else None,
        logo=lambda aid: held_blob(ledger, applied.logos[aid]) if aid in applied.logos else None,
        x_posted=tuple(p.caption for p in posts if p.slot.week == week and p.slot.platform == "x" and p.caption))


def week_kit(ledger: Ledger, cid: str, week: int, language: str | None, now: datetime) -> tuple[str, bytes]:
    """The kit of ``language`` for ``week`` (file name, zip), or without a language a zip of every
    language's kit. Raises KitError (unknown week or language) or UnknownCampaign."""
    ledger.campaign(cid)
    src = applied_sources(ledger, cid, now, week)
    zips = zip_kits(kit_entries(src, week, [language] if language else None))
    if language:
        return kit_name(cid, week, language), zips[language]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for lang, data in zips.items():
            archive.writestr(kit_name(cid, week, lang), data)
    return f"{cid}-week{week:02d}-kits.zip", out.getvalue()


__all__ = ["applied_sources", "week_kit"]
