"""Painting a person's face: their photo (decoded, normalised and cropped to cover the box) or,
without one, a silhouette with their initials; masked to the layer's shape and ringed. Pure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PIL import Image, ImageDraw

from ..roster import Facts
from . import coverage
from ..errors import CardError
from .layout import font, has_khmer, initials
from .lru import digest_of
from .photos import blurry, cover, load_photo
from .template import GridLayer, PhotoLayer, Placeholder
from .values import parse_color

if TYPE_CHECKING:
    from .canvas import Canvas

SUPERSAMPLE = 4  # masks and silhouettes are drawn 4x and each 4x4 block averaged (Image.reduce): smooth edges
# (a box filter is the usual antialiasing of a supersampled shape, and some 15x cheaper than LANCZOS)


def _rgb(color: str) -> tuple[int, int, int]:
    return parse_color(color)[:3]


def paint_face(canvas: Canvas, box: tuple[int, int, int, int], person: Facts, spec: PhotoLayer | GridLayer) -> None:
    """A person's photo (or placeholder) cropped into the layer's shape, at ``box``."""
    x, y, w, h = box
    shape, radius, border, focus, grayscale = spec.shape, spec.radius, spec.border, spec.focus, spec.grayscale
    pid = person.person.id
    data = canvas.card.photos.get(pid)
    face: Image.Image | None = None
    if data is not None:  # b"": a zero-byte file, which load_photo refuses by name
        content: tuple[Any, ...] = (digest_of(data), (w, h), focus, grayscale)
        face, small = canvas.by_content(
            content, lambda: _face(data, pid, canvas.card.photo_names.get(pid), (w, h), focus, grayscale))
        if small:
            canvas.warnings.append(f"photo of {pid} is only {small[0]}x{small[1]} px, shown at {w}x{h}: it will look blurry")
    else:
        letters = _initials(person, spec.placeholder)
        content = ("placeholder", spec.placeholder, letters)

    def paint(target: Image.Image, at: tuple[int, int]) -> None:
        im = face if face is not None else _placeholder(canvas, w, h, spec.placeholder, letters)
        mask, ring = _masks(canvas, w, h, shape, radius, border.width if border else 0)
        _through(target, im, at, mask)
        if border and ring is not None:
            for box_, colour, part in canvas.kept(("ring", w, h, shape, radius, border.width, border.color),
                                                   lambda: _coloured(ring, (w, h), border.color)):
                target.paste(colour, (at[0] + box_[0], at[1] + box_[1]), part)

    # masked and ringed, cached by the photo's content (or the initials) where the box shows the base
    canvas.blend((x, y, x + w, y + h), ("face", box, shape, radius, border, content), paint)


def _face(data: bytes, pid: str, name: str | None, size: tuple[int, int], focus: float,
          grayscale: bool) -> tuple[Image.Image, tuple[int, int] | None]:
    """A photo decoded, normalised and cropped to ``size`` (and its size when it is too small).

    A person's photo is the same on every account's and size's card of the week, and decoding
    plus resampling is most of a card's cost: the canvas keeps it by a hash of the bytes, so a
    cached face can never be stale; facts are not involved.
    """
    im = load_photo(data, pid, name, target=max(size))
    small = im.size if blurry(im.size, size) else None
    im = cover(im, size, focus)
    if grayscale:
        im = im.convert("L").convert("RGB")
    return im, small


def _initials(person: Facts, p: Placeholder) -> str:
    """From the English name; without one, from the first name in a script with capitals (a French
    or Belarusian name alone); a Khmer-only name as the placeholder asks."""
    name = person.person.name
    khmer, cluster = (name.get("km") if name.has("km") else ""), p.khmer == "first_cluster"
    texts = [name.get("en")] if name.has("en") else [t for t in name.root.values() if not has_khmer(t)]
    for text in texts:
        if letters := initials(text, khmer, cluster):
            return letters
    return "" if texts else initials("", khmer, cluster)


def _placeholder(canvas: Canvas, w: int, h: int, p: Placeholder, letters: str) -> Image.Image:
    """The silhouette with the person's initials (the silhouette alone without any)."""
    t = canvas.t
    im = canvas.kept(("silhouette", w, h, p), lambda: _silhouette(w, h, p))
    if not letters:
        return im
    im = im.copy()
    preferred = "khmer" if has_khmer(letters) else "sans"
    families = sorted(t.fonts, key=lambda fam: fam != preferred)  # the usual family first, then any
    path = next((t.fonts[fam] for fam in families if not coverage.missing(letters, t.fonts[fam])), None)
    if path is None:
        raise CardError(f"template {t.name!r}: no font in fonts ({', '.join(t.fonts)}) has glyphs for the "
                        f"initials {letters!r} of a person without a photo ({coverage.describe(coverage.missing(letters, t.fonts[families[0]]))}); "
                        "add one that does, e.g. khmer: {package: fontpkg_noto_sans_khmer}")
    f = font(path, max(8, int(min(w, h) * 0.16)), 700)
    ImageDraw.Draw(im).text((w / 2, h * 0.80), letters, font=f, fill=_rgb(p.initials), anchor="mm")
    return im


Pieces = list[tuple[tuple[int, int, int, int], Image.Image | None]]  # a box of the mask and its part (None: opaque)


def _masks(canvas: Canvas, w: int, h: int, shape: str, radius: int, width: int) -> tuple[Pieces | None, Pieces | None]:
    """The antialiased mask of a shape (None: a rectangle needs none) and of its outline ``width``
    px wide (None: no border), made once per template, in pieces (:func:`_pieces`)."""
    def make() -> tuple[Pieces | None, Pieces | None]:
        mask, ring = _draw_masks(w, h, shape, radius, width)
        return (None if mask is None else _pieces(mask, 255), None if ring is None else _pieces(ring, 0))
    return canvas.kept(("masks", w, h, shape, radius, width), make)


def _pieces(mask: Image.Image, hollow: int) -> Pieces:
    """``mask`` cut around its largest centred rectangle that is all ``hollow`` (255 inside a
    shape, 0 inside its outline), which needs no mask: copied (255) or left out (0). Pasting
    through a mask costs the same per pixel whatever the mask says, so the four strips around
    it are all that is pasted through one: a circle's face and ring in 0.7 ms instead of 1.1,
    to the same bytes (tests/test_card_speed.py)."""
    w, h = mask.size

    def inside(k: int) -> bool:  # the rectangle inset by k on every side is all ``hollow``
        return mask.crop((k, k, w - k, h - k)).getextrema() == (hollow, hollow)

    lo, hi = 0, min(w, h) // 2  # the smallest inset whose rectangle is all hollow (hi: none is)
    while lo < hi:
        mid = (lo + hi) // 2
        if inside(mid):
            hi = mid
        else:
            lo = mid + 1
    if lo >= min(w, h) // 2:
        return [((0, 0, w, h), mask)]
    strips = [(0, 0, w, lo), (0, h - lo, w, h), (0, lo, lo, h - lo), (w - lo, lo, w, h - lo)]
    out: Pieces = [(box, mask.crop(box)) for box in strips if box[2] > box[0] and box[3] > box[1]]
    if hollow == 255:
        out.append(((lo, lo, w - lo, h - lo), None))
    return out


def _coloured(pieces: Pieces, size: tuple[int, int],
              color: str) -> list[tuple[tuple[int, int, int, int], Image.Image, Image.Image | None]]:
    """A ring's pieces with the colour cut to each: pasted as an image through its mask, twice as
    fast as a colour, and cut once per template, not once per photo."""
    colour = Image.new("RGB", size, _rgb(color))
    return [(box, colour.crop(box), part) for box, part in pieces]


def _through(target: Image.Image, im: Image.Image, at: tuple[int, int], pieces: Pieces | None) -> None:
    """``target.paste(im, at, mask)`` for the mask cut into ``pieces`` (None: no mask)."""
    if pieces is None:
        target.paste(im, at)
        return
    for box, part in pieces:
        target.paste(im.crop(box), (at[0] + box[0], at[1] + box[1]), part)


def _draw_masks(w: int, h: int, shape: str, radius: int, width: int,
                quarter: bool = True) -> tuple[Image.Image | None, Image.Image | None]:
    """Both masks drawn 4x on one canvas in turn (a fresh process pays for every new megabyte it
    touches) and each averaged down. Every shape is symmetric about both axes, and Pillow draws
    it so, pixel for pixel: when the box has even sides only its top-left quarter is drawn (the
    rest clipped away: a quarter of the canvas to touch and average) and mirrored into the others,
    the same bytes as drawing it whole (``quarter=False``; tests/test_card_speed.py compares the two)."""
    s = SUPERSAMPLE
    halves = quarter and w % 2 == 0 and h % 2 == 0
    big = Image.new("L", (w * s // 2, h * s // 2) if halves else (w * s, h * s), 0)
    d = ImageDraw.Draw(big)
    box = (0, 0, w * s - 1, h * s - 1)
    mask = ring = None
    if shape != "rect":
        if shape == "circle":
            d.ellipse(box, fill=255)
        else:
            d.rounded_rectangle(box, radius=radius * s, fill=255)
        mask = big.reduce(s)
    if width:
        if mask is not None:
            big.paste(0, (0, 0) + big.size)
        if shape == "circle":
            d.ellipse(box, outline=255, width=width * s)
        elif shape == "rounded":
            d.rounded_rectangle(box, radius=radius * s, outline=255, width=width * s)
        else:
            d.rectangle(box, outline=255, width=width * s)
        ring = big.reduce(s)
    if halves:
        mask, ring = (None if m is None else _mirrored(m) for m in (mask, ring))
    return mask, ring


def _mirrored(quarter: Image.Image) -> Image.Image:
    """The whole of a shape symmetric about both axes, from its top-left ``quarter``."""
    qw, qh = quarter.size
    out = Image.new(quarter.mode, (2 * qw, 2 * qh))
    out.paste(quarter, (0, 0))
    out.paste(quarter.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (qw, 0))
    out.paste(quarter.transpose(Image.Transpose.FLIP_TOP_BOTTOM), (0, qh))
    out.paste(quarter.transpose(Image.Transpose.ROTATE_180), (qw, qh))
    return out


def _silhouette(w: int, h: int, p: Placeholder) -> Image.Image:
    """A head-and-shoulders figure on a plain ground, for people without a photo."""
    s = SUPERSAMPLE
    W, H = w * s, h * s
    big = Image.new("RGB", (W, H), _rgb(p.fill))
    d = ImageDraw.Draw(big)
    fig = _rgb(p.figure)
    r = 0.17 * min(W, H)
    cx, cy = W / 2, H * 0.36
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fig)
    d.ellipse((cx - 0.34 * min(W, H), H * 0.58, cx + 0.34 * min(W, H), H * 0.58 + 0.75 * min(W, H)), fill=fig)
    return big.reduce(s)


__all__ = ["SUPERSAMPLE", "paint_face"]
