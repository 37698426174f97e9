"""The self-retraining loop on a deployment that starts cold: the held-out tenth is never fitted on,
the scheduler's retrain promotes learned heads by itself, and a worse candidate is still refused."""
from dataclasses import replace

import numpy as np
import pytest

from indexing.holdout import held_out_post_ids
from indexing.ingest import ingest, maybe_refit_projector
from indexing.jobs import JobPolicy, run_job
from indexing.sources import SourceItem
from tests.conftest import shape_posts


@pytest.fixture
def cold(engine_factory, tmp_path):
    """A fresh deployment that collected 200 captioned public posts (its bridge refitted as they came)."""
    engine = engine_factory()
    items = [SourceItem(path=path, captions=captions) for path, captions in shape_posts(tmp_path / "photos", 200, 5)]
    for start in range(0, len(items), 50):
        ingest(engine, items[start:start + 50])
    return engine


def test_no_training_path_fits_on_the_held_out_posts(cold):
    holdout = held_out_post_ids(cold.store)
    assert len(holdout) > 10
    bridge = cold.projector
    assert bridge.cold_start and bridge.fitted_on == 200 - len(holdout)
    data = cold.training_data(ids=sorted(set(cold.store.scope_post_ids("public")) - set(holdout)))
    assert bridge.fitted_on == data.captioned
    assert maybe_refit_projector(cold) is None  # nothing new: the held-out posts do not count as growth


def test_the_scheduler_promotes_learned_heads_on_a_cold_deployment(cold, tmp_path, monkeypatch):
    import models.training as training

    real, trained_on = training.train_heads, []

    def watched(data, **kwargs):  # the real training, noting which posts it saw
        trained_on.extend(data.post_ids)
        return real(data, **kwargs)

    monkeypatch.setattr(training, "train_heads", watched)
    policy = JobPolicy(retrain_min_new=150, members=1)
    result = run_job(cold, "retrain", policy)  # not forced: the collected posts are the reason to run
    assert result["promoted"] is True, result
    holdout = held_out_post_ids(cold.store)
    assert sorted(trained_on) == sorted(set(cold.store.scope_post_ids("public")) - set(holdout))
    assert (result["trained_on"], result["held_out"], result["compared_on"]) == (200 - len(holdout), len(holdout),
                                                                                len(holdout))
    assert not cold.projector.cold_start and cold.release_version == result["release"]
    manifest = cold.store.releases.manifest(result["release"])
    assert manifest["metrics"] == result["candidate"] and manifest["previous_metrics"] == result["current"]
    assert "skipped" in run_job(cold, "retrain", policy)  # nothing new since

    # The deployment keeps collecting with the learned heads in service: ingestion stores the photos
    # and leaves the heads alone (it once crashed reading the cold-start bridge's bank).
    learned = cold.projector_version
    more = [SourceItem(path=path, captions=captions) for path, captions in shape_posts(tmp_path / "more", 30, 9)]
    report = ingest(cold, more)
    assert (report.imported, report.projector) == (30, None) and cold.projector_version == learned
    top = cold.find("a yellow triangle", "public", k=1)[0].post
    assert "yellow triangle" in top.captions[0]


def test_a_worse_candidate_is_still_refused(cold, monkeypatch):
    import models.training as training

    real = training.train_heads

    def shuffled(data, **kwargs):  # learns captions that belong to other photos
        order = np.random.default_rng(0).permutation(len(data.captions))
        return real(replace(data, captions=[data.captions[i] for i in order]), **kwargs)

    monkeypatch.setattr(training, "train_heads", shuffled)
    serving = (cold.release_version, cold.projector_version)
    result = run_job(cold, "retrain", JobPolicy(members=1), force=True)
    assert result["promoted"] is False and "text2image" in result["why"]
    assert (cold.release_version, cold.projector_version) == serving and cold.projector.cold_start


def test_heads_trained_on_the_held_out_photos_are_not_scored_on_them(cold):
    """Heads trained by hand on files the deployment also stored (`models train --data` on a set that
    is later ingested) saw the held-out photos: the retrain compares only on photos they did not see."""
    from models.training import train_heads

    everything = cold.training_data()  # the held-out posts included, as a data set on disk would be
    cold.install_heads(train_heads(everything, members=1), "by-hand")
    result = run_job(cold, "retrain", JobPolicy(members=1), force=True)
    assert result["held_out"] > 10 and result["compared_on"] == 0
    assert result["promoted"] is False and "not trained on" in result["why"]
    assert cold.projector_version == "by-hand"
