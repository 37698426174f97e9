"""python -m bench TASK --data DIR [--split S] [--json]: quality and speed numbers, JSON last line."""
from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys

TASKS = ("text2image", "hashtags", "text2tags", "dedup", "speed", "bot", "load", "swap", "scale", "clusters", "cold",
         "moderation", "similar", "reduce", "ocr", "history", "backends")


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from bench.common import add_common_args, quiet_logs, seed_everything

    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="task", required=True)
    modules = {}
    for task in TASKS:
        module = importlib.import_module(f"bench.{task}")
        modules[task] = module
        p = sub.add_parser(task, help=(module.__doc__ or "").splitlines()[0])
        add_common_args(p)
        module.add_args(p)
    args = parser.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the embedded Redis we started is shut down cleanly.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    quiet_logs()
    seed_everything()
    modules[args.task].run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
