"""Photos as people send them: every bad file gives a clear error naming it; odd ones are normalised."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from campaign.cards import PhotoError, render
from campaign.cards import photos
from campaign.cards.photos import cover, load_photo

from .cards_fixtures import card_input, encode, face_image, folder, make_photo, person_facts, portrait, templates  # noqa: F401

NAME = "photos/rong-chhun.jpg"


def error_of(data: bytes) -> str:
    with pytest.raises(PhotoError) as exc:
        load_photo(data, "rong-chhun", NAME)
    msg = str(exc.value)
    assert msg.startswith(f"{NAME} (rong-chhun): ")
    return msg


def test_zero_byte_file() -> None:
    assert "empty" in error_of(b"")


def test_non_image_file() -> None:
    assert "not an image file" in error_of(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    assert "not an image file" in error_of("just some text, not a photo".encode())


def test_corrupt_file(make_photo: Callable[..., bytes]) -> None:
    data = bytearray(make_photo())
    data[200:2000] = b"\x00" * 1800  # scribble over the entropy-coded data and tables
    with pytest.raises(PhotoError):
        load_photo(bytes(data[:20]) + b"\xff" * 40, "rong-chhun", NAME)
    png = bytearray(make_photo(fmt="PNG"))
    png[60:90] = b"\x13" * 30  # break the IDAT zlib stream: fails on decode, not on open
    assert "corrupt" in error_of(bytes(png)) or "truncated" in error_of(bytes(png))


def test_truncated_file(make_photo: Callable[..., bytes]) -> None:
    data = make_photo(size=(800, 1000))
    assert "truncated" in error_of(data[: len(data) // 2])
    png = make_photo(fmt="PNG")
    msg = error_of(png[: len(png) // 2])
    assert "truncated" in msg or "corrupt" in msg


def _png_header(width: int, height: int) -> bytes:
    """A PNG claiming huge dimensions with a tiny body: a decompression bomb's calling card."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused() -> None:
    msg = error_of(_png_header(100_000, 100_000))
    assert "too many" in msg


def test_decompression_bomb_under_a_lowered_pillow_limit(monkeypatch: pytest.MonkeyPatch, make_photo: Callable[..., bytes]) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    msg = error_of(make_photo(size=(300, 300)))  # 90,000 px: over 2x the lowered limit
    assert "too many" in msg or "decompression bomb" in msg


def test_other_formats_are_refused(make_photo: Callable[..., bytes]) -> None:
    gif = encode(face_image((50, 50)), "GIF")
    assert "GIF images are not accepted" in error_of(gif)


def test_exif_rotation_is_applied() -> None:
    im = face_image((400, 600))  # portrait: head at the top
    stored = im.rotate(90, expand=True)  # stored on its side, landscape
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    data = encode(stored, "JPEG", exif=exif.tobytes())
    out = load_photo(data, "p")
    assert out.size == (400, 600)
    # the head (light) is at the top after rotation
    top = out.crop((150, 60, 250, 200)).convert("L").getextrema()[1]
    bottom = out.crop((150, 450, 250, 590)).convert("L").getextrema()[1]
    assert top > 150 > bottom


def test_cmyk_is_converted(make_photo: Callable[..., bytes]) -> None:
    out = load_photo(make_photo(mode="CMYK"), "p")
    assert out.mode == "RGB" and out.size == (600, 800)


def test_sixteen_bit_greyscale_is_scaled_not_clipped() -> None:
    # top half 20000 (a mid-grey in 16 bits: a naive convert would clip it to white), bottom 60000
    raw = struct.pack("<H", 20000) * (200 * 100) + struct.pack("<H", 60000) * (200 * 100)
    im = Image.frombytes("I;16", (200, 200), raw)
    assert im.getextrema() == (20000, 60000)
    out = load_photo(encode(im, "PNG"), "p")
    assert out.mode == "RGB"
    top = out.getpixel((10, 10))[0]
    bottom = out.getpixel((10, 150))[0]
    assert 60 < top < 100 and bottom > 220


def test_alpha_is_flattened() -> None:
    im = Image.new("RGBA", (100, 100), (255, 0, 0, 0))  # fully transparent red
    im.paste((0, 0, 255, 255), (25, 25, 75, 75))
    out = load_photo(encode(im, "PNG"), "p")
    assert out.mode == "RGB"
    assert out.getpixel((5, 5)) != (255, 0, 0)  # transparency did not reveal the hidden colour
    assert out.getpixel((50, 50)) == (0, 0, 255)
    la = Image.new("LA", (50, 50), (200, 128))
    assert load_photo(encode(la, "PNG"), "p").mode == "RGB"
    pal = face_image((60, 60)).convert("P")
    assert load_photo(encode(pal, "PNG", transparency=0), "p").mode == "RGB"


def test_webp_is_accepted() -> None:
    out = load_photo(encode(face_image((300, 400)), "WEBP"), "p")
    assert out.size == (300, 400)


def test_huge_photo_is_downscaled(make_photo: Callable[..., bytes]) -> None:
    out = load_photo(make_photo(size=(6000, 8000)), "p", target=500)
    assert max(out.size) <= 1000 and out.size[0] / out.size[1] == pytest.approx(0.75, rel=0.02)


def test_crop_is_biased_to_the_top() -> None:
    im = face_image((400, 1200))  # very tall: the head sits in the top 45%
    centred = cover(im, (300, 300), focus=0.5)
    upper = cover(im, (300, 300), focus=0.3)
    skin = (230, 190, 160)

    def skin_share(x: Image.Image) -> int:
        return sum(1 for p in x.get_flattened_data() if abs(p[0] - skin[0]) < 20 and abs(p[1] - skin[1]) < 20)
    assert skin_share(upper) > skin_share(centred)


def test_render_names_the_file_of_a_bad_photo(portrait, folder) -> None:  # type: ignore[no-untyped-def]
    rc = person_facts(folder, "rong-chhun")
    card = card_input((rc,), photos={"rong-chhun": b"not an image"}, photo_names={"rong-chhun": NAME})
    with pytest.raises(PhotoError) as exc:
        render(portrait, card)
    assert str(exc.value).startswith(f"{NAME} (rong-chhun):") and exc.value.person == "rong-chhun"




@settings(max_examples=300, deadline=None)
@given(st.integers(1, 3000), st.integers(1, 3000), st.integers(1, 600), st.integers(1, 600),
       st.floats(0, 1))
def test_cover_any_photo_into_any_box(iw: int, ih: int, w: int, h: int, focus: float) -> None:
    # Regression: float rounding once produced a crop box a hair outside the photo.
    from PIL import Image

    from campaign.cards.photos import cover

    out = cover(Image.new("RGB", (iw, ih)), (w, h), focus)
    assert out.size == (w, h)



def test_render_refuses_a_zero_byte_photo_by_name(portrait, folder) -> None:  # type: ignore[no-untyped-def]
    # b"" is a file that was sent empty, not "no photo" (None): never a silent placeholder
    rc = person_facts(folder, "rong-chhun")
    card = card_input((rc,), photos={"rong-chhun": b""}, photo_names={"rong-chhun": NAME})
    with pytest.raises(PhotoError, match="empty") as exc:
        render(portrait, card)
    assert str(exc.value).startswith(f"{NAME} (rong-chhun): ")


@pytest.mark.parametrize("data, reason", [(b"", "empty"), (b"not an image", "not an image file")])
def test_render_names_the_file_of_a_bad_logo(portrait, folder, data: bytes, reason: str) -> None:  # type: ignore[no-untyped-def]
    rc = person_facts(folder, "rong-chhun")
    card = card_input((rc,), logo=data, logo_name="logos/cchr.png")
    with pytest.raises(PhotoError, match=reason) as exc:
        render(portrait, card)
    assert str(exc.value).startswith("logos/cchr.png (logo): ")


def _noisy(size: tuple[int, int], seed: int) -> Image.Image:
    """A photo-like image with detail at every scale: noise over smooth gradients."""
    import numpy as np
    rng = np.random.default_rng(seed)
    noise = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8), "RGB")
    ramp = Image.linear_gradient("L").resize(size).convert("RGB")
    return Image.blend(noise, ramp, float(rng.uniform(0.2, 0.8)))


@pytest.mark.skipif(photos._RESIZER is None, reason="no fast resizer wheel for this machine: Pillow resamples")
@settings(max_examples=60, deadline=None)
@given(st.integers(40, 1400), st.integers(40, 1400), st.integers(20, 600), st.integers(20, 600),
       st.floats(0, 1), st.integers(0, 99))
def test_the_fast_resample_is_pillows_bicubic(iw: int, ih: int, w: int, h: int, focus: float, seed: int) -> None:
    # The photo on a card is the picture Pillow's BICUBIC (Catmull-Rom, support widened as it
    # shrinks) gives, up- or downscaled, any crop: values within one level, but where the two
    # clip bicubic's overshoot at a different pass (seen on noise: under 0.1% of values).
    import numpy as np
    im = _noisy((iw, ih), seed)
    fast = np.asarray(cover(im, (w, h), focus), dtype=int)
    resizer = photos._RESIZER
    try:
        photos._RESIZER = None
        slow = np.asarray(cover(im, (w, h), focus), dtype=int)
    finally:
        photos._RESIZER = resizer
    assert fast.shape == slow.shape
    apart = np.abs(fast - slow)
    assert apart.mean() < 0.5 and (apart > 1).mean() < 0.005


@pytest.mark.skipif(photos._RESIZER is None, reason="no fast resizer wheel for this machine: Pillow resamples")
def test_the_fast_resample_gives_the_same_bytes_on_every_cpu() -> None:
    # Cards are deterministic across machines: the resizer's plain, SSE4.1 and AVX2 code give one result.
    from cykooz_resizer import CpuExtensions
    resizer = photos._RESIZER
    im = _noisy((1200, 1500), 7)
    kept = resizer.cpu_extensions
    seen = set()
    try:
        for ext in (CpuExtensions.none, CpuExtensions.sse4_1, CpuExtensions.avx2):
            resizer.cpu_extensions = ext
            if resizer.cpu_extensions != ext:
                continue  # this CPU lacks it
            seen.add(cover(im, (480, 480), 0.3).tobytes())
    finally:
        resizer.cpu_extensions = kept
    assert len(seen) == 1


def _cut_png() -> bytes:
    buf = io.BytesIO()
    Image.effect_noise((300, 300), 64).save(buf, "PNG")
    return buf.getvalue()[:2000]


@pytest.mark.parametrize("data, said", [
    (b"plain text, named logo.png", "not an image file (JPEG, PNG or WEBP expected); export the logo again"),
    ("cut", "the logo is truncated (the file was cut short); export it again as PNG or JPEG"),
])
def test_an_unreadable_logo_is_told_in_plain_words_never_pillow_s_internals(data: bytes | str, said: str) -> None:
    from campaign.cards.photos import load_logo

    with pytest.raises(PhotoError) as exc:
        load_logo(_cut_png() if data == "cut" else data, "logos/partner.png")  # type: ignore[arg-type]
    assert said in str(exc.value) and "BytesIO" not in str(exc.value) and "0x" not in str(exc.value)


def test_a_logo_bomb_is_refused_before_it_is_decoded_with_the_documented_limit() -> None:
    import io as _io
    import warnings

    from campaign.cards.photos import MAX_PIXELS, load_logo

    buf = _io.BytesIO()
    Image.new("1", (12000, 12000)).save(buf, "PNG")  # 144 megapixels, a few kB
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DecompressionBombWarning may reach the person's screen
        with pytest.raises(PhotoError) as exc:
            load_logo(buf.getvalue(), "logos/huge.png")
    assert f"{MAX_PIXELS // 1_000_000} megapixels" in str(exc.value) or "12000x12000" in str(exc.value)
    assert "89478485" not in str(exc.value) and "DOS" not in str(exc.value)
