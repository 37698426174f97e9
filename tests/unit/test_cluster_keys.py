"""The key layout on a Redis Cluster: every transaction's keys share one hash slot (else the cluster
refuses it with CROSSSLOT), data no transaction ties together spreads, and a single server keeps the
names it always had. A key added to a transaction in another slot fails here, not in production."""
from __future__ import annotations

from redis.crc import key_slot

from indexing.keys import Keys

SCOPES = ("public", "chat:-1001234567890", "chat:42")


def slots(keys: list[str]) -> set[int]:
    return {key_slot(k.encode()) for k in keys}


def core_keys(k: Keys) -> list[str]:
    """Every key a post transaction (store.py: add, delete, replace_caption, put_read_text, put_*_vectors),
    a release flip (releases.py) or a moderation clear (moderation_records.py) touches."""
    found = [k.post(1), k.post(987654), k.next_post_id(), k.post_scopes(), k.post_phashes(), k.scopes(),
             k.thumbnails(), k.changes(), k.counters(), k.release_current(), k.release_versions(),
             k.release("20261130T101010.123456"), k.image_model(), k.migration_failures("m")]
    for kind in ("image", "probs", "captions", "keyframes"):
        found.append(k.vectors(kind, "efficientnet-lite0"))
    for name in ("projector", "heads"):
        found.append(k.artifact_current(name))
    for scope in SCOPES:
        found += [k.scope_posts(scope), k.scope_seen(scope), k.scope_copies(scope, "ab" * 32), k.scope_files(scope),
                  k.scope_file_copies(scope, "AgAD"), k.scope_tags(scope), k.scope_messages(scope),
                  k.cleared(scope), k.moderation_events(scope), k.member_names(scope)]
    return found


def test_every_key_a_post_release_or_clear_transaction_touches_shares_one_slot():
    assert len(slots(core_keys(Keys("hl", cluster=True)))) == 1


def test_each_other_transaction_keeps_its_keys_in_one_slot():
    k = Keys("hl", cluster=True)
    for scope in SCOPES:
        assert len(slots([k.alerts(scope), k.alert_times(scope)])) == 1  # remember_alerts' MULTI
        assert len(slots([k.map_cache(scope, "q1"), k.map_images(scope, "q1")])) == 1  # put_layout, put_files
    # the reading queue's XADD+HINCRBY transaction and its DONE script (three keys)
    assert len(slots([k.reading_queue(), k.reading_attempts(), k.reading_waiting(), k.reading_since()])) == 1


def test_data_no_transaction_ties_to_the_posts_spreads_over_the_slots():
    k = Keys("hl", cluster=True)
    core = slots(core_keys(k)).pop()
    spread = [k.snapshot(i, v) for i in ("image", "text", "caption") for v in ("20261130T1", "20261130T2")]
    spread += [k.artifact("projector", "v1"), k.artifact("heads", "v1"), k.lock("rebuild"), k.lock("retrain"),
               k.job("rebuild"), k.job("snapshot"), k.inbox("123"), k.inbox("456"), k.reading_queue()]
    spread += [k.chat_settings(s) for s in SCOPES]  # a chat's alerts and notices share its settings' slot
    spread += [k.map_cache(s, q) for s in SCOPES for q in ("q1", "q2")]
    assert core not in slots(spread)
    assert len(slots(spread)) > len(spread) * 0.9  # one slot each, bar a rare crc16 collision


def test_a_single_server_keeps_the_untagged_names():
    k = Keys("hl")
    assert [k.post(7), k.scope_seen("public"), k.changes(), k.snapshot("image", "v"), k.alerts("chat:1"),
            k.map_images("public", "q"), k.reading_queue(), k.job("rebuild"), k.lock("rebuild")] == [
        "hl:v1:post:7", "hl:v1:scope:public:seen", "hl:v1:changes", "hl:v1:snap:image:v", "hl:v1:chat:chat:1:alerts",
        "hl:v1:map:public:q:images", "hl:v1:reading:queue", "hl:v1:job:rebuild", "hl:v1:lock:rebuild"]
    assert not any("{" in key for key in core_keys(k))


def test_snapshot_and_job_keys_found_by_pattern_name_their_release_and_job():
    for cluster in (False, True):
        k = Keys("hl", cluster=cluster)
        assert k.snapshot_version(k.snapshot("caption", "20261130T101010.123456")) == "20261130T101010.123456"
        assert k.job_name(k.job("rebuild")) == "rebuild"
        assert k.snapshot_pattern().replace("*", "caption:v") == k.snapshot("caption", "v")


def test_every_untagged_key_maps_to_its_cluster_name():
    single, cluster = Keys("hl"), Keys("hl", cluster=True)
    for name in [m for m in dir(Keys) if not m.startswith("_") and callable(getattr(Keys, m))]:
        if name in ("for_client", "on_cluster", "snapshot_pattern", "snapshot_version", "job_name"):
            continue
        method_args = {"post": (7,), "vectors": ("image", "m"), "snapshot": ("image", "v1"), "artifact": ("p", "v1"),
                       "artifact_current": ("p",), "release": ("v1",), "scope_copies": ("chat:-5", "ab"),
                       "scope_file_copies": ("chat:-5", "AgAD"), "map_cache": ("chat:-5", "q"),
                       "map_images": ("chat:-5", "q"), "migration_failures": ("m",)}
        scopes = ("public", "chat:-5") if name.startswith(("scope_", "chat_")) or name in (
            "cleared", "moderation_events", "member_names", "notices", "alerts", "alert_times") else (None,)
        for scope in scopes:
            args = method_args.get(name, (scope,) if scope else ())
            if name in ("lock", "job", "inbox"):
                args = ("rebuild",)
            assert single.on_cluster(getattr(single, name)(*args)) == getattr(cluster, name)(*args), name
