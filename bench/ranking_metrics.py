"""Scores of a ranked answer, as lists of relevance flags (best first)."""
from __future__ import annotations

from typing import Sequence

import numpy as np


def precision_at(relevant: Sequence[bool], k: int) -> float | None:
    """Share of the first k results shown that are relevant (an answer may show fewer than k: a
    relevance floor cut it short, which is not padding); None when nothing is shown."""
    shown = list(relevant)[:k]
    return sum(shown) / len(shown) if shown else None


def average_precision(relevant: Sequence[bool], n_relevant: int, k: int = 10) -> float:
    """AP@k: the mean of the precision at each relevant result's rank among the first k, over
    min(n_relevant, k), the most a perfect ranking could place there (results not shown count as misses)."""
    if n_relevant <= 0:
        raise ValueError("average precision needs a query with a relevant item")
    hits, total = 0, 0.0
    for rank, rel in enumerate(list(relevant)[:k], 1):
        if rel:
            hits += 1
            total += hits / rank
    return total / min(n_relevant, k)


def mean_percent(values: Sequence[float | None]) -> float | None:
    """The mean of the values that exist, in percent, rounded (None when there are none)."""
    present = [v for v in values if v is not None]
    return round(100 * float(np.mean(present)), 2) if present else None
