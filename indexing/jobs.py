"""The scheduled jobs: retrain the heads, rebuild the indexes, snapshot a release.

Each job runs under a Redis lock (one process at a time across the deployment) and records its
state in Redis (`running` with progress, then `done` / `skipped` / `failed` with its result), so
`/stats` and logs show it, and a job found `running` with its lock expired was interrupted by a
crash: the scheduler runs it again at once. Jobs only ever publish complete releases; a failed
or killed job leaves the current release serving.
"""
from __future__ import annotations

import json
import logging
import os
import time
import zlib
from dataclasses import dataclass

import numpy as np

from indexing.locks import JobLock, LockBusy
from indexing.scopes import PUBLIC

log = logging.getLogger(__name__)

JOBS = ("retrain", "rebuild", "snapshot")
HOLDOUT_PERCENT = 10  # posts whose id hashes below this are never trained on: the yardstick
PROMOTION_TOLERANCE = 0.5  # points a candidate may trail by (validation noise) and still be promoted


@dataclass
class JobPolicy:
    retrain_min_new: int = 200  # labelled public posts since the last training
    rebuild_min_deleted: float = 0.05  # share of deleted posts that makes a compaction worth it
    snapshot_min_changes: int = 1
    members: int = 3  # projection heads in the ensemble
    keep_releases: int = 3


def held_out(post_id: int) -> bool:
    return zlib.crc32(post_id.to_bytes(8, "little")) % 100 < HOLDOUT_PERCENT


def run_job(engine, name: str, policy: JobPolicy, force: bool = False) -> dict:
    """Run one job under its lock, recording its state; returns the result (or {"busy": ...})."""
    store = engine.store
    try:
        with JobLock(store, name, ttl_s=120):
            t0 = time.time()
            store.set_job_state(name, state="running", started_s=round(t0, 3), progress="", pid=os.getpid())

            def progress(text: str) -> None:
                store.set_job_state(name, progress=text)
                log.info("%s: %s", name, text)

            try:
                result = JOB_FUNCTIONS[name](engine, policy, force, progress)
            except Exception as exc:
                store.set_job_state(name, state="failed", finished_s=round(time.time(), 3),
                                    result=json.dumps({"error": str(exc)[:500]}))
                log.exception("job %s failed; the current release keeps serving", name)
                return {"error": str(exc)}
            state = "skipped" if "skipped" in result else "done"
            store.set_job_state(name, state=state, finished_s=round(time.time(), 3),
                                seconds=round(time.time() - t0, 1), result=json.dumps(result), progress="")
            log.info("job %s %s: %s", name, state, result)
            return result
    except LockBusy as exc:
        return {"busy": str(exc)}


def interrupted_jobs(engine) -> list[str]:
    """Jobs recorded as running whose lock is gone: their process died mid-job."""
    store = engine.store
    return [name for name in JOBS
            if store.job_state(name).get("state") == "running" and not store.r.exists(store.keys.lock(name))]


# -- retrain ------------------------------------------------------------------------------
def retrain(engine, policy: JobPolicy, force: bool, progress) -> dict:
    from models.training import train_heads

    new = engine.store.counters().get("labelled", 0)
    if not force and new < policy.retrain_min_new:
        return {"skipped": f"{new} new captioned or tagged public posts (retrain at {policy.retrain_min_new})"}
    ids = engine.store.scope_post_ids(PUBLIC)
    holdout_ids = [i for i in ids if held_out(i)]
    data = engine.training_data(ids=[i for i in ids if not held_out(i)])
    progress(f"training on {len(data.features)} public posts ({data.captioned} captioned, {data.tagged} tagged); "
             f"{len(holdout_ids)} held out")
    heads = train_heads(data, members=policy.members, blocklist=engine.blocklist)
    if heads.projector is None and heads.hashtag_head is None:
        engine.store.consume_counter("labelled", new)
        return {"skipped": "not enough captioned or tagged posts to train a head", "metrics": heads.metrics}
    progress("evaluating the candidate and the serving heads on the held-out posts")
    v = engine.view
    candidate = evaluate_heads(engine, heads.projector, heads.hashtag_head, holdout_ids)
    current = evaluate_heads(engine, v.projector, v.hashtag_head, holdout_ids)
    worse = [k for k in candidate if k in current and candidate[k] < current[k] - PROMOTION_TOLERANCE]
    result = {"candidate": candidate, "current": current, "trained_on": len(data.features),
              "held_out": len(holdout_ids), "train_s": heads.metrics.get("train_s")}
    if worse:
        result["promoted"] = False
        result["why"] = f"worse than the serving heads on {', '.join(worse)}"
    else:
        installed = engine.install_heads(heads, info={"job": "retrain", "metrics": candidate,
                                                      "previous_metrics": current})
        result.update(promoted=True, release=installed["release"])
    engine.store.consume_counter("labelled", new)
    return result


def evaluate_heads(engine, projector, hashtag_head, ids: list[int]) -> dict[str, float]:
    """Metrics of heads on stored posts: captions → photos R@1/R@5, hashtags R@5 (in percent)."""
    from models.heads.projection import recall_at

    out: dict[str, float] = {}
    data = engine.training_data(ids=ids)
    if projector is not None and data.captioned >= 10:
        kept = [i for i, c in enumerate(data.captions) if len(c)]
        probs = None
        if engine.class_vectors is not None:
            raw = engine.store.get_vectors("probs", engine.image_model, [ids[i] for i in kept], 1000)
            probs = np.array([p[0] if p is not None else np.zeros(1000, np.float32) for p in raw], np.float32)
        photos = engine._project(data.features[kept], probs, projector)
        texts = np.concatenate([data.captions[i] for i in kept])
        owner = np.concatenate([np.full(len(data.captions[i]), j) for j, i in enumerate(kept)])
        metrics = recall_at(photos, projector.adapt_text(texts), owner, ks=(1, 5))
        out["text2image_R@1"], out["text2image_R@5"] = metrics["R@1"], metrics["R@5"]
    tagged = [i for i, t in enumerate(data.tags) if t]
    if hashtag_head is not None and tagged:
        probs = hashtag_head.predict(data.features[tagged])
        top = np.argsort(-probs, axis=1)[:, :5]
        recalls = [len({hashtag_head.tags[j] for j in row} & set(data.tags[i])) / len(set(data.tags[i]))
                   for row, i in zip(top, tagged)]
        out["hashtags_R@5"] = round(100 * float(np.mean(recalls)), 2)
    elif tagged:
        out["hashtags_R@5"] = 0.0  # no head: what a candidate head must beat
    return out


# -- rebuild and snapshot -----------------------------------------------------------------
def rebuild(engine, policy: JobPolicy, force: bool, progress) -> dict:
    counters = engine.store.counters()
    deleted, posts = counters.get("deleted", 0), max(len(engine.view.image), 1)
    if not force and deleted / posts < policy.rebuild_min_deleted:
        return {"skipped": f"{deleted} deletions since the last rebuild ({deleted / posts:.1%} of the posts)"}
    t0 = time.monotonic()
    version = engine.rebuild(info={"job": "rebuild"},
                             progress=lambda done, total: progress(f"indexed {done}/{total} posts"))
    engine.store.consume_counter("deleted", deleted)
    return {"release": version, "posts": len(engine.view.image), "compacted": deleted,
            "seconds": round(time.monotonic() - t0, 1)}


def snapshot(engine, policy: JobPolicy, force: bool, progress) -> dict:
    changes = engine.store.counters().get("changes", 0)
    if not force and changes < policy.snapshot_min_changes:
        return {"skipped": "nothing changed since the last release"}
    version = engine.publish_release({"job": "snapshot"}, keep=policy.keep_releases)
    return {"release": version, "posts": len(engine.view.image), "changes": changes}


JOB_FUNCTIONS = {"retrain": retrain, "rebuild": rebuild, "snapshot": snapshot}
