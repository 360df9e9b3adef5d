"""Small value types shared by the campaign, roster and template models."""

from __future__ import annotations

import functools
import locale
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, PlainSerializer, RootModel, field_validator

from . import words
from .sources import did_you_mean

LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def language_problem(lang: str) -> str | None:
    """Why nothing can be written in ``lang`` (not a language code, or one the project has no words
    for: :mod:`campaign.words`), with a did-you-mean; None when the project can write it. The one
    check of a language a card or a text is written in (``lang:``, ``when: {language: ..}``, the
    keys of ``text: {en: .., km: ..}`` and of ``alt:``, an account's ``language:``)."""
    if LANG_RE.match(lang) and words.supported(lang):
        return None
    spoken = _spoken_in(lang)
    hint = (f" (did you mean {' or '.join(map(repr, spoken))}? {lang!r} is a country code)"
            if spoken else did_you_mean(lang.lower(), words.LANGUAGES))
    if not LANG_RE.match(lang):
        return f"{lang!r} is not a language code{hint}; {words.can_write()}"
    return f"the project has no words for the language {lang!r}{hint}; {words.can_write()}"


def _spoken_in(code: str) -> list[str]:
    """The languages the project writes that are spoken in the country ``code`` (``kh``: Cambodia,
    ``km``), when ``code`` is a country's code and no language's (by Python's table of locales)."""
    pairs = _locales()
    if any(lang == code.lower() for lang, _ in pairs):
        return []  # a language's code (uk: Ukrainian), whatever country shares it (UK)
    return [lang for lang in words.LANGUAGES if (lang, code.upper()) in pairs]


@functools.cache
def _locales() -> frozenset[tuple[str, str]]:
    """(language, country) of every locale Python knows: ("km", "KH"), ("en", "GB")..."""
    tags = {value.split(".")[0].split("@")[0] for value in locale.locale_alias.values()}
    return frozenset((lang, country) for lang, _, country in (t.partition("_") for t in tags) if country)


KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


class Model(BaseModel):
    """A part of a file read into a model: an unknown key is an error (a typo is never ignored),
    and the values are frozen once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def khmer_digits(text: str) -> str:
    """Write the ASCII digits of ``text`` as Khmer digits (០-៩)."""
    return text.translate(KHMER_DIGITS)


def join_list(items: Sequence[str], lang: str) -> str:
    """``A, B and C`` / ``A B និង C``: the non-empty items once each, joined as the language joins a
    list (:func:`campaign.words.join`; a language the project has no words for is an error)."""
    return words.join(items, lang)


#: Unicode categories that show nothing on their own: spaces, line and paragraph separators, controls,
#: and format characters (zero-width space and joiners, bidirectional controls, soft hyphen...).
INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})


#: Combining marks: drawn on the letter before them, nothing on their own.
MARKS = frozenset({"Mn", "Me"})
_NOTHING_ALONE = INVISIBLE | MARKS
_PLAIN_VISIBLE = re.compile(r"[!-~]")  # a printable ASCII character: the text shows something


def blank(text: str) -> str | None:
    """Why ``text`` would show as nothing on a card (``is empty``, or the invisible characters and
    combining marks it is made of), or None when it shows something."""
    if not text:
        return "is empty"
    if _PLAIN_VISIBLE.search(text) or any(unicodedata.category(c) not in _NOTHING_ALONE for c in text):
        return None
    if any(unicodedata.category(c) in MARKS for c in text):
        return ("shows nothing: it has only combining marks (accents with no letter to sit on"
                f"{', and invisible characters' if any(unicodedata.category(c) in INVISIBLE for c in text) else ''})")
    names = list(dict.fromkeys(f"U+{ord(c):04X} {unicodedata.name(c, 'a control character')}" for c in text))
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"shows nothing: it has only invisible characters ({shown})"


#: The bidirectional overrides (U+202D, U+202E): they draw even Latin or Khmer letters after them in the
#: other order. (Marks, embeddings and isolates stay allowed: they order mixed scripts, not letters.)
_BIDI_OVERRIDES = frozenset("\u202d\u202e")

#: A line break and a tab: the control characters a text may hold (a font draws any other as an empty
#: box; a carriage return also rewrites a terminal's line).
_ALLOWED_CONTROLS = frozenset("\t\n")

#: Bidirectional embeddings and isolates, each closed by its own: a text may order mixed scripts with
#: them, but one left open reorders what follows it (the rest of a caption, the next name on a card).
_BIDI_OPEN = {"\u202a": "\u202c", "\u202b": "\u202c", "\u2066": "\u2069", "\u2067": "\u2069", "\u2068": "\u2069"}
_BIDI_CLOSE = frozenset("\u202c\u2069")

#: Any character :func:`control` refuses, or that opens or closes a bidirectional embedding or isolate.
_SUSPECT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

#: The most combining marks one letter may carry (Unicode's stream-safe text format, UAX #15): more is
#: not a script's writing but marks stacked to spill over the text around it.
MAX_MARKS = 30


#: The longest text a card may be asked to show (a name, a group, a charge, a template's text): far more
#: than fits; Pillow refuses to measure a string of a million characters, and preview crashed on one.
MAX_SHOWN_CHARS = 10_000


def control(text: str) -> str | None:
    """Why ``text`` cannot be shown as written (longer than :data:`MAX_SHOWN_CHARS`; a control character
    such as NUL, BEL or ESC, written as an escape in a quoted YAML string: drawn as an empty box, or as
    nothing), or None."""
    if len(text) > MAX_SHOWN_CHARS:
        return (f"is {len(text):,} characters long, more than the {MAX_SHOWN_CHARS:,} a card can be asked to show; "
                "shorten it")
    if not _SUSPECT.search(text):  # most texts: nothing to look at character by character
        return _stacked(text) if len(text) > MAX_MARKS and not text.isascii() else None
    for pos, c in enumerate(text):
        if c in _BIDI_OVERRIDES:
            return (f"has the bidirectional control U+{ord(c):04X} ({unicodedata.name(c)}) at character {pos + 1} "
                    f"(after {text[max(0, pos - 12):pos]!r}), which draws the letters after it backwards on a card "
                    "(a name \"Rong \\u202eChhun\" is drawn \"Rong nuhhC\"); delete it")
        if unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS:
            return (f"has the control character U+{ord(c):04X} at character {pos + 1} (after {text[max(0, pos - 12):pos]!r}), "
                    "which a card cannot show; delete it (an escape such as \\0, \\a, \\r or \\e in double quotes makes one)")
        if unicodedata.category(c) in ("Zl", "Zp"):
            return (f"has the {unicodedata.name(c).lower()} U+{ord(c):04X} at character {pos + 1} (after "
                    f"{text[max(0, pos - 12):pos]!r}), which a card draws as nothing or a box; delete it")
    return _unbalanced(text) or _stacked(text)


def _unbalanced(text: str) -> str | None:
    """Why ``text``'s bidirectional embeddings and isolates do not pair up, or None."""
    opened: list[tuple[int, str]] = []
    for pos, c in enumerate(text):
        if c in _BIDI_OPEN:
            opened.append((pos, c))
        elif c in _BIDI_CLOSE:
            if not opened or _BIDI_OPEN[opened[-1][1]] != c:
                return (f"has the bidirectional control U+{ord(c):04X} ({unicodedata.name(c)}) at character {pos + 1}, "
                        "closing nothing; delete it")
            opened.pop()
    if opened:
        pos, c = opened[-1]
        return (f"has the bidirectional control U+{ord(c):04X} ({unicodedata.name(c)}) at character {pos + 1} "
                f"(after {text[max(0, pos - 12):pos]!r}), never closed, which reorders what follows it; close it with "
                f"U+{ord(_BIDI_OPEN[c]):04X} or delete it")
    return None


def _stacked(text: str) -> str | None:
    """Why ``text`` stacks more than :data:`MAX_MARKS` combining marks on one letter, or None."""
    run = 0
    for pos, c in enumerate(text):
        run = run + 1 if unicodedata.combining(c) else 0
        if run > MAX_MARKS:
            start = pos - run + 1
            return (f"stacks more than {MAX_MARKS} combining marks on one letter at character {start + 1} (after "
                    f"{text[max(0, start - 12):start]!r}), which spill over the text around it; delete them")
    return None


def require_shown(value: str) -> str:
    """``value`` if it shows something; else a ValueError saying it is empty and what to write."""
    why = blank(value)
    if why:
        raise ValueError(f"{why}; write the text")
    if why := control(value):
        raise ValueError(why)
    return value


Shown = Annotated[str, AfterValidator(require_shown)]  # text shown to people: not empty, not only invisible


def check_texts(value: dict[Any, Any], any_language: bool = False) -> None:
    """Raise ValueError unless ``value`` gives a text that shows something for one or more language
    codes (``any_language``: also ``*``, the text of a plain string)."""
    for key, text in value.items():
        if not isinstance(key, str) or not ((any_language and key == "*") or LANG_RE.match(key)):
            comma = isinstance(key, str) and (" " in key.strip() or len(key) > 12)
            raise ValueError(f"{key!r} is not a language code (use e.g. en, km)" + (
                "; it looks like the rest of a text cut at a comma: put a text with a comma in quotes, e.g. "
                "{en: \"inciting racial, national or social hatred\"}" if comma else ""))
        label = "the text" if key == "*" else f"the {key} text"
        if not isinstance(text, str):
            raise ValueError(f"{label} must be a non-empty string")
        if why := blank(text):
            raise ValueError(f"{label} {why}; write the text")
        if why := control(text):
            raise ValueError(f"{label} {why}")
    if not value:
        raise ValueError("give the text in at least one language, e.g. {en: ..., km: ...}")


class LocalText(RootModel[dict[str, str]]):
    """Text in one or more languages: ``{en: ..., km: ...}``; a plain string counts for every language."""

    @field_validator("root", mode="before")
    @classmethod
    def _accept_plain(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = {"*": value}
        if isinstance(value, dict):
            check_texts(value, any_language=True)
        return value

    def get(self, lang: str, fallback: str | None = "en") -> str:
        """The text in ``lang``; else the language-neutral text; else ``fallback``; else any."""
        texts = self.root
        for key in (lang, "*", fallback):
            if key and key in texts:
                return texts[key]
        return next(iter(texts.values()), "")

    def has(self, lang: str) -> bool:
        return lang in self.root or "*" in self.root

    def __str__(self) -> str:
        return self.get("en")


def title_in(titles: Sequence[tuple[str, str]], lang: str) -> str:
    """A name given per language (``(language, name)`` pairs; ``"*"``: any other language) in
    ``lang``, else in its base language (``pt`` for ``pt-BR``), else the one for any language."""
    names = dict(titles)
    return names.get(lang) or names.get(lang.split("-", 1)[0]) or names.get("*", "")


_DURATION_RE = re.compile(r"(\d+)\s*(w|d|h|m|s)", re.I)
_DURATION_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_UNIT_SECONDS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}


#: The longest duration a campaign file may give (a stagger, a lateness, a review window): longer is a
#: typo, and a date plus it could pass the year 9999.
MAX_DURATION = timedelta(days=366)


def parse_duration(value: Any) -> timedelta:
    """``"6h"``, ``"1h30m"``, ``"2d"``, ``"45m"`` or a number of seconds -> timedelta, from zero up to
    :data:`MAX_DURATION` (a negative stagger would post before the slot, a release before its day)."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 0 <= value <= MAX_DURATION.total_seconds():  # also NaN
            raise ValueError(f"{value!r} seconds is not a duration from 0 to {MAX_DURATION.days} days; "
                             "write it like 6h, 30m, 2d or 1h30m")
        return timedelta(seconds=value)
    if not isinstance(value, str):
        raise ValueError("a duration is written like 6h, 30m, 2d or 1h30m")
    text = value.strip().replace(" ", "")
    parts = _DURATION_RE.findall(text)
    if not parts or "".join(n + u for n, u in parts).lower() != text.lower():
        raise ValueError(f"{value!r} is not a duration; write it like 6h, 30m, 2d or 1h30m")
    kwargs: dict[str, int] = {}
    for number, unit in parts:
        name = _DURATION_UNITS[unit.lower()]
        kwargs[name] = kwargs.get(name, 0) + int(number)
    if sum(n * _UNIT_SECONDS[unit] for unit, n in kwargs.items()) > MAX_DURATION.total_seconds():
        raise ValueError(f"{value!r} is longer than {MAX_DURATION.days} days; write it like 6h, 30m, 2d or 1h30m")
    return timedelta(**kwargs)


def format_duration(delta: timedelta) -> str:
    """The inverse of parse_duration, for display: ``1h30m``."""
    seconds = int(delta.total_seconds())
    if seconds == 0:
        return "0m"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        n, seconds = divmod(seconds, size)
        if n:
            out.append(f"{n}{unit}")
    return "".join(out)


Duration = Annotated[timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)]


def parse_time(value: Any) -> Any:
    """``"10:00"`` -> a time of day (other values are left to pydantic)."""
    if isinstance(value, str):
        m = re.match(r"^(\d{1,2}):(\d{2})$", value.strip())
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise ValueError(f"{value!r} is not a time of day; write it as HH:MM, e.g. 10:00")
        return time(int(m.group(1)), int(m.group(2)))
    return value


LocalTime = Annotated[time, BeforeValidator(parse_time)]


def number(n: int, lang: str) -> str:
    """``n`` in the language's digits (Khmer: ០-៩); see :func:`campaign.words.digits`."""
    return words.digits(n, lang)


def format_date(d: date, lang: str) -> str:
    """``12 November 2021`` / ``១២ វិច្ឆិកា ២០២១``; see :func:`campaign.words.date_text`."""
    return words.date_text(d, lang)
