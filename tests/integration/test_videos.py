"""Videos, GIFs and video notes stored like photos: their keyframes embedded, one post each."""
import io

import numpy as np
import pytest

from indexing.errors import BadImageError
from indexing.search import VIDEO, PhotoInput, VideoVectors
from tests.conftest import sample_image
from tests.videos import gif_of, pan_video


def test_a_video_is_embedded_from_its_keyframes_and_stored_as_one_post(engine, samples):
    for i, name in enumerate(("astronaut", "coffee", "chelsea", "coins"), start=10):
        engine.add_photo(PhotoInput(samples[name], scope="chat:-1001", chat_id=-1001, message_id=i))
    clip = pan_video(sample_image("rocket"), seconds=4)
    vec = engine.embed_video(clip)
    assert isinstance(vec, VideoVectors)
    assert vec.keyframes.shape[0] == 8 and vec.keyframes.shape[1] == vec.features.shape[0]
    assert 3.5 <= vec.duration_s <= 4.5 and (vec.width, vec.height) == (320, 240)
    assert vec.poster[:2] == b"\xff\xd8"  # the middle frame, as JPEG, for reading its text
    stored = engine.add_photos([PhotoInput(clip, scope="chat:-1001", chat_id=-1001, message_id=2, file_id="vid",
                                           media=VIDEO)], [vec])[0]
    post = engine.store.get_post(stored.post_id)
    assert post.media == VIDEO and post.sha256 == vec.sha256 and post.file_id == "vid"
    keyframes = engine.store.get_vectors("keyframes", engine.image_model, [stored.post_id], vec.features.shape[0])[0]
    assert keyframes is not None and keyframes.shape == vec.keyframes.shape
    # The video of the rocket is nearer the rocket photo than any other sample is; a stored video
    # answers /similar like a photo (never with itself)
    nearest = max(samples, key=lambda name: _cos(vec.features, engine.embed_photo(samples[name]).features))
    assert nearest == "rocket"
    hits = engine.similar(stored.post_id, "chat:-1001", k=3)
    assert len(hits) == 3 and stored.post_id not in {h.post.id for h in hits}


def test_a_gif_and_a_still_thumbnail_are_videos_too(engine, samples):
    gif = engine.embed_video(gif_of(sample_image("chelsea")))
    still = engine.embed_video(samples["chelsea"])
    assert gif.keyframes.shape[0] == 8 and still.keyframes.shape[0] == 1
    assert _cos(gif.features, still.features) > 0.6


def _cos(a, b) -> float:
    return float(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b))


@pytest.mark.parametrize("data", [b"", b"\x00" * 1000, b"\x1aE\xdf\xa3" + b"garbage" * 100])
def test_bytes_that_are_no_video_are_a_clear_error(engine, data):
    with pytest.raises(BadImageError):
        engine.embed_video(data)


def test_a_videos_text_is_read_from_its_middle_frame_kept_large(engine):
    """The frames embedded are 320 px; the one whose text is read is kept up to 1280 px, so a caption
    burnt into a 720p clip is still legible. The video's own bytes (fetched again) read the same way."""
    from PIL import Image

    from models.ocr import decode, shared_reader
    from tests.text_images import render_line

    line = render_line("MEETING MOVED TO FIVE", size=28)
    frame = Image.new("RGB", (1280, 720), (250, 250, 245))
    frame.paste(line, ((1280 - line.width) // 2, 330))
    clip = pan_video(frame, seconds=2, size=(1280, 720))
    vec = engine.embed_video(clip)
    poster = Image.open(io.BytesIO(vec.poster))
    assert max(poster.size) == 1280 and max(Image.open(io.BytesIO(vec.thumbnail)).size) <= 64
    for image in (poster, decode(clip)):
        read = shared_reader().read(image)
        assert read.status == "text" and "MOVED" in read.text.upper()
