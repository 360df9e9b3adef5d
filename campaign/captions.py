"""Captions: the organiser's variants filled in with the facts of the day.

A caption template is a Python format string over a fixed set of fields; ``check_template``
finds unknown fields at validation time so nothing fails at posting time.

Fields (for a post featuring several people, name-like fields join the names):

    {name} {name_en} {name_km} {group} {role} {charge} {days} {duration} {sentence}
    {released_on} {count} {week} {campaign} {organisation} {hashtags}

Dates are written the way cards write them, in the caption's language ("20 March 2025" /
"២០ មីនា ២០២៥"): both use :func:`campaign.types.format_date`.

Each platform counts a caption its own way (:data:`LIMITS`): X weighs code points (Khmer weighs
2, a URL 23, an emoji sequence 2; :mod:`campaign.xtext`); Mastodon and Bluesky count grapheme
clusters; Telegram counts characters. :func:`fit_caption` shortens a caption that does not fit
at a word boundary, keeping the hashtags; :func:`caption_problems` warns at validation time.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from wcwidth import iter_graphemes

from . import xtext
from .definition import KINDS
from .plan import plan
from .roster import facts
from .sources import braced, did_you_mean
from .types import format_date, join_list, khmer_digits

if TYPE_CHECKING:
    from .definition import Account, Campaign
    from .plan import Slot
    from .roster import Facts, Roster

FIELDS = (
    "name", "name_en", "name_km", "group", "role", "charge", "days", "duration", "sentence",
    "released_on", "count", "week", "campaign", "organisation", "hashtags",
)


def check_template(text: str) -> str | None:
    """None if ``text`` is a usable caption template, else what is wrong with it."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        return f"caption is not a valid template ({exc}); write {{{{ and }}}} for literal braces"
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name == "" or name.isdigit():
            return "caption placeholders need a name, e.g. {name}"
        if name not in FIELDS:
            return f"unknown placeholder {{{name}}}{did_you_mean(name, FIELDS, show=braced)}; known: {', '.join(FIELDS)}"
        if spec or conversion:
            return f"placeholder {{{name}}} takes no format spec or conversion"
    return None


def caption_fields(campaign: Campaign, account: Account, slot: Slot, people: Sequence[Facts]) -> dict[str, str]:
    """The values of every caption field for one post, in the account's language."""
    lang = account.language
    num = (lambda n: khmer_digits(str(n))) if lang == "km" else str

    def each(get) -> str:  # type: ignore[no-untyped-def]
        return join_list([get(f) for f in people], lang)

    def per_person(get) -> str:  # type: ignore[no-untyped-def]
        # A fact that differs between the people of one post is said with each name, so a
        # reader never has to guess whose "15 months" is whose.
        values = [(f.person.name.get(lang), get(f)) for f in people]
        if len({v for _, v in values if v}) <= 1:
            return each(get)
        return join_list([f"{name} ({value})" for name, value in values if value], lang)

    return {
        "name": each(lambda f: f.person.name.get(lang)),
        "name_en": each(lambda f: f.person.name.get("en")),
        "name_km": each(lambda f: f.person.name.get("km")),
        "group": each(lambda f: f.person.group.get(lang) if f.person.group else ""),
        "role": each(lambda f: f.person.role.get(lang) if f.person.role else ""),
        "charge": per_person(lambda f: f.charge.get(lang) if f.charge else ""),
        "days": per_person(lambda f: num(f.days_detained)),
        "duration": per_person(lambda f: f.detained_text(lang)),
        "sentence": per_person(lambda f: f.sentence.text(lang) if f.sentence else ""),
        "released_on": per_person(lambda f: format_date(f.released_on, lang) if f.released_on else ""),
        "count": num(len(people)),
        "week": num(slot.week),
        "campaign": campaign.name,
        "organisation": account.organisation,
        "hashtags": " ".join(campaign.hashtags),
    }


def caption_text(campaign: Campaign, slot: Slot, people: Sequence[Facts]) -> str:
    """The caption of ``slot``: its account's variant for the slot's kind, filled in."""
    account = campaign.account(slot.account)
    variants = campaign.captions[account.language].for_kind(slot.kind)
    template = variants[slot.variant % len(variants)]
    return _tidy(template.format(**caption_fields(campaign, account, slot, people)))


def _tidy(text: str) -> str:
    """A filled-in template without the double spaces an empty field leaves."""
    return re.sub(r"[ \t]{2,}", " ", text).strip()



# ---- each platform's length rule -------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """How long a caption may be on one platform, and in what unit it is counted."""

    size: int
    unit: str  # "weighted characters", "graphemes", "characters"
    max_bytes: int | None = None


LIMITS: dict[str, Limit] = {
    "x": Limit(280, "weighted characters"),
    "mastodon": Limit(500, "graphemes"),  # the default configuration.statuses.max_characters
    "bluesky": Limit(300, "graphemes", max_bytes=3000),
    "telegram": Limit(1024, "characters"),  # a photo caption; a text message may be 4096
    "facebook": Limit(63206, "characters"),
}
URL_WEIGHT = 23  # X and Mastodon count any link as 23, whatever its length
_URL_RE = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'។៕]")
ELLIPSIS = "…"


def limit_of(platform: str) -> Limit | None:
    """The caption limit of ``platform``; None where there is none worth checking (outbox)."""
    return LIMITS.get(platform)


def graphemes(text: str) -> list[str]:
    """The user-perceived characters of ``text`` (Unicode extended grapheme clusters)."""
    return list(iter_graphemes(text))


def caption_length(text: str, platform: str) -> int:
    """``text``'s length as ``platform`` counts it, in the unit of :data:`LIMITS`."""
    if platform == "x":
        return xtext.weighted_length(text)
    if platform == "mastodon":
        return len(graphemes(_URL_RE.sub("x" * URL_WEIGHT, text)))
    if platform == "bluesky":
        return len(graphemes(text))
    if platform == "telegram":
        return len(text.encode("utf-16-le")) // 2  # Telegram counts UTF-16 code units
    return len(text)


def fits(text: str, platform: str) -> bool:
    """Whether ``text`` is within ``platform``'s caption limit."""
    limit = limit_of(platform)
    if limit is None:
        return True
    if limit.max_bytes is not None and len(text.encode()) > limit.max_bytes:
        return False
    if platform == "x" and not text.strip():
        return False  # X refuses a blank post
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


@lru_cache(maxsize=256)
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
           "released_on": "9 November 2021", "count": "12", "week": "12", "organisation": "LICADHO"},
    "km": {"name": "ឆឿន ដារ៉ាវី និង ស៊ុន រដ្ឋា", "name_en": "Chhoeun Daravy", "name_km": "ឆឿន ដារ៉ាវី",
           "group": "ខ្មែរថាមពល", "role": "សកម្មជនយុវជន", "charge": "ញុះញង់ឱ្យប្រព្រឹត្តបទឧក្រិដ្ឋ",
           "days": "៣៦៥", "duration": "១ឆ្នាំ ២ខែ", "sentence": "ជាប់ពន្ធនាគារ ២០ខែ",
           "released_on": "៩ វិច្ឆិកា ២០២១", "count": "១២", "week": "១២", "organisation": "លីកាដូ"},
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
            sample = {**_SAMPLE.get(lang, _SAMPLE["en"]), "campaign": campaign.name, "hashtags": tags}
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


# The person fields that can be empty (names fall back to another language, never to nothing),
# and why, in the words an organiser would check roster.yaml with.
_EMPTY_BECAUSE = {
    "group": "no group", "role": "no role", "charge": "no charge recorded", "sentence": "not sentenced",
    "released_on": "not released",
}
_MARK = "\x00"
_CONTEXT = 24  # characters of the caption shown either side of an empty field


def empty_field_problems(campaign: Campaign, roster: Roster) -> list[str]:
    """One warning per caption variant and person field that is empty in some planned post
    (a "{sentence}" for someone never convicted), with how many posts it affects and how the
    first would read. Variants rotate whoever is featured, so a variant must read well for
    everyone."""
    people = roster.by_id()
    # (language, kind of the variant list, variant index, field) -> posts affected; the first post's fields
    counts: dict[tuple[str, str, int, str], int] = {}
    first: dict[tuple[str, str, int, str], tuple[Slot, dict[str, str]]] = {}
    for slot in plan(campaign, roster):
        cset = campaign.captions.get(slot.language)
        if cset is None:
            continue
        kind = slot.kind if getattr(cset, slot.kind, None) else "weekly"  # for_kind falls back to weekly
        variants = cset.for_kind(slot.kind)
        index = slot.variant % len(variants)
        used = _fields_used(variants[index]) & set(_EMPTY_BECAUSE)
        if not used:
            continue
        featured = [facts(people[pid], slot.date) for pid in slot.people if pid in people]
        values = caption_fields(campaign, campaign.account(slot.account), slot, featured)
        for field in sorted(used, key=FIELDS.index):
            if values[field]:
                continue
            key = (slot.language, kind, index, field)
            counts[key] = counts.get(key, 0) + 1
            first.setdefault(key, (slot, values))
    problems = []
    for (lang, kind, index, field), n in counts.items():
        slot, values = first[(lang, kind, index, field)]
        who = ", ".join(slot.people[:3]) + (f" and {len(slot.people) - 3} more" if len(slot.people) > 3 else "")
        template = campaign.captions[lang].for_kind(kind)[index]
        problems.append(
            f"captions.{lang}.{kind}[{index}] uses {{{field}}}, empty in {n} planned post{'s' if n != 1 else ''}, "
            f"first for {who} on {slot.date} ({_EMPTY_BECAUSE[field]}): the caption would read "
            f"'{_around_empty(template, values, field)}'; variants rotate whoever is featured, so write this one "
            f"to read well without {{{field}}}, or add the fact to roster.yaml if it is missing")
    return problems


def _fields_used(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError:
        return set()  # check_template reports it


def _around_empty(template: str, values: dict[str, str], field: str) -> str:
    """The filled-in caption around where ``field`` (empty) would have been, cut at spaces."""
    text = _tidy(template.format(**{**values, field: _MARK}))
    at = text.index(_MARK)
    start = max(0, at - _CONTEXT)
    if start > 0:  # cut at a space, never inside a word (or a Khmer cluster)
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 else 0
    end = min(len(text), at + 1 + _CONTEXT)
    if end < len(text):
        space = text.find(" ", end)
        end = space if space >= 0 else len(text)
    shown = _tidy(text[start:end].replace(_MARK, ""))
    return ("... " if start > 0 else "") + shown + (" ..." if end < len(text) else "")
