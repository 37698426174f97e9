"""The change log: one Redis stream every process follows (indexing/follower.py) to learn of posts
added, deleted or re-captioned and of releases published elsewhere. Entries are appended inside
the MULTI/EXEC of the write they announce, so a change and its entry are stored together or not at all."""
from __future__ import annotations

from indexing.keys import Keys

CHANGES_MAXLEN = 100_000  # change-log entries kept; a process further behind re-reads all posts instead


def append_change(pipe, keys: Keys, **fields: str) -> None:
    """Queue one change-log entry on a transaction pipeline (`op` and what it names)."""
    pipe.xadd(keys.changes(), fields, maxlen=CHANGES_MAXLEN, approximate=True)
