"""Learned photo -> text-space projection, trained contrastively on (photo, caption) pairs.

Two towers meet in the text encoder's space:
- photo tower: standardised image features -> input dropout -> MLP, plus a linear skip path;
- text tower: a small residual adapter on the sentence vector (starts as the identity).
Loss: symmetric InfoNCE (CLIP's) with a learned temperature; AdamW weight decay; early stopping
on the validation split's Recall@1 and @5 (what users feel), best epoch kept. Each photo
brings m of its captions to a step (multi-positive InfoNCE): +1.4 R@1 over one caption.

Training imports TensorFlow/Keras; serving is a few matrix products in numpy, so a running bot
never imports TensorFlow. Same `project()` interface as the cold-start `KnnCaptionProjector`.
"""
from __future__ import annotations

import io
import json
from typing import Callable

import numpy as np

from models import textspace
from models.encoders.base import l2_normalize
from models.heads.training_utils import NO_PHOTOS, EarlyStopping, keras_and_tf, validation_split

WEIGHT_NAMES = ("mean", "scale", "w1", "b1", "w2", "b2", "skip", "t1", "tb1", "t2", "tb2")


def recall_at(image_vecs: np.ndarray, text_vecs: np.ndarray, owner: np.ndarray, ks=(1, 5, 10)) -> dict:
    """Text -> image retrieval metrics: each text row queries all images; owner[i] is its image."""
    sims = text_vecs @ image_vecs.T
    target = sims[np.arange(len(owner)), owner]
    ranks = 1 + (sims > target[:, None]).sum(axis=1)
    out = {f"R@{k}": round(100 * float(np.mean(ranks <= k)), 2) for k in ks}
    out["median_rank"] = float(np.median(ranks))
    return out


class ProjectionHead:
    """features (n, d_in) -> L2-normalised vectors (n, d_out) in the text encoder's space."""

    kind = "learned-projection"
    cold_start = False
    seen = NO_PHOTOS  # recorded by the ensemble it serves in (models.projectors.Projector)

    def __init__(self, *, hidden: int = 2048, input_dropout: float = 0.5, dropout: float = 0.3,
                 weight_decay: float = 0.05, learning_rate: float = 1e-3, epochs: int = 60, batch_size: int = 512,
                 patience: int = 8, text_adapter: int = 512, captions_per_step: int = 5, seed: int = 0, input_model: str = "",
                 text_model: str = "", text_slice: tuple[int, int] | None = None) -> None:
        # text_slice: the (start, stop) columns of a text vector this head reads, when the text space
        # is several encoders side by side (models/encoders/multilingual.py); None: all of it.
        self.params = dict(hidden=hidden, input_dropout=input_dropout, dropout=dropout, weight_decay=weight_decay,
                           learning_rate=learning_rate, epochs=epochs, batch_size=batch_size, patience=patience,
                           text_adapter=text_adapter, captions_per_step=captions_per_step, seed=seed,
                           input_model=input_model, text_model=text_model,
                           text_slice=list(text_slice) if text_slice else None)
        self.weights: dict[str, np.ndarray] | None = None
        self.history: list[dict] = []
        self.fitted_on = 0  # captioned photos it was trained on (validation split included)

    @property
    def fitted(self) -> bool:
        return self.weights is not None

    @property
    def dim(self) -> int | None:
        return None if self.weights is None else self.weights["w2"].shape[1]

    @property
    def input_model(self) -> str:
        return self.params.get("input_model", "")

    @property
    def text_models(self) -> frozenset[str]:
        return frozenset({self.params["text_model"]}) if self.params.get("text_model") else frozenset()

    # -- training (Keras) ------------------------------------------------------------------
    def fit(self, features: np.ndarray, captions: list[np.ndarray], *, val_fraction: float = 0.1,
            progress: Callable[[dict], None] | None = None) -> "ProjectionHead":
        """Train on photo features and their caption vectors (one k_i x d_out array per photo)."""
        p = self.params
        keras, tf = keras_and_tf(p["seed"])
        rng = np.random.default_rng(p["seed"])
        features = np.asarray(features, np.float32)
        captions = [self._own_part(c) for c in captions]  # the captions this head's part speaks for
        val, train = validation_split(rng, [i for i, c in enumerate(captions) if len(c)], val_fraction, "captioned")
        n_val = len(val)
        self.fitted_on = len(train) + n_val
        d_in, d_out = features.shape[1], captions[train[0]].shape[1]
        mean = features[train].mean(axis=0)
        scale = 1.0 / (features[train].std(axis=0) + 1e-3)

        x_in = keras.Input((d_in,))
        x = keras.layers.Dropout(p["input_dropout"])(x_in)
        h = keras.layers.Dense(p["hidden"], activation="relu", name="w1")(x)
        h = keras.layers.Dropout(p["dropout"])(h)
        z = keras.layers.Add()([keras.layers.Dense(d_out, name="w2")(h),
                                keras.layers.Dense(d_out, use_bias=False, name="skip")(x)])
        image_tower = keras.Model(x_in, z)
        t_in = keras.Input((d_out,))
        if p["text_adapter"]:
            t = keras.layers.Dense(p["text_adapter"], activation="relu", name="t1")(t_in)
            t = keras.layers.Dense(d_out, kernel_initializer="zeros", name="t2")(t)
            text_tower = keras.Model(t_in, keras.layers.Add()([t_in, t]))
        else:
            text_tower = keras.Model(t_in, t_in)
        log_scale = tf.Variable(np.log(1 / 0.07), dtype=tf.float32)  # CLIP's initial temperature
        max_log_scale = float(np.log(100.0))
        optimizer = keras.optimizers.AdamW(learning_rate=p["learning_rate"], weight_decay=p["weight_decay"])
        variables = image_tower.trainable_variables + text_tower.trainable_variables + [log_scale]

        m = max(1, p["captions_per_step"])

        @tf.function
        @tf.autograph.experimental.do_not_convert  # plain tensor code: nothing to convert
        def step(x, y):
            # y: (B*m, d), m captions per photo. Text -> photo: one positive photo per caption;
            # photo -> text: all m captions of the photo are positives (multi-positive InfoNCE).
            with tf.GradientTape() as tape:
                zi = tf.math.l2_normalize(image_tower(x, training=True), axis=1)
                zt = tf.math.l2_normalize(text_tower(y, training=True), axis=1)
                logits = tf.matmul(zt, zi, transpose_b=True) * tf.exp(tf.minimum(log_scale, max_log_scale))
                owner = tf.range(tf.shape(zt)[0]) // m
                t2i = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(owner, logits, from_logits=True))
                i2t_logp = tf.nn.log_softmax(tf.transpose(logits), axis=1)
                positive = tf.cast(tf.equal(owner[None, :], tf.range(tf.shape(zi)[0])[:, None]), tf.float32)
                i2t = -tf.reduce_mean(tf.reduce_logsumexp(i2t_logp + tf.math.log(positive + 1e-30), axis=1))
                loss = (t2i + i2t) / 2
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
            return loss

        def batch_inputs(idx):
            x = features[idx]
            y = np.concatenate([captions[i][rng.choice(len(captions[i]), m, replace=len(captions[i]) < m)]
                                for i in idx])
            return ((x - mean) * scale).astype(np.float32), y.astype(np.float32)

        val_texts = np.concatenate([captions[i] for i in val]) if n_val else None
        val_owner = np.concatenate([[j] * len(captions[i]) for j, i in enumerate(val)]) if n_val else None

        stopper = EarlyStopping(p["patience"])
        self.weights = None
        for epoch in range(p["epochs"]):
            shuffled = rng.permutation(train)
            losses = [float(step(*batch_inputs(b)))
                      for b in (shuffled[s:s + p["batch_size"]] for s in range(0, len(shuffled), p["batch_size"]))
                      if len(b) > 1]
            self.weights = self._collect(image_tower, text_tower, mean, scale)
            record = {"epoch": epoch + 1, "loss": round(float(np.mean(losses)), 4),
                      "temperature": round(float(np.exp(-min(float(log_scale.numpy()), max_log_scale))), 4)}
            if n_val:
                record.update(recall_at(self.project(features[val]), self._adapt(val_texts), val_owner))
            self.history.append(record)
            if progress:
                progress(record)
            monitored = record["R@1"] + record["R@5"] / 2 if n_val else -record["loss"]
            if stopper.should_stop(monitored, lambda: self.weights):
                break
        self.weights = stopper.best_weights
        return self

    @staticmethod
    def _collect(image_tower, text_tower, mean, scale) -> dict[str, np.ndarray]:
        def layer(model, name):
            return [np.asarray(w, np.float32) for w in model.get_layer(name).get_weights()]

        (w1, b1), (w2, b2), (skip,) = layer(image_tower, "w1"), layer(image_tower, "w2"), layer(image_tower, "skip")
        if any(layer_.name == "t1" for layer_ in text_tower.layers):
            (t1, tb1), (t2, tb2) = layer(text_tower, "t1"), layer(text_tower, "t2")
        else:  # no adapter: zero residual, the text side is the sentence vector itself
            d = w2.shape[1]
            t1, tb1, t2, tb2 = (np.zeros((d, 1), np.float32), np.zeros(1, np.float32),
                                np.zeros((1, d), np.float32), np.zeros(d, np.float32))
        return dict(mean=mean.astype(np.float32), scale=scale.astype(np.float32), w1=w1, b1=b1, w2=w2, b2=b2,
                    skip=skip, t1=t1, tb1=tb1, t2=t2, tb2=tb2)

    # -- serving (numpy) -------------------------------------------------------------------
    def project(self, features: np.ndarray, class_text: np.ndarray | None = None) -> np.ndarray:
        """Photo features -> text space (class_text is accepted for interface parity and unused)."""
        if not self.fitted:
            raise ValueError("projection head is not trained")
        w = self.weights
        x = (np.atleast_2d(np.asarray(features, np.float32)) - w["mean"]) * w["scale"]
        hidden = np.maximum(x @ w["w1"] + w["b1"], 0.0)
        return l2_normalize(hidden @ w["w2"] + w["b2"] + x @ w["skip"])

    def _part(self, text_vecs: np.ndarray) -> np.ndarray:
        t = np.atleast_2d(np.asarray(text_vecs, np.float32))
        part = self.params.get("text_slice")
        return t[:, part[0]:part[1]] if part else t

    def _own_part(self, caption_vecs: np.ndarray) -> np.ndarray:
        """A photo's captions as this head reads them: its part, unit length; the captions its part
        does not speak for (zero there: another language than its encoder's) dropped."""
        t = self._part(caption_vecs)
        return l2_normalize(t[textspace.speaks(t)]) if len(t) else t

    def adapt_text(self, text_vecs: np.ndarray) -> np.ndarray:
        """Sentence vectors -> the side of the shared space photos are projected to; zero for a text
        this head's part does not speak for (models/textspace.py counts it out)."""
        return self._adapt(self._part(text_vecs))

    def _adapt(self, t: np.ndarray) -> np.ndarray:
        """adapt_text on vectors already cut to this head's part."""
        speaks = textspace.speaks(t)[:, None].astype(np.float32)
        t = l2_normalize(t)
        if not self.fitted:
            return t
        w = self.weights
        return speaks * l2_normalize(t + np.maximum(t @ w["t1"] + w["tb1"], 0.0) @ w["t2"] + w["tb2"])

    def to_bytes(self) -> bytes:
        if not self.fitted:
            raise ValueError("projection head is not trained")
        buf = io.BytesIO()
        np.savez(buf, kind=np.array(self.kind), params=np.array(json.dumps(self.params)),
                 history=np.array(json.dumps(self.history)), fitted_on=np.array(self.fitted_on),
                 **{f"w_{k}": v for k, v in self.weights.items()})
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "ProjectionHead":
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            head = cls(**json.loads(str(data["params"])))
            head.history = json.loads(str(data["history"]))
            head.fitted_on = int(data["fitted_on"]) if "fitted_on" in data else 0  # older artifacts: unknown
            head.weights = {k: data[f"w_{k}"].astype(np.float32) for k in WEIGHT_NAMES}
        return head
