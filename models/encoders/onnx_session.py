"""ONNX files exported from packaged PyTorch weights: written once atomically, reopened after damage."""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)


def cache_file(cache_dir: Path, name: str, weights: Path | str, format_version: str) -> Path:
    """Where the ONNX export of these weights lives; a new weights file or exporter gets a new name."""
    stamp = hashlib.sha1(f"{weights}:{os.path.getsize(weights)}:{format_version}".encode()).hexdigest()[:10]
    return Path(cache_dir) / f"{name}-{stamp}.onnx"


def export_atomically(path: Path, write: Callable[[str], None]) -> None:
    """Run `write(tmp_path)` then rename into place, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".onnx.tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def open_session(path: Path, threads: int, export: Callable[[Path], None]):
    """An ONNX Runtime CPU session for `path`, exporting it first if missing, and again once if unreadable."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = max(1, int(threads))
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if not path.exists():
        export(path)
    try:
        return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors for a damaged file
        log.warning("ONNX model %s unreadable (%s); exporting it again", path, exc)
        path.unlink(missing_ok=True)
        export(path)
        return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
