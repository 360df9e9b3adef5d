"""A painted card as bytes: deterministic (no timestamps or EXIF are written), PNG or JPEG, the
JPEG quality stepping down a fixed sequence until the bytes fit ``max_bytes``. Pure."""

from __future__ import annotations

import io

from PIL import Image

from ..errors import CardError

JPEG_QUALITIES = (90, 85, 80, 75, 70, 65, 60, 50, 40, 30)
FORMATS = ("jpeg", "png")


def encode(canvas: Image.Image, fmt: str, max_bytes: int | None) -> tuple[bytes, int | None]:
    """Encode deterministically (no metadata); JPEG steps quality down until it fits ``max_bytes``."""
    if fmt == "png":
        buf = io.BytesIO()
        canvas.save(buf, "PNG", compress_level=6)
        data = buf.getvalue()
        if max_bytes is not None and len(data) > max_bytes:
            raise CardError(f"the PNG card is {len(data):,} bytes, over the limit of {max_bytes:,}; use JPEG")
        return data, None
    last = 0
    for q in JPEG_QUALITIES:
        buf = io.BytesIO()
        canvas.save(buf, "JPEG", quality=q, optimize=False, progressive=False, subsampling=2)
        data = buf.getvalue()
        if max_bytes is None or len(data) <= max_bytes:
            return data, q
        last = len(data)
    raise CardError(f"the card is still {last:,} bytes at JPEG quality {JPEG_QUALITIES[-1]}, over the limit "
                    f"of {max_bytes:,}; use a smaller canvas or a plainer background")


__all__ = ["FORMATS", "JPEG_QUALITIES", "encode"]
