"""Text read from photos, offline: rapidocr 3.10 (PP-OCRv6 detector + Latin/CJK recogniser, ONNX in its wheel).

Model paths are given explicitly from the installed `rapidocr/models/`, so rapidocr's download code
(it fetches any configured model it cannot find) never runs; `.vis()` (which downloads a font) is
never called. The detector scales the LONG side to 960 px: rapidocr's default scales the short side up
to 736, about 20x slower on banners for the same text (docs/DESIGN-NOTES.md, "Reading text in photos").

A cheap first test (the detector alone on a <=320 px copy, looking for one line-shaped box) keeps
text-free photos at ~15 ms instead of a full pass. Text in a script the recogniser has no
characters for (Cyrillic, Arabic, Hangul) comes out as "unreadable", never as garbage text.
"""
from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

# Decoding bound: larger photos are read at this size (text stays legible, memory stays small).
MAX_DECODE_SIDE = 1600
# Too small or too thin to hold a readable line: answered "none" without running anything.
MIN_SIDE = 16
MAX_ASPECT = 25
DETECT_SIDE = 960
FIRST_TEST_SIDE = 320
# A line-shaped box: long side at least twice the short side (a blob over a whole photo is ~1).
LINE_RATIO = 2.0
MIN_SCORE = 0.8
MIN_CHARS = 2
# Letters/digits expected per unit of a box's length/height ratio; a line read far below this
# was in a script the recogniser cannot spell (measured: Latin lines 1.2-2.2, Cyrillic ~0).
MIN_CHAR_DENSITY = 0.35
# Below this probability the language is left unsaid ("" = unsure).
MIN_LANG_PROBABILITY = 0.6

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadText:
    status: str            # "none" | "text" | "unreadable" | "error"
    text: str              # kept lines in reading order joined by "\n" ("" unless status == "text")
    lang: str              # py3langid code of the text, "" if unsure
    lines: tuple[str, ...] = ()
    scores: tuple[float, ...] = ()


NONE = ReadText("none", "", "")


def decode(data: bytes, max_side: int = MAX_DECODE_SIDE) -> Image.Image:
    """Photo bytes -> RGB image no larger than max_side (JPEG decoded at a reduced scale, cheap on huge photos).
    A video's bytes (a stored video fetched again) give its middle frame, as the write path queued it."""
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        from models.video import read_keyframes

        image = read_keyframes(data, count=1).middle
    image.draft("RGB", (max_side, max_side))
    image = image.convert("RGB")
    image.thumbnail((max_side, max_side))
    return image


def _models_dir() -> Path:
    import rapidocr

    return Path(rapidocr.__file__).parent / "models"


def _alnum(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def _box_ratio(box) -> float:
    box = np.asarray(box, dtype=np.float32)
    width, height = np.linalg.norm(box[1] - box[0]), np.linalg.norm(box[2] - box[1])
    return float(max(width, height) / max(min(width, height), 1.0))


def _language(text: str) -> str:
    from models.language import language_probabilities

    probabilities = language_probabilities(text)
    best = max(probabilities, key=probabilities.get)
    return best if probabilities[best] >= MIN_LANG_PROBABILITY else ""


class TextReader:
    """One per process (see shared_reader); a lock serialises calls, rapidocr keeps per-call state."""

    def __init__(self, threads: int = 1) -> None:
        import cv2
        from rapidocr import RapidOCR
        from rapidocr.ch_ppocr_det.utils import DetPreProcess
        from rapidocr.ch_ppocr_rec.typings import TextRecInput

        cv2.setNumThreads(threads)
        models = _models_dir()
        self._engine = RapidOCR(params={
            "Global.log_level": "warning",
            "Global.model_root_dir": str(models),
            "Det.model_path": str(models / "PP-OCRv6_det_small.onnx"),
            "Cls.model_path": str(models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
            "Rec.model_path": str(models / "PP-OCRv6_rec_small.onnx"),
            "Det.limit_type": "max",
            "Det.limit_side_len": DETECT_SIDE,
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        })
        # rapidocr warns on its own logger for every photo without text: an outcome here, not news.
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        det = self._engine.cfg.Det
        self._first_test = DetPreProcess(FIRST_TEST_SIDE, "max", det.mean, det.std)
        self._rec_input = TextRecInput
        self._lock = threading.Lock()

    @staticmethod
    def _pixels(image: Image.Image) -> np.ndarray:
        rgb = image.convert("RGB")
        rgb.thumbnail((MAX_DECODE_SIDE, MAX_DECODE_SIDE))
        return np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])  # rapidocr takes arrays as BGR

    @staticmethod
    def _readable_shape(image: Image.Image) -> bool:
        short, long = sorted(image.size)
        return short >= MIN_SIDE and long / short <= MAX_ASPECT

    def _likely(self, pixels: np.ndarray) -> bool:
        detector = self._engine._load_det_model()
        prepared = self._first_test(pixels)
        if prepared is None:
            return False
        boxes, _ = detector.postprocess_op(detector.session(prepared), pixels.shape[:2])
        return any(_box_ratio(box) >= LINE_RATIO for box in boxes)

    def likely_text(self, image: Image.Image) -> bool:
        """The cheap first test: does the detector, on a small copy, see at least one line-shaped box?"""
        if not self._readable_shape(image):
            return False
        with self._lock:
            return self._likely(self._pixels(image))

    def read(self, image: Image.Image, check_first: bool = True) -> ReadText:
        if not self._readable_shape(image):
            return NONE
        try:
            pixels = self._pixels(image)
            with self._lock:
                if check_first and not self._likely(pixels):
                    return NONE
                boxes, texts, scores = self._recognise(pixels)
            return self._judge(boxes, texts, scores)
        except Exception:  # a photo rapidocr chokes on must end as an outcome, not kill the caller
            log.exception("reading text failed on a %sx%s image", *image.size)
            return ReadText("error", "", "")

    def _recognise(self, pixels: np.ndarray):
        # rapidocr's own __call__ drops boxes read as "": the steps keep them, and a line-shaped
        # box read as nothing is how a script without letters in the model shows up.
        prepared, record = self._engine.preprocess_img(pixels)
        detected, oriented, recognised, _ = self._engine.run_ocr_steps(prepared, record)
        if detected.boxes is None or recognised.txts is None:
            return None, (), ()
        texts, scores = list(recognised.txts), list(recognised.scores)
        # The 0/180 classifier is unsure on some upside-down lines (0.86 < its 0.9 threshold) and
        # leaves them as they are: a weak line gets a second reading turned over, the better one wins.
        weak = [i for i, score in enumerate(scores) if score < MIN_SCORE]
        if weak:
            turned = self._engine.text_rec(self._rec_input(img=[np.rot90(oriented.img_list[i], 2) for i in weak]))
            for i, text, score in zip(weak, turned.txts or (), turned.scores or ()):
                if score > scores[i]:
                    texts[i], scores[i] = text, score
        return detected.boxes, texts, scores

    @staticmethod
    def _judge(boxes, texts, scores) -> ReadText:
        if boxes is None or not len(texts):
            return NONE
        kept: list[tuple[str, float]] = []
        unspellable = 0
        for box, text, score in zip(boxes, texts, scores):
            text = " ".join(text.split())
            ratio = _box_ratio(box)
            if ratio >= LINE_RATIO and _alnum(text) < MIN_CHAR_DENSITY * ratio:
                unspellable += 1  # a whole line of script the recogniser has no letters for
            elif _alnum(text) >= MIN_CHARS and score >= MIN_SCORE:
                kept.append((text, float(score)))
        if not kept:
            return ReadText("unreadable", "", "") if unspellable else NONE
        lines = tuple(text for text, _ in kept)
        joined = "\n".join(lines)
        return ReadText("text", joined, _language(" ".join(lines)), lines, tuple(s for _, s in kept))


_shared: TextReader | None = None
_shared_lock = threading.Lock()


def shared_reader() -> TextReader:
    """The process's reader, built on first use (~100 MB at load, ~300 MB after a first photo), never at import."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = TextReader()
    return _shared
