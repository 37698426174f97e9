import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from models.errors import BadImageError, ImageTooLargeError
from models.imaging import decode_image, read_bytes, to_chw_float
from tests.conftest import jpeg_bytes


def _encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def test_jpeg_is_decoded_small_with_draft_mode():
    big = Image.new("RGB", (4000, 3000), (200, 30, 30))
    out = decode_image(jpeg_bytes(big), decode_side=384)
    assert out.original_size == (4000, 3000)
    # DCT scaling picked 1/4 (1/8 would be under 384 px); kept as is, within 2x of the side asked for.
    assert out.image.size == (1000, 750) and out.image.mode == "RGB"


@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "LA", "CMYK", "I;16", "I", "F", "1"])
def test_every_mode_becomes_rgb(mode):
    base = Image.new("RGB", (64, 48), (10, 120, 240))
    im = base.convert(mode) if mode not in ("I;16", "I", "F") else Image.fromarray(
        (np.arange(64 * 48).reshape(48, 64) * 20).astype({"I;16": np.uint16, "I": np.int32, "F": np.float32}[mode]))
    fmt = "TIFF" if mode in ("CMYK", "I;16", "I", "F") else "PNG"
    out = decode_image(_encode(im, fmt))
    assert out.image.mode == "RGB" and out.image.size == (64, 48)


def test_sixteen_bit_grey_keeps_its_contrast():
    ramp = (np.linspace(0, 65535, 64 * 64).reshape(64, 64)).astype(np.uint16)
    out = np.asarray(decode_image(_encode(Image.fromarray(ramp), "PNG"), trim=False).image)
    assert out.min() == 0 and out.max() == 255


def test_transparent_png_is_composited_on_white():
    im = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    out = decode_image(_encode(im, "PNG")).image
    assert out.getpixel((5, 5)) == (255, 255, 255)


def test_exif_orientation_is_applied():
    im = Image.new("RGB", (80, 40), (0, 255, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    out = decode_image(_encode(im, "JPEG", exif=exif.tobytes()))
    assert out.image.size == (40, 80)


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"this is not an image at all", "not a supported image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "image"),
])
def test_garbage_is_rejected_clearly(data, message):
    with pytest.raises(BadImageError, match=message):
        decode_image(data) if data else read_bytes(data)


def test_truncated_jpeg_is_rejected():
    data = jpeg_bytes(Image.effect_noise((400, 300), 60))
    with pytest.raises(BadImageError, match="corrupt or truncated"):
        decode_image(data[: len(data) // 2])


def test_decompression_bomb_is_rejected_before_decoding():
    # A real small PNG whose header is patched to claim 100,000 x 100,000 pixels (valid CRC).
    data = bytearray(_encode(Image.new("RGB", (8, 8)), "PNG"))
    ihdr = struct.pack(">II", 100_000, 100_000) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    with pytest.raises(ImageTooLargeError, match="pixels"):
        decode_image(bytes(data), max_pixels=64_000_000)


def test_file_over_the_byte_limit_is_rejected(tmp_path):
    p = tmp_path / "big.jpg"
    p.write_bytes(b"\xff" * 2048)
    with pytest.raises(ImageTooLargeError):
        read_bytes(p, max_bytes=1024)


def test_animated_gif_uses_its_first_frame():
    frames = [Image.new("P", (32, 32), i * 40) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    assert decode_image(buf.getvalue()).image.size == (32, 32)


def test_preprocess_shape_and_scale():
    x = to_chw_float(Image.new("RGB", (300, 200), (255, 127, 0)), 224, 127.0, 128.0)
    assert x.shape == (3, 224, 224) and x.dtype == np.float32
    assert x[0].max() == pytest.approx(1.0, abs=1e-6) and x[1].max() == pytest.approx(0.0, abs=1e-6)


def test_uniform_borders_and_letterboxing_are_trimmed():
    from PIL import ImageOps

    photo = Image.effect_noise((300, 200), 50).convert("RGB")
    framed = ImageOps.expand(photo, 20, fill="white")
    letterboxed = ImageOps.pad(photo, (300, 600), color="black")
    for im in (framed, letterboxed):
        out = decode_image(jpeg_bytes(im), decode_side=1000).image
        assert abs(out.size[0] - 300) <= 4 and abs(out.size[1] - 200) <= 4, out.size
    plain = decode_image(jpeg_bytes(photo), decode_side=1000).image
    assert plain.size == (300, 200)


def _png16_rgb(pixels: np.ndarray) -> bytes:
    """A 16-bit-per-channel RGB PNG written by hand (Pillow writes no such file)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    h, w, _ = pixels.shape
    rows = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in pixels)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _close_to(decoded: Image.Image, original: Image.Image, tolerance: float) -> bool:
    a = np.asarray(decoded.convert("RGB").resize(original.size), dtype=np.float64)
    return float(np.abs(a - np.asarray(original.convert("RGB"), dtype=np.float64)).mean()) <= tolerance


@pytest.mark.parametrize("fmt, kw, tolerance", [
    ("PNG", {}, 0.0), ("WEBP", {"quality": 90}, 6.0), ("BMP", {}, 0.0), ("TIFF", {}, 0.0),
    ("AVIF", {"quality": 90}, 6.0), ("GIF", {}, 12.0), ("JPEG", {"quality": 90}, 6.0),
])
def test_each_image_file_kind_decodes_to_the_photo(fmt, kw, tolerance):
    from tests.conftest import sample_image

    photo = sample_image("coffee").resize((300, 200))
    out = decode_image(_encode(photo, fmt, **kw), trim=False)
    assert out.format == fmt and out.original_size == (300, 200) and out.image.mode == "RGB"
    assert _close_to(out.image, photo, tolerance)


def test_heic_from_a_phone_decodes_through_pi_heif():
    from tests.conftest import sample_image
    from tests.heic import heic_bytes

    photo = sample_image("coffee")  # 600 x 400
    out = decode_image(heic_bytes(photo), trim=False)
    assert out.format == "HEIF" and out.original_size == (600, 400)
    assert _close_to(out.image, photo, 8.0)


def test_heic_over_the_pixel_limit_is_refused_before_decoding():
    from tests.heic import heic_bytes

    with pytest.raises(ImageTooLargeError, match="MP"):
        decode_image(heic_bytes(Image.effect_noise((400, 300), 40)), max_pixels=100_000)


def test_sixteen_bit_colour_png_keeps_its_colours():
    pixels = (np.random.default_rng(3).random((40, 50, 3)) * 65535).astype(np.uint16)
    out = np.asarray(decode_image(_png16_rgb(pixels), trim=False).image)
    assert out.shape == (40, 50, 3) and np.array_equal(out, (pixels >> 8).astype(np.uint8))


@pytest.mark.parametrize("kind", ["rgba", "palette", "rgb-colour-key", "grey-colour-key", "la"])
def test_every_kind_of_png_transparency_is_white_not_black(kind):
    black = Image.new("RGB", (20, 20), (0, 0, 0))
    im, kw = {
        "rgba": (Image.new("RGBA", (20, 20), (0, 0, 0, 0)), {}),
        "palette": (black.convert("P"), {"transparency": 0}),
        "rgb-colour-key": (black, {"transparency": (0, 0, 0)}),
        "grey-colour-key": (black.convert("L"), {"transparency": 0}),
        "la": (Image.new("LA", (20, 20), (0, 0)), {}),
    }[kind]
    assert decode_image(_encode(im, "PNG", **kw), trim=False).image.getpixel((5, 5)) == (255, 255, 255)


def test_transparent_webp_and_avif_are_white_not_black():
    im = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    for fmt in ("WEBP", "AVIF"):
        assert decode_image(_encode(im, fmt, lossless=True) if fmt == "WEBP" else _encode(im, fmt),
                            trim=False).image.getpixel((5, 5)) == (255, 255, 255), fmt


@pytest.mark.parametrize("data", [
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n",  # a PDF named .png
    b"PK\x03\x04" + bytes(60),  # a zip (a .docx)
    b"\x00\x00\x02" + bytes(9) + struct.pack("<HHBB", 10, 10, 24, 0x20) + bytes(300),  # Pillow alone: a TGA
])
def test_bytes_of_other_kinds_are_not_an_image_whatever_the_name(data):
    from models.errors import NotAnImageError

    with pytest.raises(NotAnImageError, match="not a supported image format"):
        decode_image(data)


def test_exif_rotation_of_cmyk_jpeg_is_applied():
    im = Image.new("CMYK", (80, 40), (0, 255, 255, 0))  # red in CMYK
    exif = Image.Exif()
    exif[0x0112] = 6
    out = decode_image(_encode(im, "JPEG", exif=exif.tobytes()), trim=False).image
    assert out.size == (40, 80) and out.getpixel((20, 40))[0] > 200


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_a_turned_heic_is_turned_back_once_not_twice(turns):
    """A phone stores the sensor's pixels and says the turn twice (irot, and EXIF orientation): libheif
    applies irot and pi-heif resets the EXIF tag, so exif_transpose must not turn it again."""
    from tests.conftest import sample_image
    from tests.heic import heic_bytes

    photo = sample_image("coffee")
    out = decode_image(heic_bytes(photo, turns=turns), trim=False)
    assert out.original_size == (600, 400) and out.image.size == (600, 400)
    assert _close_to(out.image, photo, 8.0)
