"""/map on a real engine and Redis: which photos, the cache and its invalidation, the rendered picture."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageOps

from indexing.maps import NothingToMapError, PhotoMaps
from indexing.search import PhotoInput
from tests.conftest import SAMPLE_NAMES, jpeg_bytes, noise_photo, sample_image

CHAT = "chat:-1003"


def variant(name: str, n: int) -> bytes:
    """Another shot of the same subject: a different crop, brightness and side."""
    im = sample_image(name)
    w, h = im.size
    box = (n % 4 * w // 40, n // 4 % 4 * h // 40, w - n % 3 * w // 30, h - n % 5 * h // 50)
    im = ImageEnhance.Brightness(im.crop(box)).enhance(0.85 + 0.05 * (n % 6))
    return jpeg_bytes(ImageOps.mirror(im) if n % 2 else im, quality=80 + n % 10)


def add(engine, photos, scope=CHAT, tags=(), caption=None):
    inputs = [PhotoInput(p, scope, tags=list(tags), captions=[caption] if caption else []) for p in photos]
    return [r.post_id for r in engine.add_photos(inputs)]


def rendered(maps, photo_map) -> Image.Image:
    maps.draw(photo_map)
    return Image.open(io.BytesIO(photo_map.document)).convert("RGB")


@pytest.mark.parametrize("n", [1, 2, 5])
def test_small_scopes_are_drawn(engine, samples, n):
    maps = PhotoMaps(engine)
    ids = add(engine, [samples[name] for name in SAMPLE_NAMES[:n]])
    photo_map = maps.get(CHAT)
    assert sorted(photo_map.layout.ids) == sorted(ids) and photo_map.layout.total == n
    assert len(set(photo_map.layout.cells)) == n
    image = rendered(maps, photo_map)
    assert image.width >= 480 and image.height >= 64 * photo_map.layout.rows
    assert np.asarray(image).std() > 20  # photos, not an empty canvas


def test_one_dominant_cluster_is_found_and_labelled_by_its_tags(engine):
    maps = PhotoMaps(engine)
    add(engine, [variant("coffee", n) for n in range(24)], tags=["espresso", "cafe"])
    add(engine, [jpeg_bytes(sample_image(name)) for name in ("astronaut", "rocket", "coins", "moon", "brick")])
    add(engine, [noise_photo(seed) for seed in range(3)])
    layout = maps.get(CHAT).layout
    assert layout.total == 32 and layout.clusters
    biggest = layout.clusters[0]
    assert 18 <= biggest.size <= 26 and biggest.tags[0] in ("espresso", "cafe")
    members = {pid for pid, number in zip(layout.ids, layout.cluster_of) if number == 1}
    posts = engine.store.get_posts(sorted(members))
    assert sum("espresso" in p.tags for p in posts) >= 0.9 * len(posts)  # the cluster is the coffee shots
    assert biggest.sample in members


def test_untagged_photos_are_labelled_by_the_words_of_their_captions(engine):
    maps = PhotoMaps(engine)
    add(engine, [variant("chelsea", n) for n in range(20)], caption="our tabby kitten asleep on the sofa")
    add(engine, [noise_photo(seed) for seed in range(6)])
    layout = maps.get(CHAT).layout
    assert layout.clusters and {"tabby", "kitten", "asleep", "sofa"} & set(layout.clusters[0].tags)
    assert not {"our", "the", "on"} & set(layout.clusters[0].tags)  # stop words never label a group


def test_the_layout_is_cached_until_the_scope_changes(engine, samples):
    maps = PhotoMaps(engine)
    ids = add(engine, [samples[name] for name in SAMPLE_NAMES[:6]])
    first = maps.get(CHAT)
    assert not first.cached
    second = maps.get(CHAT)
    assert second.cached and second.layout == first.layout
    assert PhotoMaps(engine).get(CHAT).cached  # in Redis: another process (or a restart) reuses it
    add(engine, [samples[SAMPLE_NAMES[6]]])
    grown = maps.get(CHAT)
    assert not grown.cached and grown.layout.total == 7
    engine.delete_posts([ids[0]])
    shrunk = maps.get(CHAT)
    assert not shrunk.cached and ids[0] not in shrunk.layout.ids and shrunk.layout.total == 6
    assert maps.get(CHAT).cached


def test_file_ids_are_kept_for_the_same_photos_only(engine, samples):
    maps = PhotoMaps(engine)
    add(engine, [samples[name] for name in SAMPLE_NAMES[:4]])
    photo_map = maps.draw(maps.get(CHAT))
    assert photo_map.photo[:2] == b"\xff\xd8" and len(photo_map.document) >= len(photo_map.photo) // 2
    maps.remember_files(photo_map, "PHOTO1", "DOC1")
    again = maps.get(CHAT)
    assert (again.photo_file_id, again.document_file_id) == ("PHOTO1", "DOC1")
    add(engine, [samples[SAMPLE_NAMES[5]]])
    assert maps.get(CHAT).photo_file_id is None  # new photos: drawn and sent anew


def test_a_hashtag_or_words_restrict_the_map(engine, samples):
    maps = PhotoMaps(engine)
    space = add(engine, [samples["rocket"], samples["astronaut"], samples["moon"]], tags=["space"])
    add(engine, [samples[name] for name in ("coffee", "chelsea", "coins", "brick", "grass", "gravel")])
    assert sorted(maps.selection(CHAT, "#Space").ids) == sorted(space)
    assert maps.get(CHAT, "#space").layout.total == 3
    assert maps.get(CHAT).layout.total == 9  # the unfiltered map is cached apart
    words = maps.selection(CHAT, "a cat")
    assert 1 <= len(words.ids) <= 9


def test_a_chat_without_photos_maps_the_public_collection_and_an_empty_one_says_so(engine, samples):
    maps = PhotoMaps(engine)
    with pytest.raises(NothingToMapError):
        maps.get(CHAT)
    add(engine, [samples["coffee"], samples["chelsea"]], scope="public")
    photo_map = maps.get(CHAT)
    assert photo_map.scope == "public" and photo_map.layout.total == 2
    assert maps.selection("chat:-1004", "").scope == "public"


def test_large_scopes_are_sampled_per_cluster(engine):
    maps = PhotoMaps(engine, max_photos=12)
    add(engine, [variant("coffee", n) for n in range(20)], tags=["coffee"])
    add(engine, [variant("chelsea", n) for n in range(10)], tags=["cat"])
    layout = maps.get(CHAT).layout
    assert layout.total == 30 and len(layout.ids) == 12
    drawn_tags = [p.tags[0] for p in engine.store.get_posts(layout.ids)]
    assert drawn_tags.count("coffee") >= 6 and drawn_tags.count("cat") >= 3  # both groups keep their share


def test_tiles_are_stored_with_each_photo_and_deleted_with_it(engine, samples):
    pid = add(engine, [samples["coffee"]])[0]
    tile = engine.store.get_thumbnails([pid])[0]
    with Image.open(io.BytesIO(tile)) as im:
        assert im.size == (64, 64) and im.format == "JPEG"
    assert len(tile) < 6000
    engine.delete_posts([pid])
    assert engine.store.get_thumbnails([pid]) == [None]


def test_posts_stored_without_tiles_are_drawn_from_their_file(engine, samples, tmp_path):
    path = tmp_path / "coffee.jpg"
    path.write_bytes(samples["coffee"])
    pid = add(engine, [samples["coffee"]])[0]
    engine.store.set_fields(pid, source=str(path))
    engine.store.r.hdel(engine.store.keys.thumbnails(), pid)  # as stored before tiles existed
    maps = PhotoMaps(engine)
    assert maps.thumbnails([pid])[0][:2] == b"\xff\xd8"
    assert engine.store.get_thumbnails([pid])[0] is not None  # and kept for next time


def test_redis_down_is_a_storage_error_and_nothing_is_lost(engine, samples):
    import redis

    from indexing.errors import StorageUnavailableError

    maps = PhotoMaps(engine)
    add(engine, [samples[name] for name in SAMPLE_NAMES[:3]])
    live = engine.store.r
    engine.store.r = redis.Redis(port=1, socket_connect_timeout=0.2)  # nothing listens there
    try:
        with pytest.raises(StorageUnavailableError):
            maps.get(CHAT)
    finally:
        engine.store.r.close()
        engine.store.r = live
    assert maps.get(CHAT).layout.total == 3


def test_huge_scopes_are_clustered_on_a_uniform_sample_with_sizes_scaled_up(engine):
    maps = PhotoMaps(engine, max_photos=16, cluster_sample=16)
    add(engine, [variant("coffee", n) for n in range(24)], tags=["coffee"])
    add(engine, [variant("chelsea", n) for n in range(16)], tags=["cat"])
    layout = maps.get(CHAT).layout
    assert layout.total == 40 and len(layout.ids) == 16
    counted = sum(c.size for c in layout.clusters) + layout.unclustered
    assert 36 <= counted <= 44  # the sample's counts, scaled back to the 40 photos


def test_without_stored_tiles_maps_still_draw(engine_factory, samples):
    engine = engine_factory(thumbnail_side=0)  # HASHLENS_THUMBNAIL_SIDE=0: no tile is stored
    pid = add(engine, [samples["coffee"], samples["chelsea"]])[0]
    assert engine.store.get_thumbnails([pid]) == [None]
    maps = PhotoMaps(engine, cell=0)  # what the bot and the CLI pass through from the same setting
    image = rendered(maps, maps.get(CHAT))
    assert image.width >= 480 and image.height >= 64
