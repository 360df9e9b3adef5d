"""What a template's models alone cannot see (:func:`check_spec`, every problem at once, so a
template with any does not load): per-canvas values naming real canvases, boxes inside their
canvases, declared font families, usable texts. The warnings (valid, but probably not meant) are
:func:`campaign.checks.templates.template_warnings`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..vocabulary import check
from ..sources import Loc, did_you_mean
from .fields import texts_of
from .template import AltRule, GridLayer, Template, TemplateSpec, TextStyle, When
from .values import per_size

CARD_LANGUAGES = {"km": "Khmer", "en": "English"}  # every template is checked in these (and any it has texts in)


def check_spec(spec: TemplateSpec) -> Iterator[tuple[Loc, str]]:
    """What the model alone cannot see, every problem at once: each per-canvas value names real
    canvases, each box lies inside its canvases, each font family is declared, each text is usable."""
    for i, layer in enumerate(spec.layers):
        where: Loc = ("layers", i, layer.kind)
        yield from _check_layer(spec, where, layer.spec)
        when = getattr(layer.spec, "when", None)
        for j, entry in enumerate(layer.flow.layers if layer.flow else ()):  # a flow's texts: as text layers
            yield from _check_layer(spec, where + ("layers", j, "text"), entry.text, when.size if when else None)
    for loc, when in conditions(spec):
        for name in when.size or []:
            if name not in spec.sizes:
                yield loc + ("size",), f"no canvas named {name!r}{did_you_mean(name, spec.sizes)}; sizes: {', '.join(spec.sizes)}"
    rules = spec.alt if isinstance(spec.alt, list) else [AltRule(text=spec.alt)]
    for i, rule in enumerate(rules):
        for lang, text in rule.text.items():
            loc: Loc = ("alt", i, "text", lang) if isinstance(spec.alt, list) else ("alt", lang)
            for err in check(text):
                yield loc, err


def conditions(spec: TemplateSpec) -> Iterator[tuple[Loc, When]]:
    """Every ``when:`` of the template, where it is written: a layer's, a flow text's, an alt rule's."""
    for i, layer in enumerate(spec.layers):
        where: Loc = ("layers", i, layer.kind)
        if layer.spec.when is not None:
            yield where + ("when",), layer.spec.when
        for j, entry in enumerate(layer.flow.layers if layer.flow else ()):
            if entry.text.when is not None:
                yield where + ("layers", j, "text", "when"), entry.text.when
    for i, rule in enumerate(spec.alt if isinstance(spec.alt, list) else ()):
        if rule.when is not None:
            yield ("alt", i, "when"), rule.when


def _check_layer(spec: TemplateSpec, where: Loc, layer: Any, only: list[str] | None = None) -> Iterator[tuple[Loc, str]]:
    sizes = spec.sizes
    when = getattr(layer, "when", None)
    only = only or (when.size if when is not None else None)
    if only:  # painted on these canvases only (its own or its flow's when: size): values for others are not needed
        sizes = {name: wh for name, wh in sizes.items() if name in only}
    for fname in ("box", "size"):
        value = getattr(layer, fname, None)
        if isinstance(value, dict):
            unknown = [k for k in value if k != "default" and k not in spec.sizes]
            for name in unknown:
                yield where + (fname, name), (f"no canvas named {name!r}{did_you_mean(name, [*spec.sizes, 'default'])}; "
                                              f"sizes: {', '.join(spec.sizes)}")
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
            cw, ch = min(sizes[n][0] for n in names), min(sizes[n][1] for n in names)
            fits = [f"x + width = {x + w} (at most {cw})" if x + w > cw else "",
                    f"y + height = {y + h} (at most {ch})" if y + h > ch else "",
                    "x and y at least 0" if x < 0 or y < 0 else ""]
            yield at, (f"[{x}, {y}, {w}, {h}] reaches outside {listed}: " + ", ".join(f for f in fits if f)
                       + "; move or shrink the box" + ("" if key else ", or give it per canvas ({square: [...], landscape: [...]})"))


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
        for err in check(text):
            yield loc, err


def sample_languages(t: Template) -> list[str]:
    """The languages sample cards are made in: English and Khmer, then each other language ``t``
    writes a text in (a key of ``{en: .., be: ..}``, of an alt text, or a ``when: {language: ..}``),
    so its Belarusian or French labels are checked for overflow and contrast too."""
    langs = list(CARD_LANGUAGES)
    found = [k for _, text in texts_of(t.spec) if isinstance(text, dict) for k in text]
    found += [lang for _, when in conditions(t.spec) for lang in when.language or ()]
    for lang in found:
        if lang != "*" and lang not in langs:
            langs.append(lang)
    return langs


__all__ = ["CARD_LANGUAGES", "check_spec", "conditions", "sample_languages"]
