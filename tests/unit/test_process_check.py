"""The end-of-run check (tests/processes.py) on a pytest run of its own: what a test leaves running,
its child or an orphan whose parent already exited, fails that run and is killed; a tidy run passes."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFTEST = """
from tests.processes import ProcessCheck

def pytest_configure(config):
    check = ProcessCheck(config)
    check.exit_grace_s = 1  # what is left is left for good here: no need to wait
    config.pluginmanager.register(check, "hashlens-processes")
"""


def _run(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_inner.py").write_text("import subprocess\n\n" + body)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def _alive(tag: str) -> list[int]:
    """Pids of live (not zombie) processes whose command line carries `tag`."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit() or tag not in (entry / "cmdline").read_bytes().decode(errors="replace"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            pids.append(int(entry.name))
    return pids


def test_a_child_and_an_orphan_left_running_fail_the_run_and_are_killed(tmp_path):
    child, orphan = "3141.5", "2718.2"  # distinctive sleep lengths: their command lines name them
    done = _run(tmp_path, f"""
def test_leaves_a_child():
    subprocess.Popen(["sleep", "{child}"], start_new_session=True)

def test_leaves_an_orphan():
    subprocess.run(["sh", "-c", "sleep {orphan} >/dev/null 2>&1 &"], check=True)  # its parent exits at once
""")
    assert done.returncode == 1, done.stdout[-2000:]
    assert "2 passed" in done.stdout and "processes left running by tests" in done.stdout
    assert f"first seen after test_inner.py::test_leaves_a_child: sleep {child}" in done.stdout
    assert f"first seen after test_inner.py::test_leaves_an_orphan: sleep {orphan}" in done.stdout
    deadline = time.time() + 5
    while (_alive(child) or _alive(orphan)) and time.time() < deadline:
        time.sleep(0.1)
    assert not _alive(child) and not _alive(orphan)


def test_a_run_that_stops_what_it_starts_passes(tmp_path):
    done = _run(tmp_path, """
def test_waits_for_its_process():
    proc = subprocess.Popen(["sleep", "0.2"])
    proc.wait()
""")
    assert done.returncode == 0, done.stdout[-2000:]
    assert "left running" not in done.stdout
