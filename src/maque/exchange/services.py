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

from maque.exchange.importer import ImportResult, PreparedImport, import_prepare, ledger_import
from maque.exchange.models import ImportBatch
from maque.exchange.readers import EXTENSIONS
from maque.exchange.sheets.access import may_import
from maque.exchange.sheets.importing import (
    IMPORT_KINDS,
    PreparedSheet,
    sheet_import,
    sheet_prepare,
)
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.policies import check_import
from maque.organisation.access import actor_for

MAX_STORED_PROBLEMS = 20_000
LEDGER = "ledger"


def _check_importer(by: User, kind: str = LEDGER) -> None:
    if kind == LEDGER:
        check_import(actor_for(by))
    elif not may_import(actor_for(by), kind):
        raise NotPermitted(_("You may not import this kind of sheet."))


def _run(
    batch: ImportBatch,
    *,
    by: User,
    commit: bool,
    prepared: PreparedImport | PreparedSheet | None = None,
) -> ImportResult:
    """The ledger's import or a sheet kind's (prepared beforehand, outside the transaction)."""
    if prepared is not None:
        return prepared.write(commit=commit)
    if batch.kind == LEDGER:
        return ledger_import(
            by=by,
            path=Path(batch.file.path),
            name=batch.original_name,
            category=batch.category or None,
            commit=commit,
        )
    return sheet_import(
        kind=batch.kind, by=by, path=Path(batch.file.path), name=batch.original_name, commit=commit
    )


def _store(batch: ImportBatch, result: ImportResult) -> None:
    batch.counts = result.counts()
    batch.problems = [dict(p.as_dict(), col=p.col) for p in result.problems[:MAX_STORED_PROBLEMS]]
    batch.warnings = [p.as_dict() for p in result.warnings[:MAX_STORED_PROBLEMS]]
    batch.rows = [row.as_dict() for row in sorted(result.rows, key=lambda row: row.row)]


def batch_upload(
    *, by: User, upload: UploadedFile, category: str | None = None, kind: str = LEDGER
) -> ImportBatch:
    """Store an uploaded ledger file (or a sheet of `kind`: topics, projects, visits,
    petitions) and preview its import (nothing changes)."""
    if kind != LEDGER and kind not in IMPORT_KINDS:
        raise ValidationError({"kind": [_("You may not import this kind of sheet.")]})
    _check_importer(by, kind)
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
        kind=kind,
    )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    batch.file.save(name, upload, save=False)
    result = _run(batch, by=by, commit=False)
    _store(batch, result)
    batch.status = ImportBatch.Status.PREVIEWED if result.ok else ImportBatch.Status.INVALID
    batch._history_user = by  # type: ignore[attr-defined]
    batch.save()
    return batch


def batch_commit(*, batch: ImportBatch, by: User) -> tuple[ImportBatch, ImportResult]:
    """Import the previewed file for real, all or nothing. The ledger may have changed since the
    preview, so every row is checked again; when any row fails, nothing is imported. The file is
    read and checked before the transaction that writes it begins (see `importer.run`)."""
    _check_importer(by, batch.kind)
    if batch.uploaded_by_id != by.pk:
        raise NotPermitted(_("Only the person who uploaded a file can import it."))
    # Read and check the whole file first, outside any transaction: other people keep writing
    # meanwhile. Only the writing below holds the write lock.
    if ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.COMMITTED).exists():
        raise ConflictError(_("This file has already been imported."), code="already_imported")
    prepared: PreparedImport | PreparedSheet = (
        import_prepare(
            by=by,
            path=Path(batch.file.path),
            name=batch.original_name,
            category=batch.category or None,
        )
        if batch.kind == LEDGER
        else sheet_prepare(
            kind=batch.kind, by=by, path=Path(batch.file.path), name=batch.original_name
        )
    )
    prepared.reserve_codes()  # before the write's transaction: see `PreparedImport`
    try:
        batch, result = _commit_prepared(batch, prepared, by)
    except ConflictError:
        prepared.release_codes()
        raise
    return batch, result


def _commit_prepared(
    batch: ImportBatch, prepared: PreparedImport | PreparedSheet, by: User
) -> tuple[ImportBatch, ImportResult]:
    """The write of `batch_commit`, in one transaction with the batch's new status."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ImportBatch.Status.COMMITTED:
            raise ConflictError(_("This file has already been imported."), code="already_imported")
        result = _run(batch, by=by, commit=True, prepared=prepared)
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
