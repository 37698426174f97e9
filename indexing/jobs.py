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
from dataclasses import dataclass

from indexing.holdout import held_out_post_ids, trainable_post_ids
from indexing.locks import JobLock, LockBusy
from indexing.promotion import MIN_CAPTIONED, compare, evaluate_heads, not_seen_by, percent

log = logging.getLogger(__name__)

JOBS = ("retrain", "rebuild", "snapshot")


@dataclass
class JobPolicy:
    retrain_min_new: int = 200  # labelled public posts since the last training
    rebuild_min_deleted: float = 0.05  # share of deleted posts that makes a compaction worth it
    snapshot_min_changes: int = 1
    members: int | None = None  # projection heads per text part (None: models.training decides)
    keep_releases: int = 3


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
            if store.job_state(name).get("state") == "running" and not store.lock_held(name)]


# -- retrain ------------------------------------------------------------------------------
def retrain(engine, policy: JobPolicy, force: bool, progress) -> dict:
    """Train a candidate on the trainable posts; promote it unless it scores worse than the serving
    heads on the held-out tenth, which neither has seen (the promotion rule, docs/DESIGN-NOTES.md)."""
    from models.training import fit_caption_bridge, train_heads

    new = engine.store.counters().get("labelled", 0)
    if not force and new < policy.retrain_min_new:
        return {"skipped": f"{new} new captioned or tagged public posts (retrain at {policy.retrain_min_new})",
                "reason": "few_new", "new": new, "needed": policy.retrain_min_new}
    holdout_ids = held_out_post_ids(engine.store)
    data = engine.training_data(ids=trainable_post_ids(engine.store))
    progress(f"training on {len(data.features)} public posts ({data.captioned} captioned, {data.tagged} tagged); "
             f"{len(holdout_ids)} held out")
    v = engine.view
    # A cold-start bridge's bank records no post ids, so one fitted before this rule (or by an older
    # version) may hold the held-out captions and score on answers it memorised: it is judged as a
    # refit now would make it, on exactly the posts the candidate is trained on.
    serving_projector = fit_caption_bridge(data) if v.projector.cold_start and data.captioned else v.projector
    heads = train_heads(data, members=policy.members, blocklist=engine.blocklist)
    if heads.projector is None and heads.hashtag_head is None:
        engine.store.consume_counter("labelled", new)
        return {"skipped": "not enough captioned or tagged posts to train a head", "reason": "too_few_to_train",
                "metrics": heads.metrics}
    progress("evaluating the candidate and the serving heads on the held-out posts")
    unseen = not_seen_by(engine, [v.projector, v.hashtag_head, heads.projector, heads.hashtag_head], holdout_ids)
    candidate_scores = evaluate_heads(engine, heads.projector, heads.hashtag_head, unseen)
    current_scores = evaluate_heads(engine, serving_projector, v.hashtag_head, unseen)
    candidate, current = percent(candidate_scores), percent(current_scores)
    comparison = compare(candidate_scores, current_scores)
    worse = [k for k, c in comparison.items() if c["worse"]]
    result = {"candidate": candidate, "current": current, "comparison": comparison,
              "trained_on": len(data.features), "held_out": len(holdout_ids), "compared_on": len(unseen),
              "train_s": heads.metrics.get("train_s")}
    if len(unseen) < min(len(holdout_ids), MIN_CAPTIONED):  # the serving heads were trained on the yardstick
        result["promoted"] = False
        result["why"] = (f"only {len(unseen)} held-out posts the serving heads were not trained on "
                         f"(need {MIN_CAPTIONED} to compare)")
        result.update(reason="few_unseen", unseen=len(unseen), needed=MIN_CAPTIONED)
    elif worse:
        result["promoted"] = False
        result["why"] = f"worse than the serving heads on {', '.join(worse)}"
        result.update(reason="worse", metrics=", ".join(worse))
    else:
        installed = engine.install_heads(heads, info={"job": "retrain", "metrics": candidate,
                                                      "previous_metrics": current})
        result.update(promoted=True, release=installed["release"])
    engine.store.consume_counter("labelled", new)
    return result


# -- rebuild and snapshot -----------------------------------------------------------------
def rebuild(engine, policy: JobPolicy, force: bool, progress) -> dict:
    counters = engine.store.counters()
    deleted, posts = counters.get("deleted", 0), max(len(engine.view.image), 1)
    basis_due = engine.lifecycle.basis_due()  # the image or text indexes' PCA (indexing/reduced.py)
    if not force and engine.lifecycle.shared and not basis_due:
        return {"skipped": "the vector backend compacts deleted rows itself", "reason": "shared_backend",
                "deleted": deleted}
    if not force and deleted / posts < policy.rebuild_min_deleted and not basis_due:
        return {"skipped": f"{deleted} deletions since the last rebuild ({deleted / posts:.1%} of the posts)",
                "reason": "few_deleted", "deleted": deleted}
    t0 = time.monotonic()
    version = engine.rebuild(info={"job": "rebuild"},
                             progress=lambda done, total: progress(f"indexed {done}/{total} posts"))
    engine.store.consume_counter("deleted", deleted)
    return {"release": version, "posts": len(engine.view.image), "compacted": deleted, "basis_fitted": basis_due,
            "seconds": round(time.monotonic() - t0, 1)}


def snapshot(engine, policy: JobPolicy, force: bool, progress) -> dict:
    changes = engine.store.counters().get("changes", 0)
    if not force and changes < policy.snapshot_min_changes:
        return {"skipped": "nothing changed since the last release", "reason": "unchanged"}
    version = engine.publish_release({"job": "snapshot"}, keep=policy.keep_releases)
    return {"release": version, "posts": len(engine.view.image), "changes": changes}


JOB_FUNCTIONS = {"retrain": retrain, "rebuild": rebuild, "snapshot": snapshot}
