"""The one field vocabulary for captions, card text layers and alt text.

Every caption variant, every text of a card template and every alt text is a format string over
the same fields, written the same way everywhere (:data:`VOCABULARY`; ``campaign fields FOLDER``
lists them with their values for a person and a date)::

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
``{campaign}``, the campaign's name in the post's language (``name: {en: ..., km: ...}``).

Several people: ``{name}``, ``{group}`` and ``{role}`` list everyone ("A, B and C" / "A B និង C");
a fact that differs between them is said with each name ("Rong Chhun (15 months and 11 days),
Sar Kanika (1 year and 3 days)"), a fact they share once.

The caption names of before stay as aliases (:data:`ALIASES`): ``{names}`` = ``{name}``,
``{name_en}`` = ``{name.en}``, ``{name_km}`` = ``{name.km}``, ``{duration}`` = ``{detained}``,
``{days}`` = ``{days_detained}``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .sources import braced, did_you_mean
from .types import LANG_RE
from .words import DurationUnit, LANGUAGES, charges_text, date_text, digits, join, status_text, supported

if TYPE_CHECKING:
    from .definition import Account, Campaign
    from .plan import Slot
    from .roster import Facts
    from .types import LocalText


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
    Field("detained", "time behind bars (\"... in all\" over several detentions)", "text", True,
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


# --- values -------------------------------------------------------------------------------------


class Text:
    """A text field's value: formats in its language; ``.xx`` gives it in language xx, or nothing
    when no one featured has it in xx."""

    __slots__ = ("_get", "_has", "_lang", "_attrs")

    def __init__(self, get: Callable[[str], str], lang: str, has: Callable[[str], bool] | None = None,
                 attrs: dict[str, Callable[[], str]] | None = None):
        self._get, self._lang, self._attrs = get, lang, attrs or {}
        self._has = has or (lambda lg: bool(get(lg)))

    def __format__(self, spec: str) -> str:
        return self._get(self._lang)

    def __str__(self) -> str:
        return self._get(self._lang)

    def __getattr__(self, attr: str) -> str:
        if attr.startswith("_"):
            raise AttributeError(attr)
        if attr in self._attrs:
            return self._attrs[attr]()
        return self._get(attr) if self._has(attr) else ""


class Number:
    """A count: in the language's digits (Khmer: ០-៩); ``.xx`` forces a language's digits."""

    __slots__ = ("_n", "_lang")

    def __init__(self, n: int, lang: str):
        self._n, self._lang = n, lang

    def __format__(self, spec: str) -> str:
        return digits(self._n, self._lang)

    def __str__(self) -> str:
        return digits(self._n, self._lang)

    def __getattr__(self, attr: str) -> str:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return digits(self._n, attr)

    @property
    def lang(self) -> str:
        return self._lang

    def in_digits_of(self, lang: str) -> Number:
        """The same number written in ``lang``'s digits."""
        return Number(self._n, lang)


def _everyone(people: Sequence[Facts], lang: str, get: Callable[[Facts], LocalText | None]) -> Text:
    """Everyone's value, listed once each: names, groups, roles (joined in the words of ``lg``, or
    of ``lang`` for a language the project has no words for: a Thai name on an English card)."""
    return Text(lambda lg: join([t.get(lg) for f in people if (t := get(f)) is not None], lg if supported(lg) else lang),
                lang,
                lambda lg: any((t := get(f)) is not None and t.has(lg) for f in people))


def _each(people: Sequence[Facts], lang: str, get: Callable[[Facts, str], str | None],
          has: Callable[[str], bool] | None = None) -> Text:
    """A fact about each person: said once when they share it, else with each name, so a reader
    never has to guess whose "15 months" is whose."""

    def value(lg: str) -> str:
        values = [(f, get(f, lg) or "") for f in people]
        if len({v for _, v in values if v}) <= 1:
            return join([v for _, v in values], lg)
        return join([f"{f.person.name.get(lg)} ({v})" for f, v in values if v], lg)

    return Text(value, lang, has)  # by default, someone has it in lg when value(lg) says something


def _local(people: Sequence[Facts], lang: str, get: Callable[[Facts], LocalText | None]) -> Text:
    """A roster text about each person (a charge, a release note), in the language asked for."""
    return _each(people, lang, lambda f, lg: t.get(lg) if (t := get(f)) is not None else None,
                 lambda lg: any((t := get(f)) is not None and t.has(lg) for f in people))


def _count(people: Sequence[Facts], lang: str, get: Callable[[Facts], int]) -> Number | Text:
    if len({get(f) for f in people}) == 1:
        return Number(get(people[0]), lang)
    return _each(people, lang, lambda f, lg: digits(get(f), lg))


def _date(get: Callable[[Facts], Any]) -> Callable[[Facts, str], str | None]:
    return lambda f, lg: date_text(d, lg) if (d := get(f)) is not None else None


def _charges(what: Literal["kept", "dropped"]) -> Callable[[Facts, str], str | None]:
    def get(f: Facts, lg: str) -> str | None:
        if f.status.value != "released" or f.charges_after_release != what:
            return None
        return charges_text(what, lg)
    return get


def name_order(languages: Sequence[str] = ()) -> tuple[str, ...]:
    """The languages a name is looked for in, first to last: the campaign's ``languages``, then
    Khmer and English (the roster's usual two, and the order of before)."""
    return tuple(dict.fromkeys((*languages, "km", "en")))


def _names(people: Sequence[Facts], lang: str, languages: Sequence[str] = ()) -> Text:
    names = _everyone(people, lang, lambda f: f.person.name)

    def texts() -> tuple[str, str]:
        """The primary name (the first language of the order someone has a name in) and the
        secondary: the name in the card's language, else in the next language of the order,
        when it says something else."""
        found = [names._get(lg) for lg in name_order(languages) if names._has(lg)]
        if not found:
            return names._get(lang), ""
        primary = found[0]
        ours = names._get(lang) if names._has(lang) else ""
        others = [t for t in ([ours] if ours else []) + found[1:] if t and t != primary]
        return primary, (others or [""])[0]

    names._attrs.update(primary=lambda: texts()[0], secondary=lambda: texts()[1])
    return names


@dataclass(frozen=True)
class Post:
    """What a format string knows beside the people: the post's week and who posts it."""

    week: int
    count: int | None = None  # people on the card (default: the people given)
    campaign: str = ""
    organisation: str = ""
    hashtags: tuple[str, ...] = ()
    durations: DurationUnit = "years"  # the campaign's way of saying time behind bars
    languages: tuple[str, ...] = ()  # the campaign's language order, for {name.primary}/{name.secondary}
    url: str = ""  # the campaign's page


def _makers(people: Sequence[Facts], lang: str, post: Post) -> dict[str, Callable[[], Any]]:
    """How to make each field's value for ``people`` in ``lang`` (made only when asked for)."""
    units = post.durations
    return {
        "name": lambda: _names(people, lang, post.languages),
        "group": lambda: _everyone(people, lang, lambda f: f.person.group),
        "role": lambda: _everyone(people, lang, lambda f: f.person.role),
        "status": lambda: _each(people, lang, lambda f, lg: status_text(f.status.value, lg)),
        "case": lambda: _each(people, lang, lambda f, lg: f.case_text(lg)),
        "case_label": lambda: _each(people, lang, lambda f, lg: f.case_label(lg)),
        "charge": lambda: _local(people, lang, lambda f: f.charge),
        "sentence": lambda: _each(people, lang, lambda f, lg: f.sentence.text(lg) if f.sentence else None),
        "detained": lambda: _each(people, lang, lambda f, lg: f.detained_text(lg, units) if f.detentions else None),
        "since": lambda: _each(people, lang, _date(lambda f: f.since)),
        "days_detained": lambda: _count(people, lang, lambda f: f.days_detained),
        "months_detained": lambda: _count(people, lang, lambda f: f.months_detained),
        "convicted_on": lambda: _each(people, lang, _date(lambda f: f.convicted_on)),
        "released_on": lambda: _each(people, lang, _date(lambda f: f.released_on)),
        "release_note": lambda: _local(people, lang, lambda f: f.release_note),
        "charges_remain": lambda: _each(people, lang, _charges("kept")),
        "charges_dropped": lambda: _each(people, lang, _charges("dropped")),
        "next_hearing": lambda: _each(people, lang, _date(lambda f: f.next_hearing)),
        "count": lambda: Number(len(people) if post.count is None else post.count, lang),
        "week": lambda: Number(post.week, lang),
        "campaign": lambda: Text(lambda lg: post.campaign, lang),  # the same in every language, and as {campaign.name}
        "organisation": lambda: post.organisation,
        "hashtags": lambda: " ".join(post.hashtags),
        "url": lambda: post.url,
    }


def namespace(people: Sequence[Facts], lang: str, post: Post) -> dict[str, Any]:
    """Every field (and alias) for ``people`` in the language ``lang``: the values a caption, a
    text layer or an alt text is formatted with."""
    return lazy_namespace(people, lang, post).whole()


class LazyFields(dict[str, Any]):
    """:func:`namespace` made one field at a time, when a format string first looks it up
    (``values[name]``; ``in``, ``get`` and iteration see only what was looked up: use
    :meth:`whole` for those). A card's text uses a handful of the fields."""

    __slots__ = ("_makers",)

    def __init__(self, makers: dict[str, Callable[[], Any]]):
        super().__init__()
        self._makers = makers

    def __missing__(self, name: str) -> Any:
        if name in ALIASES:
            root, _, attr = ALIASES[name].partition(".")
            value = getattr(self[root], attr) if attr else self[root]
        else:
            value = self._makers[name]()  # KeyError for an unknown field, as a dict would
        self[name] = value
        return value

    def whole(self) -> dict[str, Any]:
        """Every field and alias, as :func:`namespace` gives them."""
        return {name: self[name] for name in (*self._makers, *ALIASES)}


def lazy_namespace(people: Sequence[Facts], lang: str, post: Post) -> LazyFields:
    """:func:`namespace`, each field made when first looked up."""
    return LazyFields(_makers(people, lang, post))


def field(people: Sequence[Facts], lang: str, post: Post, name: str) -> Any:
    """``namespace(people, lang, post)[name]`` (a field or an alias), made alone: a layer's
    ``when: {has: charge}`` needs the charge, not every field."""
    return lazy_namespace(people, lang, post)[name]


def value_of(values: dict[str, Any], written: str) -> str:
    """The text a field written as ``written`` (``name.km``, ``duration``) gives in ``values``."""
    obj, _ = _FORMATTER.get_field(written, (), values)
    return format(obj)


def tidy(text: str) -> str:
    """A filled-in caption without the double spaces an empty field leaves."""
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def fill_caption(template: str, values: dict[str, Any]) -> str:
    """A (checked) caption variant filled in with ``values``."""
    return tidy(_FORMATTER.vformat(template, (), values))


def caption_values(campaign: Campaign, account: Account, slot: Slot, people: Sequence[Facts]) -> dict[str, Any]:
    """The fields of one post's caption, in its account's language."""
    return namespace(people, account.language, Post(
        week=slot.week, campaign=campaign.title(account.language), organisation=account.organisation,
        hashtags=tuple(campaign.hashtags), durations=campaign.durations,
        languages=tuple(campaign.language_order), url=campaign.url or ""))


def caption_fields(campaign: Campaign, account: Account, slot: Slot, people: Sequence[Facts]) -> dict[str, str]:
    """Every field (and alias) of one post's caption as text, in its account's language."""
    return {k: format(v) for k, v in caption_values(campaign, account, slot, people).items()}


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


# --- samples and listings -----------------------------------------------------------------------


class Sample:
    """A made-up value, to estimate how long a caption will be: the same text in every language."""

    __slots__ = ("_text", "_by_attr")

    def __init__(self, text: str, by_attr: dict[str, str] | None = None):
        self._text, self._by_attr = text, by_attr or {}

    def __format__(self, spec: str) -> str:
        return self._text

    def __getattr__(self, attr: str) -> str:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return self._by_attr.get(attr, self._text)


def sample_values(texts: dict[str, str]) -> dict[str, Any]:
    """Values for every field and alias from made-up ``texts`` (keyed by field or alias names:
    ``duration`` stands for ``detained``), so a caption written either way can be measured."""
    by_target = {target: alias for alias, target in ALIASES.items()}
    out: dict[str, Any] = {}
    for name in FIELDS:
        text = texts.get(name, texts.get(by_target.get(name, ""), ""))
        attrs = {a: texts[by_target[f"{name}.{a}"]] for a in ("en", "km") if by_target.get(f"{name}.{a}") in texts}
        out[name] = Sample(text, attrs)
    for alias, target in ALIASES.items():
        out[alias] = Sample(texts.get(alias, value_of(out, target)))
    return out


def listing(values: dict[str, Any]) -> Iterator[tuple[str, str, Field]]:
    """Each field as written (``{name}``, ``{name.primary}``...), its text in ``values`` and its
    entry in the vocabulary: what ``campaign fields`` prints."""
    for field in VOCABULARY:
        for written in (field.name, *(f"{field.name}.{a}" for a in field.attrs)):
            yield "{" + written + "}", value_of(values, written), field
