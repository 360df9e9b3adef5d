"""The cards' one exception: a card cannot be made (its subclass :class:`~.photos.PhotoError` names
a person's unusable photo). Template files that are wrong raise :class:`campaign.sources.InputError`
instead, with ``template.yaml:LINE: field: message`` problems."""

from __future__ import annotations


class CardError(Exception):
    """A card cannot be made: a missing template or font, a bad photo, an impossible byte limit."""


__all__ = ["CardError"]
