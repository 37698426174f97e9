"""The image-model migration's part of SearchEngine's API (indexing/migration/): this engine's model serves
until the target's release is complete, then a switch makes the target serve."""
from __future__ import annotations

import logging
from typing import Callable

from indexing.migration.photos import ImageMigration, migration_status
from indexing.migration.records import MigrationRecords
from indexing.migration.sources import PhotoSource
from models.encoders.base import ImageEncoder

log = logging.getLogger(__name__)


class MigratingModels:
    """Mixed into SearchEngine."""

    def migrate_image_model(self, target: str, load_encoder: Callable[[], ImageEncoder], **job) -> ImageMigration:
        """Prepare the move to `target` (`load_encoder` makes its encoder); `.start()` runs it in the background."""
        self.image_migration = ImageMigration(self, target, load_encoder, **job)
        self.writes.vector_models = [self.image_model, target]  # a post deleted meanwhile loses both
        return self.image_migration

    def start_image_migration(self) -> None:
        """Run the prepared image migration in the background, if there is one (once)."""
        if self.image_migration is not None:
            self.image_migration.start()

    def add_photo_source(self, source: PhotoSource) -> None:
        """Somewhere stored posts' photos can be fetched again (the bot: Telegram's getFile)."""
        self.photo_sources.append(source)

    def remove_photo_source(self, source: PhotoSource) -> None:
        if source in self.photo_sources:
            self.photo_sources.remove(source)

    def image_migration_status(self) -> dict | None:
        """The last image-model migration as Redis records it (any process's), or None."""
        return migration_status(MigrationRecords(self.store))

    def adopt_other_models_release(self, version: str) -> bool | None:
        """None when a release (another process's) is of this engine's image model; else whether it was
        adopted: one of the model this engine migrates to switches it to that model, any other is refused."""
        manifest = self.store.releases.manifest(version) or {}
        model = manifest.get("indexes", {}).get("image", {}).get("image_model", self.image_model)
        if model == self.image_model:
            return None
        migration = self.image_migration
        if migration is not None and model == migration.target and not migration.finished.is_set():
            from indexing.migration.switch import adopt

            return adopt(self, migration, version)
        log.warning("release %s was made by image model %s; this process serves %s: not adopted", version,
                    model, self.image_model)
        return False
