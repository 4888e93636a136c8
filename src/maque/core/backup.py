"""One consistent archive of an installation, made while it runs, and its restore.

An archive (`.tar.gz`) holds:
- `manifest.json`: the archive format, Maque's and Django's versions, the database engine, the
  migrations applied, and the size and SHA-256 of every other member;
- `database.sqlite3` — a copy taken with SQLite's online backup, page by page, so writers go on
  and the copy is one consistent moment — or `database.pgdump`, from `pg_dump` (one snapshot
  transaction, custom format);
- `media/…`: the uploaded evidence and meeting files.

`restore_archive` puts it into an *empty* installation only (no tables, no uploads), after
checking every checksum and that the archive's engine and migrations fit this code; then it
migrates the restored database forward, so an archive of an older version restores into a
newer one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

import maque

FORMAT = "maque-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """An archive that cannot be made or restored, with the reason in the reader's language."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    files: int
    bytes: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(
            _("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor}
        )
    return vendor


def _applied_migrations() -> dict[str, list[str]]:
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied: dict[str, list[str]] = {}
    for app, name in sorted(loader.applied_migrations):
        applied.setdefault(app, []).append(name)
    return applied


def _media_files() -> Iterator[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, MEDIA_PREFIX + path.relative_to(root).as_posix()


def _database_copy(engine: str, folder: Path) -> tuple[Path, str]:
    """A consistent copy of the live database in `folder`."""
    database = settings.DATABASES["default"]
    if engine == "sqlite":
        target = folder / SQLITE_MEMBER
        source = sqlite3.connect(
            str(database["NAME"]), timeout=float(database.get("OPTIONS", {}).get("timeout", 20))
        )
        try:
            copy = sqlite3.connect(str(target))
            try:
                # Page by page, a few hundred at a time: writers are held up only briefly, and
                # SQLite restarts the copy of pages a writer changes, so it ends consistent.
                source.backup(copy, pages=256)
            finally:
                copy.close()
        finally:
            source.close()
        return target, SQLITE_MEMBER
    target = folder / POSTGRES_MEMBER
    _run_postgres(
        "pg_dump", ["--format=custom", "--no-owner", "--no-privileges", f"--file={target}"]
    )
    return target, POSTGRES_MEMBER


def _postgres_env() -> tuple[dict[str, str], list[str]]:
    database = settings.DATABASES["default"]
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    args = [f"--dbname={database['NAME']}"]
    if database.get("HOST"):
        args.append(f"--host={database['HOST']}")
    if database.get("PORT"):
        args.append(f"--port={database['PORT']}")
    if database.get("USER"):
        args.append(f"--username={database['USER']}")
    return env, args


def _run_postgres(program: str, extra: list[str]) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            _("%(program)s is not installed; it is needed to back up or restore PostgreSQL.")
            % {"program": program}
        )
    env, args = _postgres_env()
    result = subprocess.run(  # noqa: S603 - a fixed program with arguments built from the settings
        [executable, *args, *extra], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": program, "error": result.stderr.strip()[-2000:]}
        )


def make_archive(output: Path) -> BackupResult:
    """Write one archive of the database and the uploads to `output` (atomically)."""
    engine = _engine()
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="maque-backup-", dir=output.parent) as scratch:
        folder = Path(scratch)
        database_file, database_member = _database_copy(engine, folder)
        members: list[tuple[Path, str]] = [(database_file, database_member), *_media_files()]
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "maque_version": maque.__version__,
            "django_version": django.get_version(),
            "engine": engine,
            "database": database_member,
            "migrations": _applied_migrations(),
            "files": {
                name: {"size": path.stat().st_size, "sha256": _sha256(path)}
                for path, name in members
            },
        }
        manifest_file = folder / MANIFEST
        manifest_file.write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        partial = folder / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(manifest_file, arcname=MANIFEST)
            for path, name in members:
                archive.add(path, arcname=name)
        os.chmod(partial, 0o600)
        os.replace(partial, output)
    return BackupResult(path=output, files=len(members) - 1, bytes=output.stat().st_size)


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
    except KeyError:
        member = None
    if member is None:
        raise BackupError(_("This is not a Maque backup: it has no manifest."))
    try:
        manifest = json.loads(member.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BackupError(_("The backup's manifest is damaged.")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("This backup's format is not one this version can restore."))
    return manifest


def _check_fits(manifest: dict[str, Any], engine: str) -> None:
    if manifest.get("engine") != engine:
        raise BackupError(
            _("This backup is of a %(archive)s database; this installation uses %(engine)s.")
            % {"archive": manifest.get("engine"), "engine": engine}
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    archived = {
        f"{app}.{name}"
        for app, names in (manifest.get("migrations") or {}).items()
        for name in names
    }
    unknown = sorted(archived - known)
    if unknown:
        raise BackupError(
            _(
                "This backup comes from a newer version of Maque (migrations unknown here: %(names)s). Upgrade first."
            )
            % {"names": ", ".join(unknown[:5])}
        )


def _check_empty(engine: str) -> None:
    tables = [
        name for name in connection.introspection.table_names() if not name.startswith("sqlite_")
    ]
    if tables:
        raise BackupError(
            _(
                "The database is not empty (%(count)d tables). Restore only into a new, empty installation."
            )
            % {"count": len(tables)}
        )
    media = Path(settings.MEDIA_ROOT)
    if media.exists() and any(media.iterdir()):
        raise BackupError(
            _(
                "The uploads folder %(path)s is not empty. Restore only into a new, empty installation."
            )
            % {"path": media}
        )


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def _extract_checked(archive: tarfile.TarFile, manifest: dict[str, Any], folder: Path) -> None:
    """Extract every listed member into `folder`, checking sizes and checksums."""
    files: dict[str, dict[str, Any]] = manifest.get("files") or {}
    members = {member.name: member for member in archive.getmembers()}
    for name, expected in files.items():
        member = members.get(name)
        if member is None or not member.isfile() or not _safe_member(name):
            raise BackupError(_("The backup is incomplete: %(name)s is missing.") % {"name": name})
        source = archive.extractfile(member)
        if source is None:
            raise BackupError(_("The backup is incomplete: %(name)s is missing.") % {"name": name})
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with target.open("wb") as handle:
            for chunk in iter(lambda: source.read(CHUNK), b""):  # noqa: B023 - consumed right here
                digest.update(chunk)
                size += len(chunk)
                handle.write(chunk)
        if size != expected.get("size") or digest.hexdigest() != expected.get("sha256"):
            raise BackupError(
                _("The backup is damaged: %(name)s does not match its checksum.") % {"name": name}
            )


def restore_archive(path: Path) -> dict[str, Any]:
    """Restore an archive into this (empty) installation; the manifest of what was restored."""
    engine = _engine()
    try:
        archive = tarfile.open(path, "r:gz")
    except (OSError, tarfile.TarError):
        raise BackupError(
            _("The backup cannot be read: it is not a complete .tar.gz archive.")
        ) from None
    with archive, tempfile.TemporaryDirectory(prefix="maque-restore-") as scratch:
        try:
            manifest = read_manifest(archive)
            _check_fits(manifest, engine)
            _check_empty(engine)
            folder = Path(scratch)
            _extract_checked(archive, manifest, folder)
        except (OSError, tarfile.TarError, EOFError):
            raise BackupError(
                _("The backup cannot be read: it is not a complete .tar.gz archive.")
            ) from None
        database_file = folder / str(manifest["database"])
        if engine == "sqlite":
            connection.close()
            target = Path(settings.DATABASES["default"]["NAME"])
            target.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(database_file, target)
            os.chmod(target, 0o600)
        else:
            _run_postgres(
                "pg_restore",
                ["--no-owner", "--no-privileges", "--exit-on-error", str(database_file)],
            )
        media = Path(settings.MEDIA_ROOT)
        source_media = folder / MEDIA_PREFIX.rstrip("/")
        if source_media.is_dir():
            media.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copytree(source_media, media, dirs_exist_ok=True)
    connection.close()
    call_command("migrate", interactive=False, verbosity=0)
    return manifest


def archive_name(now: datetime | None = None) -> str:
    moment = timezone.localtime(now or timezone.now())
    return f"maque-backup-{moment:%Y%m%d-%H%M%S}.tar.gz"
