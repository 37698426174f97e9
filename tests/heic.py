"""HEIC files made by the tests: pi-heif only decodes, so a photo is encoded as one HEVC frame with
PyAV's libx265 and wrapped in the HEIF container (ISO/IEC 23008-12: ftyp, meta with one `hvc1` item,
mdat) as a phone does it, minus the grid tiles and the thumbnails: a portrait photo stays landscape
pixels turned by an `irot` property, its EXIF (an `Exif` item) saying the same turn again."""
from __future__ import annotations

import struct
from fractions import Fraction

import av
import numpy as np
from PIL import Image

VPS, SPS, PPS = 32, 33, 34


def heic_bytes(image: Image.Image, crf: int = 24, turns: int = 0) -> bytes:
    """The image as a single-item HEIC file (sides made even, as 4:2:0 HEVC needs). With `turns`, the
    pixels are stored turned that many quarter turns clockwise, with the `irot` and EXIF orientation
    that turn them back for display (the phone's way)."""
    image = image.convert("RGB").rotate(-90 * turns, expand=True)
    image = image.crop((0, 0, image.width - image.width % 2, image.height - image.height % 2))
    nals = _hevc_nals(image, crf)
    params = [n for n in nals if _nal_type(n) in (VPS, SPS, PPS)]
    slices = [n for n in nals if _nal_type(n) < 32]  # the coded picture's VCL NAL units
    data = b"".join(struct.pack(">I", len(n)) + n for n in slices)
    return _heif(_hvcc(params), image.size, data, turns % 4)


def _hevc_nals(image: Image.Image, crf: int) -> list[bytes]:
    codec = av.CodecContext.create("libx265", "w")
    codec.width, codec.height, codec.pix_fmt = image.width, image.height, "yuv420p"
    codec.time_base = Fraction(1, 25)
    codec.options = {"crf": str(crf), "x265-params": "log-level=none"}
    frame = av.VideoFrame.from_ndarray(np.asarray(image), format="rgb24").reformat(format="yuv420p")
    stream = b"".join(bytes(p) for p in codec.encode(frame) + codec.encode(None))
    return [part.lstrip(b"\x00") for part in stream.split(b"\x00\x00\x01") if part.strip(b"\x00")]


def _nal_type(nal: bytes) -> int:
    return (nal[0] >> 1) & 0x3F


def _unescaped(nal: bytes) -> bytes:
    return nal.replace(b"\x00\x00\x03", b"\x00\x00")


def _hvcc(params: list[bytes]) -> bytes:
    """The HEVC decoder configuration record: the SPS's profile/tier/level, 4:2:0 8-bit, 4-byte lengths."""
    sps = _unescaped(next(n for n in params if _nal_type(n) == SPS))
    profile_tier_level = sps[3:15]  # after the NAL header and the id/sub-layer byte
    out = bytes([1]) + profile_tier_level
    out += struct.pack(">HBBBBHB", 0xF000, 0xFC, 0xFC | 1, 0xF8, 0xF8, 0, 0x0F)
    out += bytes([len(params)])
    for nal in params:
        out += bytes([0x80 | _nal_type(nal)]) + struct.pack(">HH", 1, len(nal)) + nal
    return out


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, version: int, flags: int, payload: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags) + payload)


EXIF_ORIENTATION = {0: 1, 1: 8, 2: 3, 3: 6}  # quarter turns anticlockwise to display -> EXIF's tag


def _heif(hvcc: bytes, size: tuple[int, int], data: bytes, irot: int) -> bytes:
    """Item 1 the coded image (turned `irot` quarter turns anticlockwise for display), item 2 its EXIF."""
    ftyp = _box(b"ftyp", b"heic" + struct.pack(">I", 0) + b"mif1heic")
    exif = Image.Exif()
    exif[0x0112] = EXIF_ORIENTATION[irot]
    exif_item = struct.pack(">I", 6) + exif.tobytes()  # the TIFF header's offset, after "Exif\0\0"

    def meta(offset: int) -> bytes:
        hdlr = _full_box(b"hdlr", 0, 0, struct.pack(">I", 0) + b"pict" + bytes(12) + b"\x00")
        pitm = _full_box(b"pitm", 0, 0, struct.pack(">H", 1))
        infe = [_full_box(b"infe", 2, 0, struct.pack(">HH", item, 0) + kind + b"\x00")
                for item, kind in ((1, b"hvc1"), (2, b"Exif"))]
        iinf = _full_box(b"iinf", 0, 0, struct.pack(">H", 2) + b"".join(infe))
        iref = _full_box(b"iref", 0, 0, _box(b"cdsc", struct.pack(">HHH", 2, 1, 1)))  # the EXIF describes item 1
        iloc = _full_box(b"iloc", 0, 0, struct.pack(">BBH", 0x44, 0, 2)
                         + struct.pack(">HHHII", 1, 0, 1, offset, len(data))
                         + struct.pack(">HHHII", 2, 0, 1, offset + len(data), len(exif_item)))
        ispe = _full_box(b"ispe", 0, 0, struct.pack(">II", *size))
        ipco = _box(b"ipco", _box(b"hvcC", hvcc) + ispe + _box(b"irot", bytes([irot])))
        ipma = _full_box(b"ipma", 0, 0, struct.pack(">IHB", 1, 1, 3) + bytes([0x81, 0x02, 0x83]))
        return _full_box(b"meta", 0, 0, hdlr + pitm + iinf + iref + iloc + _box(b"iprp", ipco + ipma))

    head = len(ftyp) + len(meta(0)) + 8  # the mdat's payload starts after its 8-byte header
    return ftyp + meta(head) + _box(b"mdat", data + exif_item)
