"""Photos as people send them, made safe and uniform: any JPEG/PNG/WEBP becomes an upright RGB image.

Normalising: EXIF rotation applied; CMYK, 16-bit, palette and greyscale converted to RGB; alpha
flattened onto a neutral colour; huge images decoded at reduced scale (JPEG draft) and
downscaled. Refused, with a :class:`PhotoError` saying what is wrong: empty files, non-images,
formats other than JPEG/PNG/WEBP, truncated or corrupt data, and decompression bombs.

Crops are biased to the upper part of the frame, where faces are, rather than the centre.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from ..bounded import megabytes, read_at_most
from ..errors import CardError

try:  # fast_image_resize (Rust, SIMD): the same bicubic as Pillow's within one level, some 8x faster
    from cykooz_resizer import CropBox, FilterType, ResizeAlg, ResizeOptions, Resizer
except ImportError:  # no wheel for this machine (Linux on ARM): Pillow resamples it
    Resizer = None
_RESIZER = Resizer() if Resizer is not None else None
_CATMULL_ROM = ResizeAlg.convolution(FilterType.catmull_rom) if Resizer is not None else None

# Pillow imports its JPEG and PNG codecs on the first Image.open or save: import them with this module
# instead (a Celery prefork parent imports once for all its children; a worker's first card is
# then ~10 ms sooner).
Image.preinit()

FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: the JPEG variant many phones write
MAX_PIXELS = 60_000_000  # a 60 MP photo is a camera original; more is a bomb or a mistake
MAX_SIDE = 2048  # nothing on a card needs more
MAX_PHOTO_BYTES = 32 * 1_048_576  # a camera original is less; a photo, logo or template image is refused above
FLATTEN = (58, 64, 74)  # transparent areas become this neutral slate


class PhotoError(CardError):
    """A photo that cannot be used; ``person`` and ``name`` (its file) say which.

    Callers that know the file name pass it to :func:`load_photo` (or in
    ``CardInput.photo_names``), so the message reads ``photos/x.jpg (rong-chhun): ...``.
    """

    def __init__(self, person: str, message: str, name: str | None = None):
        self.person, self.name, self.reason = person, name, message
        where = f"{name} ({person})" if name else f"photo of {person}"
        super().__init__(f"{where}: {message}")


def too_big(size: int) -> str | None:
    """What is wrong with an image file of ``size`` bytes, or None."""
    if size <= MAX_PHOTO_BYTES:
        return None
    return (f"the file is larger than {megabytes(MAX_PHOTO_BYTES)}, the limit for an image; send a smaller one "
            f"(a card needs no more than {MAX_SIDE} pixels a side)")


def read_image_file(path: Path, person: str = "", name: str | None = None) -> bytes:
    """The bytes of a photo or logo file, read no further than :data:`MAX_PHOTO_BYTES` (PhotoError above it,
    or if it cannot be read)."""
    try:
        data = read_at_most(path, MAX_PHOTO_BYTES)
    except OSError as exc:
        raise PhotoError(person, f"cannot be read ({exc.strerror or exc})", name) from None
    if data is None:
        raise PhotoError(person, too_big(MAX_PHOTO_BYTES + 1) or "", name)
    return data


def load_photo(data: bytes, person: str = "", name: str | None = None, target: int = MAX_SIDE) -> Image.Image:
    """Decode and normalise a photo to an upright RGB image with no side much above ``target``*2."""
    if not data:
        raise PhotoError(person, "the file is empty (0 bytes); send the photo again", name)
    limit = min(MAX_PIXELS, Image.MAX_IMAGE_PIXELS or MAX_PIXELS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(person, "the image is too many pixels to open safely (a decompression bomb?); "
                                 "send a photo under 60 megapixels", name) from None
    except UnidentifiedImageError:
        raise PhotoError(person, "not an image file (JPEG, PNG or WEBP expected)", name) from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise PhotoError(person, f"the image cannot be read ({exc})", name) from None
    if im.format not in FORMATS:
        raise PhotoError(person, f"{im.format} images are not accepted; send a JPEG, PNG or WEBP", name)
    w, h = im.size
    if w * h > limit:
        raise PhotoError(person, f"the image is {w}x{h} pixels, too many to open safely "
                                 f"(limit {limit // 1_000_000} megapixels); send a smaller photo", name)
    if w < 1 or h < 1:
        raise PhotoError(person, "the image has no pixels", name)
    try:
        if im.format in ("JPEG", "MPO"):
            # decode at 1/2, 1/4 or 1/8 scale when the photo is far bigger than needed: fast and small
            im.draft("RGB", (target, target))
        im.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        reason = "truncated (the file was cut short)" if "truncated" in str(exc) else f"corrupt ({exc})"
        raise PhotoError(person, f"the image is {reason}; send the photo again", name) from None
    try:
        ImageOps.exif_transpose(im, in_place=True)  # in place: no copy of an upright photo
    except Exception:  # noqa: BLE001 - broken EXIF must not lose a usable photo; keep it unrotated
        pass
    return _to_rgb(im, target)


def _to_rgb(im: Image.Image, target: int) -> Image.Image:
    """Any mode -> RGB (alpha flattened, 16-bit scaled down, not clipped), at most ~2x target."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit greyscale: scale 0..65535 to 0..255 (a plain convert would clip to white)
        peak = 65535 if im.mode.startswith("I;16") or (im.getextrema()[1] or 0) > 255 else 255  # type: ignore[index]
        im = im.convert("I").point(lambda v: v * (255 / peak)).convert("L")
    elif im.mode == "F":
        im = im.point(lambda v: v * 255 if v <= 1 else v).convert("L")
    if im.mode in ("P", "PA") or (im.mode in ("L", "RGB") and "transparency" in im.info):
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "La", "RGBa"):
        im = im.convert("RGBA")
        base = Image.new("RGB", im.size, FLATTEN)
        base.paste(im, mask=im.getchannel("A"))
        im = base
    elif im.mode != "RGB":
        im = im.convert("RGB")  # CMYK, YCbCr, L, 1, LAB ...
    if max(im.size) > 2 * target:
        scale = 2 * target / max(im.size)
        im = resample(im, (max(1, round(im.width * scale)), max(1, round(im.height * scale))), (0, 0) + im.size)
    return im


def blurry(photo: tuple[int, int], box: tuple[int, int]) -> bool:
    """Whether a photo of size ``photo`` is blown up into a blur in ``box``: its shorter side less
    than half the box's (the card's warning, and validate's)."""
    return min(photo) < 0.5 * min(box)


def cover(im: Image.Image, size: tuple[int, int], focus: float = 0.3) -> Image.Image:
    """``im`` scaled to cover ``size`` and cropped; ``focus`` places the crop vertically (0 top)."""
    w, h = size
    iw, ih = im.size
    scale = max(w / iw, h / ih)
    # The crop, in source pixels; clamped because w / (w / iw) can come out a hair above iw
    # in floating point, and Pillow refuses a box that leaves the image.
    cw, ch = min(iw, w / scale), min(ih, h / scale)
    left = max(0.0, (iw - cw) / 2)
    top = max(0.0, (ih - ch) * focus)
    return resample(im, size, (left, top, left + cw, top + ch))


def resample(im: Image.Image, size: tuple[int, int], box: tuple[float, float, float, float]) -> Image.Image:
    """``im.resize(size, BICUBIC, box=box)``: the part ``box`` of ``im`` scaled to ``size``."""
    left, top, right, bottom = box
    if _RESIZER is not None and im.mode == "RGB" and size[0] <= right - left and size[1] <= bottom - top:
        # Shrinking (almost every photo): Catmull-Rom is Pillow's BICUBIC (a = -0.5) with the
        # support widened as it shrinks, within one level; integer arithmetic, so every CPU
        # extension gives the same bytes (tests/test_cards_photos.py). Enlarging, it samples
        # differently from Pillow: Pillow does that (rare: a photo smaller than its box).
        out = Image.new("RGB", size)
        _RESIZER.resize_pil(im, out, ResizeOptions(resize_alg=_CATMULL_ROM,
                                                   crop_box=CropBox(left, top, right - left, bottom - top)))
        return out
    return im.resize(size, Image.Resampling.BICUBIC, box=box)



def contain(im: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``im`` scaled to fit inside ``size`` keeping its shape (for logos)."""
    iw, ih = im.size
    scale = min(size[0] / iw, size[1] / ih)
    return im.resize((max(1, round(iw * scale)), max(1, round(ih * scale))), Image.Resampling.LANCZOS)


def unreadable(exc: BaseException, what: str = "image") -> str:
    """What to tell a person of an image Pillow could not open or decode: the cause in plain words
    and what to do (Pillow's own words name its internals, e.g. a BytesIO object)."""
    if isinstance(exc, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        return (f"the {what} has too many pixels to open safely (over {MAX_PIXELS // 1_000_000} megapixels); "
                "send a smaller one")
    if isinstance(exc, UnidentifiedImageError):
        return f"not an image file (JPEG, PNG or WEBP expected); export the {what} again as PNG or JPEG"
    if "truncated" in str(exc).lower():
        return f"the {what} is truncated (the file was cut short); export it again as PNG or JPEG"
    return f"the {what} is corrupt ({exc}); export it again as PNG or JPEG"


def load_logo(data: bytes, name: str = "logo") -> Image.Image:
    """A logo, as RGBA: unlike a photo it keeps its transparency. Errors name the file."""
    if not data:
        raise PhotoError("logo", "the file is empty (0 bytes)", name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            if im.size[0] * im.size[1] > MAX_PIXELS:
                raise PhotoError("logo", f"the image is {im.size[0]}x{im.size[1]} pixels; send a smaller logo", name)
            im.load()
    except PhotoError:
        raise
    except Exception as exc:  # noqa: BLE001 - every decoder failure means "send another file"
        raise PhotoError("logo", unreadable(exc, "logo"), name) from None
    try:
        im = ImageOps.exif_transpose(im) or im
    except Exception:  # noqa: BLE001
        pass
    if im.mode.startswith("I") or im.mode == "F":
        im = _to_rgb(im, MAX_SIDE)
    return im.convert("RGBA")
