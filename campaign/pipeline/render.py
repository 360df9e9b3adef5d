"""The render task's work: make the card and caption of one planned post, true as of its date.

Idempotent: only a ``planned`` post whose people's facts still match its plan is rendered, and the
move to ``rendered`` (or ``awaiting_review``) checks both again atomically. Cards are cached by the
hash of everything they show (template, facts, photos, language, kind, week, organisation, logo),
so partner accounts of one language share a render and a replay renders nothing twice.
"""

from __future__ import annotations

import json
import time
from datetime import datetime

import redis

from ..ledger import Ledger, worker_name
from ..ledger.states import AWAITING_REVIEW, FAILED, PLANNED, RENDERED
from ..roster import facts
from .applied import Applied, load_applied, template_for
from .settings import Settings
from .shown import CARD_SIZE, card_format, card_key, max_image_bytes, post_caption, shown_fingerprint
from .tick import current_fingerprint, known_roster, slot_of


def render_card(ledger: Ledger, applied: Applied, post: dict[str, str], facts_list: tuple, settings: Settings,
                cache_key: str | None = None) -> dict[str, str]:
    """The card of a post as ledger fields (card sha, format, alt JSON, warnings), from cache or freshly drawn.
    ``cache_key`` is the post's :func:`~campaign.pipeline.shown.card_key` (computed here if not given)."""
    from ..cards import CardInput, render

    c = applied.campaign
    account = c.account(post["account"])
    limit, fmt = max_image_bytes(post["platform"]), card_format(post["platform"])
    if cache_key is None:
        cache_key = card_key(applied, account=post["account"], platform=post["platform"], template=post["template"],
                             kind=post["kind"], week=post["week"], people=facts_list)
    hit = ledger.cached_render(cache_key)
    if hit is not None and ledger.has_blob(hit["card"]):
        return hit
    template = template_for(ledger, applied, post["template"], settings.cache_dir)
    photos = {f.person.id: (ledger.get_blob(applied.photos[f.person.id]) if f.person.id in applied.photos else None)
              for f in facts_list}
    logo = ledger.get_blob(applied.logos[account.id]) if account.id in applied.logos else None
    card = render(template, CardInput(people=facts_list, photos=photos, language=account.language, kind=post["kind"],
                                      week=int(post["week"]), campaign_name=c.name, organisation=account.organisation,
                                      logo=logo, durations=c.durations, hashtags=tuple(c.hashtags)),
                  size=CARD_SIZE, fmt=fmt, max_bytes=limit)
    fields = {
        "card": ledger.put_blob(card.image), "card_format": card.format,
        "alt": json.dumps(card.alt, ensure_ascii=False),
        "warnings": json.dumps(list(card.warnings) + [str(o) for o in card.overflows], ensure_ascii=False),
    }
    ledger.cache_render(cache_key, fields)
    return fields


def render_post(ledger: Ledger, post_id: str, now: datetime, settings: Settings | None = None) -> str:
    """Render one post; returns what happened: rendered, awaiting_review, stale, skip or failed."""
    settings = settings or Settings()
    worker = worker_name()
    post = ledger.post(post_id)
    if post["state"] != PLANNED:
        ledger.release_render(post_id)
        return "skip"
    applied = load_applied(ledger, post["campaign"])
    slot = slot_of(post, applied)
    people = known_roster(applied, now).by_id()
    fp = current_fingerprint(applied, now, slot.people, slot.date)
    if fp != post["plan_fp"] or any(pid not in people for pid in slot.people):
        # The roster changed since this post was planned: the next tick re-plans it first.
        ledger.set_campaign_field(applied.campaign.id, "plan_sig", "")
        ledger.release_render(post_id)
        return "stale"
    facts_list = tuple(facts(people[pid], slot.date) for pid in slot.people)
    try:
        key = card_key(applied, account=slot.account, platform=slot.platform, template=slot.template,
                       kind=slot.kind, week=slot.week, people=facts_list)
        fields = render_card(ledger, applied, post, facts_list, settings, key)
        # Never longer than the platform takes: shortened at a word boundary, hashtags kept.
        fields["caption"] = post_caption(applied, slot, facts_list)
        # What a person approves: this card and this caption (re-planning keeps the approval while both hold).
        fields["shown_fp"] = shown_fingerprint(key, fields["caption"])
    except (redis.RedisError, OSError):
        raise  # infrastructure: the claim's lease runs out and the render is handed out again
    except Exception as exc:  # noqa: BLE001 - a card that cannot be made is this post's failure, shown to people
        ledger.transition(post_id, PLANNED, FAILED, at=now, worker=worker, detail=f"render failed: {exc}",
                          set={"error": str(exc), "error_class": type(exc).__name__},
                          zrem=["due", "render", "rendering"],
                          attempt={"outcome": "render_failed", "error_class": type(exc).__name__, "error": str(exc)})
        return "failed"
    to = AWAITING_REVIEW if applied.review_required else RENDERED
    fields.update(rendered_fp=fp, rendered_at=repr(time.time()))
    moved = ledger.transition(post_id, PLANNED, to, at=now, worker=worker, detail="card rendered", set=fields,
                              expect={"plan_fp": post["plan_fp"]}, zrem=["render", "rendering"])
    if not moved.ok:
        ledger.release_render(post_id)
        return "skip"
    return to
