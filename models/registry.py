"""Encoders by name: the one place that maps a config string to a class."""
from __future__ import annotations

import os

from models.encoders.base import ImageEncoder, TextEncoder
from models.encoders.composite import MIRROR, CompositeImageEncoder
from models.encoders.efficientnet import EfficientNetLiteEncoder
from models.encoders.minilm_onnx import OnnxMiniLMTextEncoder
from models.encoders.multilingual import MultilingualTextEncoder
from models.encoders.sentence import PACKAGED_MINILM, SentenceClipImageEncoder, SentenceTextEncoder
from models.encoders.use_m3 import USE_M3, UseM3TextEncoder
from models.errors import UnknownEncoderError

# Both packaged CNNs quantised to int8 (static, calibrated on scikit-image's photos on first use), Lite0
# averaged with its mirror image: 2.35x the fp32 pair with both mirrors at the same answers
# (docs/DESIGN-NOTES.md "The image path"). A store embedded by another model migrates in the background.
DEFAULT_IMAGE_MODEL = "efficientnet-lite0-int8+mirror+efficientnet-lite2-int8"
# MiniLM (English) beside USE multilingual v3 (16 languages): chosen on held-out photos, English
# and French (models/encoders/multilingual.py, docs/BENCHMARKS.md).
DEFAULT_TEXT_MODEL = f"{PACKAGED_MINILM}+{USE_M3}"
IMAGE_MODELS = ("efficientnet-lite0", "efficientnet-lite2", "efficientnet-lite0-int8", "efficientnet-lite2-int8",
                "efficientnet-lite0-torch", "efficientnet-lite2-torch",
                "st:<sentence-transformers CLIP model, e.g. st:clip-ViT-B-32>",
                "<model>+<model>[+mirror] (features concatenated; mirror: the models before it are averaged "
                "with the mirror image)")
TEXT_MODELS = (DEFAULT_TEXT_MODEL, PACKAGED_MINILM, USE_M3, f"{PACKAGED_MINILM}-torch",
               "st:<any sentence-transformers model>",
               "<English model>+<multilingual model> (side by side; non-English text uses the second only)")


def get_image_encoder(name: str, *, threads: int = 2, cache_dir: str | os.PathLike | None = None,
                      runtime: str = "auto") -> ImageEncoder:
    """Build (not load) the image encoder registered as `name`; `runtime` serves ONNX exports."""
    if "+" in name and not name.startswith("st:"):
        parts = name.split("+")
        models = [p for p in parts if p != MIRROR]
        last_mirror = len(parts) - 1 - parts[::-1].index(MIRROR) if MIRROR in parts else 0
        mirrored = sum(p != MIRROR for p in parts[:last_mirror])  # the models named before it
        return CompositeImageEncoder([get_image_encoder(p, threads=threads, cache_dir=cache_dir, runtime=runtime)
                                      for p in models], mirror=mirrored)
    if name in ("efficientnet-lite0", "efficientnet-lite2"):
        return EfficientNetLiteEncoder(name, backend=runtime, threads=threads, cache_dir=cache_dir)
    if name in ("efficientnet-lite0-int8", "efficientnet-lite2-int8"):
        return EfficientNetLiteEncoder(name.removesuffix("-int8"), backend=runtime, int8=True, threads=threads,
                                       cache_dir=cache_dir)
    if name in ("efficientnet-lite0-torch", "efficientnet-lite2-torch"):
        return EfficientNetLiteEncoder(name.removesuffix("-torch"), backend="torch", threads=threads)
    if name.startswith("st:") and len(name) > 3:
        return SentenceClipImageEncoder(name[3:], threads=threads)
    raise UnknownEncoderError(f"unknown image model {name!r}; known: {', '.join(IMAGE_MODELS)}")


def get_text_encoder(name: str, *, threads: int = 2, cache_dir: str | os.PathLike | None = None,
                     runtime: str = "auto") -> TextEncoder:
    """Build (not load) the text encoder registered as `name`; `runtime` serves ONNX exports."""
    if "+" in name and not name.startswith("st:"):
        english, _, multilingual = name.partition("+")
        return MultilingualTextEncoder(get_text_encoder(english, threads=threads, cache_dir=cache_dir, runtime=runtime),
                                       get_text_encoder(multilingual, threads=threads, cache_dir=cache_dir,
                                                        runtime=runtime))
    if name == USE_M3:
        return UseM3TextEncoder(threads=threads)
    if name == PACKAGED_MINILM:
        return OnnxMiniLMTextEncoder(threads=threads, cache_dir=cache_dir, runtime=runtime)
    if name == f"{PACKAGED_MINILM}-torch":
        return SentenceTextEncoder(PACKAGED_MINILM, threads=threads)
    if name.startswith("st:") and len(name) > 3:
        return SentenceTextEncoder(name[3:], threads=threads)
    raise UnknownEncoderError(f"unknown text model {name!r}; known: {', '.join(TEXT_MODELS)}")
