"""`maque backup [-o FILE]`: one consistent archive of the database and the uploads, made while
the server runs (see `maque.core.backup`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from maque.core.backup import BackupError, archive_name, make_archive


class Command(BaseCommand):
    help = "Write one consistent archive of the database and the uploaded files (safe while the server runs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            default=None,
            help="Archive to write (default: maque-backup-YYYYMMDD-HHMMSS.tar.gz in the current folder; "
            "a folder: a file of that name in it).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path | None = options["output"]
        if output is None:
            output = Path.cwd() / archive_name()
        elif output.is_dir():
            output = output / archive_name()
        try:
            result = make_archive(output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "Backup written to %(path)s: the database and %(files)d uploaded files, %(size).1f MB."
            )
            % {"path": result.path, "files": result.files, "size": result.bytes / 1024 / 1024}
        )
