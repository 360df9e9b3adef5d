"""What a post shows, and what an approval is of: its card and its caption.

The card is named by its render key: a hash of everything it shows (template files, the facts of
every featured person as of the post's date, photos, language, kind, week, organisation, logo).
The caption is its text as it will go out (filled in and fitted to the platform). An approval is
of one card and one caption: ``shown_fp`` (stored on the post when it is rendered) is a hash of
both, and re-planning or retrying keeps an approval exactly when the post would show the same
card and the same caption (:func:`changes`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from ..captions import caption_text, fit_caption
from ..ledger import PostRecord
from ..plan import Slot
from ..platforms import spec
from ..roster import Facts
from .applied import Applied

CARD_SIZE = "square"


def max_image_bytes(platform: str) -> int:
    """The card byte limit of a platform (its row in :mod:`campaign.platforms`): the card is encoded to fit."""
    return spec(platform).max_image_bytes


def card_format(platform: str) -> str:
    """The format a platform's card is encoded in: the first its row takes."""
    return spec(platform).card_formats[0]


def card_key(applied: Applied, *, account: str, platform: str, template: str, kind: str, week: int | str,
             people: Sequence[Facts]) -> str:
    """The render key of a card: equal keys draw the same card (what a person approves is by it)."""
    return card_keys(applied, account=account, platform=platform, template=template, kind=kind, week=week,
                     people=people)[0]


def card_keys(applied: Applied, *, account: str, platform: str, template: str, kind: str, week: int | str,
              people: Sequence[Facts], unseen: Collection[str] = ()) -> tuple[str, str]:
    """:func:`card_key`, and the same with ``unseen`` left out: what of the account the template does not
    show ("organisation": in no text; "logo": no logo layer; ``render.unseen``), so that partner accounts
    of one language may have one key, the render cache's (``render.draw_keys``). Both from one reading of
    the card's parts (the people's fingerprints are most of its cost)."""
    c = applied.campaign
    acc = c.account(account)
    parts = {
        "template": applied.templates[template], "people": [f.fingerprint() for f in people],
        "photos": [applied.photos.get(f.person.id) for f in people], "language": acc.language,
        "kind": kind, "week": str(week), "campaign": c.title(acc.language), "organisation": acc.organisation,
        "logo": applied.logos.get(acc.id), "size": CARD_SIZE, "max_bytes": max_image_bytes(platform),
    }
    if c.durations != "years":  # only when not the default, so the cache keys of before stay valid
        parts["durations"] = c.durations
    if c.url:
        parts["url"] = c.url
    if len(c.names) > 1:  # an alt text or a layer in another language names the campaign in it
        parts["campaign_names"] = c.names
    if c.languages:
        parts["languages"] = list(c.languages)
    if c.hashtags:  # a template may show {hashtags}; they also end every caption, so approvals follow them anyway
        parts["hashtags"] = list(c.hashtags)
    if card_format(platform) != "jpeg":  # likewise
        parts["format"] = card_format(platform)
    whole = _digest(parts)
    return whole, _digest({k: v for k, v in parts.items() if k not in unseen}) if unseen else whole


def _digest(parts: Mapping[str, object]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def post_caption(applied: Applied, slot: Slot, people: Sequence[Facts]) -> str:
    """The caption as it will go out: filled in, then fitted to the platform (hashtags kept)."""
    c = applied.campaign
    return fit_caption(caption_text(c, slot, people), c.account(slot.account).platform, c.hashtags)


def shown_fingerprint(key: str, caption: str) -> str:
    """One hash of a card (by its render key) and a caption: what a person approves."""
    return hashlib.sha256(json.dumps([key, caption], ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Shown:
    """What a post would show now: its card's render key, its caption, and their fingerprint."""

    key: str
    caption: str

    @property
    def fp(self) -> str:
        return shown_fingerprint(self.key, self.caption)


def would_show(applied: Applied, slot: Slot, people: Sequence[Facts]) -> Shown:
    """The card and caption ``slot`` would go out with, given its people's facts as of its date."""
    key = card_key(applied, account=slot.account, platform=slot.platform, template=slot.template, kind=slot.kind,
                   week=slot.week, people=people)
    return Shown(key, post_caption(applied, slot, people))


def people_fps(people: Sequence[Facts]) -> str:
    """The facts fingerprint of each featured person (JSON), kept on the post to say whose facts changed."""
    return json.dumps({f.person.id: f.fingerprint() for f in people}, sort_keys=True)


def changes(old: PostRecord, slot: Slot, people: Sequence[Facts], shown: Shown | None = None,
            plan_fp: str | None = None, fps: Mapping[str, str] | None = None) -> list[str]:
    """Why a post planned or rendered as ``old`` (its ledger record) would now show something else,
    in words: "now features B instead of A", "facts of A changed", "caption changed", ...
    Empty when what it shows is unchanged (a new time, another variant with the same words).
    ``plan_fp`` (the new facts fingerprint of its people) speaks for posts planned before per-person
    fingerprints were kept; ``fps``: each of ``people``'s facts fingerprint, when already worked out."""
    reasons: list[str] = []
    was = old.slot
    before = was.people
    if before != slot.people:
        reasons.append(f"now features {', '.join(slot.people) or 'nobody'} instead of {', '.join(before) or 'nobody'}")
    if was.kind and was.kind != slot.kind:
        reasons.append(f"now a {slot.kind} post (was {was.kind})")
    if was.template and was.template != slot.template:
        reasons.append(f"template changed to {slot.template!r} (was {was.template!r})")
    if was.week != slot.week:
        reasons.append(f"now in week {slot.week} (was week {was.week})")
    if before == slot.people and old.people_fp is not None:
        known = old.people_fp
        now = fps if fps is not None else {f.person.id: f.fingerprint() for f in people}
        changed = [pid for pid in slot.people if known.get(pid) != now.get(pid)]
        if changed:
            reasons.append(f"facts of {', '.join(changed)} changed")
    elif before == slot.people and plan_fp is not None and old.plan_fp != plan_fp:
        reasons.append(f"facts of {', '.join(slot.people)} changed")
    if not reasons and shown is not None and old.shown_fp and shown.fp != old.shown_fp:
        if shown.caption != old.caption:
            reasons.append("caption changed")
        else:
            reasons.append("card changed (template files, photo or logo)")
    return reasons


__all__ = ["CARD_SIZE", "Shown", "card_format", "card_key", "card_keys", "changes", "max_image_bytes", "people_fps", "post_caption",
           "shown_fingerprint", "would_show"]
