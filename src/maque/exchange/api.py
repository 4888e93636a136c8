"""The ledger spreadsheet API under `/api/v1/ledger/`: template and export downloads, and
imports as upload → preview → commit, with an error workbook to download."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from maque.api.auth import request_user
from maque.api.errors import ApiError
from maque.api.schemas import ERRORS, WRITE_ERRORS, village_lookup
from maque.exchange.annotate import error_workbook_write
from maque.exchange.exporter import (
    csv_category_message,
    csv_lines,
    export_write,
    iter_bytes,
    single_category,
    template_write,
)
from maque.exchange.models import ImportBatch
from maque.exchange.queries import batch_list, category_for, export_items
from maque.exchange.services import batch_commit, batch_upload
from maque.ledger.api.items import ListFilters, parent_of
from maque.ledger.api.items import _states as item_states
from maque.ledger.queries import SORTS
from maque.organisation.access import actor_for

router = Router(tags=["ledger spreadsheets"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ProblemOut(Schema):
    sheet: str
    row: int | None
    column: str
    message: str


class ChangeOut(Schema):
    column: str
    before: str
    after: str


class RowOut(Schema):
    sheet: str
    row: int
    action: str = Field(description="new, update or unchanged")
    code: str
    village: str
    title: str
    changes: list[ChangeOut]


class BatchOut(Schema):
    id: UUID
    kind: str = Field(description="ledger, topics, projects, visits or petitions")
    file_name: str
    status: str
    counts: dict[str, int]
    problems: list[ProblemOut]
    warnings: list[ProblemOut]
    rows: list[RowOut] = Field(
        description="The first rows of the file (up to 200) and what the import does with each"
    )
    created_at: datetime
    committed_at: datetime | None
    created_codes: list[str]

    @staticmethod
    def resolve_id(batch: ImportBatch) -> UUID:
        return batch.key

    @staticmethod
    def resolve_file_name(batch: ImportBatch) -> str:
        return batch.original_name


def _download(path_or_stream: Any, filename: str, content_type: str) -> FileResponse:
    return FileResponse(
        path_or_stream, as_attachment=True, filename=filename, content_type=content_type
    )


@router.get(
    "/template/{category}",
    response={200: None, **ERRORS},
    summary="The empty .xlsx ledger of a category",
)
def template(request: HttpRequest, category: str) -> FileResponse:
    found = category_for(user=request_user(request), code=category)
    if found is None:
        raise Http404(_("No such category."))
    out = tempfile.TemporaryFile()
    template_write(category=found, out=out, user=request.user)
    out.seek(0)
    return _download(out, f"{found.name}台账模板.xlsx", XLSX)


class ExportFilters(ListFilters):
    """The ledger list's filters and sort (`GET /api/v1/items`), so an export is exactly the listed items."""

    format: str = Field(
        "xlsx", max_length=10, description="xlsx (one sheet per category) or csv (one category)."
    )
    sort: str | None = Field(
        None,
        max_length=20,
        description="As the list (one of: " + ", ".join(SORTS) + "); by code when absent.",
    )


@router.get(
    "/export", response={200: None, **ERRORS}, summary="Export the filtered ledger as .xlsx or .csv"
)
def export(request: HttpRequest, filters: Query[ExportFilters]) -> Any:
    if filters.format not in ("xlsx", "csv"):
        raise ApiError(
            422,
            _("The format is xlsx or csv."),
            code="bad_format",
            errors={"format": [_("The format is xlsx or csv.")]},
        )
    if filters.sort is not None and filters.sort not in SORTS:
        raise ValidationError(
            {"sort": [_("Unknown sort; one of: %(sorts)s.") % {"sorts": ", ".join(SORTS)}]}
        )
    village: str | int | None = None
    if filters.village:
        # As the list reads it: digits are an id, anything else a name.
        lookup = village_lookup(filters.village)
        village = lookup.get("pk", lookup.get("name"))
        if isinstance(village, str) and village.isdigit():
            village = 0
    parent = parent_of(request, filters.parent)
    items = export_items(
        user=request_user(request),
        village=village,
        category=filters.category,
        campaign=filters.campaign,
        state=item_states(filters.state),
        owner=filters.owner,
        overdue=filters.overdue,
        light=filters.light,
        due_before=filters.due_before,
        due_after=filters.due_after,
        q=filters.q.strip() if filters.q else None,
        sort=filters.sort,
        kind=filters.kind,
        parent=parent.pk if parent is not None else None,
    )
    keep_order = filters.sort is not None
    masks = actor_for(request_user(request)).masks_personal_data()
    if filters.format == "csv":
        one = single_category(items)
        if one is None:
            message = csv_category_message(items)
            raise ApiError(422, message, code="csv_one_category", errors={"category": [message]})
        lines = csv_lines(items=items, category=one, masks=masks, keep_order=keep_order)
        response = StreamingHttpResponse(iter_bytes(lines), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(one.name)}.csv"
        return response
    # The workbook is written to a temporary file (bounded memory), then streamed from disk.
    out = tempfile.TemporaryFile()
    export_write(items=items, out=out, masks=masks, keep_order=keep_order)
    out.seek(0)
    return _download(out, "台账.xlsx", XLSX)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@router.post(
    "/imports",
    response={201: BatchOut, **WRITE_ERRORS},
    summary="Upload a ledger file and preview its import",
)
def upload(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    category: str = Form(""),
) -> Status:
    return Status(
        201, batch_upload(by=request_user(request), upload=file, category=category or None)
    )


@router.get("/imports", response={200: list[BatchOut], **ERRORS}, summary="Your recent imports")
def imports(request: HttpRequest) -> list[ImportBatch]:
    return list(batch_list(user=request_user(request))[:50])


def _batch(request: HttpRequest, batch_id: UUID) -> ImportBatch:
    return get_object_or_404(batch_list(user=request_user(request)), key=batch_id)


@router.get(
    "/imports/{batch_id}", response={200: BatchOut, **ERRORS}, summary="The preview of an import"
)
def preview(request: HttpRequest, batch_id: UUID) -> ImportBatch:
    return _batch(request, batch_id)


@router.post(
    "/imports/{batch_id}/commit",
    response={200: BatchOut, **WRITE_ERRORS},
    summary="Import the previewed file, all or nothing",
)
def commit(request: HttpRequest, batch_id: UUID) -> ImportBatch:
    batch, result = batch_commit(batch=_batch(request, batch_id), by=request_user(request))
    if not result.committed:
        raise ApiError(
            422,
            _(
                "Nothing was imported: %(count)d problems. Download the error workbook, fix the file and upload it again."
            )
            % {"count": len(result.problems)},
            code="import_invalid",
            problems=batch.problems,
            counts=batch.counts,
        )
    return batch


@router.get(
    "/imports/{batch_id}/errors",
    response={200: None, **ERRORS},
    summary="The uploaded file with its problems marked",
)
def errors(request: HttpRequest, batch_id: UUID) -> FileResponse:
    batch = _batch(request, batch_id)
    out = tempfile.TemporaryFile()
    error_workbook_write(
        path=Path(batch.file.path), name=batch.original_name, problems=batch.problems, out=out
    )
    out.seek(0)
    return _download(out, f"{Path(batch.original_name).stem}-错误标注.xlsx", XLSX)
