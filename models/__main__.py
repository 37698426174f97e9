"""Command line: python -m models train --data DIR [--split train] --out VERSION [--activate].

Trains the learned heads (projection ensemble + hashtag classifier) on a data set that
`python -m indexing ingest` accepts, or with --from-redis on the public posts the service has
stored (all but the held-out tenth the scheduler's retrain compares heads on). Photo features
are cached by content hash (<data dir>/features), so a retrain never re-embeds a photo. The
bundle goes to <data dir>/heads/VERSION/; --activate also stores it in Redis as the current
version, where every engine loads it at start.
"""
from __future__ import annotations

import argparse
import logging
import re
import sys

from tqdm import tqdm

log = logging.getLogger("models")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m models", description="hashlens learned heads")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train the projection and hashtag heads")
    src = t.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", help="folder / annotations.jsonl / captions file, as for `indexing ingest`")
    src.add_argument("--from-redis", action="store_true",
                     help="the public posts stored in Redis (minus the held-out tenth the scheduler evaluates on)")
    t.add_argument("--split", default=None, help="only items of this split (e.g. train)")
    t.add_argument("--out", default=None, help="version name (default: a timestamp)")
    t.add_argument("--activate", action="store_true", help="store in Redis as the current heads")
    t.add_argument("--words-as-tags", action="store_true",
                   help="untagged items use their captions' content words as hashtags (Flickr8k)")
    t.add_argument("--members", type=int, default=None,
                   help="projection heads per text part (default: 2 per part of a multilingual space, else 3)")
    t.add_argument("--min-tag-count", type=int, default=3, help="hashtags used fewer times are not learned")
    t.add_argument("--limit", type=int, default=None, help="use at most this many items")
    return p


class _Bars:
    """One progress bar per model being trained, with its latest validation metrics."""

    def __init__(self) -> None:
        self.stage, self.bar = None, None

    def __call__(self, stage: str, record: dict) -> None:
        if stage != self.stage:
            self.close()
            self.stage, self.bar = stage, tqdm(desc=stage, unit="epoch", file=sys.stderr, leave=True)
        self.bar.update(1)
        self.bar.set_postfix({k: v for k, v in record.items() if k != "epoch"}, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _data_from_files(args, settings):
    import numpy as np

    from indexing.sources import detect_and_read
    from models.features import file_features
    from models.registry import get_image_encoder, get_text_encoder
    from models.tags import post_hashtags
    from models.training import TrainingData

    items = detect_and_read(args.data, args.split)[: args.limit or None]
    if not items:
        raise SystemExit(f"error: no items in {args.data} (split {args.split!r})")
    image = get_image_encoder(settings.image_model, threads=settings.image_threads,
                              cache_dir=settings.model_cache_dir, runtime=settings.inference_runtime)
    text = get_text_encoder(settings.text_model, threads=settings.threads, cache_dir=settings.model_cache_dir,
                            runtime=settings.inference_runtime)
    with tqdm(total=len(items), desc="photo features", unit="photo", file=sys.stderr) as bar:
        feats, shas = file_features([i.path for i in items], image, settings.data_dir, progress=bar.update)
    good = [i for i, sha in enumerate(shas) if sha is not None]
    captions = [it.captions[:8] for it in items]
    flat = [c for i in good for c in captions[i]]
    vecs = text.encode(flat) if flat else np.zeros((0, text.dim), np.float32)
    per_photo, offset = [], 0
    for i in good:
        per_photo.append(vecs[offset:offset + len(captions[i])])
        offset += len(captions[i])
    return TrainingData(features=feats[good], captions=per_photo,
                        tags=[post_hashtags(items[i].tags, items[i].captions, args.words_as_tags) for i in good],
                        input_model=image.name, text_model=text.name, photo_shas=[shas[i] for i in good],
                        text_spaces=text.spaces)


def train(args, settings) -> int:
    from indexing.releases import new_version
    from indexing.service import open_engine
    from models.tags import normalize_tags
    from models.training import train_heads

    version = args.out or new_version()  # the releases' UTC clock: it becomes the artifacts' version
    if not re.fullmatch(r"[\w.-]{1,64}", version):
        raise SystemExit("error: --out must be a plain name (letters, digits, '.', '_', '-')")
    if args.from_redis:
        from indexing.holdout import trainable_post_ids

        with open_engine(settings) as engine:  # never the held-out tenth: the scheduler's yardstick
            data = engine.training_data(ids=trainable_post_ids(engine.store))
    else:
        data = _data_from_files(args, settings)
    print(f"training on {len(data.features)} photos ({data.captioned} captioned, {data.tagged} tagged), "
          f"features: {data.input_model}", file=sys.stderr)
    bars = _Bars()
    try:
        heads = train_heads(data, members=args.members, min_tag_count=args.min_tag_count,
                            blocklist=normalize_tags(settings.hashtag_blocklist.split(",")), progress=bars)
    finally:
        bars.close()
    if heads.projector is None and heads.hashtag_head is None:
        print("nothing trained: too few captioned or tagged photos", file=sys.stderr)
        return 1
    heads.metrics["version"] = version
    folder = heads.save(settings.data_dir / "heads" / version)
    _summary(heads.metrics, folder)
    if args.activate:
        with open_engine(settings) as engine:
            print(f"activated: {engine.install_heads(heads, version)}")
    return 0


def _summary(metrics: dict, folder) -> None:
    print(f"heads saved to {folder} (trained in {metrics['train_s']} s)")
    for key in sorted(k for k in metrics if k.startswith("projection_")):
        m = metrics[key]
        print(f"  {key}: validation R@1 {m.get('R@1')}  R@5 {m.get('R@5')}  R@10 {m.get('R@10')}  "
              f"median rank {m.get('median_rank')} (epoch {m.get('epoch')})")
    if "hashtags" in metrics:
        m = metrics["hashtags"]
        print(f"  hashtags: {m['vocabulary']} tags, validation R@5 {m.get('val_R@5')} (epoch {m.get('epoch')})")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from indexing.errors import StorageUnavailableError
    from indexing.settings import cli_settings
    from indexing.sources import SourceError

    settings = cli_settings()
    try:
        return train(args, settings)
    except (SourceError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except StorageUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
