"""The ingestion and query CLI as a user runs it: a subprocess, an embedded Redis in a data dir."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import jpeg_bytes, sample_image

ROOT = Path(__file__).resolve().parents[2]


def _cli(data_dir, *args, timeout=300, model_cache=None):
    env = dict(os.environ, HASHLENS_DATA_DIR=str(data_dir), HASHLENS_LOG_LEVEL="WARNING")
    if model_cache:
        env["HASHLENS_MODEL_CACHE_DIR"] = str(model_cache)
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
