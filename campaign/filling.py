"""Filling a format string with the fields of :mod:`campaign.fields`, as captions, card texts and alt
texts are: what an empty field leaves behind is tidied away (no "( )", no ", ." and no second full
stop), and on a card a number takes the digits of the words around it. Pure."""

from __future__ import annotations

import functools
import re
import string
from typing import Any

from .fields import LazyFields, Number


_KHMER = re.compile(r"[\u1780-\u17ff]")
_LATIN = re.compile(r"[A-Za-z]")
_EMPTY = "\x00"  # where a field gave nothing, while the text is tidied


class _Formatter(string.Formatter):
    """Marks where a field gave nothing, so tidying removes only what an empty field left behind
    (a French "En détention : {detained}" keeps its space before the colon)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        return format(value, format_spec) or _EMPTY


_FORMATTER = _Formatter()


class _Marked:
    """A value as :class:`_Formatter` gives it, for ``str.format_map`` (in C, several times faster
    than string.Formatter): formats to what it says, or to the empty-field mark; so does an attribute."""

    __slots__ = ("_value",)

    def __init__(self, value: Any):
        self._value = value

    def __format__(self, spec: str) -> str:
        return format(self._value, spec) or _EMPTY

    def __getattr__(self, attr: str) -> _Marked:
        return _Marked(getattr(self._value, attr))


class _Marking:
    """``values`` seen through :class:`_Marked`, numbers in the digits of ``script`` (if given)."""

    __slots__ = ("_values", "_script")

    def __init__(self, values: dict[str, Any], script: str | None):
        self._values, self._script = values, script

    def __getitem__(self, key: str) -> _Marked:
        value = self._values[key]
        if self._script is not None and isinstance(value, Number) and value.lang != self._script:
            value = value.in_digits_of(self._script)
        return _Marked(value)


@functools.lru_cache(maxsize=1024)
def _plain_fields(template: str) -> bool:
    """Whether every field of ``template`` is a name with at most attributes (no spec, conversion
    or index): what the templates' check allows, and what ``str.format_map`` formats the same."""
    return all(name is None or (not spec and not conversion and "[" not in name and name)
               for _, name, spec, conversion in _FORMATTER.parse(template))


@functools.lru_cache(maxsize=1024)
def _script_of(template: str) -> str | None:
    """"km" or "en" if the words written in the template (not its fields) are all in one
    script, else None."""
    literal = "".join(text for text, _, _, _ in _FORMATTER.parse(template))
    khmer, latin = bool(_KHMER.search(literal)), bool(_LATIN.search(literal))
    return "km" if khmer and not latin else "en" if latin and not khmer else None


def fill(template: str, values: dict[str, Any], digits_by_words: bool = True) -> str:
    """Format a (validated) template string, tidying what empty fields leave behind
    (double spaces, "()", a comma before a full stop, a sentence of its own's full stop).

    ``digits_by_words`` (a card's texts and alt texts): numbers are written in the digits of the
    words around them: "{count} DEFENDERS STILL HELD" gets ASCII digits on a Khmer card,
    "សប្តាហ៍ទី {week}" Khmer digits on an English one; with no words around them, the layer's
    language decides. Otherwise (a caption) in the digits of ``values``' language."""
    script = _script_of(template) if digits_by_words else None
    if _plain_fields(template):
        text = template.format_map(_Marking(values, script))
    else:
        if isinstance(values, LazyFields):
            values = values.whole()  # string.Formatter may ask anything of it; the numbers are converted below
        if script is not None:
            values = {k: v.in_digits_of(script) if isinstance(v, Number) and v.lang != script else v
                      for k, v in values.items()}
        text = _FORMATTER.vformat(template, (), values)
    if "{" not in template:
        return text.replace(_EMPTY, "")
    if _EMPTY in text:
        text = _EMPTY_GROUP.sub(_EMPTY, text)  # "({group})" with no group: itself empty
        text = _EMPTY_SENTENCE.sub(r"\1", text)  # ". {release_note}." with no note: one full stop
        text = _EMPTY_BEFORE_PUNCTUATION.sub("", text)
        text = text.replace(_EMPTY, "")
    text = _DOUBLE_SEPARATOR.sub(r"\1", text)  # "A: {x}; B" without x: "A: B"
    text = _DOUBLE_PUNCTUATION.sub("", text)  # "A, {x}." without x: "A."
    text = _LEADING_PUNCTUATION.sub("", text)
    return _SPACES.sub(" ", text).strip(" ")


_EMPTY_GROUP = re.compile(rf"\((?:\s*{_EMPTY})+\s*\)")
_EMPTY_SENTENCE = re.compile(rf"(?<=[.!?\u17d4])((?:[ \t]*{_EMPTY})+)[ \t]*[.\u17d4]")
_EMPTY_BEFORE_PUNCTUATION = re.compile(rf"(?:[ \t]*{_EMPTY})+[ \t]*(?=[,.;:!?\u17d4])")
_DOUBLE_SEPARATOR = re.compile(r"([,;:])[,;:]+")
_DOUBLE_PUNCTUATION = re.compile(r"[,;:](?=[.!?\u17d4])")
_LEADING_PUNCTUATION = re.compile(r"^[,;:.\s]+")
_SPACES = re.compile(r"[ \t]{2,}")


def fill_caption(template: str, values: dict[str, Any]) -> str:
    """A (checked) caption variant filled in with ``values`` (numbers in their language's digits)."""
    return fill(template, values, digits_by_words=False).strip()


__all__ = ["fill", "fill_caption"]
