"""ONNX files exported from packaged PyTorch weights, and the runtime that serves them.

Two runtimes read the same ONNX file, behind one `run(None, feeds) -> [outputs]` call:
* OpenVINO, chosen by `auto` when the CPU computes in bfloat16 (AVX-512 BF16 / AMX): measured
  here 1.5x (EfficientNet-Lite0) to 1.8x (MiniLM) faster than ONNX Runtime, with feature
  cosine >= 0.996 to fp32 (docs/BENCHMARKS.md);
* ONNX Runtime otherwise (on CPUs without bf16, OpenVINO fp32 was slower than ONNX Runtime).
int8 files (quantize.py) run on both; `auto` gives them to OpenVINO wherever its CPU plugin runs
int8 (AVX2 and up: it lists INT8 among its capabilities), measured here as fast as ONNX Runtime's
MLAS kernels or faster in batches (docs/DESIGN-NOTES.md, "The image path").
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

log = logging.getLogger(__name__)
RUNTIMES = ("auto", "openvino", "onnxruntime")


def cache_file(cache_dir: Path, name: str, weights: Path | str, format_version: str) -> Path:
    """Where the ONNX export of these weights lives; new weights or a new exporter get a new name. Keyed by
    the weights' bytes, not their path: another clone or virtualenv with the same package finds the export
    (a path key made each clone export again, ~2.5 min)."""
    stamp = hashlib.sha1(f"{_content_hash(str(weights))}:{format_version}".encode()).hexdigest()[:10]
    return Path(cache_dir) / f"{name}-{stamp}.onnx"


@lru_cache(maxsize=None)
def _content_hash(path: str) -> str:
    digest = hashlib.sha1()
    with open(path, "rb") as weights:  # tens of MB: ~0.1 s, once a process
        while chunk := weights.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


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


@lru_cache(maxsize=None)
def openvino_computes(precision: str) -> bool:
    """Whether OpenVINO's CPU plugin lists `precision` ("BF16", "INT8") among its optimisations here."""
    try:
        import openvino as ov

        return precision in ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    except Exception:  # not installed, or no CPU plugin: fall back quietly
        return False


def resolve_runtime(runtime: str) -> str:
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown inference runtime {runtime!r}; use one of {', '.join(RUNTIMES)}")
    if runtime == "auto":
        return "openvino" if openvino_computes("BF16") else "onnxruntime"
    return runtime


def runtime_for(runtime: str, int8: bool) -> str:
    """The runtime for a model file: under `auto`, int8 files go to OpenVINO wherever it runs int8."""
    if runtime == "auto" and int8:
        return "openvino" if openvino_computes("INT8") else "onnxruntime"
    return resolve_runtime(runtime)


class OpenVinoSession:
    """OpenVINO behind ONNX Runtime's `run(None, feeds)` call; one infer request per thread."""

    def __init__(self, path: Path, threads: int) -> None:
        import openvino as ov

        core = ov.Core()
        self._compiled = core.compile_model(core.read_model(str(path)), "CPU", {
            "PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": max(1, int(threads))})
        self._local = threading.local()

    def run(self, _output_names, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self._compiled.create_infer_request()
        result = request.infer(feeds)
        return [np.array(result[out]) for out in self._compiled.outputs]


def _onnxruntime_session(path: Path, threads: int):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = max(1, int(threads))
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def open_session(path: Path, threads: int, export: Callable[[Path], None], runtime: str = "auto"):
    """A session for `path` (exported first if missing, and again once if unreadable)."""
    runtime = resolve_runtime(runtime)
    make = OpenVinoSession if runtime == "openvino" else _onnxruntime_session
    if not path.exists():
        export(path)
    try:
        return make(path, threads)
    except Exception as exc:  # both runtimes raise their own untyped errors for a damaged file
        log.warning("ONNX model %s unreadable (%s); exporting it again", path, exc)
        path.unlink(missing_ok=True)
        export(path)
        return make(path, threads)
