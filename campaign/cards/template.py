"""The template format: ``template.yaml`` validated into typed models, and a loaded :class:`Template`.

A template is a folder: ``template.yaml`` + images + optional fonts. The YAML names its canvases
(``sizes``), the fonts it uses, the layers painted in order, and the alt text per language::

    fonts:
      sans:  {package: fontpkg_noto_sans}
      khmer: {package: fontpkg_noto_sans_khmer}
    sizes: {square: [1080, 1080], portrait: [1080, 1350], landscape: [1200, 675]}
    layers:
      - background: {gradient: {from: "#1d2433", to: "#0b0e14"}}
      - photo: {box: [80, 200, 420, 420], shape: circle}
      - text: {box: [540, 220, 480, 140], text: "{name.primary}", size: [40, 84], max_lines: 2}
      - badge: {box: [60, 60, 200, 56], text: {en: RELEASED, km: ត្រូវបានដោះលែង}, when: {status: released}}
    alt:
      en: "{name.en}, {group.en}, behind bars for {detained.en}."

Every value that places something (``box``, text ``size``) may be given per canvas:
``box: {square: [..], landscape: [..], default: [..]}``.

Errors come out as ``template.yaml:LINE: layers[3].text.size: message`` through
:mod:`campaign.sources`. How colours, boxes and per-canvas values are written: :mod:`.values`;
what the models alone cannot see: :mod:`.lint`; reading a folder and its fonts: :mod:`.load`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..fields import PERSON_FIELDS
from ..sources import Located, did_you_mean
from ..types import LANG_RE
from .fields import TEXT_FIELDS
from .values import Color, PerSize, PlacedBox

TEMPLATE_FILE = "template.yaml"
REQUIRED_SIZES = {"square": (1080, 1080), "portrait": (1080, 1350), "landscape": (1200, 675)}


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
    min_people: int | None = Field(None, ge=0)
    max_people: int | None = Field(None, ge=0)
    has_photo: bool | None = Field(None, description="the (single) featured person has a photo")
    has: list[str] | None = Field(None, description="every featured person has these fields, e.g. [charge, release_note]")
    lacks: list[str] | None = Field(None, description="no featured person has these fields")

    @field_validator("status", "kind", "language", "has", "lacks", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

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
        if value is not None and not LANG_RE.match(value):
            raise ValueError(f"{value!r} is not a language code (use e.g. en, km)")
        return value


Text = str | dict[str, str]  # a format string, or one per card language ({en: ..., km: ...})


class BackgroundLayer(Model):
    """The canvas: a colour, a gradient, or an image scaled to cover."""

    color: Color | None = None
    gradient: Gradient | None = None
    image: str | None = Field(None, description="an image file in the template folder, scaled to cover")
    when: When | None = None


    @model_validator(mode="after")
    def _one(self) -> BackgroundLayer:
        given = [k for k in ("color", "gradient", "image") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a background is exactly one of: color, gradient, image")
        return self


class Gradient(Model):
    """A linear gradient between two colours."""

    from_: Color = Field(alias="from")
    to: Color
    direction: Literal["vertical", "horizontal", "diagonal"] = "vertical"

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Placeholder(Model):
    """What stands in for a missing photo: initials on a silhouette."""

    fill: Color = "#2b3340"
    figure: Color = "#3b4656"
    initials: Color = "#e8ecf2"



def _radius_needs_rounded(layer: PhotoLayer | GridLayer) -> None:
    """A radius the designer wrote would be silently ignored by any shape but ``rounded``."""
    if "radius" not in layer.model_fields_set or layer.shape == "rounded":
        return
    if layer.shape == "rect":
        raise ValueError("radius: a rect has square corners; write shape: rounded for rounded corners (or remove radius)")
    raise ValueError("radius: a circle has no corners to round; remove radius, or write shape: rounded")


class PhotoLayer(Model):
    """The featured person's photo, cropped to cover its box (biased upwards, where faces are)."""

    box: PlacedBox
    shape: Literal["circle", "rounded", "rect"] = "rect"
    radius: int = Field(32, ge=0, description="corner radius for shape: rounded")
    grayscale: bool = False
    focus: float = Field(0.3, ge=0, le=1, description="vertical crop position: 0 top, 0.5 centre, 1 bottom")
    border: Stroke | None = None
    placeholder: Placeholder = Placeholder()
    when: When | None = None

    @model_validator(mode="after")
    def _radius(self) -> PhotoLayer:
        _radius_needs_rounded(self)
        return self


class TextLayer(TextStyle):
    """A field or a format string over the facts, shrunk within its size range to fit its box."""

    box: PlacedBox
    text: Text
    id: str | None = Field(None, description="a name for overflow reports; default: the text")
    when: When | None = None


class ShapeLayer(Model):
    """A rectangle or rule (a thin rectangle), optionally rounded and outlined."""

    box: PlacedBox
    fill: Color | None = None
    radius: int = Field(0, ge=0)
    outline: Stroke | None = None
    when: When | None = None



class BadgeLayer(TextStyle):
    """A filled label (week number, RELEASED): a shape with text centred in it."""

    box: PlacedBox
    text: Text
    fill: Color = "#c62828"
    radius: int = Field(12, ge=0)
    padding: int = Field(12, ge=0)
    id: str | None = None
    when: When | None = None
    align: Literal["left", "center", "right"] = "center"
    valign: Literal["top", "middle", "bottom"] = "middle"



class LogoLayer(Model):
    """The posting organisation's logo, contained in its box; skipped when the account has none."""

    box: PlacedBox
    align: Literal["left", "center", "right"] = "right"
    when: When | None = None


class GridLabel(TextStyle):
    """The text under each face of a grid."""

    text: Text = "{name}"
    size: PerSize[int | tuple[int, int]] = (12, 30)
    max_lines: int = Field(2, ge=1, le=6)
    align: Literal["left", "center", "right"] = "center"


class GridLayer(Model):
    """Everyone featured, as a grid of faces with names (a collage; works for 1 to 60+ people)."""

    box: PlacedBox
    gap: int = Field(16, ge=0)
    shape: Literal["circle", "rounded", "rect"] = "circle"
    radius: int = Field(24, ge=0)
    grayscale: bool = False
    focus: float = Field(0.3, ge=0, le=1)
    border: Stroke | None = None
    placeholder: Placeholder = Placeholder()
    label: GridLabel | None = GridLabel()
    label_ratio: float = Field(0.32, ge=0, le=0.8, description="share of each cell's height for the label")
    max_columns: int | None = Field(None, ge=1)
    when: When | None = None

    @model_validator(mode="after")
    def _radius(self) -> GridLayer:
        _radius_needs_rounded(self)
        return self


class Layer(Model):
    """One entry of ``layers``: exactly one of the layer kinds."""

    background: BackgroundLayer | None = None
    photo: PhotoLayer | None = None
    text: TextLayer | None = None
    shape: ShapeLayer | None = None
    badge: BadgeLayer | None = None
    logo: LogoLayer | None = None
    grid: GridLayer | None = None

    @model_validator(mode="after")
    def _one(self) -> Layer:
        given = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"each layer is exactly one of: {', '.join(type(self).model_fields)} (got {', '.join(given) or 'none'})")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in type(self).model_fields if getattr(self, k) is not None)

    @property
    def spec(self) -> Any:
        return getattr(self, self.kind)


class AltRule(Model):
    """Alt text for cards matching ``when`` (the first matching rule wins)."""

    when: When | None = None
    text: dict[str, str]


def default_fonts() -> dict[str, FontSource]:
    return {"sans": FontSource(package="fontpkg_noto_sans"), "khmer": FontSource(package="fontpkg_noto_sans_khmer")}


class TemplateSpec(Model):
    """``template.yaml``: canvases, fonts, layers painted in order, alt text per language."""

    name: str | None = None
    description: str = ""
    max_people: int | None = Field(None, ge=1, description="refuse cards featuring more people (e.g. 1 for a portrait)")
    fonts: dict[str, FontSource] = Field(default_factory=default_fonts)
    sizes: dict[str, tuple[int, int]] = Field(default_factory=lambda: dict(REQUIRED_SIZES))
    layers: list[Layer] = Field(min_length=1)
    alt: dict[str, str] | list[AltRule]

    @field_validator("sizes")
    @classmethod
    def _sizes(cls, value: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        missing = [s for s in REQUIRED_SIZES if s not in value]
        if missing:
            raise ValueError(f"missing canvas size(s): {', '.join(missing)} (e.g. square: [1080, 1080])")
        for name, (w, h) in value.items():
            if not (100 <= w <= 4096 and 100 <= h <= 4096):
                raise ValueError(f"{name}: {w}x{h} is not a sensible canvas (100 to 4096 px a side)")
        return value


BackgroundLayer.model_rebuild()


@dataclass
class Template:
    """A loaded template: its validated spec, its folder, resolved font files, and render caches."""

    name: str
    root: Path
    spec: TemplateSpec
    fonts: dict[str, Path]
    source: Located
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def sizes(self) -> dict[str, tuple[int, int]]:
        return self.spec.sizes
