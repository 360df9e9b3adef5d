"""Painting one layer on a :class:`~.canvas.Canvas`, when its ``when:`` holds: backgrounds, shapes,
badges, logos here; text (:mod:`.text`), photos (:mod:`.faces`) and grids (:mod:`.grid`) by their
own painters. Pure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PIL import Image, ImageDraw, ImageOps

from . import fields as F
from ..errors import CardError
from .faces import paint_face
from .flow import paint_flow
from .grid import paint_grid
from .layout import line_x
from .lru import digest_of
from .photos import contain, cover, load_logo
from .template import (BackgroundLayer, BadgeLayer, FlowLayer, GridLayer, Layer, LogoLayer, PhotoLayer, QrLayer,
                       ShapeLayer, Stroke, TextLayer)
from .text import paint_text
from .values import parse_color, per_size

if TYPE_CHECKING:
    from .canvas import Canvas


def paint_layer(canvas: Canvas, index: int, layer: Layer) -> None:
    """Paint ``layer`` (the template's ``index``-th) if its ``when:`` holds for the card."""
    spec = layer.spec
    if not F.matches(getattr(spec, "when", None), canvas.card, size=canvas.size, known=canvas.known):
        return
    box = per_size(spec.box, canvas.size) if hasattr(spec, "box") else None
    if box is None:
        canvas.mark_everywhere()
    elif not isinstance(spec, (TextLayer, FlowLayer)):  # text marks the lines it draws, wherever they go
        canvas.mark((box[0], box[1], box[0] + box[2], box[1] + box[3]))
    if isinstance(spec, BackgroundLayer):
        _paint_background(canvas, index, spec)
    elif isinstance(spec, PhotoLayer):
        if len(canvas.people) != 1:
            limit = canvas.t.spec.max_people
            raise CardError(str(canvas.t.source.problem(
                ("layers", index, "photo"),
                f"template {canvas.t.name!r}: a photo layer shows one person, but the card features "
                f"{len(canvas.people)} ({f'max_people: {limit}' if limit else 'the template sets no max_people'}); "
                "give the photo layer when: {max_people: 1} and add a grid layer for several, or set max_people: 1")))
        paint_face(canvas, box, canvas.people[0], spec)
    elif isinstance(spec, ShapeLayer):
        _paint_shape(canvas, box, spec.fill, spec.radius, spec.outline)
    elif isinstance(spec, BadgeLayer):
        _paint_shape(canvas, box, spec.fill, spec.radius, None)
        x, y, w, h = box
        pad = spec.padding
        paint_text(canvas, (x + pad, y + pad // 2, w - 2 * pad, h - pad), spec, F.pick_text(spec.text, canvas.card.language),
                   spec.id or f"layers[{index}].badge", canvas.person_id())
    elif isinstance(spec, TextLayer):
        text = F.pick_text(spec.text, canvas.card.language)
        paint_text(canvas, box, spec, text, spec.id or text, canvas.person_id())
    elif isinstance(spec, LogoLayer):
        _paint_logo(canvas, box, spec)
    elif isinstance(spec, GridLayer):
        paint_grid(canvas, box, spec)
    elif isinstance(spec, FlowLayer):
        paint_flow(canvas, box, spec)
    elif isinstance(spec, QrLayer):
        _paint_qr(canvas, box, spec)


def _paint_background(canvas: Canvas, index: int, spec: BackgroundLayer) -> None:
    size = canvas.t.sizes[canvas.size]

    def make() -> tuple[Image.Image, Image.Image | None]:
        """The background at the canvas size and, if any of it is see-through, its alpha as the
        paste mask (tested once here, on the alpha channel alone: not on every paste)."""
        if spec.color:
            color = parse_color(spec.color)
            if color[3] == 255:
                return Image.new("RGB", size, color[:3]), None
            return Image.new("RGB", size, color[:3]), Image.new("L", size, color[3])
        if spec.gradient:
            return _gradient(size, spec.gradient), None
        assert spec.image
        with Image.open(canvas.t.root / spec.image) as src:
            src = ImageOps.exif_transpose(src) or src
            im = cover(src.convert("RGBA"), size, 0.5)
        alpha = im.getchannel("A")
        return im.convert("RGB"), (alpha if alpha.getextrema()[0] < 255 else None)

    im, mask = canvas.kept(("background", index, size), make)  # (a diagonal gradient: 5-15 ms to make)
    if canvas.unpainted and mask is None:
        canvas.image = im.copy()  # opaque, first: the canvas itself (the same pixels as pasted over black)
        return
    canvas.image.paste(im, (0, 0), mask)


def _gradient(size: tuple[int, int], g: Any) -> Image.Image:
    w, h = size
    if g.direction in ("vertical", "horizontal"):
        # One line of it, stretched: every row (column) of a vertical (horizontal) gradient is the
        # same, and resampling a constant row gives that constant back exactly, so the full-size
        # resample below would paint the same bytes five times slower.
        along = h if g.direction == "vertical" else w
        line = Image.linear_gradient("L").crop((0, 0, 1, 256)).resize((1, along), Image.Resampling.BICUBIC)
        if g.direction == "horizontal":  # black (``from``) on the left
            line = line.transpose(Image.Transpose.ROTATE_90).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        ends = [Image.new("RGB", line.size, parse_color(c)[:3]) for c in (g.to, g.from_)]
        return Image.composite(ends[0], ends[1], line).resize((w, h), Image.Resampling.NEAREST)
    ramp = Image.linear_gradient("L").resize((512, 512))  # diagonal: black (``from``) at the top left
    ramp = ramp.rotate(45, resample=Image.Resampling.BICUBIC, fillcolor=None).crop((128, 128, 384, 384))
    mask = ramp.resize((w, h), Image.Resampling.BICUBIC)
    return Image.composite(Image.new("RGB", (w, h), parse_color(g.to)[:3]),
                           Image.new("RGB", (w, h), parse_color(g.from_)[:3]), mask)


def _paint_shape(canvas: Canvas, box: tuple[int, int, int, int], fill: str | None, radius: int,
                 outline: Stroke | None) -> None:
    x, y, w, h = box
    canvas.blend((x, y, x + w, y + h), ("shape", box, fill, radius, outline),
                 lambda target, at: shape_onto(target, (at[0], at[1], w, h), fill, radius, outline))


def shape_onto(image: Image.Image, box: tuple[int, int, int, int], fill: str | None, radius: int,
               outline: Stroke | None = None) -> None:
    """A shape (or a badge's ground) painted on ``image``: its fill blended by its alpha."""
    x, y, w, h = box
    d = ImageDraw.Draw(image, "RGBA")  # RGBA ink blends onto the RGB canvas
    rect = (x, y, x + w - 1, y + h - 1)
    ink = parse_color(fill) if fill else None
    if radius:
        d.rounded_rectangle(rect, radius=radius, fill=ink, outline=parse_color(outline.color) if outline else None,
                            width=outline.width if outline else 1)
    else:
        d.rectangle(rect, fill=ink, outline=parse_color(outline.color) if outline else None,
                    width=outline.width if outline else 1)


def _paint_logo(canvas: Canvas, box: tuple[int, int, int, int], spec: LogoLayer) -> None:
    data = canvas.card.logo
    if data is None:  # b"": a zero-byte file, which load_logo refuses by name
        return
    x, y, w, h = box
    digest = digest_of(data)
    im = canvas.kept(("logo", digest, w, h), lambda: contain(load_logo(data, canvas.card.logo_name), (w, h)))
    lx, ly = int(line_x(x, w, im.size[0], spec.align)), y + (h - im.size[1]) // 2
    canvas.blend((lx, ly, lx + im.size[0], ly + im.size[1]), ("logo", digest, lx, ly),
                 lambda target, at: target.paste(im, at, im))


def _paint_qr(canvas: Canvas, box: tuple[int, int, int, int], spec: QrLayer) -> None:
    url = canvas.card.url
    if not url:
        return  # the campaign gives no page
    x, y, w, h = box
    im = canvas.kept(("qr", url, w, h, spec.color, spec.background, spec.margin), lambda: qr_image(url, min(w, h), spec))
    qx = line_x(x, w, im.size[0], spec.align)
    canvas.image.paste(im, (int(qx), y + (h - im.size[1]) // 2))


def qr_image(url: str, side: int, spec: QrLayer) -> Image.Image:
    """The QR code of ``url`` (segno, error correction M) as crisp square modules, as large as fits
    ``side`` px with whole-pixel modules."""
    import segno

    code = segno.make(url, error="m", micro=False)
    rows, m = code.matrix, spec.margin
    k = len(rows)
    n = k + 2 * m
    small = Image.new("L", (n, n), 0)
    small.putdata([255 if m <= r < m + k and m <= c < m + k and rows[r - m][c - m] & 1 else 0
                   for r in range(n) for c in range(n)])
    scale = max(1, side // n)
    mask = small.resize((n * scale, n * scale), Image.Resampling.NEAREST)
    ink = Image.new("RGB", mask.size, parse_color(spec.color)[:3])
    out = Image.new("RGB", mask.size, parse_color(spec.background)[:3])
    out.paste(ink, (0, 0), mask)
    return out


__all__ = ["paint_layer", "qr_image"]
