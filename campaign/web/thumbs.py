"""Card thumbnails for the Calendar and Review pages: drawn once per card with Pillow, a small JPEG
kept in Redis under the card blob's sha256 (``P thumb:<sha>``), so a request never re-renders one.

A card is content-addressed, so its thumbnail never changes: the route serves it with a year-long,
immutable cache header. :attr:`Thumbnails.made` counts the thumbnails this process drew (the tests
check that two requests draw one).
"""

from __future__ import annotations

import io

from PIL import Image

from ..ledger import Ledger

WIDTH = 240  # pixels: a calendar cell is ~120 CSS px wide, so sharp on a 2x screen
QUALITY = 72
MEDIA_TYPE = "image/jpeg"


def draw(card: bytes, width: int = WIDTH) -> bytes:
    """A JPEG ``width`` pixels wide (never enlarged) of the card image ``card``."""
    with Image.open(io.BytesIO(card)) as image:
        image.load()
        rgb = image.convert("RGB")
    if rgb.width > width:
        rgb = rgb.resize((width, max(1, round(rgb.height * width / rgb.width))), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


class Thumbnails:
    """The thumbnails of one ledger's cards, cached in its Redis."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self.made = 0

    def key(self, sha: str) -> str:
        return self.ledger.key("thumb", sha)

    def get(self, sha: str) -> bytes | None:
        """The card ``sha``'s thumbnail, drawn and stored the first time; None if there is no such card."""
        cached = self.ledger.r.get(self.key(sha))
        if cached is not None:
            return bytes(cached)
        if not self.ledger.has_blob(sha):
            return None
        data = draw(self.ledger.get_blob(sha))
        self.made += 1
        self.ledger.r.set(self.key(sha), data, nx=True)  # two workers drawing at once store one
        return data


__all__ = ["MEDIA_TYPE", "Thumbnails", "draw"]
