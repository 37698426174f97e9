"""What makes a neighbour relevant to a query photo in `bench similar`: a label set per photo and
rules comparing two of them, from a data set's own annotations (deterministic, no model involved).

Labels are the photo's `curated_tags` where the data set has them (food), else the visual categories
its captions name (Flickr8k): a small fixed lexicon, a category counting when at least 2 of the
photo's captions name it, so one annotator's aside does not make it.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

# What Flickr8k's photos show, as words its captions use (a word belongs to one category). People in
# general ("man", "woman", "people") are left out: nearly every photo has some, so sharing them says
# nothing about whether two photos look alike.
CATEGORIES = {
    "dog": "dog dogs puppy puppies",
    "cat": "cat cats kitten kittens",
    "horse": "horse horses pony",
    "bird": "bird birds duck ducks seagull",
    "child": "child children kid kids boy boys girl girls baby toddler",
    "crowd": "crowd crowds group audience team",
    "water": "water lake river pool stream ocean sea waves wave swimming swims swim splashes",
    "beach": "beach sand shore",
    "snow": "snow snowy ski skier skiing skiers snowboard snowboarder snowboarding sled",
    "grass": "grass grassy field lawn yard meadow",
    "street": "street city sidewalk road building buildings crosswalk",
    "rock": "rock rocks cliff climbing climber climbs mountain mountains boulder",
    "bike": "bike bikes bicycle bicycles biker bikers bmx cyclist bicyclist",
    "motor": "motorcycle motorcycles motorbike dirtbike atv car cars truck",
    "skateboard": "skateboard skateboarder skateboarding skateboards skater skating skate",
    "ballgame": "soccer football basketball baseball tennis rugby volleyball hockey cricket",
    "ball": "ball balls",
    "forest": "forest woods trees tree",
    "stage": "stage microphone guitar band concert",
}
CATEGORY_OF = {word: category for category, words in CATEGORIES.items() for word in words.split()}
MIN_CAPTIONS = 2  # captions that must name a category for the photo to have it
SPECIFIC_SHARE = 0.05  # a tag on fewer than this share of the photos is specific ("tacos", not "food")
STRICT_JACCARD = 0.5

Rule = Callable[[frozenset, frozenset], bool]


def caption_categories(captions: Sequence[str], min_captions: int = MIN_CAPTIONS) -> frozenset[str]:
    """The categories at least `min_captions` of the captions name."""
    named = Counter()
    for caption in captions:
        named.update({CATEGORY_OF[w] for w in re.findall(r"[a-z]+", caption.lower()) if w in CATEGORY_OF})
    return frozenset(c for c, n in named.items() if n >= min_captions)


def curated_tags(data: str | Path) -> dict[str, frozenset[str]]:
    """Image file name -> its `curated_tags`, from the data set's annotations.jsonl (empty: it has none)."""
    manifest = Path(data) / "annotations.jsonl" if Path(data).is_dir() else Path(data)
    if manifest.suffix != ".jsonl" or not manifest.exists():
        return {}
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not any(r.get("curated_tags") for r in rows):
        return {}
    return {Path(r["image"]).name: frozenset(t.lower() for t in r.get("curated_tags", [])) for r in rows}


def shares_label(a: frozenset, b: frozenset) -> bool:
    return bool(a & b)


def jaccard_at_least(threshold: float) -> Rule:
    def rule(a: frozenset, b: frozenset) -> bool:
        return bool(a & b) and len(a & b) / len(a | b) >= threshold
    return rule


def shares_specific_label(labels: Sequence[frozenset]) -> Rule:
    """Share a label carried by fewer than SPECIFIC_SHARE of the photos."""
    counts = Counter(label for s in labels for label in s)
    broad = frozenset(label for label, n in counts.items() if n >= SPECIFIC_SHARE * len(labels))
    return lambda a, b: bool((a & b) - broad)


def rules_for(kind: str, labels: Sequence[frozenset]) -> dict[str, tuple[str, Rule]]:
    """The rules a data set is scored with: "shared" (the main one) and "strict", each with its words.

    Curated tags are broad (a random pair of food photos shares one half of the time: "food",
    "dessert", "delicious"), so their strict rule asks for a specific tag; a Jaccard >= 0.5 there
    would leave most queries with no relevant photo at all (tag lists of 2 to 38 tags rarely overlap
    that much). Caption categories are few per photo, so Jaccard >= 0.5 is their strict rule.
    """
    if kind == "curated_tags":
        return {"shared": ("shares a curated tag", shares_label),
                "strict": (f"shares a curated tag carried by < {SPECIFIC_SHARE:.0%} of the photos",
                           shares_specific_label(labels))}
    return {"shared": ("captions name a common category (of a fixed list, in >= 2 captions each)", shares_label),
            "strict": (f"Jaccard of the caption categories >= {STRICT_JACCARD}", jaccard_at_least(STRICT_JACCARD))}


def relevance_matrix(labels: Sequence[frozenset], rule: Rule) -> np.ndarray:
    """(n, n) bool: photo j is relevant to query i (never i itself; a photo without labels: to none)."""
    n = len(labels)
    out = np.zeros((n, n), bool)
    for i in range(n):
        for j in range(n):
            out[i, j] = i != j and bool(labels[i]) and bool(labels[j]) and rule(labels[i], labels[j])
    return out
