"""Which characters a font has glyphs for, read from its ``cmap`` table; and the one weight of a
static font (:func:`static_weight`). Pure.

FreeType draws a character its font lacks as an empty box (.notdef, "tofu") and says nothing:
a Khmer name set in a Latin-only font would go out as a row of boxes. Text is checked against
the font's character map before it is set, so that is an error naming the characters instead.
"""

from __future__ import annotations

import functools
import struct
import unicodedata
from pathlib import Path
from typing import BinaryIO

from ..types import INVISIBLE

_INVISIBLE = INVISIBLE  # never drawn as glyphs of their own (types.INVISIBLE: spaces, controls, ZWSP, ZWJ...)


class FontFormatError(ValueError):
    """The font file's character map could not be read."""


@functools.lru_cache(maxsize=64)
def charset(path: Path) -> frozenset[int]:
    """The code points ``path`` (TrueType/OpenType, or the first font of a collection) maps to a glyph."""
    try:
        with open(path, "rb") as fh:  # only the table directory and the cmap: a font may be megabytes
            cmap = _table(fh, b"cmap")
            if cmap is None:
                raise FontFormatError("it has no cmap table")
            return frozenset(_read_cmap(cmap))
    except (struct.error, IndexError) as exc:
        raise FontFormatError(f"{Path(path).name}: cannot read its character map ({exc})") from None


@functools.lru_cache(maxsize=64)
def static_weight(path: Path) -> int | None:
    """The one weight a static font draws (its OS/2 ``usWeightClass``: 400 regular, 700 bold), or
    None for a variable font (an ``fvar`` table: it takes every weight) or one that does not say."""
    try:
        with open(path, "rb") as fh:
            if _table(fh, b"fvar", read=False) is not None:
                return None
            os2 = _table(fh, b"OS/2")
            return struct.unpack_from(">H", os2, 4)[0] if os2 else None
    except (struct.error, IndexError):
        return None


def missing(text: str, path: Path) -> list[str]:
    """The characters of ``text`` (each once, in order) that the font at ``path`` has no glyph for."""
    have = charset(path)
    out: dict[str, None] = {}
    for ch in text:
        if ord(ch) not in have and ch not in out and unicodedata.category(ch) not in _INVISIBLE:
            out[ch] = None
    return list(out)


def describe(chars: list[str]) -> str:
    """``'ស' (U+179F KHMER LETTER SA), ...`` for a message."""
    return ", ".join(f"{ch!r} (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})" for ch in chars[:6]) + (
        f" and {len(chars) - 6} more" if len(chars) > 6 else "")


def _table(fh: BinaryIO, want: bytes, read: bool = True) -> bytes | None:
    """The bytes of the font's table ``want`` (``b""`` when not ``read``), read from the open file
    ``fh``; None if the font has none."""
    fh.seek(0)
    head = fh.read(12)
    base = 0
    if head[:4] == b"ttcf":  # a collection: the first font (what Pillow loads by default)
        (base,) = struct.unpack_from(">I", head + fh.read(4), 12)  # the first font's offset
        fh.seek(base)
        head = fh.read(12)
    (num_tables,) = struct.unpack_from(">H", head, 4)
    directory = fh.read(16 * num_tables)
    for i in range(num_tables):
        tag, _, offset, length = struct.unpack_from(">4sIII", directory, 16 * i)
        if tag == want:
            if not read:
                return b""
            fh.seek(offset)  # offsets count from the file's start, in a collection too
            return fh.read(length)
    return None


def _read_cmap(data: bytes) -> set[int]:
    """The code points a ``cmap`` table (its bytes) maps to a glyph."""
    cmap = 0
    (count,) = struct.unpack_from(">H", data, cmap + 2)
    subtables: dict[int, int] = {}  # format -> offset of the best Unicode subtable of that format
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        if platform == 0 or (platform == 3 and encoding in (1, 10)):
            (fmt,) = struct.unpack_from(">H", data, cmap + offset)
            subtables.setdefault(fmt, cmap + offset)
    if 12 in subtables:
        return _format12(data, subtables[12])
    if 4 in subtables:
        return _format4(data, subtables[4])
    raise FontFormatError("it has no Unicode character map of format 4 or 12")


def _format4(data: bytes, at: int) -> set[int]:
    (seg_x2,) = struct.unpack_from(">H", data, at + 6)
    n = seg_x2 // 2
    ends = struct.unpack_from(f">{n}H", data, at + 14)
    starts = struct.unpack_from(f">{n}H", data, at + 16 + seg_x2)
    deltas = struct.unpack_from(f">{n}h", data, at + 16 + 2 * seg_x2)
    range_at = at + 16 + 3 * seg_x2
    offsets = struct.unpack_from(f">{n}H", data, range_at)
    out = set()
    for i in range(n):
        for c in range(starts[i], ends[i] + 1):
            if c == 0xFFFF:
                continue
            if offsets[i] == 0:
                glyph = (c + deltas[i]) & 0xFFFF
            else:
                (glyph,) = struct.unpack_from(">H", data, range_at + 2 * i + offsets[i] + 2 * (c - starts[i]))
                glyph = (glyph + deltas[i]) & 0xFFFF if glyph else 0
            if glyph:
                out.add(c)
    return out


def _format12(data: bytes, at: int) -> set[int]:
    (groups,) = struct.unpack_from(">I", data, at + 12)
    out: set[int] = set()
    for i in range(groups):
        start, end, glyph = struct.unpack_from(">III", data, at + 16 + 12 * i)
        out.update(range(start + (1 if glyph == 0 else 0), end + 1))
    return out
