"""When an answer is worth showing, and what its score means.

Each answer kind has a floor on its own score, below which it is dropped, so a collection that
knows nothing relevant answers "nothing fits yet" instead of padding with unrelated photos:

  similar   image feature cosine          (0.3 between a dog and an astronaut is noise)
  find      text-space match of a photo or its best caption
  captions  text-space cosine of a caption to the photo
  hashtags  calibrated probability that the tag is right

Hashtag scores are fused from signals of different kinds, so their raw value means nothing by
itself; an isotonic map per collection size (fitted by `python -m bench cold` on held-out posts)
turns it into the share of such tags that were right. Floors and maps are read from a small JSON
table shipped beside this module (`relevance.json`, written by the benchmark).

Neighbour votes count by evidence: each neighbour weighs exp((cos - vote_ref) / T) against a
prior mass of `prior_mass`, so one far neighbour is a whisper, not 100 % of the vote, and the
photo's own ImageNet classes and the zero-shot bridge lead until close neighbours exist.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

DEFAULT_TABLE = Path(__file__).with_name("relevance.json")

# Why an answer is empty, for the front-end to say what would help.
TOO_FEW_POSTS = "too_few_posts"  # the collection is too small to know: more captioned photos would help
NOTHING_CLOSE = "nothing_close"  # enough posts, none fits this query
ONLY_ITSELF = "only_itself"  # the one close photo is a copy of the query itself: nothing else looks like it
FEW_POSTS = 50  # below this many visible posts an empty answer is blamed on the collection


class Answer(list):
    """A list of results that can say why it is empty (`why_empty`: TOO_FEW_POSTS, NOTHING_CLOSE or None)."""

    def __init__(self, items=(), why_empty: str | None = None) -> None:
        super().__init__(items)
        self.why_empty = None if self else why_empty


def why_empty(visible_posts: int) -> str:
    return TOO_FEW_POSTS if visible_posts < FEW_POSTS else NOTHING_CLOSE


@dataclass(frozen=True)
class Floors:
    """Each answer kind's floor on its own score (the defaults let everything through)."""

    similar: float = -1.0
    find: float = -1.0
    captions: float = -1.0
    hashtags: float = 0.0
    # `find` for a query only the multilingual text part reads (not English: models/textspace.py).
    # Its best matches score lower than an English query's (a French query against English captions
    # is a cross-language cosine), so it has its own floor, chosen on French queries (bench cold).
    find_other_language: float = -1.0


@dataclass(frozen=True)
class CalibrationTable:
    """Raw hashtag score -> observed precision, piecewise linear through isotonic points."""

    max_posts: int  # used for collections up to this many visible posts
    xs: tuple[float, ...]
    ys: tuple[float, ...]

    def __call__(self, raw):
        return np.interp(raw, self.xs, self.ys) if self.xs else np.clip(raw, 0.0, 1.0)


@dataclass(frozen=True)
class Relevance:
    floors: Floors = Floors()
    calibration: tuple[CalibrationTable, ...] = ()  # ascending max_posts; empty = raw scores clipped
    vote_ref: float = 0.45  # feature cosine at which one neighbour's vote weighs as much as the prior
    vote_temperature: float = 0.05
    prior_mass: float = 1.0
    class_weight: float = 1.0  # ImageNet class hashtags, scaled by (1 - neighbour evidence)
    zero_shot_ramp: tuple[float, float] = (0.2, 0.5)  # text cosine -> zero-shot trust 0..1
    # (kind, min_posts, max_posts, floor): a floor for one range of collection sizes, for a kind whose
    # score changes meaning as the collection grows (a caption's cosine to a photo's text vector,
    # itself made of the stored captions); None: withheld there (no floor reached the target)
    size_floors: tuple[tuple[str, int, int, float | None], ...] = ()
    source: str = field(default="defaults", compare=False)

    def floors_for(self, visible_posts: int) -> Floors:
        own = {kind: float("inf") if floor is None else floor
               for kind, lo, hi, floor in self.size_floors if lo <= visible_posts <= hi}
        return replace(self.floors, **own) if own else self.floors

    def probability(self, raw, visible_posts: int) -> np.ndarray:
        """Calibrated probability of hashtag scores, by the map measured at this collection size. A raw
        score above what was seen at that size (a near-copy of a stored photo in a small collection)
        is read on the map of the next larger size that saw it, else the largest one."""
        raw = np.asarray(raw, np.float64)
        tables = [t for t in self.calibration if t.xs]
        if not tables:
            return np.clip(raw, 0.0, 1.0)
        start = next((i for i, t in enumerate(tables) if visible_posts <= t.max_posts), len(tables) - 1)
        out = tables[-1](raw)
        for table in reversed(tables[start:]):  # the smallest applicable map wins where it has data
            out = np.where(raw <= table.xs[-1], table(raw), out)
        return out

    def neighbour_weights(self, sims: np.ndarray) -> np.ndarray:
        """Evidence of each neighbour: grows with its similarity, on an absolute scale."""
        return np.exp((np.asarray(sims, np.float64) - self.vote_ref) / self.vote_temperature)

    def evidence(self, weights: np.ndarray) -> float:
        """0 (no close neighbours) .. 1 (many close ones): how far the votes can be trusted."""
        mass = float(np.sum(weights))
        return mass / (mass + self.prior_mass)

    def zero_shot_trust(self, cosine: np.ndarray) -> np.ndarray:
        lo, hi = self.zero_shot_ramp
        return np.clip((np.asarray(cosine) - lo) / (hi - lo), 0.0, 1.0)

    def raw(self) -> "Relevance":
        """The same weights with no floors and no calibration (what the benchmark measures)."""
        return replace(self, floors=Floors(), calibration=(), size_floors=())

    def with_learned_heads(self) -> "Relevance":
        """What holds while learned heads serve. The table is measured with the cold-start bridges
        (`bench cold` trains no heads yet), and the heads change what the text-space scores (find,
        captions) and the fused hashtag scores mean: those floors and the calibration are not applied
        there, unmeasured; the image-cosine floor of `similar` does not depend on the heads and stays."""
        return replace(self.raw(), floors=Floors(similar=self.floors.similar))

    def to_json(self) -> str:
        out = asdict(self)
        out.pop("source")
        return json.dumps(out, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, source: str = "") -> "Relevance":
        data = json.loads(text)
        floors = data.get("floors", {})
        floors.setdefault("find_other_language", floors.get("find", -1.0))  # tables from before issue 15
        data["floors"] = Floors(**floors)
        data["calibration"] = tuple(CalibrationTable(t["max_posts"], tuple(t["xs"]), tuple(t["ys"]))
                                    for t in data.get("calibration", ()))
        data["size_floors"] = tuple(tuple(c) for c in data.get("size_floors", ()))
        if "zero_shot_ramp" in data:
            data["zero_shot_ramp"] = tuple(data["zero_shot_ramp"])
        return cls(**data, source=source)

    @classmethod
    def load(cls, path: str | Path = DEFAULT_TABLE) -> "Relevance":
        path = Path(path)
        return cls.from_json(path.read_text(), str(path)) if path.exists() else cls()


# ----------------------------------------------------------------------------------------
# fitting and measuring (the benchmark's side; pure numpy)
# ----------------------------------------------------------------------------------------
def fit_isotonic(scores, labels, max_points: int = 24) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Non-decreasing map score -> P(label) by pool-adjacent-violators, thinned to at most
    `max_points` knots (block means of score and label)."""
    scores = np.asarray(scores, np.float64)
    labels = np.asarray(labels, np.float64)
    if not len(scores):
        return (), ()
    order = np.argsort(scores, kind="stable")
    blocks: list[list[float]] = []  # [sum of labels, count, sum of scores]
    for s, y in zip(scores[order], labels[order]):
        blocks.append([y, 1.0, s])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            y2, n2, s2 = blocks.pop()
            blocks[-1][0] += y2
            blocks[-1][1] += n2
            blocks[-1][2] += s2
    while len(blocks) > max_points:  # merge the smallest neighbouring pair (keeps monotonicity)
        i = min(range(len(blocks) - 1), key=lambda j: blocks[j][1] + blocks[j + 1][1])
        y2, n2, s2 = blocks.pop(i + 1)
        blocks[i][0] += y2
        blocks[i][1] += n2
        blocks[i][2] += s2
    xs = tuple(round(b[2] / b[1], 5) for b in blocks)
    ys = tuple(round(b[0] / b[1], 4) for b in blocks)
    return xs, ys


def reliability(probs, labels, bins: int = 10) -> list[dict]:
    """Calibration curve: per predicted-probability bin, the mean prediction and the observed precision."""
    probs = np.asarray(probs, np.float64)
    labels = np.asarray(labels, np.float64)
    out = []
    edges = np.linspace(0, 1, bins + 1)
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (probs >= lo) & ((probs < hi) if hi < 1 else (probs <= hi))
        if inside.any():
            out.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": int(inside.sum()),
                        "predicted": round(float(probs[inside].mean()), 3),
                        "observed": round(float(labels[inside].mean()), 3)})
    return out


def expected_calibration_error(probs, labels, bins: int = 10) -> float:
    rows = reliability(probs, labels, bins)
    total = sum(r["n"] for r in rows)
    return round(sum(r["n"] * abs(r["predicted"] - r["observed"]) for r in rows) / max(total, 1), 4)


def at_floor(answers: list[list[tuple[float, bool]]], floor: float) -> dict:
    """What users see with this floor. `answers`: per query, its ranked (score, relevant) results.
    answered: share of queries with anything shown; precision: share of shown results that are
    relevant; top1: share of answered queries whose first shown result is relevant."""
    shown = [[rel for s, rel in a if s >= floor] for a in answers]
    answered = [s for s in shown if s]
    items = [rel for s in answered for rel in s]
    return {"floor": floor, "answered": round(len(answered) / max(len(answers), 1), 4),
            "precision": round(float(np.mean(items)), 4) if items else None,
            "top1": round(float(np.mean([s[0] for s in answered])), 4) if answered else None,
            "shown_per_query": round(len(items) / max(len(answers), 1), 2)}


def unreachable(answers: list, candidates, target: float, min_answered: int = 5) -> bool:
    """True when no candidate floor brings the precision of what is shown to `target` at this size
    (every floor still answers `min_answered` queries or more, below the target)."""
    for floor in candidates:
        shown = [[rel for s, rel in a if s >= floor] for a in answers]
        items = [rel for s in shown for rel in s]
        if sum(1 for s in shown if s) < min_answered or float(np.mean(items)) >= target:
            return False
    return True


def choose_floor(answers_by_size: dict, candidates, target: float, min_answered: int = 5) -> float:
    """The lowest candidate floor at which the precision of what is shown reaches `target` at every
    collection size (a size where fewer than `min_answered` queries get an answer passes: it
    says "nothing yet"). The highest candidate if none does."""
    candidates = sorted(candidates)
    for floor in candidates:
        ok = True
        for answers in answers_by_size.values():
            shown = [[rel for s, rel in a if s >= floor] for a in answers]
            items = [rel for s in shown for rel in s]
            if sum(1 for s in shown if s) >= min_answered and float(np.mean(items)) < target:
                ok = False
                break
        if ok:
            return floor
    return candidates[-1]
