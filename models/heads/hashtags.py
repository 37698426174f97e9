"""Learned hashtag classifier: photo features -> calibrated probability of each vocabulary hashtag.

Multi-label: one sigmoid per hashtag seen at least `min_count` times, binary cross-entropy,
input dropout + AdamW, early stopping on the validation split's Recall@5. Then per-tag Platt
scaling on the validation split, shrunk towards one global scaling (rare tags have few
validation examples), so that 0.3 means "right about 30 % of the time" for every tag and one
threshold works for rare and common tags alike. Training uses Keras, serving numpy.
"""
from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from typing import Callable, Iterable

import numpy as np

from models.heads.training_utils import NO_PHOTOS, EarlyStopping, keras_and_tf, validation_split
from models.tags import normalize_tags


def recall_at_k(probs: np.ndarray, truth: np.ndarray, k: int = 5) -> float:
    """Mean over photos with tags of |top-k ∩ truth| / |truth|, in percent."""
    has = truth.sum(axis=1) > 0
    if not has.any():
        return 0.0
    top = np.argsort(-probs[has], axis=1)[:, :k]
    hits = np.take_along_axis(truth[has], top, axis=1).sum(axis=1)
    return round(100 * float(np.mean(hits / truth[has].sum(axis=1))), 2)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # no overflow for large |x|


def _platt(z: np.ndarray, y: np.ndarray, prior: np.ndarray, strength: float, steps: int = 50) -> np.ndarray:
    """Per column: (a, b) minimising log loss of sigmoid(a*z + b) + strength * |(a, b) - prior|^2.

    Damped Newton: a rare tag's few validation examples are often perfectly separable, where a
    full Newton step overshoots; steps are capped and the result kept in a sane range.
    """
    n_tags = z.shape[1]
    ab = np.tile(prior, (n_tags, 1)).astype(np.float64)
    for _ in range(steps):
        p = _sigmoid(ab[:, 0] * z + ab[:, 1])
        r, w = p - y, p * (1 - p)
        grad = np.stack([(r * z).sum(0), r.sum(0)], 1) + 2 * strength * (ab - prior)
        h_aa, h_ab, h_bb = (w * z * z).sum(0) + 2 * strength, (w * z).sum(0), w.sum(0) + 2 * strength
        det = np.maximum(h_aa * h_bb - h_ab ** 2, 1e-9)
        step = np.stack([(h_bb * grad[:, 0] - h_ab * grad[:, 1]) / det, (h_aa * grad[:, 1] - h_ab * grad[:, 0]) / det], 1)
        norm = np.linalg.norm(step, axis=1, keepdims=True)
        ab -= step * np.minimum(1.0, 0.5 / np.maximum(norm, 1e-12))
    ab[:, 0] = np.clip(ab[:, 0], 0.05, 5.0)
    ab[:, 1] = np.clip(ab[:, 1], -15.0, 15.0)
    return ab.astype(np.float32)


class HashtagHead:
    kind = "hashtag-head"

    def __init__(self, *, min_count: int = 3, max_vocab: int = 5000, hidden: int = 1024, input_dropout: float = 0.5,
                 dropout: float = 0.3, weight_decay: float = 0.05, learning_rate: float = 1e-3, epochs: int = 80,
                 batch_size: int = 128, patience: int = 8, seed: int = 0, input_model: str = "",
                 blocklist: Iterable[str] = ()) -> None:
        self.params = dict(min_count=min_count, max_vocab=max_vocab, hidden=hidden, input_dropout=input_dropout,
                           dropout=dropout, weight_decay=weight_decay, learning_rate=learning_rate, epochs=epochs,
                           batch_size=batch_size, patience=patience, seed=seed, input_model=input_model,
                           blocklist=sorted(normalize_tags(list(blocklist))))
        self.tags: list[str] = []
        self.seen = NO_PHOTOS  # digests of the photos it was trained on (training_utils.photo_digests)
        self.weights: dict[str, np.ndarray] | None = None
        self.history: list[dict] = []

    @property
    def fitted(self) -> bool:
        return self.weights is not None

    @property
    def input_model(self) -> str:
        return self.params.get("input_model", "")

    def fit(self, features: np.ndarray, tags: list[list[str]], *, val_fraction: float = 0.15,
            progress: Callable[[dict], None] | None = None) -> "HashtagHead":
        p = self.params
        keras, tf = keras_and_tf(p["seed"])
        rng = np.random.default_rng(p["seed"])
        features = np.asarray(features, np.float32)
        tags = [normalize_tags(t) for t in tags]
        val, train = validation_split(rng, [i for i, t in enumerate(tags) if t], val_fraction, "tagged")
        n_val = len(val)
        blocked = set(p["blocklist"])
        counts = Counter(t for i in train for t in tags[i] if t not in blocked)
        self.tags = sorted((t for t, c in counts.items() if c >= p["min_count"]),
                           key=lambda t: (-counts[t], t))[: p["max_vocab"]]
        if not self.tags:
            raise ValueError(f"no hashtag is used {p['min_count']}+ times; nothing to learn")
        column = {t: j for j, t in enumerate(self.tags)}
        y = np.zeros((len(features), len(self.tags)), np.float32)
        for i, ts in enumerate(tags):
            for t in ts:
                if t in column:
                    y[i, column[t]] = 1
        mean = features[train].mean(axis=0)
        scale = 1.0 / (features[train].std(axis=0) + 1e-3)
        x = ((features - mean) * scale).astype(np.float32)

        model = keras.Sequential([
            keras.Input((x.shape[1],)),
            keras.layers.Dropout(p["input_dropout"]),
            keras.layers.Dense(p["hidden"], activation="relu", name="w1"),
            keras.layers.Dropout(p["dropout"]),
            # bias starts at each tag's base rate, so early epochs do not waste time learning it
            keras.layers.Dense(len(self.tags), name="w2", bias_initializer=keras.initializers.Constant(
                np.log(np.clip(y[train].mean(0), 1e-4, 0.5) / (1 - np.clip(y[train].mean(0), 1e-4, 0.5))))),
        ])
        optimizer = keras.optimizers.AdamW(learning_rate=p["learning_rate"], weight_decay=p["weight_decay"])
        bce = keras.losses.BinaryCrossentropy(from_logits=True)

        @tf.function
        @tf.autograph.experimental.do_not_convert  # plain tensor code: nothing to convert
        def step(xb, yb):
            with tf.GradientTape() as tape:
                loss = bce(yb, model(xb, training=True))
            optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
            return loss

        def logits(idx):
            return model.predict_on_batch(x[idx]) if len(idx) else np.zeros((0, len(self.tags)), np.float32)

        stopper = EarlyStopping(p["patience"])
        for epoch in range(p["epochs"]):
            shuffled = rng.permutation(train)
            losses = [float(step(x[b], y[b])) for b in
                      (shuffled[s:s + p["batch_size"]] for s in range(0, len(shuffled), p["batch_size"]))]
            record = {"epoch": epoch + 1, "loss": round(float(np.mean(losses)), 5)}
            if n_val:
                record["val_R@5"] = recall_at_k(logits(val), y[val])
            self.history.append(record)
            if progress:
                progress(record)
            if stopper.should_stop(record.get("val_R@5", -record["loss"]), model.get_weights):
                break
        model.set_weights(stopper.best_weights)
        w1, b1 = model.get_layer("w1").get_weights()
        w2, b2 = model.get_layer("w2").get_weights()
        calibration = np.tile(np.array([1.0, 0.0], np.float32), (len(self.tags), 1))
        if n_val:
            z, yv = logits(val).astype(np.float64), y[val].astype(np.float64)
            overall = _platt(z.reshape(-1, 1), yv.reshape(-1, 1), np.array([1.0, 0.0]), 1e-3)[0]
            calibration = _platt(z, yv, overall.astype(np.float64), strength=2.0)
        self.weights = dict(mean=mean.astype(np.float32), scale=scale.astype(np.float32), w1=w1, b1=b1, w2=w2, b2=b2,
                            calibration=calibration)
        return self

    def predict(self, features: np.ndarray) -> np.ndarray:
        """(n, vocabulary) calibrated probabilities."""
        if not self.fitted:
            raise ValueError("hashtag head is not trained")
        w = self.weights
        x = (np.atleast_2d(np.asarray(features, np.float32)) - w["mean"]) * w["scale"]
        z = np.maximum(x @ w["w1"] + w["b1"], 0.0) @ w["w2"] + w["b2"]
        return _sigmoid(w["calibration"][:, 0] * z + w["calibration"][:, 1])

    def top(self, features: np.ndarray, k: int = 20) -> dict[str, float]:
        probs = self.predict(features)[0]
        order = np.argsort(-probs)[:k]
        return {self.tags[j]: float(probs[j]) for j in order}

    def to_bytes(self) -> bytes:
        if not self.fitted:
            raise ValueError("hashtag head is not trained")
        buf = io.BytesIO()
        np.savez(buf, kind=np.array(self.kind), params=np.array(json.dumps(self.params)),
                 history=np.array(json.dumps(self.history)), tags=np.array(json.dumps(self.tags)), seen=self.seen,
                 **{f"w_{k}": v for k, v in self.weights.items()})
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "HashtagHead":
        try:
            with np.load(io.BytesIO(blob), allow_pickle=False) as data:
                if str(data["kind"]) != cls.kind:
                    raise ValueError(f"not a {cls.kind} artifact")
                head = cls(**json.loads(str(data["params"])))
                head.history = json.loads(str(data["history"]))
                head.tags = json.loads(str(data["tags"]))
                if "seen" in data.files:  # older artifacts recorded none
                    head.seen = data["seen"].astype(np.uint64)
                head.weights = {k[2:]: data[k].astype(np.float32) for k in data.files if k.startswith("w_")}
        except (OSError, KeyError, EOFError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
            raise ValueError(f"damaged {cls.kind} artifact: {exc}") from exc
        return head
