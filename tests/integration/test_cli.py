"""The ingestion and query CLI as a user runs it: a subprocess, an embedded Redis in a data dir."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import jpeg_bytes, sample_image, shape_posts

ROOT = Path(__file__).resolve().parents[2]


def _cli(data_dir, *args, timeout=300, model_cache=None, image_model=None):
    env = dict(os.environ, HASHLENS_DATA_DIR=str(data_dir), HASHLENS_LOG_LEVEL="WARNING")
    if model_cache:
        env["HASHLENS_MODEL_CACHE_DIR"] = str(model_cache)
    if image_model:
        env["HASHLENS_IMAGE_MODEL"] = image_model
    env.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, "-m", "indexing", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("ds")
    (root / "images").mkdir()
    rows = []
    for name, caption, tags in (("coffee", "a cup of espresso", ["coffee"]), ("chelsea", "a tabby cat", ["cat"]),
                                ("rocket", "a rocket launch", ["space"]), ("astronaut", "an astronaut", ["space"])):
        (root / "images" / f"{name}.jpg").write_bytes(jpeg_bytes(sample_image(name)))
        rows.append({"image": f"images/{name}.jpg", "captions": [caption], "tags": tags})
    (root / "images" / "broken.jpg").write_bytes(jpeg_bytes(sample_image("coins"))[:300])
    (root / "images" / "notes.txt").write_text("not a photo")
    rows += [{"image": "images/broken.jpg"}, {"image": "images/notes.txt"}, {"image": "images/missing.jpg"}]
    (root / "annotations.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    return root


def test_ingest_reports_skips_resumes_and_queries(dataset, tmp_path, session_dir, encoders):
    data_dir = tmp_path / "data"
    first = _cli(data_dir, "ingest", str(dataset), "--no-progress", model_cache=session_dir / "models")
    assert first.returncode == 0, first.stderr
    assert "7 files: 4 imported, 0 already stored, 3 skipped" in first.stdout
    assert "corrupt or truncated" in first.stdout and "missing.jpg" in first.stdout
    again = _cli(data_dir, "ingest", str(dataset), "--no-progress", model_cache=session_dir / "models")
    assert "0 imported, 4 already stored, 3 skipped" in again.stdout and again.returncode == 0
    found = _cli(data_dir, "find", "a cup of coffee", model_cache=session_dir / "models")
    assert found.returncode == 0 and found.stdout.splitlines()[0].endswith("“a cup of espresso”")
    tags = _cli(data_dir, "hashtags", str(dataset / "images" / "chelsea.jpg"), model_cache=session_dir / "models")
    assert tags.stdout.startswith("#cat")
    dupes = _cli(data_dir, "dupes", str(dataset / "images" / "rocket.jpg"), model_cache=session_dir / "models")
    assert "re-post of" in dupes.stdout and "rocket.jpg" in dupes.stdout
    out = tmp_path / "map.png"
    drawn = _cli(data_dir, "map", "--scope", "public", "--out", str(out), model_cache=session_dir / "models")
    assert drawn.returncode == 0, drawn.stderr
    assert "4 public photos" in drawn.stdout and "computed in" in drawn.stdout
    from PIL import Image

    with Image.open(out) as im:
        assert im.format == "PNG" and im.width >= 480 and im.height >= 200
    again = _cli(data_dir, "map", "--out", str(tmp_path / "map.jpg"), model_cache=session_dir / "models")
    assert again.returncode == 0 and "from the cache" in again.stdout
    assert (tmp_path / "map.jpg").read_bytes()[:2] == b"\xff\xd8"


def test_nothing_importable_is_a_nonzero_exit(tmp_path, session_dir, encoders):
    folder = tmp_path / "junk"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(b"garbage")
    result = _cli(tmp_path / "data", "ingest", str(folder), "--no-progress", model_cache=session_dir / "models")
    assert result.returncode == 1 and "1 skipped" in result.stdout


def test_bad_arguments_get_clear_messages(tmp_path):
    assert "does not exist" in _cli(tmp_path / "d", "ingest", str(tmp_path / "nope")).stderr
    bad_scope = _cli(tmp_path / "d", "--scope", "chat:x", "stats")
    assert bad_scope.returncode == 2 and "invalid scope" in bad_scope.stderr
    empty = _cli(tmp_path / "d", "find", "  ")
    assert empty.returncode == 2 and "empty" in empty.stderr


def _models_cli(data_dir, *args, model_cache, timeout=600):
    env = dict(os.environ, HASHLENS_DATA_DIR=str(data_dir), HASHLENS_LOG_LEVEL="WARNING",
               HASHLENS_MODEL_CACHE_DIR=str(model_cache))
    env.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, "-m", "models", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_the_readme_train_ingest_query_flow(tmp_path, session_dir, encoders):
    """Every README command of the learned-heads flow, in the README's order, as a user runs them."""
    from indexing.holdout import held_out

    cache = session_dir / "models"
    data_dir = tmp_path / "data"
    manifest = tmp_path / "shapes" / "annotations.jsonl"
    posts = shape_posts(manifest.parent / "images", 80, seed=11)
    manifest.write_text("\n".join(json.dumps({"image": str(path.relative_to(manifest.parent)), "captions": captions,
                                              "split": "train"}) for path, captions in posts))
    pictures = tmp_path / "Pictures"  # a folder of one's own: uncaptioned photos
    pictures.mkdir()
    for path, _ in shape_posts(tmp_path / "more", 8, seed=12):
        path.rename(pictures / path.name)
    for name in ("coffee", "chelsea"):
        (pictures / f"{name}.jpg").write_bytes(jpeg_bytes(sample_image(name)))

    def ok(result):
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
        return result.stdout

    out = ok(_models_cli(data_dir, "train", "--data", str(manifest), "--split", "train", "--words-as-tags",
                         "--out", "shapes-v1", "--activate", model_cache=cache))
    assert "activated" in out and "'projector': 'shapes-v1'" in out
    out = ok(_cli(data_dir, "ingest", str(pictures), "--no-progress", model_cache=cache))
    assert "10 files: 10 imported" in out and "text bridge refitted" not in out  # the learned heads stay
    assert "projector: shapes-v1" in ok(_cli(data_dir, "stats", model_cache=cache))
    blue_square = next(pictures.glob("blue-square-*.jpg"))
    hits = ok(_cli(data_dir, "find", "a blue square", model_cache=cache)).splitlines()
    # a square leads, and every square shown ranks above the unrelated photos (the synthetic squares are
    # near-copies of each other: one post per photo collapses some of them)
    squares = [n for n, hit in enumerate(hits) if "-square-" in hit]
    others = [n for n, hit in enumerate(hits) if "coffee" in hit or "chelsea" in hit]
    assert squares and squares[0] == 0 and max(squares) < min(others, default=len(hits)), hits
    assert ok(_cli(data_dir, "find", "at night", "--photo", str(blue_square), model_cache=cache)).strip()
    hits = ok(_cli(data_dir, "similar", str(blue_square), model_cache=cache)).splitlines()
    assert hits and all(line.split()[0].replace(".", "").isdigit() for line in hits)
    tags = ok(_cli(data_dir, "hashtags", str(blue_square), model_cache=cache)).splitlines()[0].split()
    assert "#square" in tags[:3], tags  # the hashtag head learned the caption words
    assert ok(_cli(data_dir, "hashtags", "--text", "a red circle", model_cache=cache)).startswith("#")
    assert ok(_cli(data_dir, "captions", str(blue_square), model_cache=cache)).strip()
    # The README's other ingest and the hand retrain on the stored public posts, minus the held-out tenth.
    out = ok(_cli(data_dir, "ingest", str(manifest), "--split", "train", "--no-progress", model_cache=cache))
    assert "80 imported" in out and "text bridge refitted" not in out
    train = _models_cli(data_dir, "train", "--from-redis", "--out", "v2", "--activate", model_cache=cache)
    ok(train)
    trainable = sum(not held_out(post_id) for post_id in range(1, 91))  # post ids count up from 1
    assert f"training on {trainable} photos" in train.stderr
    assert "projector: v2" in ok(_cli(data_dir, "stats", model_cache=cache))


def test_migrate_embeds_an_imported_store_with_the_configured_image_model_and_switches(dataset, tmp_path,
                                                                                     session_dir, encoders):
    data_dir, models = tmp_path / "data", session_dir / "models"
    a, b = "efficientnet-lite0", "efficientnet-lite0+mirror"
    assert _cli(data_dir, "ingest", str(dataset), "--no-progress", model_cache=models, image_model=a).returncode == 0
    before = _cli(data_dir, "stats", model_cache=models, image_model=b)
    assert f"image_model: {a}" in before.stdout  # the store's model serves until the migration is done
    migrated = _cli(data_dir, "migrate", model_cache=models, image_model=b)
    assert migrated.returncode == 0, migrated.stderr
    assert "state: done" in migrated.stdout and "done: 4" in migrated.stdout and "total: 4" in migrated.stdout
    after = _cli(data_dir, "stats", model_cache=models, image_model=b)
    assert f"image_model: {b}" in after.stdout and "posts: 4" in after.stdout
    dupes = _cli(data_dir, "dupes", str(dataset / "images" / "rocket.jpg"), model_cache=models, image_model=b)
    assert "re-post of" in dupes.stdout and "rocket.jpg" in dupes.stdout
    again = _cli(data_dir, "migrate", model_cache=models, image_model=b)
    assert again.returncode == 0 and "nothing to migrate" in again.stdout
