"""The render task's work: make the card and caption of one planned post, true as of its date.

Idempotent: only a ``planned`` post whose people's facts still match its plan is rendered, and the
move to ``rendered`` (or ``awaiting_review``) checks both again atomically. Cards are cached by the
hash of everything they show (template, facts, photos, language, kind, week, organisation, logo),
so partner accounts of one language share a render and a replay renders nothing twice.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from datetime import datetime

import redis

from ..captions import caption_text, fit_caption
from ..definition import Account
from ..ledger import Ledger, worker_name
from ..ledger.states import AWAITING_REVIEW, FAILED, PLANNED, RENDERED
from ..publishers import Context, get_publisher
from ..roster import facts
from .applied import Applied, load_applied, template_for
from .settings import Settings
from .tick import current_fingerprint, known_roster, slot_of

CARD_SIZE = "square"
DEFAULT_MAX_BYTES = 1_000_000  # the strictest platform (Bluesky) when a publisher cannot say


@functools.lru_cache(maxsize=64)
def max_image_bytes(platform: str) -> int:
    """The image byte limit of a platform's publisher (the card is encoded to fit it)."""
    try:
        account = Account.model_construct(id="probe", organisation="probe", platform=platform, language="en",
                                          credentials="env:CAMPAIGN_PROBE", stagger=None, logo=None, base_url=None,
                                          handle=None, channel=None, page_id=None, outbox=None)
        return int(get_publisher(account, Context()).max_image_bytes)
    except Exception:  # noqa: BLE001 - a publisher that cannot even be built for a probe: be strict
        return DEFAULT_MAX_BYTES


def render_card(ledger: Ledger, applied: Applied, post: dict[str, str], facts_list: tuple, settings: Settings
                ) -> dict[str, str]:
    """The card of a post as ledger fields (card sha, format, alt JSON, warnings), from cache or freshly drawn."""
    from ..cards import CardInput, render
    from ..cards.fields import fields_used

    c = applied.campaign
    account = c.account(post["account"])
    limit = max_image_bytes(post["platform"])
    key_parts = {
        "template": applied.templates[post["template"]], "people": [f.fingerprint() for f in facts_list],
        "photos": [applied.photos.get(f.person.id) for f in facts_list], "language": account.language,
        "kind": post["kind"], "week": post["week"], "campaign": c.name, "organisation": account.organisation,
        "logo": applied.logos.get(account.id), "size": CARD_SIZE, "max_bytes": limit,
    }
    if c.durations != "years":  # only when not the default, so the cache keys of before stay valid
        key_parts["durations"] = c.durations
    template = template_for(ledger, applied, post["template"], settings.cache_dir)  # cached per process
    used = template.cache.get("fields used")
    if used is None:
        used = template.cache["fields used"] = fields_used(template.spec)
    if "hashtags" in used:  # only then, so the cache keys of before stay valid
        key_parts["hashtags"] = c.hashtags
    cache_key = hashlib.sha256(json.dumps(key_parts, sort_keys=True).encode()).hexdigest()
    hit = ledger.cached_render(cache_key)
    if hit is not None and ledger.has_blob(hit["card"]):
        return hit
    photos = {f.person.id: (ledger.get_blob(applied.photos[f.person.id]) if f.person.id in applied.photos else None)
              for f in facts_list}
    logo = ledger.get_blob(applied.logos[account.id]) if account.id in applied.logos else None
    card = render(template, CardInput(people=facts_list, photos=photos, language=account.language, kind=post["kind"],
                                      week=int(post["week"]), campaign_name=c.name, organisation=account.organisation,
                                      logo=logo, durations=c.durations, hashtags=tuple(c.hashtags)),
                  size=CARD_SIZE, fmt="jpeg", max_bytes=limit)
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
        fields = render_card(ledger, applied, post, facts_list, settings)
        # Never longer than the platform takes: shortened at a word boundary, hashtags kept.
        fields["caption"] = fit_caption(caption_text(applied.campaign, slot, facts_list),
                                        applied.campaign.account(post["account"]).platform, applied.campaign.hashtags)
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
