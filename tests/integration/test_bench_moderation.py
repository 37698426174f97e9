"""`bench moderation` end to end on photos made here: the real bot process flags the group's re-posts,
the admin clears every first flag, the cleared photos come back and are not flagged against their
cleared original."""
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SAMPLE_NAMES, jpeg_bytes, sample_image

ROOT = Path(__file__).resolve().parents[2]


def test_every_repost_flagged_once_and_a_cleared_pair_never_again(tmp_path, session_dir, encoders):
    (tmp_path / "images").mkdir()
    rows = []
    for name in SAMPLE_NAMES:
        (tmp_path / "images" / f"{name}.jpg").write_bytes(jpeg_bytes(sample_image(name)))
        rows.append({"image": f"images/{name}.jpg", "captions": [f"a photo of {name}"]})
    (tmp_path / "annotations.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    env = dict(os.environ, HASHLENS_LOG_LEVEL="WARNING")
    done = subprocess.run([sys.executable, "-m", "bench", "moderation", "--data", str(tmp_path), "--members", "10",
                           "--seconds", "10", "--rate", "1", "--repost-share", "0.4", "--clear-share", "1",
                           "--image-model", "efficientnet-lite0", "--model-cache", str(session_dir / "models"),
                           "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["task"] == "moderation" and out["posts"] >= 8 and out["reposts"] >= 1
    assert out["stored_posts"] == out["posts"] and out["lost_posts"] == 0
    assert out["reposts_flagged"] == out["reposts"] and out["missed"] == 0 and out["flag_latency"]["n"] == out["reposts"]
    assert out["false_flags"] == 0 and out["flagged_more_than_once"] == 0
    # every re-post's flag was cleared, and each cleared photo posted again: never flagged against the
    # original it was cleared from (against the copy the admin cleared it may be: that is a re-post of it)
    assert out["cleared_pairs"] == out["cleared_reposts"] == out["reposts"]
    assert out["cleared_pairs_flagged_again"] == 0
    assert out["flags_with_buttons"] == out["reposts"] + out["cleared_reposts_flagged_against_the_cleared_copy"]
    assert out["clear_answers"] and all(out["clear_answers"])
