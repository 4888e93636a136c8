"""Writes of the exchange app: uploading a ledger file for a preview, and committing it.

The import itself (`maque.exchange.importer`) creates and changes items only through the
ledger's lifecycle services, as the uploading user, with `via="import"`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePath

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.exchange.importer import ImportResult, import_prepare, ledger_import
from maque.exchange.models import ImportBatch
from maque.exchange.readers import EXTENSIONS
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.policies import check_import
from maque.organisation.access import actor_for

MAX_STORED_PROBLEMS = 20_000


def _check_importer(by: User) -> None:
    check_import(actor_for(by))


def _store(batch: ImportBatch, result: ImportResult) -> None:
    batch.counts = result.counts()
    batch.problems = [dict(p.as_dict(), col=p.col) for p in result.problems[:MAX_STORED_PROBLEMS]]
    batch.warnings = [p.as_dict() for p in result.warnings[:MAX_STORED_PROBLEMS]]
    batch.rows = [row.as_dict() for row in sorted(result.rows, key=lambda row: row.row)]


def batch_upload(*, by: User, upload: UploadedFile, category: str | None = None) -> ImportBatch:
    """Store an uploaded ledger file and preview its import (nothing in the ledger changes)."""
    _check_importer(by)
    name = PurePath(upload.name or "").name[:200] or "upload"
    extension = PurePath(name).suffix.lower()
    if extension not in EXTENSIONS:
        raise ValidationError(
            {
                "file": [
                    _("%(name)s is not a spreadsheet this import reads (.xlsx, .xls or .csv).")
                    % {"name": name}
                ]
            }
        )
    if not upload.size:
        raise ValidationError({"file": [_("The file is empty.")]})
    if upload.size > settings.MAQUE_IMPORT_MAX_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("The file is too large (%(size)s MB; at most %(max)s MB).")
                    % {
                        "size": round(upload.size / 1048576, 1),
                        "max": round(settings.MAQUE_IMPORT_MAX_BYTES / 1048576, 1),
                    }
                ]
            }
        )
    person = actor_for(by).person
    assert person is not None
    batch = ImportBatch(
        town_id=person.town_id,
        uploaded_by=by,
        original_name=name,
        extension=extension,
        size=upload.size,
        category=(category or "")[:60],
    )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    batch.file.save(name, upload, save=False)
    result = ledger_import(
        by=by, path=Path(batch.file.path), name=name, category=category or None, commit=False
    )
    _store(batch, result)
    batch.status = ImportBatch.Status.PREVIEWED if result.ok else ImportBatch.Status.INVALID
    batch._history_user = by  # type: ignore[attr-defined]
    batch.save()
    return batch


def batch_commit(*, batch: ImportBatch, by: User) -> tuple[ImportBatch, ImportResult]:
    """Import the previewed file for real, all or nothing. The ledger may have changed since the
    preview, so every row is checked again; when any row fails, nothing is imported. The file is
    read and checked before the transaction that writes it begins (see `importer.run`)."""
    _check_importer(by)
    if batch.uploaded_by_id != by.pk:
        raise NotPermitted(_("Only the person who uploaded a file can import it."))
    # Read and check the whole file first, outside any transaction: other people keep writing
    # meanwhile. Only the writing below holds the write lock.
    if ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.COMMITTED).exists():
        raise ConflictError(_("This file has already been imported."), code="already_imported")
    prepared = import_prepare(
        by=by,
        path=Path(batch.file.path),
        name=batch.original_name,
        category=batch.category or None,
    )
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ImportBatch.Status.COMMITTED:
            raise ConflictError(_("This file has already been imported."), code="already_imported")
        result = prepared.write(commit=True)
        _store(batch, result)
        if result.committed:
            batch.status = ImportBatch.Status.COMMITTED
            batch.committed_at = timezone.now()
            batch.created_codes = result.codes[:MAX_STORED_PROBLEMS]
        else:
            batch.status = ImportBatch.Status.INVALID
        batch._history_user = by  # type: ignore[attr-defined]
        batch.save()
    return batch, result
