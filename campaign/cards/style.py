"""The building blocks of ``template.yaml`` shared by every layer kind: the strict base model, a
stroke, the ``when:`` conditions, a font source and how text is set (:class:`TextStyle`).
The layers themselves are in :mod:`.template`."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..vocabulary import PERSON_FIELDS
from ..sources import did_you_mean
from ..types import language_problem
from .fields import TEXT_FIELDS
from .values import Color, PerSize

class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stroke(Model):
    """An outline around text or a shape."""

    width: int = Field(2, ge=1, le=40)
    color: Color = "#000000"


class When(Model):
    """Paint a layer only when every condition holds (e.g. a RELEASED badge: ``when: {status: released}``)."""

    status: list[Literal["at_liberty", "detained", "imprisoned", "released"]] | None = Field(
        None, description="every featured person has one of these statuses")
    kind: list[Literal["weekly", "finale", "released"]] | None = None
    language: list[str] | None = Field(None, description="the card's language is one of these")
    size: list[str] | None = Field(None, description="the canvas is one of these (e.g. [square]: a layout of its own)")
    min_people: int | None = Field(None, ge=0)
    max_people: int | None = Field(None, ge=0)
    has_photo: bool | None = Field(None, description="the (single) featured person has a photo")
    has: list[str] | None = Field(None, description="every featured person has these fields, e.g. [charge, release_note]")
    lacks: list[str] | None = Field(None, description="no featured person has these fields")

    @field_validator("status", "kind", "language", "size", "has", "lacks", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("language")
    @classmethod
    def _languages(cls, value: list[str] | None) -> list[str] | None:
        for lang in value or []:  # a card is only ever in a language the project writes: another never matches
            if why := language_problem(lang):
                raise ValueError(why)
        return value

    @field_validator("has", "lacks")
    @classmethod
    def _fields(cls, value: list[str] | None) -> list[str] | None:
        for name in value or []:
            if name not in TEXT_FIELDS:
                raise ValueError(f"{name!r} is not a text field{did_you_mean(name, TEXT_FIELDS)}; "
                                 f"use one of: {', '.join(PERSON_FIELDS)}")
        return value


class FontSource(Model):
    """Where a font family comes from: an installed font package, or a file in the template folder."""

    package: str | None = Field(None, description="an installed font package, e.g. fontpkg_noto_sans_khmer")
    file: str | None = Field(None, description="a .ttf/.otf file: in the template folder, or inside the package's files/")
    italic: bool = False

    @field_validator("package")
    @classmethod
    def _top_level(cls, value: str | None) -> str | None:
        # A dotted name would import its parent package to look inside it (running that package's code),
        # and a path is no package: a font package is one top-level name.
        if value is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
            raise ValueError(f"{value!r} is not a font package name; write an installed package's name such as "
                             "fontpkg_noto_sans (letters, digits and _), or give a 'file' in the template folder")
        return value

    @model_validator(mode="after")
    def _one(self) -> FontSource:
        if not self.package and not self.file:
            raise ValueError("give a font 'package' (e.g. fontpkg_noto_sans) or a 'file' in the template folder")
        return self


class TextStyle(Model):
    """How text is set: family, weight, size range, lines, alignment, colour."""

    font: str = Field("sans", description="font family for text without Khmer")
    font_khmer: str = Field("khmer", description="font family for text containing Khmer")
    weight: int = Field(400, ge=100, le=900)
    size: PerSize[int | tuple[int, int]] = Field(40, description="font size in px, or [min, max]: shrinks to fit")
    max_lines: int = Field(1, ge=1, le=20)
    line_spacing: float = Field(1.0, ge=0.6, le=3.0, description="times the font's line height")
    align: Literal["left", "center", "right"] = "left"
    valign: Literal["top", "middle", "bottom"] = "top"
    color: Color = "#ffffff"
    stroke: Stroke | None = None
    uppercase: bool = False
    balance: bool = Field(False, description="over several lines, even their lengths (no last word alone on a line)")
    lang: str | None = Field(None, description="language of bare fields ({name}); default: the card's")


    @field_validator("size", mode="before")
    @classmethod
    def _sizes(cls, value: Any) -> Any:
        def one(v: Any) -> Any:
            if isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) for x in v):
                if not 4 <= v[0] <= v[1] <= 800:
                    raise ValueError(f"size range {v} must be [min, max] with 4 <= min <= max <= 800")
                return tuple(v)
            if isinstance(v, int) and not 4 <= v <= 800:
                raise ValueError(f"size {v} must be between 4 and 800")
            return v
        return {k: one(v) for k, v in value.items()} if isinstance(value, dict) else one(value)

    @field_validator("lang")
    @classmethod
    def _lang(cls, value: str | None) -> str | None:
        if value is not None and (why := language_problem(value)):  # its fields could not be written: refused now
            raise ValueError(why)
        return value

    @field_validator("text", check_fields=False)  # each kind of text (layer, badge, flow text, grid label)
    @classmethod
    def _text_languages(cls, value: Text) -> Text:
        return written_in(value, any_language=True) if isinstance(value, dict) else value


Text = str | dict[str, str]  # a format string, or one per card language ({en: ..., km: ..., "*": ...})


def written_in(texts: dict[str, str], any_language: bool = False) -> dict[str, str]:
    """``texts`` if each key is a language the project writes (``any_language``: or ``*``): a text in
    another would never be used. Else a ValueError naming the key first (``kh: ...``), which
    :mod:`campaign.sources` turns into the key's line."""
    for lang in texts:
        if not (any_language and lang == "*") and (why := language_problem(lang)):
            raise ValueError(f"{lang}: {why}")
    return texts


__all__ = ["FontSource", "Model", "Stroke", "Text", "TextStyle", "When", "written_in"]
