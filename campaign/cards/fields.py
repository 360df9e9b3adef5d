"""The values a template's text and alt format strings may use: :mod:`campaign.fields`, the one
vocabulary of captions, cards and alt text, plus how a card fills them in (:func:`fill`).

``{name.km}`` is the Khmer name or nothing; bare ``{name}`` is the name in the layer's language
(falling back to English); ``{name.primary}``/``{name.secondary}`` are the Khmer and English
names when both exist (else the one that does, and nothing). Numbers written in Khmer use Khmer
digits. On a card featuring several people, person fields join every person's value
("A, B and C" / "A B និង C"), and a fact that differs between them is said with each name.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Sequence
from typing import Any

from ..fields import Number, Post
from ..fields import namespace as _namespace
from ..roster import Facts
from ..types import format_date
from ..words import DurationUnit

__all__ = ["Number", "fill", "format_date", "namespace"]


def namespace(people: Sequence[Facts], lang: str, *, week: int, count: int | None = None,
              campaign: str = "", organisation: str = "", durations: DurationUnit = "years",
              hashtags: Sequence[str] = ()) -> dict[str, Any]:
    """Every field a format string may use, for ``people`` in the language ``lang``; time behind
    bars is said in ``durations`` (the campaign's choice: years or months)."""
    return _namespace(people, lang, Post(week=week, count=count, campaign=campaign, organisation=organisation,
                                         hashtags=tuple(hashtags), durations=durations))


_KHMER = re.compile(r"[\u1780-\u17ff]")
_LATIN = re.compile(r"[A-Za-z]")
_EMPTY = "\x00"  # where a field gave nothing, while the text is tidied


class _Formatter(string.Formatter):
    """Marks where a field gave nothing, so tidying removes only what an empty field left behind
    (a French "En détention : {detained}" keeps its space before the colon)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        return format(value, format_spec) or _EMPTY


_FORMATTER = _Formatter()


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
        values = {k: v.in_digits_of(script) if isinstance(v, Number) and v.lang != script else v
                  for k, v in values.items()}
    text = _FORMATTER.vformat(template, (), values)
    if "{" not in template:
        return text.replace(_EMPTY, "")
    text = re.sub(rf"\((?:\s*{_EMPTY})+\s*\)", _EMPTY, text)  # "({group})" with no group: itself empty
    text = re.sub(rf"(?:[ \t]*{_EMPTY})+[ \t]*(?=[,.;:!?\u17d4])", "", text)
    text = text.replace(_EMPTY, "")
    text = re.sub(r"([,;:])(?=[,.;:!?\u17d4])", "", text)
    text = re.sub(r"^[,;:.\s]+", "", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip(" ")


def texts_of(spec: Any) -> list[tuple[tuple[Any, ...], str | dict[str, str]]]:
    """Every text of a template (a TemplateSpec) with where it is: text and badge layers, grid
    labels, alt texts; each a format string or one per language."""
    out: list[tuple[tuple[Any, ...], str | dict[str, str]]] = []
    for i, layer in enumerate(spec.layers):
        inner = layer.spec
        if layer.kind in ("text", "badge"):
            out.append((("layers", i, layer.kind, "text"), inner.text))
        elif layer.kind == "grid" and inner.label is not None:
            out.append((("layers", i, "grid", "label", "text"), inner.label.text))
    if isinstance(spec.alt, dict):
        out.append((("alt",), spec.alt))
    else:
        out.extend((("alt", i, "text"), rule.text) for i, rule in enumerate(spec.alt))
    return out


def fields_used(spec: Any) -> set[str]:
    """The fields (not aliases: ``days`` counts as ``days_detained``) any text of a template uses."""
    from ..fields import resolve, used

    found: set[str] = set()
    for _, text in texts_of(spec):
        for one in (text.values() if isinstance(text, dict) else [text]):
            found.update(resolve(name)[0] for name in used(one))
    return found
