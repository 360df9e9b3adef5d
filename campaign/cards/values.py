"""How a value that paints or places something is written in ``template.yaml``: a colour
(``#rgb``, ``#rrggbb`` or ``#rrggbbaa`` with alpha), a box (``[x, y, width, height]``), and a value given once
or per canvas (``{square: .., landscape: .., default: ..}``). Validators for the template models."""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar, Union

from pydantic import BeforeValidator

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
        raise ValueError(f"{value!r} is not a colour; write it as #rgb, #rrggbb or #rrggbbaa (the last pair: alpha, "
                         "00 transparent to ff opaque), in hex digits 0-9 a-f")
    return value.strip() if isinstance(value, str) else value


Color = Annotated[str, BeforeValidator(_color)]


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
