"""What a card is made from and what comes out: :class:`CardInput` (the people's facts as of the
card's date and the post's context, assembled in one place by :func:`card_input`), the rendered
:class:`Card`, and the :class:`Overflow` of text that did not fit. Pure values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..roster import Facts
from ..words import DurationUnit

if TYPE_CHECKING:
    from ..definition import Account, Campaign


@dataclass(frozen=True)
class CardInput:
    """Everything a card may show: the people's facts (as of the card's date) and the post's context.

    ``photos`` maps a person id to the raw bytes they sent (None or missing: a placeholder).
    ``photo_names`` maps a person id to the file's display path, so photo errors name the file
    (without it, a :class:`PhotoError` names the person; callers may catch and decorate it).
    """

    people: tuple[Facts, ...]
    photos: Mapping[str, bytes | None]
    language: str
    kind: str  # "weekly" | "finale" | "released"
    week: int
    campaign_name: str  # in the card's language
    organisation: str = ""
    logo: bytes | None = None
    photo_names: Mapping[str, str] = field(default_factory=dict)
    logo_name: str = "logo"
    durations: DurationUnit = "years"  # the campaign's way of saying time behind bars (years or months)
    hashtags: tuple[str, ...] = ()  # the campaign's, for a template that writes {hashtags}
    languages: tuple[str, ...] = ()  # the campaign's language order ({name.primary}, {name.secondary})
    url: str = ""  # the campaign's page: {url} and qr layers
    campaign_names: tuple[tuple[str, str], ...] = ()  # its name in each language (Campaign.titles), for text in another


def card_input(campaign: Campaign, account: Account, people: tuple[Facts, ...], *, kind: str, week: int,
               photos: Mapping[str, bytes | None], logo: bytes | None, photo_names: Mapping[str, str] | None = None,
               logo_name: str = "logo") -> CardInput:
    """The card of a post of ``campaign`` on ``account`` featuring ``people``: in the account's
    language, with its organisation and logo, the campaign's name (in that language), durations,
    hashtags, language order and page. The one place a post becomes a card's input (the
    pipeline's render and the designers' preview)."""
    return CardInput(people=people, photos=photos, language=account.language, kind=kind, week=week,
                     campaign_name=campaign.title(account.language), organisation=account.organisation, logo=logo,
                     photo_names=photo_names or {}, logo_name=logo_name, durations=campaign.durations,
                     hashtags=tuple(campaign.hashtags), languages=tuple(campaign.language_order),
                     url=campaign.url or "", campaign_names=campaign.titles)


@dataclass(frozen=True)
class Overflow:
    """Text that did not fit its box even at the smallest size allowed."""

    template: str
    person: str  # person id, or "" for text about several people
    field: str  # the layer's id, or its text template
    text: str
    size: str  # canvas name
    font_size: int

    def __str__(self) -> str:
        who = f" {self.person}:" if self.person else ""
        shown = repr(self.text[:SHOWN_CHARS]) + (f"... ({len(self.text):,} characters)" if len(self.text) > SHOWN_CHARS else "")
        return f"{self.template} ({self.size}):{who} {self.field}: does not fit even at {self.font_size}px: {shown}"


SHOWN_CHARS = 120  # of a text that does not fit, in its report (a pasted paragraph is not repeated whole)


@dataclass(frozen=True)
class Card:
    """A rendered card: encoded image, alt text per language, and what a person should check."""

    image: bytes
    format: str  # "jpeg" | "png"
    size: tuple[int, int]
    alt: dict[str, str]
    warnings: tuple[str, ...]
    overflows: tuple[Overflow, ...]
    texts: tuple[tuple[str, str], ...] = ()  # (layer id, text) of every text painted, in order
    quality: int | None = None  # the JPEG quality that fitted max_bytes
    boxes: tuple[tuple[str, tuple[int, int, int, int]], ...] = ()  # (layer id, x, y, width, height) of each text block


__all__ = ["Card", "CardInput", "Overflow", "card_input"]
