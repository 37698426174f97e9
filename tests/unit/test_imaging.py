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
