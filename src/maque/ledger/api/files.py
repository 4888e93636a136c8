"""Progress reports and evidence: `/items/{code}/progress`, `/items/{code}/attachments`, `/attachments/{id}`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import pgettext
from ninja import File, Form, Status
from ninja.files import UploadedFile as NinjaUploadedFile
from pydantic import Field

from maque.api.auth import request_user
from maque.api.schemas import (
    ERRORS,
    NOTE,
    WRITE_ERRORS,
    Out,
    Ref,
)
from maque.core.uploads import check_upload
from maque.ledger.api.item_output import _visible_item
from maque.ledger.api.routing import router
from maque.ledger.models import (
    Attachment,
)
from maque.ledger.services import attachment_add, progress_add


class AttachmentOut(Out):
    id: int
    name: str
    content_type: str
    kind: str
    size: int
    uploaded_by: Ref
    uploaded_at: datetime
    progress: int | None = Field(description="The progress report it came with, if any.")
    url: str


class ProgressOut(Out):
    id: int
    text: str
    percent: int | None
    author: Ref
    created_at: datetime
    attachments: list[AttachmentOut]
    item_version: int
    progress_percent: int


def attachment_out(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "kind": attachment.kind,
        "size": attachment.size,
        "uploaded_by": {"id": attachment.uploaded_by_id, "name": attachment.uploaded_by.name},
        "uploaded_at": attachment.uploaded_at,
        "progress": attachment.progress_id,
        "url": f"/api/v1/attachments/{attachment.pk}",
    }


def _uploads(request: HttpRequest, *names: str) -> list[UploadedFile]:
    """Files sent under any of `names` (clients send `files`, `files[]` or `file`)."""
    return [upload for name in names for upload in request.FILES.getlist(name)]


@router.post(
    "/items/{code}/progress",
    response={201: ProgressOut, **WRITE_ERRORS},
    operation_id="maque_ledger_api_progress_create",
)
def progress_create(
    request: HttpRequest,
    code: str,
    text: str = Form("", max_length=NOTE, description="The progress report."),  # noqa: B008
    percent: Form[int | None] = None,
    files: File[list[NinjaUploadedFile]] = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    """Report progress (multipart: `text`, `percent` 0–100, `files`); evidence is checked."""
    item = _visible_item(request, code)
    log = progress_add(
        item=item,
        by=request_user(request),
        text=text,
        percent=percent,
        files=_uploads(request, "files", "files[]", "file"),
    )
    item.refresh_from_db(fields=["version", "progress_percent"])
    attachments = log.attachments.select_related("uploaded_by").order_by("id")
    return Status(
        201,
        {
            "id": log.pk,
            "text": log.text,
            "percent": log.percent,
            "author": {"id": log.author_id, "name": log.author.name},
            "created_at": log.created_at,
            "attachments": [attachment_out(a) for a in attachments],
            "item_version": item.version,
            "progress_percent": item.progress_percent,
        },
    )


@router.get(
    "/items/{code}/attachments",
    response={200: list[AttachmentOut], **ERRORS},
    operation_id="maque_ledger_api_attachment_list",
)
def attachment_list(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    item = _visible_item(request, code)
    attachments = (
        Attachment.objects.filter(item=item)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )
    return [attachment_out(a) for a in attachments]


@router.post(
    "/items/{code}/attachments",
    response={201: list[AttachmentOut], **WRITE_ERRORS},
    operation_id="maque_ledger_api_attachment_create",
)
def attachment_create(
    request: HttpRequest,
    code: str,
    file: File[NinjaUploadedFile] = None,  # type: ignore[assignment]
    files: File[list[NinjaUploadedFile]] = None,  # type: ignore[assignment]
) -> Status[list[dict[str, Any]]]:
    """Add evidence (multipart `file`, or several as `files`); all are checked before any is kept."""
    item = _visible_item(request, code)
    user = request_user(request)
    uploads = _uploads(request, "file", "files", "files[]")
    if not uploads:
        raise ValidationError({"file": [pgettext("api", "This field is required.")]})
    errors: list[str] = []
    for upload in uploads:
        try:
            check_upload(upload)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"file": errors})
    with transaction.atomic():
        created = [attachment_add(item=item, by=user, upload=upload) for upload in uploads]
    return Status(201, [attachment_out(a) for a in created])


@router.get(
    "/attachments/{attachment_id}",
    response={**ERRORS},
    openapi_extra={
        "responses": {
            "200": {"description": "The file.", "content": {"application/octet-stream": {}}}
        }
    },
    operation_id="maque_ledger_api_attachment_download",
)
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """The evidence file, to those who may see its item."""
    if not 1 <= attachment_id < 2**63:
        raise Http404
    attachment = (
        Attachment.objects.visible_to(request_user(request)).filter(pk=attachment_id).first()
    )
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=attachment.kind != Attachment.FileKind.PHOTO,
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
