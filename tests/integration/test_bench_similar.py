"""`bench similar` end to end on photos made here: three crops of each of six photos, each crop
tagged with its photo's name, so a crop's relevant neighbours are the two other crops of its photo."""
import json
import os
import subprocess
import sys
from pathlib import Path

from indexing.relevance import Relevance
from tests.conftest import jpeg_bytes, sample_image

ROOT = Path(__file__).resolve().parents[2]
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "coins", "camera")
CROPS = {"left": (0.0, 0.0, 0.6, 1.0), "right": (0.4, 0.0, 1.0, 1.0), "top": (0.0, 0.0, 1.0, 0.6)}


def test_similar_scores_the_bots_answer_beside_the_raw_features(tmp_path, session_dir, encoders):
    (tmp_path / "images").mkdir()
    rows = []
    for name in PHOTOS:
        im = sample_image(name)
        w, h = im.size
        for crop, (x0, y0, x1, y1) in CROPS.items():
            path = f"images/{name}-{crop}.jpg"
            (tmp_path / path).write_bytes(jpeg_bytes(im.crop((int(x0 * w), int(y0 * h), int(x1 * w), int(y1 * h)))))
            rows.append({"image": path, "captions": [f"a photo of {name}"], "curated_tags": [name]})
    # the same file twice is one photo: never its own neighbour
    (tmp_path / "images" / "again.jpg").write_bytes((tmp_path / "images" / "coffee-left.jpg").read_bytes())
    rows.append({"image": "images/again.jpg", "curated_tags": ["coffee"]})
    (tmp_path / "annotations.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    env = dict(os.environ, HASHLENS_LOG_LEVEL="WARNING")
    done = subprocess.run([sys.executable, "-m", "bench", "similar", "--data", str(tmp_path),
                           "--image-model", "efficientnet-lite0", "--model-cache", str(session_dir / "models"),
                           "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["task"] == "similar" and out["labels"] == "curated_tags"
    assert out["photos"] == 18 and out["byte_identical_merged"] == 1 and out["skipped"] == 0
    assert out["k"] == 4 and out["floor"] == Relevance.load().floors.similar and out["similar_ms"]["n"] == 18
    shared = out["shared"]
    assert shared["queries"] == 18 and shared["no_relevant"] == 0
    assert shared["chance"] == round(100 * 2 / 17, 2)
    answer = shared["answer"]
    assert answer["answered"] + answer["nothing_fits"] == 18 and answer["nothing_fits"] == out["nothing_fits"]
    assert 0 < answer["shown_per_answer"] <= 4
    for measured in (shared["ranking"], shared["raw_features"]):
        assert 0 <= measured["P@4"] <= 100 and 0 <= measured["P@1"] <= 100
        # the other crops of the same photo rank far above chance (2 relevant among 17)
        assert measured["mAP@10"] >= 3 * shared["chance"]
    assert out["mAP@10"] == shared["ranking"]["mAP@10"] and out["raw_mAP@10"] == shared["raw_features"]["mAP@10"]
    # each name is on a sixth of the photos: no tag is specific, so the strict rule has nothing to score
    assert out["strict"]["queries"] == 0 and out["strict"]["no_relevant"] == 18
