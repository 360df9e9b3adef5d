"""Every text a planned card shows can be drawn: checked before anything is queued, not found when
the card is rendered (then every post about the person fails).

Each text layer, badge, flow text and grid label of the template of each planned post is filled
in as the card fills it (its people's facts on the post's date, in the card's language or the
layer's ``lang:``) and set in the font the card would pick for it (:func:`cards.scripts.font_for`:
the layer's family, its Khmer family for Khmer, the Thai or Burmese font for those); a character
that font has no glyph for (an Arabic name in Noto Sans, a Cyrillic charge in a Khmer string) is
a problem at the roster line of the person's text that brings it, saying what to do. Nothing is
painted: the same fill and the same font choice as painting, some milliseconds for a campaign.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from ..cards import fields as F
from ..cards.canvas import Canvas
from ..cards.card import CardInput, card_input
from ..cards.coverage import describe, missing
from ..cards.scripts import DEFAULTS, NAMES, SCRIPTS, font_for, script_of
from ..cards.template import BadgeLayer, FlowLayer, GridLayer, TextLayer, TextStyle
from ..cards.text import format_text
from ..plan import Slot
from ..roster import facts
from ..sources import Problem, format_loc

if TYPE_CHECKING:
    from ..cards import Template
    from ..definition import CampaignFolder
    from ..roster import Facts


def glyph_problems(folder: CampaignFolder, templates: Mapping[str, Template], slots: Sequence[Slot]) -> list[Problem]:
    """One problem per roster text, font and characters a planned card could not draw."""
    c = folder.campaign
    people = folder.roster.by_id()
    index = {p.id: i for i, p in enumerate(folder.roster.people)}
    days = {p.id: sorted(e.date for e in p.events) for p in folder.roster.people}  # each person's event days
    seen: set[tuple[object, ...]] = set()
    found: dict[tuple[str, ...], Problem] = {}
    for slot in slots:
        t = templates.get(slot.template)
        if t is None or any(pid not in people for pid in slot.people):
            continue  # a template that does not load, or an unknown person, is reported already
        # A card's texts change with its people's events (and its kind, language and template), not
        # with every day: one card per stretch between events is checked (a campaign of 100k posts
        # has some hundreds of those).
        key = (slot.template, slot.language, slot.kind,
               tuple((pid, bisect_right(days[pid], slot.date)) for pid in slot.people))
        if key in seen:
            continue
        seen.add(key)
        group = tuple(facts(people[pid], slot.date) for pid in slot.people)
        card = card_input(c, c.account(slot.account), group, kind=slot.kind, week=slot.week, photos={}, logo=None)
        for at, style, _, text, shown in card_texts(t, card):
            family, path = font_for(t, text, style)
            lacking = missing(text, path)
            if not lacking:
                continue
            line = t.source.line_of(at)
            where = f"{t.source.file}:{line}: {format_loc(at)}" if line else format_loc(at)
            script = script_of(text)
            font_line = t.source.line_of(("fonts", family))
            if script is not None and not any(SCRIPTS[script].search(ch) for ch in lacking):
                # the text holds Khmer, Thai or Burmese: all of it is set in that script's font
                apart = ("a grid's label is one text: keep it to one script, e.g. {name} alone" if at[2] == "grid"
                         else "e.g. a flow of two texts, {name.primary} and {name.secondary}")
                fix = (f"this text holds {NAMES[script]}, so it is set whole in the {NAMES[script]} font "
                       f"{family!r}, which lacks them; show the {NAMES[script]} and the rest in texts of their own "
                       f"({apart}), or declare a {'font_khmer family' if script == 'khmer' else family + ': font'} "
                       f"that has both in the template's fonts ({where})")
            elif script is not None and font_line:
                # the family the template declares for the script has none of it (a Latin font as khmer:)
                fix = (f"the template's fonts.{family} ({t.source.file}:{font_line}) is {path.name}, which has no "
                       f"{NAMES[script]}: declare a {NAMES[script]} font there"
                       + (f", e.g. {family}: {{package: {DEFAULTS[script][0]}}}" if DEFAULTS[script][0] else ""))
            else:
                fix = (f"add a font that has them to the template's fonts (the layer's family, or font_khmer for "
                       f"Khmer text), or write this text in a script the template's fonts cover ({where})")
            # at the roster text that brings the characters; else (the template's words, set in the font
            # a person's text chose: Cyrillic words beside a Khmer-only charge) at the person
            f, loc = next(((f, loc) for f in shown for loc, value in _located(f)
                           if any(ch in value or ch in value.upper() for ch in lacking)), (shown[0], ()))
            problem = folder.roster_src.problem(
                ("people", index[f.person.id], *loc),
                f"{describe(lacking)} cannot be drawn on template {t.name!r}'s cards: its font {family!r} "
                f"({path.name}) has no glyph for them, in {text!r} (a {slot.language} {slot.kind} card, first "
                f"{slot.id}); {fix}")
            found.setdefault((f.person.id, *map(str, loc)), problem)  # type: ignore[arg-type]
    return list(found.values())


def card_texts(t: Template, card: CardInput) -> Iterator[tuple[tuple[object, ...], TextStyle, str, str, Sequence[Facts]]]:
    """Every text the card shows, filled in as painting fills it (:func:`cards.text.format_text`, on a
    canvas that paints nothing): where the template has it, its style, the text as the template
    writes it (in the card's language), the text filled in, and whose facts it is filled with."""
    canvas = Canvas(t, card, next(iter(t.sizes)))  # the texts do not depend on the canvas size
    people, lang = card.people, card.language
    for i, layer in enumerate(t.spec.layers):
        spec = layer.spec
        if not F.matches(getattr(spec, "when", None), card):
            continue
        if isinstance(spec, (TextLayer, BadgeLayer)):
            raw = F.pick_text(spec.text, lang)
            yield ("layers", i, layer.kind, "text"), spec, raw, format_text(spec, raw, canvas), people
        elif isinstance(spec, FlowLayer):
            for j, entry in enumerate(spec.layers):
                if F.matches(entry.text.when, card):
                    raw = F.pick_text(entry.text.text, lang)
                    yield (("layers", i, "flow", "layers", j, "text", "text"), entry.text, raw,
                           format_text(entry.text, raw, canvas), people)
        elif isinstance(spec, GridLayer) and spec.label is not None:
            raw = F.pick_text(spec.label.text, lang)
            for f in people:
                yield (("layers", i, "grid", "label", "text"), spec.label, raw,
                       format_text(spec.label, raw, canvas, [f]), [f])


def _located(f: Facts) -> Iterator[tuple[tuple[object, ...], str]]:
    """Each text of the person's that a card may show, where roster.yaml has it (under the person)."""
    person = f.person
    for field in ("name", "group", "role"):
        yield from _each_language((field,), getattr(person, field))
    for j, event in enumerate(person.events):
        if f.charge is not None and event.charge == f.charge:
            yield from _each_language(("events", j, "charge"), event.charge)
        if f.release_note is not None and event.note == f.release_note:
            yield from _each_language(("events", j, "note"), event.note)


def _each_language(at: tuple[object, ...], text: object) -> Iterator[tuple[tuple[object, ...], str]]:
    for lang, value in (text.root.items() if text is not None else ()):  # type: ignore[attr-defined]
        yield (at if lang == "*" else (*at, lang)), value


__all__ = ["card_texts", "glyph_problems"]
