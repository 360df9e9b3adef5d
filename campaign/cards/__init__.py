"""Cards: designers' templates turned into images about people, true as of a date. Pure Pillow.

    from campaign.cards import find_template, load_template, render, CardInput
    t = load_template(find_template("portrait", folder.root))
    card = render(t, CardInput(people=(facts(person, day),), photos={...}, language="km",
                               kind="weekly", week=6, campaign_name="Release HRDs"),
                  size="square", fmt="jpeg", max_bytes=1_000_000)
    card.image, card.alt["en"], card.warnings, card.overflows

Modules, each with one reason to change:

* what a template is: ``template`` (the models of ``template.yaml`` and a loaded template),
  ``style`` (what every layer shares: ``when:``, fonts, how text is set),
  ``values`` (colours, boxes, per-canvas values), ``lint`` (what the models cannot see),
  ``load`` (finding a template folder, fonts, images);
* what a card says: ``card`` (its input, the rendered card, overflows; :func:`card_input`, the
  one way a post becomes a card's input), ``fields`` (the values of format strings and
  ``when:``), ``alt`` (alt text);
* how it is painted: ``render`` (the entry point), ``canvas`` (the one canvas painters draw on,
  with every render cache behind it), ``paint`` (layers), ``text``, ``flow`` (texts stacked in a
  column), ``faces``, ``grid`` (the grid's geometry and painting), ``layout`` and ``runs``
  (setting text), ``scripts`` (which font sets a script: Khmer, Thai, Burmese, Latin/Cyrillic), ``photos`` (decoding
  what people send), ``encode`` (deterministic bytes within a limit);
* ``preview`` (designers' tools: sample cards, the contact sheet, the file watcher);
  :class:`CardError` lives in the one error tree, :mod:`campaign.errors`.

Errors: :class:`CardError` (template, font, byte limit, people count; overflow when strict) and
its subclass :class:`PhotoError` (names the person and, when given ``CardInput.photo_names``, the
file). Template files that are wrong raise :class:`campaign.sources.InputError` with
``template.yaml:LINE: field: message`` problems.
"""

from __future__ import annotations

from ..errors import CardError
from .card import Card, CardInput, Overflow, card_input
from .layout import require_raqm
from .load import ASSETS, ENV_PATH, find_named, find_template, is_path, load_template, template_at, template_dirs
from .photos import PhotoError
from .render import render
from .template import TEMPLATE_FILE, Template

__all__ = [
    "ASSETS", "Card", "CardError", "CardInput", "ENV_PATH", "Overflow", "PhotoError", "TEMPLATE_FILE", "Template",
    "card_input", "find_named", "find_template", "is_path", "load_template", "render", "require_raqm",
    "template_at", "template_dirs",
]
