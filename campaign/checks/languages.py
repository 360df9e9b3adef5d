"""Languages are declared, not guessed: what an account's language needs before it may post.

An account may post in a language when

* the project has the words of the language (:mod:`campaign.words`; checked where the account
  is read, :class:`campaign.definition.Account`);
* the campaign has captions in it for every kind of post the plan gives the account (weekly,
  released, finale): a "released" or "finale" post never borrows a weekly caption;
* every card template used for the account's posts has its labels in it: each text given per
  language (``{en: ..., km: ...}``) in a text, badge or grid label that may show on its cards
  has the language (or ``"*"``, for every language), and so has each alt text.

Otherwise :func:`language_problems` refuses the campaign, naming the account, the language and
what is missing, at the account's line in campaign.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..cards.fields import texts_of
from ..definition import KINDS
from ..plan import Slot
from ..sources import Problem, format_loc

if TYPE_CHECKING:
    from ..cards import Template
    from ..definition import CampaignFolder

SHOWN_PLACES = 50  # template places listed in one problem (all a template has, in practice: the to-do list); the rest are counted


def missing_labels(template: Template, lang: str) -> list[str]:
    """Where ``template`` has no text in ``lang`` for a card in that language: each place as
    ``layers[4].badge.text (line 103)``."""
    spec = template.spec
    out = []
    for loc, text in texts_of(spec):
        when = _when_at(spec, loc)
        if when is not None and when.language is not None and lang not in when.language:
            continue  # never shown on a card in this language
        if not isinstance(text, dict):
            continue  # one text for every language
        has = lang in text or (loc[0] != "alt" and "*" in text)
        if not has:
            line = template.source.line_of(loc)
            out.append(format_loc(loc) + (f" (line {line})" if line else ""))
    return out


def _when_at(spec: Any, loc: tuple[Any, ...]) -> Any:
    if loc[0] == "layers":
        return getattr(spec.layers[loc[1]].spec, "when", None)
    if loc[0] == "alt" and len(loc) > 1:
        return spec.alt[loc[1]].when
    return None


def language_problems(folder: CampaignFolder, templates: Mapping[str, Template], slots: Sequence[Slot]) -> list[Problem]:
    """One problem per account and thing its language lacks: captions for a kind of post it
    plans (``slots``), or labels in a template used for its posts. Located at the account's
    ``language``. ``templates`` are those that loaded (the others are reported already)."""
    c = folder.campaign
    problems = []
    for i, account in enumerate(c.accounts):
        lang = account.language
        mine = [s for s in slots if s.account == account.id]
        where = ("accounts", i, "language")
        cset = c.captions.get(lang)
        for kind in KINDS:
            posts = [s for s in mine if s.kind == kind]
            if not posts or cset is None or cset.for_kind(kind):
                continue
            n = len(posts)
            problems.append(folder.campaign_src.problem(where, (
                f"{account.id} posts in {lang!r}, but captions.{lang} has no {kind} captions, and the plan gives it "
                f"{n} {kind} post{'s' if n != 1 else ''} (first {posts[0].date}); a {kind} post never borrows a "
                f"weekly caption: add captions.{lang}.{kind} (a list of variants)")))
        uses: dict[str, list[str]] = {}  # template -> the kinds of post it is used for
        for s in mine:
            uses.setdefault(s.template, [])
            if s.kind not in uses[s.template]:
                uses[s.template].append(s.kind)
        for name, kinds in uses.items():
            template = templates.get(name)
            missing = missing_labels(template, lang) if template is not None else []
            if not missing:
                continue
            shown = missing[:SHOWN_PLACES] + ([f"{len(missing) - SHOWN_PLACES} more"] if len(missing) > SHOWN_PLACES else [])
            problems.append(folder.campaign_src.problem(where, (
                f"{account.id} posts in {lang!r}, but template {name!r} (its {' and '.join(kinds)} posts) has no "
                f"{lang!r} text in {template.source.file if template else name}: {'; '.join(shown)}; its cards "
                f"would show another language there: add {lang}: to each (a layer's text may also give \"*\" "
                f"for every language), or use a template that has {lang!r}")))
    return problems
