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
from typing import Any, Literal, Self

from pydantic import ConfigDict, Field, field_validator, model_validator

from ..sources import Located
from .style import FontSource, Model, Stroke, Text, TextStyle, When, written_in
from .values import Color, PerSize, PlacedBox

TEMPLATE_FILE = "template.yaml"
REQUIRED_SIZES = {"square": (1080, 1080), "portrait": (1080, 1350), "landscape": (1200, 675)}


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
    """What stands in for a missing photo: a silhouette, with initials from a real Latin (or
    Cyrillic...) given and family name; none from a description such as "(name withheld)"."""

    fill: Color = "#2b3340"
    figure: Color = "#3b4656"
    initials: Color = "#e8ecf2"
    khmer: Literal["none", "first_cluster"] = Field(
        "none", description="a person with only a Khmer name: the silhouette alone (Khmer has no initials), "
                            "or the name's first syllable cluster")



class Faces(Model):
    """How a person's photo is shown, alone (a photo layer) or as each face of a grid: cropped to
    cover (biased upwards, where faces are), shaped, perhaps grey and outlined; a silhouette when
    there is no photo."""

    shape: Literal["circle", "rounded", "rect"] = "rect"
    radius: int = Field(32, ge=0, description="corner radius for shape: rounded")
    grayscale: bool = False
    focus: float = Field(0.3, ge=0, le=1, description="vertical crop position: 0 top, 0.5 centre, 1 bottom")
    border: Stroke | None = None
    placeholder: Placeholder = Placeholder()

    @model_validator(mode="after")
    def _radius_needs_rounded(self) -> Self:
        """A radius the designer wrote would be silently ignored by any shape but ``rounded``."""
        if "radius" not in self.model_fields_set or self.shape == "rounded":
            return self
        if self.shape == "rect":
            raise ValueError("radius: a rect has square corners; write shape: rounded for rounded corners (or remove radius)")
        raise ValueError("radius: a circle has no corners to round; remove radius, or write shape: rounded")


class PhotoLayer(Faces):
    """The featured person's photo, cropped to cover its box."""

    box: PlacedBox
    when: When | None = None


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


class QrLayer(Model):
    """A QR code of the campaign's page (``url:`` in campaign.yaml), square in its box; skipped
    when the campaign gives no page."""

    box: PlacedBox
    color: Color = "#000000"
    background: Color = "#ffffff"
    margin: int = Field(2, ge=0, le=8, description="quiet zone, in modules (2 or more scans best)")
    align: Literal["left", "center", "right"] = "right"
    when: When | None = None


class FlowText(TextStyle):
    """One text of a flow: set at the flow's width, as tall as it needs (up to ``height``)."""

    text: Text
    height: PerSize[int] | None = Field(None, description="the most height it may take (px); default: what is left")
    gap: PerSize[int] | None = Field(None, description="space above it (px); default: the flow's gap")
    id: str | None = Field(None, description="a name for overflow reports; default: the text")
    when: When | None = None


class FlowEntry(Model):
    """An entry of a flow's ``layers`` (text only, for now)."""

    text: FlowText


class FlowLayer(Model):
    """Texts stacked in a column: each takes the height its lines need and the next starts a
    ``gap`` below it, so a missing field closes up and a long one pushes the rest down."""

    box: PlacedBox
    gap: PerSize[int] = Field(12, description="space between two texts (px)")
    valign: Literal["top", "middle", "bottom"] = "top"
    layers: list[FlowEntry] = Field(min_length=1)
    when: When | None = None

    @field_validator("gap", mode="before")
    @classmethod
    def _gap(cls, value: Any) -> Any:
        values = value.values() if isinstance(value, dict) else [value]
        if any(not isinstance(v, int) or v < 0 for v in values):
            raise ValueError("a gap is a whole number of pixels, 0 or more (or one per canvas)")
        return value


class GridLabel(TextStyle):
    """The text under each face of a grid."""

    text: Text = "{name}"
    size: PerSize[int | tuple[int, int]] = (12, 30)
    max_lines: int = Field(2, ge=1, le=6)
    align: Literal["left", "center", "right"] = "center"


class GridLayer(Faces):
    """Everyone featured, as a grid of faces with names (a collage; works for 1 to 60+ people)."""

    box: PlacedBox
    gap: int = Field(16, ge=0)
    shape: Literal["circle", "rounded", "rect"] = "circle"
    radius: int = Field(24, ge=0, description="corner radius for shape: rounded")
    label: GridLabel | None = GridLabel()
    label_ratio: float = Field(0.32, ge=0, le=0.8, description="share of each cell's height for the label")
    max_columns: int | None = Field(None, ge=1)
    when: When | None = None


class Layer(Model):
    """One entry of ``layers``: exactly one of the layer kinds."""

    background: BackgroundLayer | None = None
    photo: PhotoLayer | None = None
    text: TextLayer | None = None
    shape: ShapeLayer | None = None
    badge: BadgeLayer | None = None
    logo: LogoLayer | None = None
    grid: GridLayer | None = None
    flow: FlowLayer | None = None
    qr: QrLayer | None = None

    @model_validator(mode="after")
    def _one(self) -> Layer:
        given = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"each layer is exactly one of: {', '.join(type(self).model_fields)} (got {', '.join(given) or 'none'})")
        return self

    @property
    def kind(self) -> str:
        d = self.__dict__  # read on every layer of every card: a plain loop over the fields' values
        return next(k for k in _LAYER_KINDS if d[k] is not None)

    @property
    def spec(self) -> Any:
        d = self.__dict__
        return next(v for k in _LAYER_KINDS if (v := d[k]) is not None)


_LAYER_KINDS = tuple(Layer.model_fields)


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

    @field_validator("alt")
    @classmethod
    def _alt_languages(cls, value: dict[str, str] | list[AltRule]) -> dict[str, str] | list[AltRule]:
        # here, not in AltRule: an error inside the union would come with the other member's ("not a dict")
        for i, rule in enumerate(value if isinstance(value, list) else []):
            try:
                written_in(rule.text)
            except ValueError as exc:
                raise ValueError(f"[{i}].text.{exc}") from None
        return written_in(value) if isinstance(value, dict) else value

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
