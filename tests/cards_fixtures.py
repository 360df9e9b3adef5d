"""Fixtures for the card tests: loaded templates, facts of the example roster, synthetic photos.

No real photographs: every image is drawn with Pillow here.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from campaign.cards import CardInput, Template, find_template, load_template
from campaign.definition import CampaignFolder, load_folder
from campaign.roster import Facts, facts

EXAMPLE = Path(__file__).resolve().parents[1] / "config" / "campaigns" / "release-hrds-2021"
WEEK6 = date(2021, 9, 15)  # Rong Chhun pinned; everyone still held
AFTER_RELEASE = date(2021, 11, 17)


@pytest.fixture(scope="session")
def folder() -> CampaignFolder:
    return load_folder(EXAMPLE)


@pytest.fixture(scope="session")
def templates() -> dict[str, Template]:
    return {name: load_template(find_template(name)) for name in ("portrait", "released", "collage")}


@pytest.fixture(scope="session")
def portrait(templates: dict[str, Template]) -> Template:
    return templates["portrait"]


def person_facts(folder: CampaignFolder, pid: str, on: date = WEEK6) -> Facts:
    return facts(folder.roster.by_id()[pid], on)


def card_input(people: tuple[Facts, ...], lang: str = "en", photos: dict[str, bytes | None] | None = None,
               kind: str = "weekly", **kw: object) -> CardInput:
    """A card of the example campaign (which says time behind bars in months: ``durations: months``)."""
    kw.setdefault("durations", "months")
    return CardInput(people=people, photos=photos or {}, language=lang, kind=kind, week=6,
                     campaign_name="Release Human Rights Defenders", **kw)  # type: ignore[arg-type]


def face_image(size: tuple[int, int] = (600, 800), mode: str = "RGB") -> Image.Image:
    """A synthetic 'portrait': a light head shape near the top on a dark ground."""
    im = Image.new("RGB", size, (30, 40, 60))
    d = ImageDraw.Draw(im)
    w, h = size
    d.ellipse((w * 0.3, h * 0.1, w * 0.7, h * 0.45), fill=(230, 190, 160))
    d.rectangle((w * 0.2, h * 0.55, w * 0.8, h), fill=(90, 30, 30))
    return im.convert(mode) if mode != "RGB" else im


def encode(im: Image.Image, fmt: str = "JPEG", **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.fixture
def make_photo() -> Callable[..., bytes]:
    def make(size: tuple[int, int] = (600, 800), fmt: str = "JPEG", mode: str = "RGB", **kw: object) -> bytes:
        return encode(face_image(size, mode), fmt, **kw)
    return make

