import io

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from models.phash import hamming, phash, phash_pair
from tests.conftest import sample_image


def _jpeg(im, q):
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=q)
    return Image.open(io.BytesIO(buf.getvalue()))


def test_robust_to_recompression_resize_and_brightness():
    im = sample_image("chelsea")
    h = phash(im)
    for variant in (_jpeg(im, 30), im.resize((im.width // 2, im.height // 2)),
                    ImageEnhance.Brightness(im).enhance(1.25)):
        assert hamming(h, np.array([phash(variant)], np.uint64))[0] <= 8


def test_different_photos_are_far_apart():
    names = ["chelsea", "coffee", "astronaut", "rocket", "camera"]
    hashes = np.array([phash(sample_image(n)) for n in names], np.uint64)
    for i, h in enumerate(hashes):
        d = hamming(int(h), hashes)
        assert d[i] == 0
        assert all(d[j] >= 20 for j in range(len(names)) if j != i)


def test_mirror_hash_matches_a_flipped_repost():
    im = sample_image("astronaut")
    _, mirrored = phash_pair(im)
    assert hamming(mirrored, np.array([phash(ImageOps.mirror(im))], np.uint64))[0] <= 2
    assert hamming(phash(im), np.array([phash(ImageOps.mirror(im))], np.uint64))[0] > 12


def test_mirror_hash_from_one_transform_equals_hashing_the_mirror():
    for name in ("chelsea", "coffee", "rocket"):
        im = sample_image(name)
        assert phash_pair(im)[1] == phash(ImageOps.mirror(im))
