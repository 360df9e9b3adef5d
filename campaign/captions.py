"""Captions: the organiser's variants filled in with the facts of the day, and each platform's
length rule.

A caption variant is a format string over the one field vocabulary of captions, cards and alt text
(:mod:`campaign.fields`: ``{name}``, ``{name.km}``, ``{case}``, ``{detained}``...; the older
``{name_km}``, ``{duration}``, ``{days}`` stay as aliases); ``check_template`` finds unknown fields at
validation time so nothing fails at posting time. A post's caption is its account's variant for
the post's kind: a "released" or "finale" post never borrows a weekly caption.

Each platform counts a caption its own way (its row in :mod:`campaign.platforms`): X weighs code
points (Khmer weighs 2, a URL 23, an emoji sequence 2; :mod:`campaign.xtext`); Mastodon and
Bluesky count grapheme clusters; Telegram counts characters. :func:`fit_caption` shortens a caption that does not fit
at a word boundary, keeping the hashtags; :func:`caption_problems` warns at validation time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from wcwidth import iter_graphemes

from .caption_facts import empty_field_problems
from .cache import memo
from .definition import KINDS
from .fields import NAMES, caption_fields, caption_values, check, fill_caption, sample_values
from .fields import tidy as _tidy
from .platforms import TABLE, Limit

if TYPE_CHECKING:
    from .definition import Campaign
    from .plan import Slot
    from .roster import Facts, Roster

FIELDS = NAMES  # every field and alias a caption may use (campaign.fields.VOCABULARY, ALIASES)
__all__ = ["FIELDS", "LIMITS", "caption_fields", "caption_length", "caption_problems", "caption_text",
           "check_template", "empty_field_problems", "fit_caption", "fits", "graphemes", "limit_of"]


def check_template(text: str) -> str | None:
    """None if ``text`` is a usable caption template, else its first problem (:func:`campaign.fields.check`
    gives them all)."""
    problems = check(text)
    return problems[0] if problems else None


class MissingCaptions(ValueError):
    """A post's language has no caption variants for its kind (``campaign validate`` refuses this)."""


def caption_text(campaign: Campaign, slot: Slot, people: Sequence[Facts]) -> str:
    """The caption of ``slot``: its account's variant for the slot's kind, filled in."""
    account = campaign.account(slot.account)
    variants = campaign.captions[account.language].for_kind(slot.kind)
    if not variants:
        raise MissingCaptions(f"captions.{account.language} has no {slot.kind} captions, and a {slot.kind} post "
                              f"never borrows a weekly caption; add captions.{account.language}.{slot.kind}")
    template = variants[slot.variant % len(variants)]
    return fill_caption(template, caption_values(campaign, account, slot, people))


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


# ---- warnings at validation time ---------------------------------------------------------------

# Field values of a typical post, a little on the long side, to estimate a template's length.
_SAMPLE = {
    "en": {"name": "Chhoeun Daravy and Sun Ratha", "name_en": "Chhoeun Daravy", "name_km": "ឆឿន ដារ៉ាវី",
           "group": "Khmer Thavrak", "role": "youth activist", "charge": "incitement to commit a felony",
           "days": "365", "duration": "1 year and 2 months", "sentence": "20 months in prison",
           "released_on": "9 November 2021", "count": "12", "week": "12", "organisation": "LICADHO",
           "status": "imprisoned", "case": "sentenced to 1 year and 8 months for incitement to commit a felony",
           "case_label": "sentenced to 1 year and 8 months for", "since": "3 September 2020",
           "months_detained": "14", "convicted_on": "5 May 2021", "release_note": "charges not dropped",
           "charges_remain": "the charges remain", "charges_dropped": "the charges were dropped",
           "next_hearing": "9 November 2021"},
    "km": {"name": "ឆឿន ដារ៉ាវី និង ស៊ុន រដ្ឋា", "name_en": "Chhoeun Daravy", "name_km": "ឆឿន ដារ៉ាវី",
           "group": "ខ្មែរថាមពល", "role": "សកម្មជនយុវជន", "charge": "ញុះញង់ឱ្យប្រព្រឹត្តបទឧក្រិដ្ឋ",
           "days": "៣៦៥", "duration": "១ឆ្នាំ ២ខែ", "sentence": "ជាប់ពន្ធនាគារ ២០ខែ",
           "released_on": "៩ វិច្ឆិកា ២០២១", "count": "១២", "week": "១២", "organisation": "លីកាដូ",
           "status": "ជាប់ពន្ធនាគារ", "case": "ត្រូវបានកាត់ទោស ១ ឆ្នាំ និង ៨ ខែ ពីបទញុះញង់ឱ្យប្រព្រឹត្តបទឧក្រិដ្ឋ",
           "case_label": "ត្រូវបានកាត់ទោស ១ ឆ្នាំ និង ៨ ខែ ពីបទ", "since": "៣ កញ្ញា ២០២០",
           "months_detained": "១៤", "convicted_on": "៥ ឧសភា ២០២១", "release_note": "ការចោទប្រកាន់មិនត្រូវបានលុបចោលទេ",
           "charges_remain": "ការចោទប្រកាន់នៅតែមាន", "charges_dropped": "ការចោទប្រកាន់ត្រូវបានលុបចោល",
           "next_hearing": "៩ វិច្ឆិកា ២០២១"},
}


def caption_problems(campaign: Campaign, roster: Roster | None = None) -> list[str]:
    """Warnings for ``campaign validate``: captions that will probably be shortened on some
    account's platform, hashtags that leave no room, X accounts that could post identical
    text (X forbids identical content across accounts) and, given the roster, captions using a
    field that is empty for someone they will be posted about (:func:`empty_field_problems`)."""
    problems: list[str] = []
    tags = " ".join(campaign.hashtags)
    for platform in sorted({a.platform for a in campaign.accounts}):
        limit = limit_of(platform)
        if limit is None:
            continue
        accounts = [a for a in campaign.accounts if a.platform == platform]
        if tags and not fits(tags + " " + "x" * 40, platform):
            problems.append(f"hashtags: {tags!r} leave almost no room on {platform} "
                            f"(limit {limit.size} {limit.unit}); use fewer hashtags")
        for lang in sorted({a.language for a in accounts}):
            cset = campaign.captions.get(lang)
            if cset is None:
                continue
            sample = sample_values({**_SAMPLE.get(lang, _SAMPLE["en"]), "campaign": campaign.name, "hashtags": tags})
            for kind in KINDS:
                for i, template in enumerate(getattr(cset, kind) or []):
                    try:
                        text = _tidy(template.format(**sample))
                    except (KeyError, IndexError, ValueError):
                        continue  # check_template reports broken templates
                    if not fits(text, platform):
                        problems.append(
                            f"captions.{lang}.{kind}[{i}]: about {caption_length(text, platform)} {limit.unit} "
                            f"with typical names; {platform} takes {limit.size}, so it will be shortened at a "
                            "word boundary (hashtags kept); shorten the template to keep every word")
    problems.extend(_x_collisions(campaign))
    if roster is not None:
        problems.extend(empty_field_problems(campaign, roster))
    return problems


def _x_collisions(campaign: Campaign) -> list[str]:
    """X accounts of one language that could receive the same text on the same day."""
    out = []
    for lang in sorted({a.language for a in campaign.accounts if a.platform == "x"}):
        peers = [a for a in campaign.accounts if a.platform == "x" and a.language == lang]
        if len(peers) < 2 or lang not in campaign.captions:
            continue
        distinct_orgs = len({a.organisation for a in peers}) == len(peers)
        for kind in KINDS:
            variants = campaign.captions[lang].for_kind(kind)
            if len(variants) >= len(peers):
                continue  # caption_variant gives each account a different one
            shared = [i for i, t in enumerate(variants) if not (distinct_orgs and "{organisation}" in t)]
            if shared:
                ids = ", ".join(a.id for a in peers)
                out.append(
                    f"captions.{lang}.{kind}: {len(peers)} X accounts ({ids}) share {len(variants)} variant(s), "
                    f"and variant(s) {', '.join(map(str, shared))} do not name the {{organisation}}; X forbids "
                    "identical posts across accounts: add variants or put {organisation} in them")
    return out
