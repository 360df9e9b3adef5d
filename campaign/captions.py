"""Captions: the organiser's variants filled in with the facts of the day.

A caption template is a Python format string over a fixed set of fields; ``check_template``
finds unknown fields at validation time so nothing fails at posting time.

Fields (for a post featuring several people, name-like fields join the names):

    {name} {name_en} {name_km} {group} {role} {charge} {days} {duration} {sentence}
    {released_on} {count} {week} {campaign} {organisation} {hashtags}
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .types import khmer_digits

if TYPE_CHECKING:
    from .definition import Account, Campaign
    from .plan import Slot
    from .roster import Facts

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
            hint = difflib.get_close_matches(name, FIELDS, n=1, cutoff=0.6)
            return f"unknown placeholder {{{name}}}{f' (did you mean {{{hint[0]}}}?)' if hint else ''}; known: {', '.join(FIELDS)}"
        if spec or conversion:
            return f"placeholder {{{name}}} takes no format spec or conversion"
    return None


def _join(items: Sequence[str], lang: str) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    if lang == "km":
        return " ".join(items[:-1]) + " និង " + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


def caption_fields(campaign: Campaign, account: Account, slot: Slot, people: Sequence[Facts]) -> dict[str, str]:
    """The values of every caption field for one post, in the account's language."""
    lang = account.language
    num = (lambda n: khmer_digits(str(n))) if lang == "km" else str

    def each(get) -> str:  # type: ignore[no-untyped-def]
        return _join(list(dict.fromkeys(v for v in (get(f) for f in people) if v)), lang)

    return {
        "name": each(lambda f: f.person.name.get(lang)),
        "name_en": each(lambda f: f.person.name.get("en")),
        "name_km": each(lambda f: f.person.name.get("km")),
        "group": each(lambda f: f.person.group.get(lang) if f.person.group else ""),
        "role": each(lambda f: f.person.role.get(lang) if f.person.role else ""),
        "charge": each(lambda f: f.charge.get(lang) if f.charge else ""),
        "days": each(lambda f: num(f.days_detained)),
        "duration": each(lambda f: f.detained_text(lang)),
        "sentence": each(lambda f: f.sentence.text(lang) if f.sentence else ""),
        "released_on": each(lambda f: f.released_on.isoformat() if f.released_on else ""),
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
    text = template.format(**caption_fields(campaign, account, slot, people))
    return re.sub(r"[ \t]{2,}", " ", text).strip()  # an empty field leaves no double space
