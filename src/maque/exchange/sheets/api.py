"""Exports and imports of the sheets beside the ledger. Exports: `GET /api/v1/projects/export`, `/field-visits/export`,
`/publicity/export` and `/petitions/export`, as .xlsx (default) or `format=csv`, each holding
exactly the reader's scoped list with its filters, personal data masked as the reader's role says.

Imports: `POST /api/v1/sheets/{kind}/imports` (kind: topics, projects, visits, petitions) uploads a
file and previews it; the preview, the commit and the error workbook are the ledger's
(`/api/v1/ledger/imports/{id}`, `…/commit`, `…/errors`), which serve every kind.

The workbook is written to a temporary file (bounded memory), then streamed from disk; CSV is
streamed line by line."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from typing import Any, Literal
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from maque.api.auth import request_user
from maque.api.schemas import ERRORS, WRITE_ERRORS, Id
from maque.exchange.api import BatchOut
from maque.exchange.exporter import iter_bytes
from maque.exchange.services import batch_upload
from maque.exchange.sheets import petitions as petition_sheet
from maque.exchange.sheets import projects as project_sheet
from maque.exchange.sheets import visits as visit_sheet
from maque.exchange.sheets.access import may_export
from maque.exchange.sheets.importing import IMPORT_KINDS
from maque.exchange.sheets.layout import SheetLayout
from maque.exchange.sheets.writing import csv_lines, xlsx_write
from maque.fieldwork.queries import publicity_list, visit_list
from maque.organisation.access import actor_for
from maque.organisation.actor import Actor
from maque.petitions.models import State
from maque.petitions.queries import petition_list
from maque.projects.models import Project

router = Router(tags=["spreadsheets"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SheetFormat(Schema):
    format: Literal["xlsx", "csv"] = Field("xlsx", description="xlsx, or csv (the same columns).")


class VisitExportFilters(SheetFormat):
    village: Id | None = None
    visitor: Id | None = Field(None, description="The visitor's person id.")
    household: Id | None = None


class PublicityExportFilters(SheetFormat):
    village: Id | None = None


class PetitionExportFilters(SheetFormat):
    state: State | None = None
    overdue: bool | None = None
    stability: bool | None = None
    village: Id | None = None
    q: str | None = Field(None, max_length=100)


def _town_name(actor: Actor) -> str:
    return actor.person.town.name if actor.person is not None else ""


def _answer(
    *, layout: SheetLayout, rows: Callable[[], Iterable[list[Any]]], actor: Actor, format: str
) -> Any:
    town = _town_name(actor)
    name = quote(f"{town}{layout.title}")
    if format == "csv":
        lines = csv_lines(layout=layout, rows=rows(), town_name=town)
        response = StreamingHttpResponse(iter_bytes(lines), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}.csv"
        return response
    out = tempfile.TemporaryFile()
    xlsx_write(layout=layout, rows=rows(), out=out, town_name=town)
    out.seek(0)
    response = FileResponse(out, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}.xlsx"
    return response


def _reader(request: HttpRequest, kind: str) -> Actor:
    actor = actor_for(request_user(request))
    if not may_export(actor, kind):
        raise Http404
    return actor


@router.get(
    "/projects/export",
    response={200: None, **ERRORS},
    summary="Export projects with their milestones (one row per milestone)",
)
def projects_export(request: HttpRequest, filters: Query[SheetFormat]) -> Any:
    actor = _reader(request, "projects")
    projects = Project.objects.visible_to(request_user(request))
    masks = actor.masks_personal_data()
    return _answer(
        layout=project_sheet.LAYOUT,
        rows=lambda: project_sheet.rows(projects, masks=masks),
        actor=actor,
        format=filters.format,
    )


@router.get(
    "/field-visits/export", response={200: None, **ERRORS}, summary="Export household visits"
)
def visits_export(request: HttpRequest, filters: Query[VisitExportFilters]) -> Any:
    actor = _reader(request, "visits")
    visits = visit_list(
        user=request_user(request),
        village=filters.village,
        visitor=filters.visitor,
        household=filters.household,
    )
    masks = actor.masks_personal_data()
    return _answer(
        layout=visit_sheet.VISITS,
        rows=lambda: visit_sheet.visit_rows(visits, masks=masks),
        actor=actor,
        format=filters.format,
    )


@router.get("/publicity/export", response={200: None, **ERRORS}, summary="Export publicity records")
def publicity_export(request: HttpRequest, filters: Query[PublicityExportFilters]) -> Any:
    actor = _reader(request, "publicity")
    records = publicity_list(user=request_user(request), village=filters.village)
    masks = actor.masks_personal_data()
    return _answer(
        layout=visit_sheet.PUBLICITY,
        rows=lambda: visit_sheet.publicity_rows(records, masks=masks),
        actor=actor,
        format=filters.format,
    )


@router.get(
    "/petitions/export",
    response={200: None, **ERRORS},
    summary="Export the petition register (personal data masked unless the reader may see it)",
)
def petitions_export(request: HttpRequest, filters: Query[PetitionExportFilters]) -> Any:
    actor = _reader(request, "petitions")
    petitions = petition_list(
        user=request_user(request),
        state=filters.state,
        overdue=filters.overdue,
        stability=filters.stability,
        village=filters.village,
        q=filters.q,
    )
    return _answer(
        layout=petition_sheet.LAYOUT,
        rows=lambda: petition_sheet.rows(petitions, actor=actor),
        actor=actor,
        format=filters.format,
    )


@router.post(
    "/sheets/{kind}/imports",
    response={201: BatchOut, **WRITE_ERRORS},
    summary="Upload topics, projects, visits or petitions and preview their import",
)
def sheet_upload(
    request: HttpRequest,
    kind: Literal["topics", "projects", "visits", "petitions"],
    file: UploadedFile = File(...),  # noqa: B008
) -> Status:
    assert kind in IMPORT_KINDS
    return Status(201, batch_upload(by=request_user(request), upload=file, kind=kind))
