"""The values a template's text and alt format strings may use, in the right language.

``{name.km}`` is the Khmer name or nothing; bare ``{name}`` is the name in the layer's language
(falling back to English); ``{name.primary}``/``{name.secondary}`` are the Khmer and English
names when both exist (else the one that does, and nothing). Numbers written in Khmer use Khmer
digits. On a card featuring several people, person fields join every person's value
("A, B and C" / "A B និង C").
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Sequence
from typing import Any, Literal

from ..roster import Facts
from ..types import LocalText, format_date, join_list, number
from ..words import DurationUnit, charges_text, status_text

class Local:
    """A value in several languages: formats in the layer's language; ``.km``/``.en`` are strict."""

    __slots__ = ("_get", "_has", "_lang")

    def __init__(self, get: Callable[[str], str], has: Callable[[str], bool], lang: str):
        self._get, self._has, self._lang = get, has, lang

    def __format__(self, spec: str) -> str:
        return self._get(self._lang)

    def __str__(self) -> str:
        return self._get(self._lang)

    def __getattr__(self, attr: str) -> str:
        if attr.startswith("_"):
            raise AttributeError(attr)
        if attr == "primary":
            return self._get("km") if self._has("km") else self._get("en")
        if attr == "secondary":
            if self._has("km") and self._has("en"):
                first, second = self._get("km"), self._get("en")
                return "" if second == first else second
            return ""
        return self._get(attr) if self._has(attr) else ""


class Number:
    """A count: Khmer digits in Khmer, ASCII otherwise; ``.km``/``.en`` force a language."""

    __slots__ = ("_n", "_lang")

    def __init__(self, n: int, lang: str):
        self._n, self._lang = n, lang

    def __format__(self, spec: str) -> str:
        return number(self._n, self._lang)

    def __getattr__(self, attr: str) -> str:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return number(self._n, attr)


class Campaign:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __format__(self, spec: str) -> str:
        return self.name


def _local_text(get: Callable[[Facts], LocalText | None], people: Sequence[Facts], lang: str) -> Local:
    def value(lg: str) -> str:
        return join_list([t.get(lg) for f in people if (t := get(f)) is not None], lg)

    def has(lg: str) -> bool:
        return any((t := get(f)) is not None and t.has(lg) for f in people)

    return Local(value, has, lang)


def _computed(get: Callable[[Facts, str], str | None], people: Sequence[Facts], lang: str) -> Local:
    def value(lg: str) -> str:
        return join_list([v for f in people if (v := get(f, lg))], lg)

    return Local(value, lambda lg: any(get(f, lg) for f in people), lang)


def _charges(f: Facts, what: Literal["kept", "dropped"], lang: str) -> str | None:
    if f.status.value != "released" or f.charges_after_release != what:
        return None
    return charges_text(what, lang)


def namespace(people: Sequence[Facts], lang: str, *, week: int, count: int | None = None,
              campaign: str = "", organisation: str = "", durations: DurationUnit = "years") -> dict[str, Any]:
    """Every field a format string may use, for ``people`` in the language ``lang``; time behind
    bars is said in ``durations`` (the campaign's choice: years or months)."""
    one = people[0] if len(people) == 1 else None
    return {
        "name": _local_text(lambda f: f.person.name, people, lang),
        "names": _local_text(lambda f: f.person.name, people, lang),
        "group": _local_text(lambda f: f.person.group, people, lang),
        "role": _local_text(lambda f: f.person.role, people, lang),
        "charge": _local_text(lambda f: f.charge, people, lang),
        "release_note": _local_text(lambda f: f.release_note, people, lang),
        "sentence": _computed(lambda f, lg: f.sentence.text(lg) if f.sentence else None, people, lang),
        "detained": _computed(lambda f, lg: f.detained_text(lg, durations) if f.detentions else None, people, lang),
        # the state of the current detention's case: "sentenced to 2 years for incitement", and
        # the same without the charge, as a label set above it ("sentenced to 2 years for")
        "case": _computed(lambda f, lg: f.case_text(lg), people, lang),
        "case_label": _computed(lambda f, lg: f.case_label(lg), people, lang),
        "released_on": _computed(lambda f, lg: format_date(f.released_on, lg) if f.released_on else None, people, lang),
        "convicted_on": _computed(lambda f, lg: format_date(f.convicted_on, lg) if f.convicted_on else None, people, lang),
        # what became of the charges, only where the roster's release event records it
        "charges_remain": _computed(lambda f, lg: _charges(f, "kept", lg), people, lang),
        "charges_dropped": _computed(lambda f, lg: _charges(f, "dropped", lg), people, lang),
        "next_hearing": _computed(lambda f, lg: format_date(f.next_hearing, lg) if f.next_hearing else None, people, lang),
        "status": _computed(lambda f, lg: status_text(f.status.value, lg), people, lang),
        "days_detained": Number(one.days_detained if one else max((f.days_detained for f in people), default=0), lang),
        "months_detained": Number(one.months_detained if one else 0, lang),
        "week": Number(week, lang),
        "count": Number(len(people) if count is None else count, lang),
        "campaign": Campaign(campaign),
        "organisation": organisation,
    }


_FORMATTER = string.Formatter()
_KHMER = re.compile(r"[\u1780-\u17ff]")
_LATIN = re.compile(r"[A-Za-z]")


@functools.lru_cache(maxsize=1024)
def _script_of(template: str) -> str | None:
    """"km" or "en" if the words written in the template (not its fields) are all in one
    script, else None."""
    literal = "".join(text for text, _, _, _ in _FORMATTER.parse(template))
    khmer, latin = bool(_KHMER.search(literal)), bool(_LATIN.search(literal))
    return "km" if khmer and not latin else "en" if latin and not khmer else None


def fill(template: str, values: dict[str, Any]) -> str:
    """Format a (validated) template string, tidying what empty fields leave behind
    (double spaces, "()", a comma before a full stop).

    Numbers are written in the digits of the words around them: "{count} DEFENDERS STILL HELD"
    gets ASCII digits on a Khmer card, "សប្តាហ៍ទី {week}" Khmer digits on an English one; with
    no words around them, the layer's language decides."""
    script = _script_of(template)
    if script is not None:
        values = {k: Number(v._n, script) if isinstance(v, Number) and v._lang != script else v
                  for k, v in values.items()}
    text = _FORMATTER.vformat(template, (), values)
    if "{" not in template:
        return text
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"[ \t]+([,.;:!?\u17d4])", r"\1", text)
    text = re.sub(r"([,;:])(?=[,.;:!?\u17d4])", "", text)
    text = re.sub(r"^[,;:.\s]+", "", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip(" ")
