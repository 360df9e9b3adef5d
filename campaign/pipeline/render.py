"""The render task's work: make the card and caption of one planned post, true as of its date.

Idempotent: only a ``planned`` post whose people's facts still match its plan is rendered, and the
move to ``rendered`` (or ``awaiting_review``) checks both again atomically. Cards are cached by the
hash of everything they show (template, facts, photos, language, kind, week, organisation, logo),
so partner accounts of one language share a render and a replay renders nothing twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import redis

from ..checks.caption_facts import untrue_claims
from ..ledger import CardRef, Ledger, UnknownPost, worker_name
from ..ledger.keys import sha256
from ..ledger.states import PLANNED
from ..cards.lru import LRU
from ..plan import Slot
from ..roster import facts
from .applied import Applied, load_applied, template_for
from .settings import Settings
from .shown import CARD_SIZE, card_format, card_keys, max_image_bytes, post_caption, shown_fingerprint
from .tick import current_fingerprint, known_roster

if TYPE_CHECKING:
    from ..cards.template import Template


@dataclass(frozen=True)
class Drawn:
    """A card drawn just now and not stored yet: what the render cache keeps of it, its bytes, and the
    CPU time drawing it took (``campaign.cards.render``: painting, encoding within the byte limit, alt
    text; this thread's CPU seconds, which other processes on a busy machine do not lengthen)."""

    ref: CardRef
    image: bytes
    seconds: float


def unseen(template: Template) -> tuple[str, ...]:
    """What of the account that posts a template does not show: "organisation" (in no text, the alt text
    included), "logo" (no logo layer). Partner accounts of one language that differ only there post the
    same card."""
    known = template.cache.get("unseen")
    if known is None:
        from ..cards.fields import fields_used

        known = tuple(name for name, shown in (
            ("organisation", "organisation" in fields_used(template.spec)),
            ("logo", any(layer.kind == "logo" for layer in template.spec.layers))) if not shown)
        template.cache["unseen"] = known
    return known


def draw_keys(ledger: Ledger, applied: Applied, slot: Slot, facts_list: tuple, settings: Settings) -> tuple[str, str]:
    """A post's card's :func:`~campaign.pipeline.shown.card_key` (what is approved) and the render cache's
    key of it, the same without what of the account the template does not show (:func:`unseen`): one card
    drawn for partner accounts of one language."""
    return card_keys(applied, account=slot.account, platform=slot.platform, template=slot.template, kind=slot.kind,
                     week=slot.week, people=facts_list,
                     unseen=unseen(template_for(ledger, applied, slot.template, settings.cache_dir)))


BLOB_CACHE_BYTES = 64 * 1024 * 1024  # photos and logos a worker process keeps (a roster's photos: a few MB each)
_BLOBS: LRU[bytes] = LRU(BLOB_CACHE_BYTES)


def held_blob(ledger: Ledger, digest: str) -> bytes:
    """A photo's or logo's bytes by their sha256, read from Redis once per process: a blob is named by
    its content, so what is held cannot differ from what Redis holds (every card showing a person
    would otherwise carry their photo over the wire again)."""
    data = _BLOBS.get(digest)
    if data is None:
        data = ledger.get_blob(digest)
        _BLOBS.put(digest, data, len(data))
    return data


def find_or_draw(ledger: Ledger, applied: Applied, slot: Slot, facts_list: tuple, settings: Settings,
                 cache_key: str) -> CardRef | Drawn:
    """The card of a post: from the render cache (its blob still stored), or drawn now and not yet stored.
    ``cache_key`` is the render cache's key of it (:func:`draw_keys`)."""
    from ..cards import card_input, render

    hit = ledger.cached_render(cache_key)  # None also when its image is no longer stored
    if hit is not None:
        return hit
    c = applied.campaign
    account = c.account(slot.account)
    template = template_for(ledger, applied, slot.template, settings.cache_dir)
    photos = {f.person.id: (held_blob(ledger, applied.photos[f.person.id]) if f.person.id in applied.photos else None)
              for f in facts_list}
    logo = held_blob(ledger, applied.logos[account.id]) if account.id in applied.logos else None
    shown = card_input(c, account, facts_list, kind=slot.kind, week=slot.week, photos=photos, logo=logo)
    began = time.thread_time()
    card = render(template, shown, size=CARD_SIZE, fmt=card_format(slot.platform),
                  max_bytes=max_image_bytes(slot.platform))
    seconds = time.thread_time() - began
    ref = CardRef(sha256(card.image), card.format, dict(card.alt),
                  tuple(card.warnings) + tuple(str(o) for o in card.overflows))
    return Drawn(ref, card.image, seconds)


def render_card(ledger: Ledger, applied: Applied, slot: Slot, facts_list: tuple, settings: Settings,
                cache_key: str | None = None) -> CardRef:
    """The card of a post (its blob's sha, format, alt text, warnings), from cache or freshly drawn and
    stored. ``cache_key`` is the render cache's key of it (:func:`draw_keys`; worked out here if not given)."""
    if cache_key is None:
        cache_key = draw_keys(ledger, applied, slot, facts_list, settings)[1]
    card = find_or_draw(ledger, applied, slot, facts_list, settings, cache_key)
    if isinstance(card, Drawn):
        ledger.cache_render(cache_key, card.ref, card.image)  # its bytes, then the entry: one round trip
        return card.ref
    return card


def render_post(ledger: Ledger, post_id: str, now: datetime | None = None, settings: Settings | None = None) -> str:
    """Render one post; returns what happened: rendered, awaiting_review, stale, skip or failed.
    ``now`` None: the campaign clock, read with the post in one round trip."""
    settings = settings or Settings()
    view = ledger.task_view(post_id)
    now = now or view.now()
    post = view.post
    if post is None:
        raise UnknownPost(post_id)
    if post.state != PLANNED:
        ledger.release_render(post_id)
        return "skip"
    slot = post.slot
    applied = load_applied(ledger, slot.campaign, view.def_hash)
    people = known_roster(applied, now).by_id()
    fp = current_fingerprint(applied, now, slot.people, slot.date)
    if fp != post.plan_fp or any(pid not in people for pid in slot.people):
        # The roster changed since this post was planned: the next tick re-plans it first.
        ledger.set_campaign_field(applied.campaign.id, "plan_sig", "")
        ledger.release_render(post_id)
        return "stale"
    facts_list = tuple(facts(people[pid], slot.date) for pid in slot.people)
    worker = worker_name()
    began = time.perf_counter()
    try:
        key, cached = draw_keys(ledger, applied, slot, facts_list, settings)  # what is approved; what is drawn
        card = find_or_draw(ledger, applied, slot, facts_list, settings, cached)
        # Never longer than the platform takes: shortened at a word boundary, hashtags kept.
        caption = post_caption(applied, slot, facts_list)
        untrue = untrue_claims(applied.campaign, slot, facts_list)  # words stating what is not so: a person looks first
    except (redis.RedisError, OSError):
        raise  # infrastructure: the claim's lease runs out and the render is handed out again
    except Exception as exc:  # noqa: BLE001 - a card that cannot be made is this post's failure, shown to people
        ledger.record_render_failed(post_id, exc, at=now, worker=worker)
        return "failed"
    drawn = card if isinstance(card, Drawn) else None
    ref = card.ref if isinstance(card, Drawn) else card
    # What a person approves: this card and this caption (re-planning keeps the approval while both hold).
    # A card drawn just now is stored and cached in the same round trip, before the post names it.
    to = ledger.record_rendered(post, ref, caption, shown_fp=shown_fingerprint(key, caption),
                                review=applied.review_required, at=now, worker=worker,
                                seconds=time.perf_counter() - began,
                                draw_seconds=drawn.seconds if drawn else None,
                                image=drawn.image if drawn else None, cache_key=cached if drawn else None,
                                held=untrue)
    if to is None:
        ledger.release_render(post_id)
        return "skip"
    return to
