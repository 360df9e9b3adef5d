"""Where a caption and the facts of the posts it goes out with disagree, in the ways a program
can see: a field empty for someone it is posted about (:func:`empty_field_problems`), and words
that state something of the people featured that is not true on the post's day
(:func:`claim_problems`): "charged with" for someone already sentenced, "behind bars" for
someone released, "the charges remain" where they were dropped.

Only the words the organiser wrote are read, never a field's value (``{case}`` and ``{status}``
always say what is true on the day). The words are English phrases and, for every language the
project writes (:mod:`campaign.words`), that language's own words for a status and a case.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..facts import Facts, Status
from ..captions import chosen_variant
from ..fields import caption_values, tidy, value_of
from ..vocabulary import FIELDS, VOCABULARY, resolve, used
from ..plan import FINALE, RELEASED, WEEKLY, Slot, plan
from ..roster import facts
from ..words import words

if TYPE_CHECKING:
    from ..definition import Campaign
    from ..roster import Roster

_ORDER = {f.name: i for i, f in enumerate(VOCABULARY)}
_MARK = "\x00"
_CONTEXT = 24  # characters of the caption shown either side of an empty field
_LOCAL = ("name", "group", "role", "charge", "release_note")  # roster texts given per language


def _who(slot: Slot) -> str:
    return ", ".join(slot.people[:3]) + (f" and {len(slot.people) - 3} more" if len(slot.people) > 3 else "")


def _can_be_empty(written: str) -> bool:
    root, attr = resolve(written)
    field = FIELDS.get(root)
    if field is None or attr in field.attrs:
        return False  # unknown (refused elsewhere), or {name.secondary}: empty by design
    return bool(field.empty) or bool(attr and root in _LOCAL)


def _why_empty(written: str, values: dict[str, object]) -> str:
    root, attr = resolve(written)
    if attr and root in _LOCAL and value_of(values, root):
        return f"no {words(attr).name} {root.replace('_', ' ')}"
    return FIELDS[root].empty


def empty_field_problems(campaign: Campaign, roster: Roster) -> list[str]:
    """One warning per caption variant and person field that is empty in some planned post
    (a "{sentence}" for someone never convicted, a "{name.km}" for someone with no Khmer name),
    with how many posts it affects and how the first would read. Variants rotate whoever is
    featured, so a variant must read well for everyone."""
    people = roster.by_id()
    # (language, kind, variant index, field as written) -> posts affected; the first post and its values
    counts: dict[tuple[str, str, int, str], int] = {}
    first: dict[tuple[str, str, int, str], tuple[Slot, dict[str, object], str]] = {}
    for slot in plan(campaign, roster):
        chosen = chosen_variant(campaign, slot)
        if chosen is None:
            continue
        index, template = chosen
        candidates = sorted((w for w in used(template) if _can_be_empty(w)), key=lambda w: _ORDER[resolve(w)[0]])
        if not candidates:
            continue
        featured = [facts(people[pid], slot.date) for pid in slot.people if pid in people]
        values = caption_values(campaign, campaign.account(slot.account), slot, featured)
        for written in candidates:
            if value_of(values, written):
                continue
            key = (slot.language, slot.kind, index, written)
            counts[key] = counts.get(key, 0) + 1
            first.setdefault(key, (slot, values, template))
    problems = []
    for (lang, kind, index, written), n in counts.items():
        slot, values, template = first[(lang, kind, index, written)]
        problems.append(
            f"captions.{lang}.{kind}[{index}] uses {{{written}}}, empty in {n} planned post{'s' if n != 1 else ''}, "
            f"first for {_who(slot)} on {slot.date} ({_why_empty(written, values)}): the caption would read "
            f"'{_around_empty(template, values, written)}'; variants rotate whoever is featured, so write this one "
            f"to read well without {{{written}}}, or add the fact to roster.yaml if it is missing")
    return problems


def _marked(template: str, written: str) -> str:
    """``template`` with the field ``written`` replaced by a marker (other fields kept)."""
    out = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is not None:
            out.append(_MARK if name == written else
                       "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    return "".join(out)


def _around_empty(template: str, values: dict[str, object], written: str) -> str:
    """The filled-in caption around where ``written`` (empty) would have been, cut at spaces."""
    text = tidy(string.Formatter().vformat(_marked(template, written), (), values))  # as written, the gap marked
    at = text.index(_MARK)
    start = max(0, at - _CONTEXT)
    if start > 0:  # cut at a space, never inside a word (or a Khmer cluster)
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 else 0
    end = min(len(text), at + 1 + _CONTEXT)
    if end < len(text):
        space = text.find(" ", end)
        end = space if space >= 0 else len(text)
    shown = re.sub(r"[ \t]{2,}", " ", text[start:end].replace(_MARK, "")).strip()
    return ("... " if start > 0 else "") + shown + (" ..." if end < len(text) else "")


# --- words that state a status ------------------------------------------------------------------


def _state(f: Facts) -> str:
    """What is true of ``f`` on its date, in the words an organiser checks roster.yaml with."""
    if f.status is Status.RELEASED:
        where = f"released on {f.released_on}"
    elif f.held:
        where = f"{f.status.value} since {f.since}"
    else:
        where = "not yet arrested"
    if f.sentence is not None:
        case = f"sentenced to {f.sentence.text('en')}" + (f" on {f.convicted_on}" if f.convicted_on else "")
    elif f.convicted_on is not None:
        case = f"convicted on {f.convicted_on}"
    else:
        case = "charged, not convicted" if f.charge is not None else "no charge recorded"
    if f.charges_after_release:
        case += f", charges {f.charges_after_release} at the release"
    return f"{where}, {case}"


@dataclass(frozen=True)
class Claim:
    """Something a caption's words state about the people featured."""

    key: str
    means: str  # what the words state, for the warning
    kinds: tuple[str, ...]  # kinds of post whose captions are read for it
    false_for: Callable[[Facts], bool]
    use: str  # the field that says it truly


_CONVICTED = lambda f: f.convicted_on is not None or f.sentence is not None  # noqa: E731
CLAIMS: dict[str, Claim] = {c.key: c for c in (
    # A "released" post recounts the detention it ended: its words of being held are about the past.
    Claim("held", "held on the day", (WEEKLY, FINALE), lambda f: not f.held, "{status}"),
    # A finale speaks of the whole campaign, in which some were released: its words of release are about others.
    Claim("released", "released", (WEEKLY, RELEASED), lambda f: f.status is not Status.RELEASED, "{status}"),
    Claim("pending", "charged, with no conviction yet", (WEEKLY, FINALE, RELEASED), _CONVICTED, "{case}"),
    Claim("convicted", "convicted", (WEEKLY, FINALE, RELEASED), lambda f: not _CONVICTED(f), "{case}"),
    Claim("charges_kept", "the charges remain", (RELEASED, WEEKLY, FINALE),
          lambda f: f.charges_after_release == "dropped", "{charges_remain}"),
    Claim("charges_dropped", "the charges were dropped", (RELEASED, WEEKLY, FINALE),
          lambda f: f.charges_after_release == "kept", "{charges_dropped}"),
)}

# English phrases beyond the words campaign.words writes; each language adds its own words (below).
_ENGLISH = {
    "held": ("behind bars", "in prison", "in jail", "in detention", "in custody", "detained", "imprisoned", "jailed"),
    "released": ("released", "freed", "at liberty"),
    "pending": ("charged with", "on a charge of", "on charges of", "awaiting trial"),
    "convicted": ("convicted", "sentenced", "found guilty"),
    "charges_kept": ("charges remain", "charges still stand"),
    "charges_dropped": ("charges were dropped", "charges have been dropped", "charges dropped"),
}
# "must be released", "not convicted", "never charged with": words that deny or demand, not state.
_NOT_STATED = r"(?<!\bbe )(?<!\bnot )(?<!\bnever )(?<!\byet )"


def _before(text: str, field: str) -> str:
    return text.split("{" + field + "}")[0].strip(" :,")


@functools.lru_cache(maxsize=None)
def phrases(lang: str) -> dict[str, tuple[str, ...]]:
    """The phrases that state each claim in ``lang``: the language's own words for a status and a
    case (campaign.words), and English phrases for English. A language's words for "charged" that
    also belong to its way of saying a conviction (Belarusian names the charge in both) state nothing."""
    w = words(lang)
    convicted_forms = (w.case["convicted"], w.case["sentenced"], *w.case_bare.values())
    charged = _before(w.case["charged"], "charge")
    own = {
        "held": (w.status["detained"], w.status["imprisoned"]),
        "released": (w.status["released"],),
        "pending": (charged,) if charged and not any(charged in t for t in convicted_forms) else (),
        "convicted": (w.case_bare["convicted"], _before(w.case_bare["sentenced"], "sentence")),
        "charges_kept": (w.charges["kept"],),
        "charges_dropped": (w.charges["dropped"],),
    }
    extra = _ENGLISH if w.code == "en" else {}
    return {k: tuple(dict.fromkeys((*own[k], *extra.get(k, ())))) for k in CLAIMS}


def _pattern(phrase: str) -> re.Pattern[str]:
    if re.search(r"[\u1780-\u17ff]", phrase):  # Khmer writes no spaces between words
        return re.compile(re.escape(phrase))
    return re.compile(rf"{_NOT_STATED}(?<!\w){re.escape(phrase)}(?!\w)", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def claims_in(template: str, lang: str) -> tuple[tuple[str, str], ...]:
    """The claims the words of ``template`` make, as (claim key, the words as written), the first
    phrase found per claim; fields are not read."""
    try:
        literal = " \x00 ".join(text for text, _, _, _ in string.Formatter().parse(template))
    except ValueError:
        return ()
    out = []
    for key, options in phrases(lang).items():
        for phrase in options:
            m = _pattern(phrase).search(literal)
            if m:
                out.append((key, m.group(0)))
                break
    return tuple(out)


def _false_claims(campaign: Campaign, slot: Slot,
                  facts_of: Callable[[str], Facts | None]) -> Iterator[tuple[int, str, str, Facts]]:
    """Each claim the words of ``slot``'s caption variant make that is false for someone it features
    on its day: (variant index, claim key, the words as written, the first such person's facts)."""
    chosen = chosen_variant(campaign, slot)
    if chosen is None:
        return
    index, template = chosen
    for key, words_ in claims_in(template, slot.language):
        claim = CLAIMS[key]
        if slot.kind not in claim.kinds:
            continue
        wrong = next((f for pid in slot.people if (f := facts_of(pid)) is not None and claim.false_for(f)), None)
        if wrong is not None:
            yield index, key, words_, wrong


def untrue_claims(campaign: Campaign, slot: Slot, people: Sequence[Facts]) -> list[str]:
    """What the words of ``slot``'s caption state that is not true of ``people`` (its people's facts on
    its day), one line each: such a post waits for a person (``campaign approve``), whatever the
    campaign's ``review``, and never goes out on its own."""
    by_id = {f.person.id: f for f in people}
    return [f"the caption (captions.{slot.language}.{slot.kind}[{index}]) says '{words_}' "
            f"({CLAIMS[key].means}), not true of {f.person.id} ({_state(f)}): write {CLAIMS[key].use} instead "
            f"and apply again, or approve this post to send it as it is"
            for index, key, words_, f in _false_claims(campaign, slot, by_id.get)]


def claim_problems(campaign: Campaign, roster: Roster) -> list[str]:
    """One warning per caption variant and claim its words make that is false for someone it is
    posted about on the post's day, with how many posts and the first of them."""
    people = roster.by_id()
    found: dict[tuple[str, str, int, str, str], list[object]] = {}  # -> [posts, first slot, person]
    for slot in plan(campaign, roster):
        def facts_of(pid: str, slot: Slot = slot) -> Facts | None:
            return facts(people[pid], slot.date) if pid in people else None
        for index, key, words_, wrong in _false_claims(campaign, slot, facts_of):
            entry = found.setdefault((slot.language, slot.kind, index, key, words_), [0, slot, wrong])
            entry[0] = int(entry[0]) + 1  # type: ignore[call-overload]
    problems = []
    for (lang, kind, index, key, words_), (n, slot, f) in found.items():
        claim = CLAIMS[key]
        assert isinstance(slot, Slot) and isinstance(f, Facts)
        problems.append(
            f"captions.{lang}.{kind}[{index}] says '{words_}' ({claim.means}), which is not true on the day of "
            f"{n} planned post{'s' if n != 1 else ''}: first {slot.id}, featuring {f.person.id} ({_state(f)}); "
            f"write {claim.use} instead, which says what is true on each post's day, or write this variant without "
            f"it (until then such a post waits for a person's approval: it never goes out on its own)")
    return problems


__all__ = ["CLAIMS", "claim_problems", "claims_in", "empty_field_problems", "phrases", "untrue_claims"]
