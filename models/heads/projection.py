"""Learned photo -> text-space projection, trained contrastively on (photo, caption) pairs.

Symmetric InfoNCE (CLIP's loss) with a learned temperature, input dropout, AdamW weight decay
and early stopping on a validation split. Training imports TensorFlow/Keras; serving is two
dense layers in numpy, so a running bot never imports TensorFlow. Same `project()` interface
as the cold-start `KnnCaptionProjector`, so the engine can swap one for the other.

Status: the head and its training loop (tested on made-up data); wiring into the engine, the
training CLI and the benchmarks are the rest of issue 3.
"""
from __future__ import annotations

import io
import json
import os

import numpy as np

from models.encoders.base import l2_normalize


class ProjectionHead:
    """features (n, d_in) -> L2-normalised vectors (n, d_out) in the text encoder's space."""

    kind = "learned-projection"

    def __init__(self, *, hidden: int = 1024, dropout: float = 0.2, weight_decay: float = 1e-4,
                 learning_rate: float = 1e-3, epochs: int = 40, batch_size: int = 256, patience: int = 4,
                 seed: int = 0) -> None:
        self.params = dict(hidden=hidden, dropout=dropout, weight_decay=weight_decay, learning_rate=learning_rate,
                           epochs=epochs, batch_size=batch_size, patience=patience, seed=seed)
        self.weights: list[np.ndarray] | None = None  # [W1, b1, W2, b2]
        self.history: list[dict] = []

    @property
    def fitted(self) -> bool:
        return self.weights is not None

    # -- training (Keras) ------------------------------------------------------------------
    def fit(self, features: np.ndarray, captions: list[np.ndarray], val_fraction: float = 0.1,
            progress=None) -> "ProjectionHead":
        """Train on photos and their caption vectors (one array of k_i x d_out per photo)."""
        os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import keras
        import tensorflow as tf

        p = self.params
        rng = np.random.default_rng(p["seed"])
        keras.utils.set_random_seed(p["seed"])
        features = np.asarray(features, np.float32)
        keep = [i for i, c in enumerate(captions) if len(c)]
        order = rng.permutation(keep)
        n_val = max(1, int(len(order) * val_fraction)) if len(order) > 10 else 0
        val, train = order[:n_val], order[n_val:]
        d_in, d_out = features.shape[1], captions[keep[0]].shape[1]

        model = keras.Sequential([
            keras.Input((d_in,)),
            keras.layers.Dropout(p["dropout"]),
            keras.layers.Dense(p["hidden"], activation="relu"),
            keras.layers.Dropout(p["dropout"]),
            keras.layers.Dense(d_out),
        ])
        log_scale = tf.Variable(np.log(1 / 0.07), dtype=tf.float32)  # CLIP's initial temperature
        optimizer = keras.optimizers.AdamW(learning_rate=p["learning_rate"], weight_decay=p["weight_decay"])
        variables = model.trainable_variables + [log_scale]

        def info_nce(x, y, training):
            z = tf.math.l2_normalize(model(x, training=training), axis=1)
            t = tf.math.l2_normalize(y, axis=1)
            logits = tf.matmul(z, t, transpose_b=True) * tf.exp(tf.minimum(log_scale, np.log(100.0)))
            labels = tf.range(tf.shape(x)[0])
            ce = keras.losses.sparse_categorical_crossentropy
            return (tf.reduce_mean(ce(labels, logits, from_logits=True))
                    + tf.reduce_mean(ce(labels, tf.transpose(logits), from_logits=True))) / 2

        @tf.function
        def step(x, y):
            with tf.GradientTape() as tape:
                loss = info_nce(x, y, True)
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
            return loss

        def one_caption_each(idx):  # a fresh random caption of every photo, each epoch
            return np.stack([captions[i][rng.integers(len(captions[i]))] for i in idx]).astype(np.float32)

        best, best_weights, bad_epochs = np.inf, None, 0
        for epoch in range(p["epochs"]):
            shuffled = rng.permutation(train)
            losses = [float(step(features[b], one_caption_each(b)))
                      for b in (shuffled[s:s + p["batch_size"]] for s in range(0, len(shuffled), p["batch_size"]))
                      if len(b) > 1]
            record = {"epoch": epoch + 1, "loss": float(np.mean(losses)),
                      "temperature": float(1 / np.exp(min(float(log_scale.numpy()), np.log(100.0))))}
            if n_val:
                record["val_loss"] = float(info_nce(features[val], one_caption_each(val), False))
            self.history.append(record)
            if progress:
                progress(record)
            monitored = record.get("val_loss", record["loss"])
            if monitored < best - 1e-4:
                best, bad_epochs = monitored, 0
                best_weights = [w.copy() for w in model.get_weights()]
            else:
                bad_epochs += 1
                if bad_epochs >= p["patience"]:
                    break
        self.weights = [np.asarray(w, np.float32) for w in (best_weights or model.get_weights())]
        return self

    # -- serving (numpy) -------------------------------------------------------------------
    def project(self, features: np.ndarray, class_text: np.ndarray | None = None) -> np.ndarray:
        if not self.fitted:
            raise ValueError("projection head is not trained")
        w1, b1, w2, b2 = self.weights
        hidden = np.maximum(np.atleast_2d(np.asarray(features, np.float32)) @ w1 + b1, 0.0)
        return l2_normalize(hidden @ w2 + b2)

    def to_bytes(self) -> bytes:
        if not self.fitted:
            raise ValueError("projection head is not trained")
        buf = io.BytesIO()
        np.savez(buf, params=np.array(json.dumps(self.params)), history=np.array(json.dumps(self.history)),
                 **{f"w{i}": w for i, w in enumerate(self.weights)})
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "ProjectionHead":
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            head = cls(**json.loads(str(data["params"])))
            head.history = json.loads(str(data["history"]))
            head.weights = [data[f"w{i}"].astype(np.float32) for i in range(4)]
        return head
