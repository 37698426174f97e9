"""Command line: python -m indexing {ingest,import-telegram,find,similar,hashtags,captions,dupes,stats,snapshot,
rebuild,retrain,refit,releases,rollback,map}."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from indexing.errors import (BadImageError, EmptyQueryError, IndexingError, InvalidScopeError,
                             StorageUnavailableError)
from indexing.scopes import PUBLIC, validate_scope
from indexing.settings import Settings, cli_settings
from indexing.sources import SourceError, detect_and_read
from indexing.telegram_export import ExportError
from models.errors import ModelError

VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".gif")  # `dupes` reads these as videos

log = logging.getLogger("indexing")
PROGRESS_EVERY_S = 10  # a progress line this often when stderr is no terminal


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m indexing", description="hashlens photo index")
    p.add_argument("--scope", default=PUBLIC, help="scope to write or query as: public or chat:<id>")
    p.add_argument("-k", type=int, default=5, help="how many results")
    sub = p.add_subparsers(dest="command", required=True)
    ing = sub.add_parser("ingest", help="import a folder, annotations.jsonl, Flickr8k captions.txt or HARRISON data_list.txt")
    ing.add_argument("path")
    ing.add_argument("--split", help="only manifest rows of this split (e.g. train)")
    ing.add_argument("--limit", type=int, help="import at most this many items")
    ing.add_argument("--no-progress", action="store_true")
    tg = sub.add_parser(
        "import-telegram", help="import a group's history from a Telegram Desktop export (JSON)",
        description="Store every photo, image file, video, GIF and video note of a group's Telegram Desktop "
                    "export (Export chat history, format JSON) in the group's scope, with its message id, date and "
                    "author, so the bot links a later re-post to the original message. Safe to run again: what "
                    "is stored is skipped.")
    tg.add_argument("export", help="the export's folder (where result.json is)")
    tg.add_argument("--chat", type=int, required=True,
                    help="the group's chat id as the bot knows it, e.g. -1001234567890: -100 followed by the "
                         "export's \"id\" (also the number in a message link https://t.me/c/<number>/...)")
    tg.add_argument("--no-progress", action="store_true")
    f = sub.add_parser("find", help="photos matching a text (optionally with a photo)")
    f.add_argument("text")
    f.add_argument("--photo", help="a photo to combine with the text")
    for name, helptext in (("similar", "similar photos"), ("captions", "captions that match a photo"),
                           ("dupes", "is this photo (or video, GIF) a re-post in the scope? "
                                     "(the bot's rule, the chat's settings)")):
        sp = sub.add_parser(name, help=helptext)
        sp.add_argument("photo", help="path of a photo file")
    ht = sub.add_parser("hashtags", help="hashtags for a photo, a caption, a folder of photos or a file of captions")
    ht.add_argument("photo", nargs="?", help="a photo, a folder of photos, or a .txt file of captions (one a line)")
    ht.add_argument("--text", help="a caption instead of a photo (with a photo: the photo's caption)")
    ht.add_argument("--csv", help="write one row per input to this CSV file (batch mode)")
    ht.add_argument("--no-progress", action="store_true")
    sub.add_parser("stats", help="what is stored")
    sub.add_parser("snapshot", help="publish the indexes as a new release (running bots swap to it)")
    sub.add_parser("rebuild", help="rebuild every index from Redis, compacting deletions, and publish it")
    sub.add_parser("retrain", help="retrain the heads on public posts now; promoted unless worse on the held-out tenth")
    sub.add_parser("refit", help="refit the cold-start text bridge on stored captions")
    sub.add_parser("migrate", help="embed stored photos with the configured image model now (photos on disk), "
                                   "then switch to it")
    sub.add_parser("releases", help="list the kept releases (rollback targets)")
    rb = sub.add_parser("rollback", help="serve an older kept release again (its heads too), in every process")
    rb.add_argument("version")
    cc = sub.add_parser("copy-to-cluster", help="copy this store (REDIS_URL or the embedded server) into a Redis/Valkey "
                                                "Cluster under its hash-tagged key names; stop the bots first")
    cc.add_argument("--to", required=True, help="the URL of any node of the cluster, e.g. redis://10.0.0.5:7000")
    mp = sub.add_parser("map", help="draw a scope's photos grouped by similarity on one picture")
    mp.add_argument("--scope", default=argparse.SUPPRESS, help="the scope to map (public or chat:<id>)")
    mp.add_argument("--out", default="map.png", help="the picture to write (.png or .jpg), full resolution")
    mp.add_argument("--query", default="", help="only photos with this #hashtag or matching this text")
    mp.add_argument("--clusters", action="store_true", help="also list the clusters")
    return p


def _read_photo(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise BadImageError(f"cannot read {path}: {exc.strerror}") from exc


def _print_hits(hits) -> None:
    if not hits:
        print("no matching photos in this scope")
    for h in hits:
        caption = f"  “{h.post.captions[0]}”" if h.post.captions else ""
        print(f"{h.score:6.3f}  #{h.post.id:<6} {h.post.source or h.post.file_id or ''}{caption}")


def _copy_to_cluster(args: argparse.Namespace, settings: Settings) -> int:
    """The store copied into a cluster (indexing/cluster_copy.py); needs Redis only."""
    from redis.cluster import RedisCluster

    from indexing.cluster_copy import copy_to_cluster
    from indexing.redis_server import connect

    source, server = connect(settings.redis_url, settings.data_dir)
    target, _ = connect(args.to, settings.data_dir, wait_replicas=settings.redis_wait_replicas)
    try:
        if isinstance(source, RedisCluster) or not isinstance(target, RedisCluster):
            print("error: copy-to-cluster copies a single server's store into a cluster", file=sys.stderr)
            return 2
        copied = copy_to_cluster(source, target, settings.key_prefix)
        print(f"{copied} keys copied; set REDIS_URL={args.to} and start the bots")
        return 0
    finally:
        target.close()
        source.close()
        if server is not None:
            server.stop()


def _releases(args: argparse.Namespace, settings: Settings) -> int:
    """Releases and rollback need Redis only, not the models."""
    import json

    from indexing.keys import Keys
    from indexing.redis_server import connect
    from indexing.store import PostStore

    client, server = connect(settings.redis_url, settings.data_dir, wait_replicas=settings.redis_wait_replicas)
    rel = PostStore(client, Keys.for_client(client, settings.key_prefix)).releases
    try:
        if args.command == "rollback":
            try:
                manifest = rel.rollback(args.version)
            except KeyError as exc:
                print(f"error: {exc.args[0]}", file=sys.stderr)
                return 2
            print(f"release {args.version} is current again (projector "
                  f"{manifest['artifacts'].get('projector')}, hashtag head {manifest['artifacts'].get('hashtag-head')})")
            return 0
        current = rel.current_version()
        kept = rel.versions()
        if not kept:
            print("no releases yet")
        for version in kept:
            m = rel.manifest(version) or {}
            mark = "*" if version == current else " "
            print(f"{mark} {version}  posts {m.get('posts', '?'):>7}  {m.get('job', 'manual'):<8} "
                  f"projector {m.get('artifacts', {}).get('projector', '?')}  "
                  f"metrics {json.dumps(m.get('metrics', {}))}")
        return 0
    finally:
        client.close()
        if server is not None:
            server.stop()


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command in ("releases", "rollback"):
        return _releases(args, settings)
    if args.command == "copy-to-cluster":
        return _copy_to_cluster(args, settings)
    from indexing.service import open_engine  # heavy imports only once arguments are valid

    items = None
    if args.command == "ingest":
        items = detect_and_read(args.path, args.split)[: args.limit or None]
    if args.command == "import-telegram":
        from indexing.telegram_export import read_export

        items = read_export(args.export, args.chat)
    if args.command == "find" and not args.text.strip():
        raise EmptyQueryError("the query text is empty")
    if args.command == "hashtags" and not args.photo and not (args.text or "").strip():
        raise EmptyQueryError("give a photo, a folder, a .txt file of captions, or --text")
    with open_engine(settings) as engine:
        if args.command == "ingest":
            return _ingest(engine, items, args, settings)
        if args.command == "import-telegram":
            return _import_telegram(engine, items, args)
        if args.command == "find":
            photo = _read_photo(args.photo) if args.photo else None
            _print_hits(engine.find(args.text, args.scope, args.k, photo=photo))
        elif args.command == "similar":
            _print_hits(engine.similar(_read_photo(args.photo), args.scope, args.k))
        elif args.command == "hashtags":
            return _hashtags(engine, args)
        elif args.command == "captions":
            hits = engine.captions(_read_photo(args.photo), args.scope, args.k)
            print("\n".join(f"{h.score:6.3f}  {h.caption}" for h in hits) or "no captions in this scope")
        elif args.command == "dupes":
            _dupes(engine, args)
        elif args.command == "stats":
            for key, value in engine.stats(args.scope).items():
                print(f"{key}: {value}")
            if args.scope != PUBLIC:
                _moderation_stats(engine, args.scope)
        elif args.command == "snapshot":
            print(f"release {engine.publish_release()} published")
        elif args.command in ("rebuild", "retrain"):
            import json

            from indexing.jobs import run_job
            from indexing.scheduler import policy_from

            result = run_job(engine, args.command, policy_from(settings), force=True)
            print(json.dumps(result, indent=2, default=str))
            return 1 if "error" in result or "busy" in result else 0
        elif args.command == "map":
            return _map(engine, args, settings)
        elif args.command == "refit":
            print(engine.refit_projector() or "not enough captioned photos to fit")
        elif args.command == "migrate":
            return _migrate(engine)
    return 0


def _migrate(engine) -> int:
    """The image migration in the foreground; 0 once the configured model serves, 1 while photos wait."""
    migration = engine.image_migration
    if migration is None:
        print(f"nothing to migrate: the store serves {engine.image_model}, the configured model")
        return 0
    switched = migration.run_locked()
    for key, value in (engine.image_migration_status() or {}).items():
        print(f"{key}: {value}")
    if not switched:
        print("some photos could not be fetched; run again later (after the last attempt their thumbnails "
              "stand in), or let the bot finish")
    return 0 if switched else 1


def _dupes(engine, args) -> None:
    """The bot's re-post rule for the scope (its sensitivity and window): the photo's first post there."""
    import time

    settings = engine.chat_settings(args.scope)
    data = _read_photo(args.photo)
    video = Path(args.photo).suffix.lower() in VIDEO_SUFFIXES  # re-posts only a stored video (or GIF)
    vec = engine.embed_video(data) if video else engine.embed_photo(data)
    if min(vec.width, vec.height) < settings.minsize:
        print(f"{vec.width}x{vec.height}: smaller than {settings.minsize} px on its short side, never a re-post")
        return
    verdict = engine.check_repost(vec, args.scope, settings, image=None if video else data)
    if verdict.original_id is None:
        print("not a re-post of anything stored")
        return
    if verdict.repost is None:
        print(f"a copy of #{verdict.original_id}, first posted over {settings.window_days} days ago: "
              f"outside the window, not a re-post")
        return
    original, repost = verdict.repost.original, verdict.repost
    where = original.source if original.message_id is None else f"message {original.message_id}"
    first_posted = time.strftime("%Y-%m-%d %H:%M", time.localtime(original.created_s))
    # int8 rows can put an exact copy a hair above 1: shown as the cosine it is
    closeness = "keyframe similarity" if video else "cosine"
    print(f"re-post of #{original.id} {where} (first posted {first_posted}; "
          f"closest copy #{repost.copy_id}: {closeness} {min(repost.cosine, 1.0):.3f}, hamming {repost.hamming})")


def _moderation_stats(engine, scope: str) -> None:
    """A chat's re-posts of the last 7 and 30 days, who re-posts most and what is re-posted most."""
    stats = engine.moderation.stats(scope)
    print(f"re-posts flagged: {stats.flagged_7d} in 7 days, {stats.flagged_30d} in 30 days; "
          f"cleared: {stats.cleared_7d}, {stats.cleared_30d}")
    for user_id, name, flags in stats.top_reposters:
        print(f"  re-posts most: {name or '?'} ({user_id}): {flags}")
    for post, flags in stats.top_reposted:
        where = post.source if post.message_id is None else f"message {post.message_id}"
        print(f"  re-posted most: #{post.id} {where}: {flags}")


def _reason_words(suggestion) -> str:
    """Why a tag is suggested, in English, from the same catalogue the bot words it with."""
    from bot.render import why_text  # the catalogue and pure wording only: nothing of Telegram

    return why_text("en", suggestion.reason, suggestion.count)


def _hashtags(engine, args) -> int:
    k = max(args.k, 8)
    path = Path(args.photo) if args.photo else None
    if args.csv or (path is not None and (path.is_dir() or path.suffix.lower() in (".txt", ".text"))):
        return _hashtags_csv(engine, args, path, k)
    if path is None:
        tags = engine.text_hashtags(args.text or "", args.scope, k)
    else:
        tags = engine.hashtags(_read_photo(args.photo), args.scope, k, caption=args.text)
    print(" ".join(f"#{t.tag}" for t in tags) or "no hashtags found")
    for t in tags:
        print(f"{t.score:6.3f}  #{t.tag:<24} {_reason_words(t)}{'  (from the words)' if t.from_words and path else ''}")
    return 0


def _hashtags_csv(engine, args, path: Path | None, k: int) -> int:
    from tqdm import tqdm

    from indexing.batch import batch_inputs, caption_rows, photo_rows, write_csv

    if path is None or not path.exists():
        raise BadImageError(f"nothing to read at {args.photo}")
    kind, inputs = batch_inputs(path)
    rows = photo_rows(engine, inputs, args.scope, k) if kind == "photos" else caption_rows(engine, inputs, args.scope, k)
    out = Path(args.csv or path.with_suffix(".hashtags.csv").name)
    with tqdm(total=len(inputs), unit=kind[:-1], disable=args.no_progress, file=sys.stderr) as bar:
        counts = write_csv(rows, out, bar.update)
    print(f"{counts['rows']} {kind} → {out} ({counts['skipped']} skipped, reason in the last column)")
    return 0 if counts["rows"] > counts["skipped"] or not counts["rows"] else 1


def _map(engine, args, settings: Settings) -> int:
    import time

    from indexing import maprender
    from indexing.maps import NothingToMapError, PhotoMaps

    maps = PhotoMaps(engine, settings.map_max_photos, settings.map_cache_days, settings.thumbnail_side)
    t0 = time.perf_counter()
    try:
        photo_map = maps.get(args.scope, args.query)
    except NothingToMapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    image = maprender.render(photo_map.layout, maps.thumbnails(photo_map.layout.ids), maps.cell, photo_map.title)
    maprender.save(image, args.out)
    print(f"{photo_map.title} → {args.out} ({image.size[0]}x{image.size[1]}, layout "
          f"{'from the cache' if photo_map.cached else f'computed in {photo_map.layout.seconds:.1f} s'}, "
          f"{time.perf_counter() - t0:.1f} s in all)")
    if args.clusters:
        for c in photo_map.layout.clusters:
            print(f"{c.number:3d}  {c.size:5d} photos  {' '.join('#' + t for t in c.tags)}  (e.g. #{c.sample})")
    return 0


def _ingest(engine, items, args, settings: Settings) -> int:
    from tqdm import tqdm

    from indexing.ingest import ingest

    with tqdm(total=len(items), unit="photo", disable=args.no_progress, file=sys.stderr) as bar:
        report = ingest(engine, items, scope=args.scope, batch_size=settings.batch_size * 8, progress=bar.update)
    if report.imported:
        engine.publish_release()
    print(report.summary())
    return 0 if report.ok else 1


def _import_telegram(engine, chat, args) -> int:
    """A progress bar on a terminal; elsewhere (a log, a pipe) a line every PROGRESS_EVERY_S seconds."""
    import time

    from tqdm import tqdm

    from indexing.telegram_import import import_history

    interactive = sys.stderr.isatty() and not args.no_progress
    last = [time.monotonic()]

    def line(report, done: int) -> None:
        if interactive:
            bar.update(done)
            bar.set_postfix(photos=report.photos, videos=report.videos, skipped=len(report.skipped), refresh=False)
        elif not args.no_progress and time.monotonic() - last[0] >= PROGRESS_EVERY_S:
            last[0] = time.monotonic()
            handled = report.imported + report.already_stored + len(report.skipped)
            print(f"import: {handled}/{report.media} photos and videos handled ({report.photos} photos, "
                  f"{report.videos} videos stored, {report.already_stored} already there, {len(report.skipped)} "
                  f"skipped), {report.seconds:.0f} s", file=sys.stderr, flush=True)

    try:
        with tqdm(total=len(chat.media), unit="post", disable=not interactive, file=sys.stderr) as bar:
            report = import_history(engine, chat, progress=line)
    except KeyboardInterrupt:
        print("interrupted: what is stored stays stored; the same command goes on from there", file=sys.stderr)
        return 130
    if report.imported:
        engine.publish_release()
    print(report.summary())
    return 0 if report.ok else 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = cli_settings()
    try:
        validate_scope(args.scope)
        return run(args, settings)
    except (BadImageError, EmptyQueryError, InvalidScopeError, SourceError, ExportError, ModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (StorageUnavailableError, IndexingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
