"""The one field vocabulary for captions, card text layers and alt text: which fields there are,
how each is written, and what is said of a field written wrong (:func:`check`).

Every caption variant, every text of a card template and every alt text is a format string over
the same fields, written the same way everywhere (:data:`VOCABULARY`; ``campaign fields FOLDER``
lists them with their values for a person and a date; what each says is :mod:`campaign.fields`)::

    {name} {group} {role} {status} {case} {case_label} {charge} {sentence} {detained} {since}
    {days_detained} {months_detained} {convicted_on} {released_on} {release_note}
    {charges_remain} {charges_dropped} {next_hearing} {count} {week} {campaign} {organisation}
    {hashtags} {url}

Language: a bare field is written in the language of the account (captions) or of the card (text
layers; a layer's ``lang:``; each language of the alt text). ``.xx`` forces a language:
``{name.km}``, ``{detained.en}``, ``{week.km}``; a text field then gives that language, or
nothing when nobody featured has it in the roster; a number, its digits in that language.
``{name.primary}`` is the name in the first language of the campaign's ``languages:`` (default:
its accounts' languages as they come; then Khmer, English) that the person has: the Khmer name
in Cambodia, the Belarusian one with ``languages: [be, en]``, the Thai one with ``[th, en]``.
``{name.secondary}`` is the name in the card's (or caption's) language when it differs, else in
the next language of the order; nothing when no other name differs. ``{campaign.name}`` is
``{campaign}``, the campaign's name in the text's language (``name: {en: ..., km: ...}``; an alt
text in English on a Khmer card says the English name).

Several people: ``{name}``, ``{group}`` and ``{role}`` list everyone ("A, B and C" / "A B និង C");
a fact that differs between them is said with each name ("Rong Chhun (15 months and 11 days),
Sar Kanika (1 year and 3 days)"), a fact they share once.

The caption names of before stay as aliases (:data:`ALIASES`): ``{names}`` = ``{name}``,
``{name_en}`` = ``{name.en}``, ``{name_km}`` = ``{name.km}``, ``{duration}`` = ``{detained}``,
``{days}`` = ``{days_detained}``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Literal

from .sources import braced, did_you_mean
from .types import LANG_RE
from .words import LANGUAGES, supported


@dataclass(frozen=True)
class Field:
    """One field of the vocabulary."""

    name: str
    about: str  # what it says, for `campaign fields` and the README
    kind: Literal["text", "number", "plain"]  # text and number take .xx; plain takes no language
    person: bool = False  # a fact about the people featured (`when: {has: [...]}` may test it)
    attrs: tuple[str, ...] = ()  # attributes other than a language: {name.primary}, {campaign.name}
    empty: str = ""  # why it is empty for someone, in roster.yaml's words ("" when it never is)


VOCABULARY: tuple[Field, ...] = (
    Field("name", "the names of the people featured", "text", True, ("primary", "secondary")),
    Field("group", "their group", "text", True, empty="no group"),
    Field("role", "their role", "text", True, empty="no role"),
    Field("status", "detained, imprisoned, released or at liberty, on the post's date", "text", True),
    Field("case", "the current detention's case: charged with X, convicted of X, sentenced to 2 years for X; "
          "nothing when no charge is recorded", "text", True, empty="no charge recorded"),
    Field("case_label", "{case} without the charge, to set above {charge}", "text", True, empty="no charge recorded"),
    Field("charge", "the current detention's charge", "text", True, empty="no charge recorded"),
    Field("sentence", "the current detention's sentence, in years", "text", True, empty="not sentenced"),
    Field("detained", "time behind bars (\"... in all\" over several detentions; \"less than a day\" on the "
          "day of the arrest)", "text", True,
          empty="never detained"),
    Field("since", "the date the current (or last) detention began", "text", True, empty="never detained"),
    Field("days_detained", "days behind bars, in all", "number", True),
    Field("months_detained", "whole months behind bars, in all", "number", True),
    Field("convicted_on", "the date of the current detention's conviction", "text", True, empty="not convicted"),
    Field("released_on", "the date of the release", "text", True, empty="not released"),
    Field("release_note", "the release event's note", "text", True, empty="no note on the release"),
    Field("charges_remain", "\"the charges remain\", when the release event says charges: kept", "text", True,
          empty="charges not recorded as kept"),
    Field("charges_dropped", "\"the charges were dropped\", when the release event says charges: dropped", "text",
          True, empty="charges not recorded as dropped"),
    Field("next_hearing", "the date of the next hearing", "text", True, empty="no hearing ahead"),
    Field("count", "how many people the post features", "number"),
    Field("week", "the campaign week of the post", "number"),
    Field("campaign", "the campaign's name (also {campaign.name})", "plain", attrs=("name",)),
    Field("organisation", "the posting account's organisation", "plain"),
    Field("hashtags", "the campaign's hashtags", "plain"),
    Field("url", "the campaign page's address (url: in campaign.yaml)", "plain", empty="no url in campaign.yaml"),
)
FIELDS: dict[str, Field] = {f.name: f for f in VOCABULARY}
# The caption names of before: each stands for the field written on its right.
ALIASES: dict[str, str] = {
    "names": "name", "name_en": "name.en", "name_km": "name.km", "duration": "detained", "days": "days_detained",
}
PERSON_FIELDS = tuple(f.name for f in VOCABULARY if f.person and f.kind == "text")
NAMES = (*FIELDS, *ALIASES)  # every name a format string may use

_FORMATTER = string.Formatter()


# --- checking -----------------------------------------------------------------------------------


def used(text: str) -> list[str]:
    """The fields ``text`` uses, as written (``name.km``), once each; [] if it does not parse."""
    try:
        return list(dict.fromkeys(name for _, name, _, _ in _FORMATTER.parse(text) if name))
    except ValueError:
        return []


def resolve(written: str) -> tuple[str, str]:
    """The field and attribute a name stands for: ``name_km`` -> ("name", "km"), ``days`` -> ("days_detained", "")."""
    root, _, attr = written.partition(".")
    if root in ALIASES:
        target_root, _, target_attr = ALIASES[root].partition(".")
        return target_root, target_attr or attr
    return root, attr


def check(text: str) -> list[str]:
    """Every problem with ``text`` as a caption, text layer or alt text ([] if none): each unknown
    or misused field once, with did-you-mean."""
    try:
        parsed = list(_FORMATTER.parse(text))
    except ValueError as exc:
        return [f"not a valid format string ({exc}); write {{{{ and }}}} for literal braces"]
    out: list[str] = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        problem = _problem(name, spec, conversion)
        if problem and problem not in out:
            out.append(problem)
    return out


def _problem(name: str, spec: str | None, conversion: str | None) -> str | None:
    root, *attrs = name.split(".")
    if not root or root.isdigit():
        return "a field needs a name, e.g. {name}"
    if "[" in name:
        return f"{{{name}}}: write a field as {{{root.split('[')[0]}}} or {{{root.split('[')[0]}.LANG}}"
    if root not in FIELDS and root not in ALIASES:
        return (f"unknown field {{{root}}}{did_you_mean(root, NAMES, show=braced)}; known: {', '.join(FIELDS)}; "
                f"older caption names: {', '.join(ALIASES)}")
    if spec or conversion:
        return f"{{{name}}}: no format spec or conversion is allowed"
    if len(attrs) > 1:
        return f"{{{name}}}: write a field as {{{root}}} or {{{root}.LANG}}"
    if not attrs:
        return None
    attr = attrs[0]
    if "." in ALIASES.get(root, ""):
        return f"{{{name}}}: {{{root}}} stands for {{{ALIASES[root]}}}; write {{{ALIASES[root].split('.')[0]}.{attr}}}"
    field = FIELDS[resolve(root)[0]]
    if attr in field.attrs:
        return None
    if field.kind == "plain":
        return (f"{{{name}}}: {root} has only .{' .'.join(field.attrs)}" if field.attrs
                else f"{{{name}}}: {root} takes no attribute")
    if not LANG_RE.match(attr):
        also = f" or {'/'.join(field.attrs)}" if field.attrs else ""
        return f"{{{name}}}: .{attr} is not a language code{also}"
    if not supported(attr):
        return (f"{{{name}}}: the project has no words for {attr!r} (it writes {', '.join(LANGUAGES)}); "
                "use one of these, or add the language to campaign/words.py")
    return None
