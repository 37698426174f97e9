"""`bench dedup`'s photos under the text part of the re-post rule (indexing/search/reposttext.py).

The rule only ever un-flags: it reads when the configured image thresholds flag a query, and drops
a matched copy whose read text differs. So `bench dedup` scores the configured thresholds twice:
the image rule alone and with the text rule, the stored copies read as the background queue reads
them (the cheap first test, then a full read) and each flagged query as the rule reads it. A photo
whose incidental text (a sign, a shirt) is read on one copy and not on another shows up here.
"""
from __future__ import annotations

from pathlib import Path

from bench.ocr import read_all, reading_pool
from indexing.chats import Thresholds
from indexing.search.reposttext import agrees_as_read_or_flipped, text_agrees


def text_rule_scores(engine, queries: list, th: Thresholds, items: list, variants, workers: int, metrics) -> dict:
    """Per data set: the configured thresholds' scores without and with the text rule, what was read and
    which decisions changed. `variants(item)` gives a query's photo bytes by variant name again."""
    path_of = {Path(i.path).name: i for i in items}
    flagged = [q for q in queries if any(th.matches(c[1], c[2]) for c in q.candidates)]
    stored_ids = sorted({c[0] for q in flagged for c in q.candidates if th.matches(c[1], c[2])})
    sources = {pid: engine.store.get_post(pid).source for pid in stored_ids}
    cache: dict[str, dict[str, bytes]] = {}

    def photo(q) -> bytes:
        if q.group not in cache:
            cache[q.group] = variants(path_of[q.group])
        return cache[q.group][q.variant]

    with reading_pool(workers) as pool:
        texts = {pid: r[:2] for pid, r in zip(stored_ids, read_all(pool, [Path(sources[p]).read_bytes()
                                                                         for p in stored_ids]))}
        batch = [q for q in flagged if any(texts[c[0]][0] == "text" for c in q.candidates if th.matches(c[1], c[2]))]
        reads = {id(q): ("", "") for q in flagged}  # not read: no matched copy has text (the rule reads nothing)
        for q, r in zip(batch, read_all(pool, [photo(q) for q in batch], check_first=False)):  # as the rule reads
            reads[id(q)] = r[:2]
        differs = [q for q in batch if any(th.matches(c[1], c[2]) and not text_agrees(*reads[id(q)], *texts[c[0]],
                                                                                      th.min_text_match)
                                           for c in q.candidates)]  # then read flipped back, as the rule does
        flips = {id(q): r[:2] for q, r in zip(differs, read_all(pool, [photo(q) for q in differs], check_first=False,
                                                                   mirrored=True))}

    def decided(q, with_text: bool) -> int | None:
        for pid, cos, ham in sorted(q.candidates, key=lambda c: -c[1]):
            if th.matches(cos, ham) and (not with_text or agrees_as_read_or_flipped(
                    reads[id(q)], texts[pid], th.min_text_match, (lambda: flips[id(q)]) if id(q) in flips else None)):
                return pid
        return None

    out = {}
    for name in sorted({q.dataset for q in queries}):
        rows = [q for q in queries if q.dataset == name]
        scores = {}
        for with_text in (False, True):
            tp = fp = fn = 0
            for q in rows:
                d = decided(q, with_text) if id(q) in reads else None
                tp += d is not None and d == q.expected
                fp += d is not None and d != q.expected
                fn += q.expected is not None and d != q.expected
            scores["with_text_rule" if with_text else "image_rule"] = metrics(tp, fp, fn)
        changed = [{"photo": q.group, "variant": q.variant, "read": reads[id(q)][1][:60],
                    "stored_read": texts[decided(q, False)][1][:60]}
                   for q in rows if id(q) in reads and decided(q, False) != decided(q, True)]
        out[name] = {**scores, "changed": changed[:10], "changed_count": len(changed)}
    out["read"] = {"stored": len(texts), "stored_with_text": sum(t[0] == "text" for t in texts.values()),
                   "queries": len(reads), "queries_with_text": sum(r[0] == "text" for r in reads.values())}
    return out
