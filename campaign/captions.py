"""Captions: the organiser's variants filled in with the facts of the day, and each platform's
length rule.

A caption variant is a format string over the one field vocabulary of captions, cards and alt text
(:mod:`campaign.vocabulary`: ``{name}``, ``{name.km}``, ``{case}``, ``{detained}``...; the older
``{name_km}``, ``{duration}``, ``{days}`` stay as aliases); ``check_template`` finds unknown fields at
validation time so nothing fails at posting time. A post's caption is its account's variant for
the post's kind: a "released" or "finale" post never borrows a weekly caption.

Each platform counts a caption its own way (its row in :mod:`campaign.platforms`): X weighs code
points (Khmer weighs 2, a URL 23, an emoji sequence 2; :mod:`campaign.xtext`); Mastodon and
Bluesky count grapheme clusters; Telegram counts characters. :func:`fit_caption` shortens a caption that does not fit
at a word boundary, keeping the hashtags. The lints that warn at validation time are
:mod:`campaign.checks.caption_lints`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from wcwidth import iter_graphemes

from .cache import memo
from .fields import caption_fields, caption_values
from .filling import fill_caption
from .platforms import TABLE, Limit
from .vocabulary import NAMES, check

if TYPE_CHECKING:
    from .definition import Campaign
    from .plan import Slot
    from .roster import Facts

FIELDS = NAMES  # every field and alias a caption may use (campaign.vocabulary.VOCABULARY, ALIASES)
__all__ = ["FIELDS", "LIMITS", "caption_fields", "caption_length", "caption_text", "chosen_variant", "check_template", "fit_caption",
           "fits", "graphemes", "limit_of"]


def check_template(text: str) -> str | None:
    """None if ``text`` is a usable caption template, else its first problem (:func:`campaign.vocabulary.check`
    gives them all)."""
    problems = check(text)
    return problems[0] if problems else None


class MissingCaptions(ValueError):
    """A post's language has no caption variants for its kind (``campaign validate`` refuses this)."""


def chosen_variant(campaign: Campaign, slot: Slot) -> tuple[int, str] | None:
    """The index and text of the caption variant ``slot`` goes out with: its account's variants for its
    kind, taken in turn (``slot.variant`` counts on across the campaign). None: there are none."""
    cset = campaign.captions.get(slot.language)
    variants = cset.for_kind(slot.kind) if cset is not None else []
    if not variants:
        return None
    index = slot.variant % len(variants)
    return index, variants[index]


def caption_text(campaign: Campaign, slot: Slot, people: Sequence[Facts]) -> str:
    """The caption of ``slot``: its account's variant for the slot's kind, filled in."""
    account = campaign.account(slot.account)
    chosen = chosen_variant(campaign, slot)
    if chosen is None:
        raise MissingCaptions(f"captions.{account.language} has no {slot.kind} captions, and a {slot.kind} post "
                              f"never borrows a weekly caption; add captions.{account.language}.{slot.kind}")
    return fill_caption(chosen[1], caption_values(campaign, account, slot, people))


# ---- each platform's length rule -------------------------------------------------------------


LIMITS: dict[str, Limit] = {name: p.caption for name, p in TABLE.items() if p.caption is not None}
ELLIPSIS = "…"


def limit_of(platform: str) -> Limit | None:
    """The caption limit of ``platform``; None where there is none worth checking (outbox)."""
    return LIMITS.get(platform)


def graphemes(text: str) -> list[str]:
    """The user-perceived characters of ``text`` (Unicode extended grapheme clusters)."""
    return list(iter_graphemes(text))


def caption_length(text: str, platform: str) -> int:
    """``text``'s length as ``platform`` counts it, in the unit of :data:`LIMITS`."""
    limit = limit_of(platform)
    return limit.count(text) if limit is not None else len(text)


def fits(text: str, platform: str) -> bool:
    """Whether ``text`` is within ``platform``'s caption limit."""
    limit = limit_of(platform)
    if limit is None:
        return True
    if limit.max_bytes is not None and len(text.encode()) > limit.max_bytes:
        return False
    if not limit.blank and not text.strip():
        return False  # a blank post is refused (X)
    return caption_length(text, platform) <= limit.size


_BREAK_AFTER = re.compile(r"[\s។៕៖,;:.!?]+")
_WORD_CHAR = re.compile(r"[^\s។៕៖,;:.!?\-–—]")  # neither a space nor punctuation


def _word_cuts(body: str) -> list[int]:
    """Offsets in ``body`` where it may be cut: after spaces and punctuation, else between Khmer
    words (khmer-nltk), else between grapheme clusters: never inside a word's cluster."""
    cuts = sorted({m.start() for m in _BREAK_AFTER.finditer(body)} | {m.end() for m in _BREAK_AFTER.finditer(body)})
    cuts = [c for c in cuts if 0 < c <= len(body)]
    if re.search(r"[\u1780-\u17FF]", body):
        cuts = sorted(set(cuts) | set(_khmer_word_cuts(body)))
    if not cuts:
        pos, cuts = 0, []
        for cluster in graphemes(body):
            pos += len(cluster)
            cuts.append(pos)
    if cuts and cuts[-1] < len(body):
        cuts.append(len(body))  # the end of the text ends its last word
    return cuts


@memo(256)
def _khmer_word_cuts(body: str) -> tuple[int, ...]:
    try:
        import logging

        from khmernltk import word_tokenize

        logging.getLogger("khmer-nltk").setLevel(logging.WARNING)  # it announces every model load
    except ImportError:  # pragma: no cover - a dependency; grapheme cuts still keep clusters whole
        return ()
    out, pos = [], 0
    for word in word_tokenize(body):
        pos += len(word)
        out.append(pos)
    return tuple(out) if "".join(word_tokenize(body)) == body else ()


def fit_caption(text: str, platform: str, hashtags: Sequence[str] = ()) -> str:
    """``text`` if it fits ``platform``, else shortened at a word boundary with an ellipsis,
    keeping ``hashtags`` (those present in the text) at the end."""
    text = unicodedata.normalize("NFC", text)
    if fits(text, platform):
        return text
    kept = [t for t in hashtags if t and re.search(rf"(?<!\S){re.escape(t)}(?!\w)", text)]
    body = text
    for tag in kept:
        body = re.sub(rf"(?<!\S){re.escape(tag)}(?!\w)", "", body)
    body = re.sub(r"[ \t]{2,}", " ", body).strip()
    while True:
        tail = " ".join(kept)
        shortened = _shorten(body, tail, platform)
        if shortened is not None:
            return shortened
        if not kept:
            break
        kept.pop()  # the hashtags alone do not fit: drop the last until something does
    return _shorten_by_graphemes(body, platform)


def _join_tail(head: str, tail: str) -> str:
    head = head.rstrip(" \t\n,;:-–—")
    return f"{head}{ELLIPSIS} {tail}".rstrip() if tail else f"{head}{ELLIPSIS}"


def _shorten(body: str, tail: str, platform: str) -> str | None:
    """The longest ``body[:cut]…  tail`` that fits, cutting at a word boundary after at least one
    word; None if none does."""
    word = _WORD_CHAR.search(body)
    cuts = [c for c in _word_cuts(body) if word and c > word.start()]  # spaces and punctuation alone say nothing
    lo, hi, best = 0, len(cuts) - 1, None
    while lo <= hi:  # the length grows with the cut, so a binary search finds the longest fit
        mid = (lo + hi) // 2
        candidate = _join_tail(body[: cuts[mid]], tail)
        if fits(candidate, platform):
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    return best


def _shorten_by_graphemes(body: str, platform: str) -> str:
    clusters = graphemes(body)
    while clusters and not fits("".join(clusters) + ELLIPSIS, platform):
        clusters.pop()
    return "".join(clusters) + ELLIPSIS
