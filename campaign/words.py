"""The words of every language the project can write, declared here and nowhere else.

A language is *supported* when this module has its words: units of time with their plural rule,
how a list is joined, its digits, month names, the words for a person's status and for the state
of their case. :data:`LANGUAGES` lists them; :func:`supported` says whether a code is one of them
(a regional code such as ``fr-CA`` uses its language's words). Nothing falls back to English: asking
for the words of a language the project does not have raises :class:`UnknownLanguage`, so a
Belarusian caption never gets an English duration.

Durations read as people write them: ``6 years, 7 months and 21 days``, ``1 year``,
``3 months and 2 days``; time behind bars on the day of the arrest is ``less than a day``. Time behind bars is said in years by default; a campaign may ask for
months (``durations: months`` in ``campaign.yaml``: ``15 months and 11 days``). Sentences are
always said in years: ``1 year and 8 months (suspended)``.

To add a language, add one :class:`Words` entry to :data:`_WORDS` (every field is required) and
a line to the tests in ``tests/test_words.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

DurationUnit = Literal["years", "months"]
UNITS: tuple[DurationUnit, ...] = ("years", "months")
Stage = Literal["charged", "convicted", "sentenced"]


class UnknownLanguage(ValueError):
    """The project has no words for a language (so it cannot write durations, dates or statuses in it)."""

    def __init__(self, lang: str):
        self.lang = lang
        super().__init__(f"the project has no words for the language {lang!r} (it can write: "
                         f"{_listed()}); use one of these, or add the language to campaign/words.py")


def _listed() -> str:
    return ", ".join(f"{c} ({_WORDS[c].name})" for c in LANGUAGES)


def can_write() -> str:
    """What to write instead of a language the project cannot write in, for messages."""
    return f"write one the project can write: {_listed()} (or add the language to campaign/words.py)"


@dataclass(frozen=True)
class Words:
    """Everything the project writes in one language."""

    code: str
    name: str  # the language's English name, for messages
    plural: Callable[[int], int]  # n -> index into a unit's forms
    year: tuple[str, ...]
    month: tuple[str, ...]
    day: tuple[str, ...]
    sep: str  # between the items of a list but the last two: ", "
    last_sep: str  # between the last two: " and "
    digits: str  # the ten digits, 0 to 9
    months: tuple[str, ...]  # month names as written in a date ("12 November 2021")
    date: str  # "{day} {month} {year}"
    status: dict[str, str]  # at_liberty, detained, imprisoned, released
    suspended: str  # after a suspended sentence: "(suspended)"
    case: dict[str, str]  # charged, convicted, sentenced: with {charge} (and {sentence})
    case_bare: dict[str, str]  # convicted, sentenced: when no charge is known
    in_all: str  # "{duration} in all": time behind bars summed over several detentions
    charges: dict[str, str]  # kept, dropped: what became of the charges after a release
    under_a_day: str  # time behind bars on the day of the arrest: "less than a day", never "0 days"
    first_day: str | None = None  # how the 1st of a month is written, if not as a plain number ("1er")


def _one_other(n: int) -> int:
    return 0 if n == 1 else 1


def _invariant(n: int) -> int:
    return 0


def _east_slavic(n: int) -> int:
    """CLDR's one / few / many: 1, 21, 31 год; 2-4, 22-24 гады; 0, 5-20, 25-30 гадоў."""
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


def _zero_one_other(n: int) -> int:
    """French: 0 and 1 take the singular (0 jour, 1 an), 2 and more the plural."""
    return 0 if n in (0, 1) else 1


ASCII_DIGITS = "0123456789"

_WORDS: dict[str, Words] = {w.code: w for w in (
    Words(
        code="en", name="English", plural=_one_other,
        year=("year", "years"), month=("month", "months"), day=("day", "days"),
        sep=", ", last_sep=" and ", digits=ASCII_DIGITS,
        months=("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"),
        date="{day} {month} {year}",
        status={"at_liberty": "at liberty", "detained": "detained", "imprisoned": "imprisoned",
                "released": "released"},
        suspended="(suspended)",
        case={"charged": "charged with {charge}", "convicted": "convicted of {charge}",
              "sentenced": "sentenced to {sentence} for {charge}"},
        case_bare={"convicted": "convicted", "sentenced": "sentenced to {sentence}"},
        in_all="{duration} in all",
        charges={"kept": "the charges remain", "dropped": "the charges were dropped"},
        under_a_day="less than a day",
    ),
    Words(
        code="km", name="Khmer", plural=_invariant,
        year=("ឆ្នាំ",), month=("ខែ",), day=("ថ្ងៃ",),
        sep=" ", last_sep=" និង ", digits="០១២៣៤៥៦៧៨៩",
        months=("មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា", "កក្កដា", "សីហា", "កញ្ញា", "តុលា",
                "វិច្ឆិកា", "ធ្នូ"),
        date="{day} {month} {year}",
        status={"at_liberty": "មានសេរីភាព", "detained": "ជាប់ឃុំ", "imprisoned": "ជាប់ពន្ធនាគារ",
                "released": "ត្រូវបានដោះលែង"},
        suspended="(ព្យួរទោស)",
        case={"charged": "ការចោទប្រកាន់ពីបទ{charge}", "convicted": "ត្រូវបានផ្តន្ទាទោសពីបទ{charge}",
              "sentenced": "ត្រូវបានកាត់ទោស {sentence} ពីបទ{charge}"},
        case_bare={"convicted": "ត្រូវបានផ្តន្ទាទោស", "sentenced": "ត្រូវបានកាត់ទោស {sentence}"},
        in_all="សរុប {duration}",
        charges={"kept": "ការចោទប្រកាន់នៅតែមាន", "dropped": "ការចោទប្រកាន់ត្រូវបានលុបចោល"},
        under_a_day="តិចជាងមួយថ្ងៃ",  # "less than one day"
    ),
    Words(
        # Belarusian. Status and case are written as nouns ("абвінавачанне: ...") so that they
        # need neither the person's gender nor the charge's grammatical case.
        code="be", name="Belarusian", plural=_east_slavic,
        year=("год", "гады", "гадоў"), month=("месяц", "месяцы", "месяцаў"), day=("дзень", "дні", "дзён"),
        sep=", ", last_sep=" і ", digits=ASCII_DIGITS,
        months=("студзеня", "лютага", "сакавіка", "красавіка", "мая", "чэрвеня", "ліпеня", "жніўня",
                "верасня", "кастрычніка", "лістапада", "снежня"),
        date="{day} {month} {year}",
        status={"at_liberty": "на волі", "detained": "пад вартай", "imprisoned": "у зняволенні",
                "released": "на волі пасля вызвалення"},
        suspended="(умоўна)",
        case={"charged": "абвінавачанне: {charge}", "convicted": "асуджэнне: {charge}",
              "sentenced": "прысуд: {sentence}, абвінавачанне: {charge}"},
        case_bare={"convicted": "асуджэнне", "sentenced": "прысуд: {sentence}"},
        in_all="усяго {duration}",
        charges={"kept": "абвінавачанне не знята", "dropped": "абвінавачанне знята"},
        under_a_day="менш за дзень",
    ),
    Words(
        # French. Status and case avoid words that agree with the person's gender.
        code="fr", name="French", plural=_zero_one_other,
        year=("an", "ans"), month=("mois", "mois"), day=("jour", "jours"),
        sep=", ", last_sep=" et ", digits=ASCII_DIGITS,
        months=("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                "octobre", "novembre", "décembre"),
        date="{day} {month} {year}", first_day="1er",
        status={"at_liberty": "en liberté", "detained": "en détention", "imprisoned": "en prison",
                "released": "de nouveau libre"},
        suspended="(avec sursis)",
        case={"charged": "inculpation pour {charge}",  # a noun: true while the case lasts and after it is dropped
              "convicted": "condamnation pour {charge}",
              "sentenced": "condamnation à {sentence} pour {charge}"},
        case_bare={"convicted": "condamnation", "sentenced": "condamnation à {sentence}"},
        in_all="{duration} au total",
        charges={"kept": "les poursuites sont maintenues", "dropped": "les poursuites ont été abandonnées"},
        under_a_day="moins d'un jour",
    ),
)}

LANGUAGES: tuple[str, ...] = tuple(_WORDS)


def _base(lang: str) -> str:
    return lang.split("-", 1)[0].lower()


def supported(lang: str) -> bool:
    """Whether the project can write in ``lang`` (``fr-CA`` counts as ``fr``)."""
    return lang in _WORDS or _base(lang) in _WORDS


def words(lang: str) -> Words:
    """The words of ``lang``; :class:`UnknownLanguage` if the project has none."""
    found = _WORDS.get(lang)  # the usual case, "km" or "en": no need to take the tag apart
    if found is None:
        found = _WORDS.get(_base(lang))
    if found is None:
        raise UnknownLanguage(lang)
    return found


# --- numbers, lists, dates --------------------------------------------------------------------


def digits(value: int | str, lang: str) -> str:
    """The ASCII digits of ``value`` written in the language's digits (Khmer: ០-៩)."""
    table = words(lang).digits
    text = str(value)
    if table == ASCII_DIGITS:
        return text
    return text.translate(str.maketrans(ASCII_DIGITS, table))


def join(items: Sequence[str], lang: str) -> str:
    """``A, B and C`` / ``A B និង C`` / ``A, B і C``: the non-empty items, once each."""
    w = words(lang)
    if len(items) == 1:  # one person: their value as it is (a card's usual case)
        return items[0] or ""
    unique = list(dict.fromkeys(i for i in items if i))
    if len(unique) <= 1:
        return "".join(unique)
    return w.sep.join(unique[:-1]) + w.last_sep + unique[-1]


def date_text(day: date, lang: str) -> str:
    """``12 November 2021`` / ``១២ វិច្ឆិកា ២០២១`` / ``12 лістапада 2021`` / ``1er mars 2021``."""
    w = words(lang)
    number = w.first_day if day.day == 1 and w.first_day else digits(day.day, lang)
    return w.date.format(day=number, month=w.months[day.month - 1], year=digits(day.year, lang))


# --- durations --------------------------------------------------------------------------------


def count(n: int, unit: Literal["year", "month", "day"], lang: str) -> str:
    """``1 year``, ``2 гады``, ``5 гадоў``, ``១១ ថ្ងៃ``: a number with its unit in the right form."""
    w = words(lang)
    forms: tuple[str, ...] = getattr(w, unit)
    return f"{digits(n, lang)} {forms[min(w.plural(n), len(forms) - 1)]}"


def span(years: int, months: int, days: int, lang: str) -> str:
    """``6 years, 7 months and 21 days``, ``1 year``, ``3 months and 2 days``; zero parts are
    left out, and nothing at all reads ``0 days``."""
    parts = [count(n, unit, lang) for n, unit in ((years, "year"), (months, "month"), (days, "day")) if n]
    if not parts:
        return count(0, "day", lang)
    return join(parts, lang)


def duration(months: int, days: int, lang: str, unit: DurationUnit = "years") -> str:
    """A length of time given in whole months and days, said in years and months (``unit="years"``,
    the default: ``1 year, 3 months and 11 days``) or in months only (``15 months and 11 days``)."""
    if unit not in UNITS:
        raise ValueError(f"durations are said in {' or '.join(UNITS)}, not {unit!r}")
    years, months = divmod(months, 12) if unit == "years" else (0, months)
    return span(years, months, days, lang)


def held(months: int, days: int, lang: str, unit: DurationUnit = "years") -> str:
    """Time behind bars, as :func:`duration` says it, but on the day of the arrest (no whole day
    yet) ``less than a day``: what reads true after "behind bars for" or "Time behind bars:"."""
    return duration(months, days, lang, unit) if months or days else words(lang).under_a_day


def sentence_text(years: int, months: int, days: int, suspended: bool, lang: str) -> str:
    """A prison term as handed down, always in years: ``1 year and 8 months (suspended)``."""
    text = duration(years * 12 + months, days, lang, "years")
    return f"{text} {words(lang).suspended}" if suspended else text


def in_all(text: str, lang: str) -> str:
    """``6 years in all``: time behind bars added up over several detentions."""
    return words(lang).in_all.format(duration=text)


# --- status and case --------------------------------------------------------------------------


def status_text(status: str, lang: str) -> str:
    """``detained`` / ``ជាប់ឃុំ`` / ``пад вартай``: a person's status (a :class:`~campaign.roster.Status` value)."""
    return words(lang).status[status]


def charges_text(what: Literal["kept", "dropped"], lang: str) -> str:
    """``the charges remain`` / ``the charges were dropped``, as a release event records it."""
    return words(lang).charges[what]


_KHMER_END = re.compile(r"[\u1780-\u17ff]$")
_KHMER_START = re.compile(r"[\u1780-\u17ff]")


def case_text(stage: Stage | None, charge: str | None, sentence: str | None, lang: str) -> str:
    """The state of a case in a phrase: ``charged with incitement``, ``convicted of incitement``,
    ``sentenced to 2 years for incitement``; ``sentenced to 2 years`` or ``convicted`` when no
    charge is known; nothing when neither a charge nor a conviction is known."""
    w = words(lang)
    if stage is None:
        return ""
    if stage == "sentenced" and not sentence:
        raise ValueError("a 'sentenced' case needs the sentence's text")
    if charge:
        form = w.case[stage]
        if _KHMER_END.search(form.split("{charge}")[0]) and not _KHMER_START.match(charge):
            charge = " " + charge  # Khmer runs its words together; a Latin charge after it takes a space
        return form.format(charge=charge, sentence=sentence or "")
    if stage == "charged":
        return ""
    return w.case_bare[stage].format(sentence=sentence or "")


def case_label(stage: Stage | None, sentence: str | None, lang: str) -> str:
    """:func:`case_text` without the charge: a label set above the charge on a card
    (``Charged with`` / ``Sentenced to 2 years for``)."""
    if stage is None:
        return ""
    marker = "\x00"
    text = case_text(stage, marker, sentence, lang)
    return text.replace(marker, "").strip(" :,")
