"""What each field of the one vocabulary (:mod:`campaign.vocabulary`: which fields there are and how
they are written) says for some people on a date: the values a caption, a card's text layer or an
alt text is filled in with, made one field at a time when first asked for (:class:`LazyFields`).

Text fields (:class:`Text`) format in the post's language and give another with ``.xx``; counts
(:class:`Number`) in the language's digits. Several people: ``{name}``, ``{group}`` and ``{role}``
list everyone; a fact that differs between them is said with each name. Also here: made-up values
to measure a caption (:func:`sample_values`) and the listing ``campaign fields`` prints.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .types import title_in
from .vocabulary import ALIASES, FIELDS, VOCABULARY, Field
from .words import DurationUnit, charges_text, date_text, digits, join, status_text, supported

if TYPE_CHECKING:
    from .definition import Account, Campaign
    from .plan import Slot
    from .roster import Facts
    from .types import LocalText

_FORMATTER = string.Formatter()


# --- values -------------------------------------------------------------------------------------


class Text:
    """A text field's value: formats in its language; ``.xx`` gives it in language xx, or nothing
    when no one featured has it in xx."""

    __slots__ = ("_make", "_said", "_has", "_lang", "_attrs")

    def __init__(self, get: Callable[[str], str], lang: str, has: Callable[[str], bool] | None = None,
                 attrs: dict[str, Callable[[Text], str]] | None = None):
        self._make, self._said, self._lang, self._attrs = get, {}, lang, attrs or {}
        self._has = has  # None: it has a language where its value there says something (no
        # lambda over self here: a cycle, which only the garbage collector would free)

    def _get(self, lang: str) -> str:
        """The value in ``lang``, made once (a card's text, its alt text and its rules ask alike)."""
        said = self._said.get(lang)
        if said is None:
            said = self._said[lang] = self._make(lang)
        return said

    def __format__(self, spec: str) -> str:
        return self._get(self._lang)

    def __str__(self) -> str:
        return self._get(self._lang)

    def __getattr__(self, attr: str) -> str:
        if attr.startswith("_"):
            raise AttributeError(attr)
        if attr in self._attrs:
            return self._attrs[attr](self)  # (given self, not closing over it: no cycle to collect)
        return self._get(attr) if self.has(attr) else ""

    def has(self, lang: str) -> bool:
        """Whether someone featured has it in ``lang``."""
        return self._has(lang) if self._has is not None else bool(self._get(lang))


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
    """A fact about each person: said once when they all share it, else with the name of each who
    has it, so a reader never has to guess whose "15 months" is whose, nor reads a fact only some
    of them have ("the charges were dropped") as true of all."""

    def value(lg: str) -> str:
        values = [(f, get(f, lg) or "") for f in people]
        if len({v for _, v in values}) <= 1:  # the same for everyone (or nobody has it)
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

    def texts(names: Text) -> tuple[str, str]:
        """The primary name (the first language of the order someone has a name in) and the
        secondary: the name in the card's language, else in the next language of the order,
        when it says something else."""
        found = [names._get(lg) for lg in name_order(languages) if names.has(lg)]
        if not found:
            return names._get(lang), ""
        primary = found[0]
        ours = names._get(lang) if names.has(lang) else ""
        others = [t for t in ([ours] if ours else []) + found[1:] if t and t != primary]
        return primary, (others or [""])[0]

    names._attrs.update(primary=lambda n: texts(n)[0], secondary=lambda n: texts(n)[1])
    return names


@dataclass(frozen=True)
class Post:
    """What a format string knows beside the people: the post's week and who posts it."""

    week: int
    count: int | None = None  # people on the card (default: the people given)
    campaign: str = ""  # the campaign's name in the post's language
    campaign_names: tuple[tuple[str, str], ...] = ()  # and in each (Campaign.titles), for {campaign} in another
    organisation: str = ""
    hashtags: tuple[str, ...] = ()
    durations: DurationUnit = "years"  # the campaign's way of saying time behind bars
    languages: tuple[str, ...] = ()  # the campaign's language order, for {name.primary}/{name.secondary}
    url: str = ""  # the campaign's page


def _campaign(post: Post, lang: str) -> Text:
    """The campaign's name in the language asked for, also as ``{campaign.name}``: an alt text in
    English on a Khmer card says the English one (without ``campaign_names``: ``campaign``)."""
    def get(lg: str) -> str:
        return title_in(post.campaign_names, lg) if post.campaign_names else post.campaign
    return Text(get, lang, attrs={"name": lambda _: get(lang)})


def _make(name: str, people: Sequence[Facts], lang: str, post: Post) -> Any:
    """The value of the field ``name`` (one of the vocabulary's) for ``people`` in ``lang``, made
    when first asked for: one function for every card, not closures made again for each."""
    match name:
        case "name":
            return _names(people, lang, post.languages)
        case "group":
            return _everyone(people, lang, lambda f: f.person.group)
        case "role":
            return _everyone(people, lang, lambda f: f.person.role)
        case "status":
            return _each(people, lang, lambda f, lg: status_text(f.status.value, lg))
        case "case":
            return _each(people, lang, lambda f, lg: f.case_text(lg))
        case "case_label":
            return _each(people, lang, lambda f, lg: f.case_label(lg))
        case "charge":
            return _local(people, lang, lambda f: f.charge)
        case "sentence":
            return _each(people, lang, lambda f, lg: f.sentence.text(lg) if f.sentence else None)
        case "detained":
            return _each(people, lang, lambda f, lg: f.detained_text(lg, post.durations) if f.detentions else None)
        case "since":
            return _each(people, lang, _date(lambda f: f.since))
        case "days_detained":
            return _count(people, lang, lambda f: f.days_detained)
        case "months_detained":
            return _count(people, lang, lambda f: f.months_detained)
        case "convicted_on":
            return _each(people, lang, _date(lambda f: f.convicted_on))
        case "released_on":
            return _each(people, lang, _date(lambda f: f.released_on))
        case "release_note":
            return _local(people, lang, lambda f: f.release_note)
        case "charges_remain":
            return _each(people, lang, _charges("kept"))
        case "charges_dropped":
            return _each(people, lang, _charges("dropped"))
        case "next_hearing":
            return _each(people, lang, _date(lambda f: f.next_hearing))
        case "count":
            return Number(len(people) if post.count is None else post.count, lang)
        case "week":
            return Number(post.week, lang)
        case "campaign":
            return _campaign(post, lang)
        case "organisation":
            return post.organisation
        case "hashtags":
            return " ".join(post.hashtags)
        case "url":
            return post.url
    raise KeyError(name)  # an unknown field, as a dict would


def namespace(people: Sequence[Facts], lang: str, post: Post) -> dict[str, Any]:
    """Every field (and alias) for ``people`` in the language ``lang``: the values a caption, a
    text layer or an alt text is formatted with."""
    return lazy_namespace(people, lang, post).whole()


class LazyFields(dict[str, Any]):
    """:func:`namespace` made one field at a time, when a format string first looks it up
    (``values[name]``; ``in``, ``get`` and iteration see only what was looked up: use
    :meth:`whole` for those). A card's text uses a handful of the fields."""

    __slots__ = ("_people", "_lang", "_post")

    def __init__(self, people: Sequence[Facts], lang: str, post: Post):
        super().__init__()
        self._people, self._lang, self._post = people, lang, post

    def __missing__(self, name: str) -> Any:
        if name in ALIASES:
            root, _, attr = ALIASES[name].partition(".")
            value = getattr(self[root], attr) if attr else self[root]
        else:
            value = _make(name, self._people, self._lang, self._post)
        self[name] = value
        return value

    def whole(self) -> dict[str, Any]:
        """Every field and alias, as :func:`namespace` gives them."""
        return {name: self[name] for name in (*FIELDS, *ALIASES)}


def lazy_namespace(people: Sequence[Facts], lang: str, post: Post) -> LazyFields:
    """:func:`namespace`, each field made when first looked up."""
    return LazyFields(people, lang, post)


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


def campaign_post(campaign: Campaign, lang: str, week: int, organisation: str = "", count: int | None = None) -> Post:
    """What a post of ``campaign`` in ``lang`` says of itself: its week, the campaign's name in
    that language, page, hashtags, language order and unit of time, the account's organisation."""
    return Post(week=week, count=count, campaign=campaign.title(lang), campaign_names=campaign.titles,
                organisation=organisation,
                hashtags=tuple(campaign.hashtags), durations=campaign.durations,
                languages=tuple(campaign.language_order), url=campaign.url or "")


def caption_values(campaign: Campaign, account: Account, slot: Slot, people: Sequence[Facts]) -> dict[str, Any]:
    """The fields of one post's caption, in its account's language."""
    return namespace(people, account.language, campaign_post(campaign, account.language, slot.week,
                                                             account.organisation))


def caption_fields(campaign: Campaign, account: Account, slot: Slot, people: Sequence[Facts]) -> dict[str, str]:
    """Every field (and alias) of one post's caption as text, in its account's language."""
    return {k: format(v) for k, v in caption_values(campaign, account, slot, people).items()}


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
