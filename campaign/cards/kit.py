"""Kits for partners who post by hand (personal profiles, WhatsApp, print): one zip per language
with every size of each of a week's cards, a caption per platform, the alt text, and a text file
saying when to post.

A kit's cards are the week's planned cards in that language (one per date, kind and people), each
as of its own date. A kit caption is never identical to one an API account posts on X that week
(X refuses identical text across accounts and its automation rules forbid it): the card's next
caption variant is taken when its own is one of them, and where every variant is taken, the caption starts with the campaign's
name. Pure: takes the campaign, the plan, the templates and the photos as values
(:class:`KitSources`); the CLI reads them from a folder, the dashboard from Redis.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from ..captions import caption_text, fit_caption
from ..definition import Campaign
from ..errors import CampaignError
from ..facts import facts
from ..plan import Slot, week_of
from ..platforms import NAMES
from ..roster import Facts, Roster
from .alt import alt_texts
from .card import CardInput, card_input
from .render import render
from .template import Template

#: The platforms a kit writes a caption for (outbox is no platform); "anywhere" is the caption as written.
KIT_PLATFORMS = tuple(name for name in NAMES if name != "outbox")


class KitError(CampaignError):
    """A kit that cannot be made (an unknown week, a language nobody posts in); the message says what to do."""


@dataclass(frozen=True)
class KitSources:
    """What a kit is made of: the campaign, its roster, the week's slots (the plan), the templates
    by name, and each person's photo and each account's logo (None: none)."""

    campaign: Campaign
    roster: Roster
    slots: Sequence[Slot]
    templates: Mapping[str, Template]
    photo: Callable[[str], bytes | None]
    logo: Callable[[str], bytes | None]
    x_posted: Sequence[str] = ()  # captions X accounts already have (the ledger's), besides the plan's


@dataclass(frozen=True)
class Entry:
    """One file of a language's kit: its path in the zip, and how to make its bytes."""

    language: str
    name: str
    make: Callable[[], bytes]


def _same(a: str, b: str) -> bool:
    return " ".join(unicodedata.normalize("NFC", a).split()) == " ".join(unicodedata.normalize("NFC", b).split())


def x_captions(src: KitSources, week: int) -> list[str]:
    """The captions the API accounts on X post in ``week``."""
    people = src.roster.by_id()
    c = src.campaign
    return [fit_caption(caption_text(c, s, _facts(people, s)), "x", c.hashtags)
            for s in src.slots if s.week == week and s.platform == "x"]


def _facts(people: Mapping[str, object], slot: Slot) -> list[Facts]:
    return [facts(people[p], slot.date) for p in slot.people if p in people]  # type: ignore[arg-type]


def kit_captions(src: KitSources, slot: Slot, taken: Sequence[str]) -> dict[str, str]:
    """The captions of ``slot``'s card for partners: one per platform (fitted to it) and
    ``anywhere`` (as written), none identical to a caption in ``taken`` (what X accounts post)."""
    c = src.campaign
    featured = _facts(src.roster.by_id(), slot)
    count = len(c.captions[slot.language].for_kind(slot.kind))
    for step in range(count + 1):
        text = caption_text(c, replace(slot, variant=slot.variant + step), featured)
        if step == count:  # every variant is one an X account posts: say whose campaign it is first
            text = f"{c.name}: {text}"
        out = {"anywhere": text, **{p: fit_caption(text, p, c.hashtags) for p in KIT_PLATFORMS}}
        if not any(_same(mine, theirs) for mine in out.values() for theirs in taken):
            return out
    raise KitError(f"week {slot.week}: no caption for {slot.id} differs from the X accounts'; add caption variants")


def week_cards(src: KitSources, week: int, language: str) -> list[Slot]:
    """The week's cards in ``language``: the first slot of each date, kind and people, in time order."""
    seen: dict[tuple[object, ...], Slot] = {}
    for slot in sorted(src.slots, key=lambda s: (s.due, s.account)):
        if slot.week == week and slot.language == language:
            seen.setdefault((slot.date, slot.kind, slot.people), slot)
    return list(seen.values())


def check_week(src: KitSources, week: int) -> None:
    """Raise KitError naming the campaign's weeks when ``week`` has no posts."""
    weeks = week_of(src.campaign, src.campaign.end)
    if not 1 <= week <= weeks:
        raise KitError(f"no week {week} in {src.campaign.id}: its weeks are 1 to {weeks}")
    if not any(s.week == week for s in src.slots):
        raise KitError(f"week {week} of {src.campaign.id} has no posts; `campaign plan` shows which weeks do")


def kit_entries(src: KitSources, week: int, languages: Iterable[str] | None = None) -> list[Entry]:
    """Every file of every language's kit for ``week`` (cards are drawn when their entry is made)."""
    check_week(src, week)
    c = src.campaign
    posting = sorted({a.language for a in c.accounts})
    chosen = list(languages) if languages else posting
    unknown = [lang for lang in chosen if lang not in posting]
    if unknown:
        raise KitError(f"no account posts in {', '.join(unknown)}; the campaign's languages: {', '.join(posting)}")
    taken = [*x_captions(src, week), *src.x_posted]
    people = src.roster.by_id()
    out: list[Entry] = []
    for lang in chosen:
        cards = week_cards(src, week, lang)
        times = []
        for i, slot in enumerate(cards, 1):
            group = tuple(_facts(people, slot))
            folder = f"{i:02d}-{slot.date}-{'-'.join(slot.people[:3]) or slot.kind}"
            captions = kit_captions(src, slot, taken)
            template = src.templates[slot.template]
            card = card_input(c, c.account(slot.account), group, kind=slot.kind, week=slot.week,
                              photos={f.person.id: src.photo(f.person.id) for f in group}, logo=src.logo(slot.account))
            for size in template.sizes:
                out.append(Entry(lang, f"{folder}/card-{size}.jpg", _drawer(template, card, size)))
            out.append(Entry(lang, f"{folder}/captions.txt", _text(_captions_file(captions))))
            out.append(Entry(lang, f"{folder}/alt-text.txt", _alt(template, card, lang)))
            times.append((folder, slot.due))
        out.append(Entry(lang, "when-to-post.txt", _text(when_to_post(c, week, times))))
    return out


def _drawer(template: Template, card: CardInput, size: str) -> Callable[[], bytes]:
    return lambda: render(template, card, size=size, fmt="jpeg").image


def _alt(template: Template, card: CardInput, lang: str) -> Callable[[], bytes]:
    def make() -> bytes:
        alt = alt_texts(template, card)
        return (alt.get(lang) or next(iter(alt.values()), "")).encode() + b"\n"
    return make


def _text(text: str) -> Callable[[], bytes]:
    return lambda: text.encode()


def _captions_file(captions: Mapping[str, str]) -> str:
    parts = [f"== {name} ==\n{text}\n" for name, text in captions.items()]
    return ("Captions for this card, one per platform (each fits that platform). Copy one as it is;\n"
            "do not post the coalition's own X captions again (X refuses identical posts).\n\n" + "\n".join(parts))


def when_to_post(campaign: Campaign, week: int, times: Sequence[tuple[str, datetime]]) -> str:
    """The kit's short text file: each card's day and time, and why not earlier."""
    lines = [f"{campaign.name}: week {week}", "",
             "Post each card on its day, at or after the time given (the coalition's accounts post then).",
             "Not earlier: the card states facts (days behind bars, the case) as of that day.", ""]
    for folder, due in times:
        local = due.astimezone(campaign.tz)
        lines.append(f"{folder}: {local:%A %d %B %Y}, from {local:%H:%M} ({campaign.timezone})")
    return "\n".join(lines) + "\n"


def zip_kits(entries: Iterable[Entry]) -> dict[str, bytes]:
    """The zips, by language, of ``entries`` (each made as it is written: wrap them in a progress bar)."""
    buffers: dict[str, io.BytesIO] = {}
    archives: dict[str, zipfile.ZipFile] = {}
    for entry in entries:
        if entry.language not in archives:
            buffers[entry.language] = io.BytesIO()
            archives[entry.language] = zipfile.ZipFile(buffers[entry.language], "w", zipfile.ZIP_DEFLATED)
        archives[entry.language].writestr(entry.name, entry.make())
    for archive in archives.values():
        archive.close()
    return {lang: buf.getvalue() for lang, buf in buffers.items()}


def kit_name(campaign_id: str, week: int, language: str) -> str:
    return f"{campaign_id}-week{week:02d}-{language}.zip"


__all__ = ["KIT_PLATFORMS", "Entry", "KitError", "KitSources", "check_week", "kit_captions", "kit_entries", "kit_name",
           "week_cards", "when_to_post", "x_captions", "zip_kits"]
