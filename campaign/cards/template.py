"""The template format: ``template.yaml`` validated into typed models, with its fonts resolved.

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
:mod:`campaign.sources`.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from ..errors import CardError
from ..fields import ALIASES, PERSON_FIELDS, check, resolve
from ..sources import InputError, Loc, Located, Problem, did_you_mean, load_model
from ..types import LANG_RE

TEMPLATE_FILE = "template.yaml"
REQUIRED_SIZES = {"square": (1080, 1080), "portrait": (1080, 1350), "landscape": (1200, 675)}

# Fields a text or alt format string may use: the one vocabulary of captions, cards and alt text
# (campaign.fields). Text fields take a language attribute ({name.km}); bare, they are written in
# the layer's language (the card's, unless `lang:` is set).
TEXT_FIELDS = PERSON_FIELDS + tuple(a for a in ALIASES if resolve(a)[0] in PERSON_FIELDS)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- small value types -------------------------------------------------------------------------

_COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
RGBA = tuple[int, int, int, int]


def parse_color(value: str) -> RGBA:
    """``#abc``, ``#aabbcc`` or ``#aabbccdd`` -> an RGBA tuple."""
    h = value[1:]
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    if len(h) == 6:
        h += "ff"
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), int(h[6:8], 16))


def _color(value: Any) -> Any:
    if isinstance(value, str) and not _COLOR_RE.match(value.strip()):
        raise ValueError(f"{value!r} is not a colour; write it as #rrggbb or #rrggbbaa (alpha)")
    return value.strip() if isinstance(value, str) else value


Color = Annotated[str, BeforeValidator(_color)]


class Stroke(Model):
    """An outline around text or a shape."""

    width: int = Field(2, ge=1, le=40)
    color: Color = "#000000"



Box = tuple[int, int, int, int]
T = TypeVar("T")
# A value for every canvas, or one per canvas name (with an optional `default`).
PerSize = Union[T, dict[str, T]]

_BOX = "a box is [x, y, width, height] (4 numbers) in whole pixels"


def _one_box(value: Any) -> Box | None:
    if not isinstance(value, (list, tuple)) or len(value) != 4:
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) or isinstance(v, float) and v.is_integer() for v in value):
        return None
    x, y, w, h = (int(v) for v in value)
    return (x, y, w, h)


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        n = len(value)
        return f"[{', '.join(str(v) for v in value)}] ({n} number{'s' if n != 1 else ''})"
    return repr(value)


def _box(value: Any) -> Any:
    # Checked before pydantic sees it: a wrong box would fail both halves of the union, and
    # the two messages (box[3]: missing; box: not a dictionary) hide what a box is.
    if isinstance(value, dict):
        out = {}
        for name, one in value.items():
            box = _one_box(one)
            if box is None:
                raise ValueError(f"{name}: {_BOX}; got {_show(one)}")
            out[name] = box
        return out
    box = _one_box(value)
    if box is None:
        raise ValueError(f"{_BOX}, or a mapping of canvas names to such boxes "
                         f"(e.g. {{square: [..], landscape: [..], default: [..]}}); got {_show(value)}")
    return box


PlacedBox = Annotated[PerSize[Box], BeforeValidator(_box)]


def per_size(value: Any, size: str) -> Any:
    """The value of a PerSize field for the canvas ``size``."""
    if isinstance(value, dict):
        return value[size] if size in value else value["default"]
    return value


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


def _default_fonts() -> dict[str, FontSource]:
    return {"sans": FontSource(package="fontpkg_noto_sans"), "khmer": FontSource(package="fontpkg_noto_sans_khmer")}


class TemplateSpec(Model):
    """``template.yaml``: canvases, fonts, layers painted in order, alt text per language."""

    name: str | None = None
    description: str = ""
    max_people: int | None = Field(None, ge=1, description="refuse cards featuring more people (e.g. 1 for a portrait)")
    fonts: dict[str, FontSource] = Field(default_factory=_default_fonts)
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


def check_spec(spec: TemplateSpec) -> Iterator[tuple[Loc, str]]:
    """What the model alone cannot see, every problem at once: each per-canvas value names real
    canvases, each box lies inside its canvases, each font family is declared, each text is usable."""
    for i, layer in enumerate(spec.layers):
        where: Loc = ("layers", i, layer.kind)
        yield from _check_layer(spec, where, layer.spec)
    rules = spec.alt if isinstance(spec.alt, list) else [AltRule(text=spec.alt)]
    for i, rule in enumerate(rules):
        for lang, text in rule.text.items():
            loc: Loc = ("alt", i, "text", lang) if isinstance(spec.alt, list) else ("alt", lang)
            if not LANG_RE.match(lang):
                yield loc, f"{lang!r} is not a language code"
            for err in check(text):
                yield loc, err


def _check_layer(spec: TemplateSpec, where: Loc, layer: Any) -> Iterator[tuple[Loc, str]]:
    sizes = spec.sizes
    for fname in ("box", "size"):
        value = getattr(layer, fname, None)
        if isinstance(value, dict):
            unknown = [k for k in value if k != "default" and k not in sizes]
            for name in unknown:
                yield where + (fname, name), (f"no canvas named {name!r}{did_you_mean(name, [*sizes, 'default'])}; "
                                              f"sizes: {', '.join(sizes)}")
            lacking = [s for s in sizes if s not in value] if "default" not in value else []
            if lacking and not unknown:  # a misspelt canvas is also a lacking one: say it once
                yield where + (fname,), (f"no value for canvas {' or '.join(map(repr, lacking))}; "
                                         f"give {'it' if len(lacking) == 1 else 'each'}, or a 'default'")
    if hasattr(layer, "box"):
        yield from _check_box(where + ("box",), layer.box, sizes)
    if isinstance(layer, TextStyle):
        yield from _check_style(spec, where, layer)
    elif isinstance(layer, GridLayer) and layer.label:
        yield from _check_style(spec, where + ("label",), layer.label)


def _check_box(loc: Loc, box: Any, sizes: dict[str, tuple[int, int]]) -> Iterator[tuple[Loc, str]]:
    # one problem per box the designer wrote, naming every canvas it does not fit
    uses: dict[str | None, list[str]] = {}
    for size in sizes:
        if not isinstance(box, dict):
            uses.setdefault(None, []).append(size)
        elif size in box or "default" in box:
            uses.setdefault(size if size in box else "default", []).append(size)
    for key, names in uses.items():
        at = loc + ((key,) if key else ())
        x, y, w, h = per_size(box, names[0])
        if w <= 0 or h <= 0:
            yield at, f"width and height must be positive (got {w}x{h})"
            continue
        outside = [f"the {n} canvas ({sizes[n][0]}x{sizes[n][1]})" for n in names
                   if x < 0 or y < 0 or x + w > sizes[n][0] or y + h > sizes[n][1]]
        if outside:
            listed = ", ".join(outside[:-1]) + " and " + outside[-1] if len(outside) > 1 else outside[0]
            yield at, f"[{x}, {y}, {w}, {h}] reaches outside {listed}"


def _check_style(spec: TemplateSpec, where: Loc, style: TextStyle) -> Iterator[tuple[Loc, str]]:
    have = ", ".join(spec.fonts) or "none"
    for fname in ("font", "font_khmer"):
        family = getattr(style, fname)
        if family in spec.fonts:
            continue
        message = f"no font family {family!r} in fonts{did_you_mean(family, spec.fonts)} (have: {have})"
        if fname == "font_khmer":
            default = "" if fname in style.model_fields_set else f" (default: {family})"
            message += (f"; text containing Khmer is set in font_khmer{default}: add "
                        f"{family}: {{package: fontpkg_noto_sans_khmer}} to fonts, "
                        f"or set font_khmer: to a family that has Khmer")
        else:
            message += "; add it to fonts, or set font: to one of those"
        yield where + (fname,), message
    texts = style.text if isinstance(style.text, dict) else {"": style.text}  # type: ignore[attr-defined]
    for lang, text in texts.items():
        loc = where + ("text", lang) if lang else where + ("text",)
        if lang and lang != "*" and not LANG_RE.match(lang):
            yield loc, f"{lang!r} is not a language code"
        for err in check(text):
            yield loc, err


BackgroundLayer.model_rebuild()


def check_format(text: str) -> str | None:
    """None if ``text`` is a usable card/alt format string, else its first problem
    (:func:`campaign.fields.check` gives them all)."""
    problems = check(text)
    return problems[0] if problems else None


# --- loading -----------------------------------------------------------------------------------


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


def package_font(package: str, file: str | None = None, italic: bool = False) -> Path:
    """The font file shipped in an installed font package (``<package>/files/*.ttf``)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.origin:
        dist = package.replace("_", "-")
        raise CardError(f"font package {package!r} is not installed (pip install {dist})")
    files = Path(spec.origin).parent / "files"
    if file:
        path = files / file
        if not path.is_file():
            have = ", ".join(sorted(p.name for p in files.glob("*.[ot]tf"))) or "none"
            raise CardError(f"font package {package!r} has no file {file!r} (it has: {have})")
        return path
    candidates = sorted(p for p in files.glob("*.[ot]tf") if ("Italic" in p.name) == italic)
    if not candidates:
        raise CardError(f"font package {package!r} has no {'italic ' if italic else ''}font file in {files}")
    return candidates[0]


def _resolve_fonts(spec: TemplateSpec, root: Path, src: Located) -> tuple[dict[str, Path], list[Problem]]:
    out: dict[str, Path] = {}
    problems: list[Problem] = []
    for family, font in spec.fonts.items():
        loc = ("fonts", family)
        try:
            if font.package:
                out[family] = package_font(font.package, font.file, font.italic)
            else:
                assert font.file
                path = (root / font.file).resolve()
                package = (_default_fonts().get(family) or _default_fonts()["sans"]).package
                if not path.is_relative_to(root.resolve()):
                    raise CardError(f"{font.file!r} is outside the template folder; put the font in it (e.g. fonts/), "
                                    f"or use {{package: {package}}}")
                if not path.is_file():
                    raise CardError(f"font file {font.file!r} not found in {root}; put the file there, fix the path "
                                    f"(it is relative to the template folder), or use {{package: {package}}}")
                out[family] = path
            _check_font_file(out[family])
        except CardError as exc:
            problems.append(src.problem(loc, str(exc)))
    return out, problems


def _check_font_file(path: Path) -> None:
    from PIL import ImageFont

    try:
        ImageFont.truetype(str(path), 20)
    except OSError as exc:
        raise CardError(f"{path.name} is not a usable font file ({exc})") from None


def _check_images(spec: TemplateSpec, root: Path, src: Located) -> list[Problem]:
    from PIL import Image

    problems = []
    for i, layer in enumerate(spec.layers):
        if layer.background and layer.background.image:
            path = (root / layer.background.image).resolve()
            loc = ("layers", i, "background", "image")
            if not path.is_relative_to(root.resolve()) or not path.is_file():
                problems.append(src.problem(loc, f"{layer.background.image!r} is not a file in the template folder"))
                continue
            try:
                with Image.open(path) as im:
                    im.verify()
            except Exception as exc:  # noqa: BLE001 - any decoder failure means the same to a designer
                problems.append(src.problem(loc, f"{layer.background.image!r} is not a readable image ({exc})"))
    return problems


def load_template(path: Path) -> Template:
    """Read, validate and resolve a template folder (or its template.yaml).

    Raises InputError (``template.yaml:LINE: field: message``) for anything wrong in the folder.
    """
    path = Path(path)
    root = path.parent if path.name == TEMPLATE_FILE or path.is_file() else path
    file = root / TEMPLATE_FILE
    if not file.is_file():
        raise InputError([Problem(str(file), None, "", "no template.yaml here; a template is a folder with template.yaml")])
    spec, src = load_model(file, TemplateSpec, display=str(file))
    problems = [src.problem(loc, message) for loc, message in check_spec(spec)]
    fonts, font_problems = _resolve_fonts(spec, root, src)
    problems += font_problems + _check_images(spec, root, src)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    return Template(name=spec.name or root.name, root=root, spec=spec, fonts=fonts, source=src)
