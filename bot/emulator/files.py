"""The emulated Telegram's files, by file_id: in memory, and with a folder also on disk.

Telegram keeps a file as long as a bot may send it again by its id. The playground's emulator restarts
with the service while the bot's store keeps the posts' file ids: without the files on disk, every
photo stored before a restart would be refused when the bot shows it ("wrong file identifier"), and
left out of the answers. So the playground keeps them in its data dir; tests and benchmarks keep them
in memory only.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

_SAFE = re.compile(r"[A-Za-z0-9_-]+")


class FileStore(dict):
    """file_id -> StoredFile. With `folder`, each file is also written there when stored and read back
    when asked for and not in memory (after a restart)."""

    def __init__(self, folder: Path | None = None) -> None:
        super().__init__()
        self.folder = folder
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    def __setitem__(self, file_id: str, stored) -> None:
        super().__setitem__(file_id, stored)
        if self.folder is not None and _SAFE.fullmatch(file_id):
            (self.folder / f"{file_id}.bin").write_bytes(stored.data)
            meta = {"file_unique_id": stored.file_unique_id, "path": stored.path, "kind": stored.kind,
                    "attributes": stored.attributes}
            (self.folder / f"{file_id}.json").write_text(json.dumps(meta))  # last: a file with its meta is whole

    def __contains__(self, file_id) -> bool:
        return super().__contains__(file_id) or self._load(file_id) is not None

    def __missing__(self, file_id):
        found = self._load(file_id)
        if found is None:
            raise KeyError(file_id)
        return found

    def get(self, file_id, default=None):
        try:
            return self[file_id]
        except KeyError:
            return default

    def by_path(self, path: str):
        """The file a getFile path names (`photos/file_12.jpg`), or None."""
        found = next((f for f in self.values() if f.path == path), None)
        if found is None and self.folder is not None:
            for meta_file in self.folder.glob("*.json"):
                if json.loads(meta_file.read_text()).get("path") == path:
                    return self._load(meta_file.stem)
        return found

    def _load(self, file_id):
        if self.folder is None or not isinstance(file_id, str) or not _SAFE.fullmatch(file_id):
            return None
        try:
            meta = json.loads((self.folder / f"{file_id}.json").read_text())
            data = (self.folder / f"{file_id}.bin").read_bytes()
        except (OSError, ValueError):
            return None
        from bot.emulator.world import StoredFile

        stored = StoredFile(file_id, meta["file_unique_id"], data, meta["path"], meta["kind"], meta["attributes"])
        super().__setitem__(file_id, stored)
        return stored
