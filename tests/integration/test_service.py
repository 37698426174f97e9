"""The README's run command as a user meets it: `python -m bot` starts, imports the demo, serves the CLI, stops."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_service_starts_with_demo_photos_shares_redis_and_stops_cleanly(tmp_path, session_dir, encoders):
    env = dict(os.environ, HASHLENS_DATA_DIR=str(tmp_path / "data"),
               HASHLENS_MODEL_CACHE_DIR=str(session_dir / "models"), HASHLENS_LOG_LEVEL="WARNING")
    env.pop("REDIS_URL", None)
    service = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 240
        banner = ""
        while "hashlens is up" not in banner and time.monotonic() < deadline:
            line = service.stdout.readline()
            assert line or service.poll() is None, f"service exited: {banner}"
            banner += line
        assert "14 photos indexed" in banner, banner
        found = subprocess.run([sys.executable, "-m", "indexing", "find", "a cup of coffee"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120)
        assert found.returncode == 0 and "coffee.jpg" in found.stdout.splitlines()[0], found.stderr
        # The CLI used the service's Redis and left it running.
        assert (tmp_path / "data" / "redis.sock").exists()
    finally:
        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=60) == 0
    assert not (tmp_path / "data" / "redis.sock").exists()  # Redis shut down with the service
    assert any((tmp_path / "data" / "appendonly").iterdir())  # and its AOF is on disk
