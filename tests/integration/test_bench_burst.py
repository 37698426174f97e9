"""`bench load --burst` end to end on photos made here: the real bot process, its default limits."""
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import noise_photo

ROOT = Path(__file__).resolve().parents[2]


def test_load_burst_stores_and_answers_every_photo(tmp_path, session_dir, encoders):
    (tmp_path / "images").mkdir()
    rows = []
    for n in range(20):
        (tmp_path / "images" / f"p{n}.jpg").write_bytes(noise_photo(7000 + n))
        rows.append({"image": f"images/p{n}.jpg", "captions": [f"photo number {n}"]})
    (tmp_path / "annotations.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    env = dict(os.environ, HASHLENS_LOG_LEVEL="WARNING")
    done = subprocess.run([sys.executable, "-m", "bench", "load", "--burst", "--data", str(tmp_path),
                           "--burst-photos", "14", "--albums", "2", "--album-size", "3",
                           "--image-model", "efficientnet-lite0", "--model-cache", str(session_dir / "models"),
                           "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["task"] == "load-burst" and out["photos"] == 20
    assert out["stored"] == 20 and out["answered"] == 20 and out["error_replies"] == 0
    # 10 at once, then one every 2 s (the default 30 a minute): the flood was slowed, not refused
    assert out["seconds_to_last_reply"] >= 10 * 2 * 0.8
