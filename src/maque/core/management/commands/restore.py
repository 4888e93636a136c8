"""`maque restore FILE`: restore an archive of `maque backup` into a new, empty installation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from maque.core.backup import BackupError, restore_archive


class Command(BaseCommand):
    help = "Restore a backup archive into a new, empty installation (refuses damaged or mismatched archives)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="An archive written by `maque backup`.")

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        if not archive.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": archive})
        try:
            manifest = restore_archive(archive)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "Restored the backup of %(created)s (Maque %(version)s): the database and %(files)d uploaded files."
            )
            % {
                "created": manifest.get("created_at", "?"),
                "version": manifest.get("maque_version", "?"),
                "files": len(manifest.get("files", {})) - 1,
            }
        )
