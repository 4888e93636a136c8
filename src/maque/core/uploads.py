"""Checks on uploaded evidence: size, allowed types, and that the content is what it claims."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# extension -> (content type, kind). Office files are zip containers: checked by their signature.
ALLOWED = {
    ".jpg": ("image/jpeg", "photo"),
    ".jpeg": ("image/jpeg", "photo"),
    ".png": ("image/png", "photo"),
    ".webp": ("image/webp", "photo"),
    ".heic": ("image/heic", "photo"),
    ".pdf": ("application/pdf", "document"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "document",
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "document"),
}
_ZIP_BASED = {".docx", ".xlsx"}


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    extension: str
    content_type: str
    kind: str
    size: int
    sha256: str

    def model_fields(self) -> dict[str, object]:
        """The values every stored-file model keeps about its file (attachments, meeting files)."""
        return {
            "original_name": self.name,
            "extension": self.extension,
            "content_type": self.content_type,
            "kind": self.kind,
            "size": self.size,
            "sha256": self.sha256,
        }


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Validate an uploaded file or raise ValidationError with a message the user can act on."""
    full_name = PurePath(upload.name or "").name or "upload"
    extension = PurePath(full_name).suffix.lower()
    # Shortened for storage, keeping the extension.
    name = full_name if len(full_name) <= 200 else full_name[: 200 - len(extension)] + extension
    if extension not in ALLOWED:
        raise ValidationError(
            _("File type %(ext)s is not allowed. Allowed: %(allowed)s.")
            % {
                "ext": extension or "?",
                "allowed": " ".join(sorted({e.lstrip(".") for e in ALLOWED})),
            }
        )
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file %(name)s is empty.") % {"name": name})
    if size > settings.MAQUE_MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file %(name)s is too large (at most %(max)d MB).")
            % {"name": name, "max": settings.MAQUE_MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(8192)
    content_type, kind = ALLOWED[extension]
    detected = filetype.guess(head)
    detected_mime = detected.mime if detected else None
    expected = "application/zip" if extension in _ZIP_BASED else content_type
    if extension in _ZIP_BASED:
        matches = head.startswith(b"PK\x03\x04")
    elif extension == ".heic":
        matches = detected_mime in {"image/heic", "image/heif", "image/avif"}
    else:
        matches = detected_mime == expected
    if not matches:
        raise ValidationError(
            _("The content of %(name)s does not match its type %(ext)s.")
            % {"name": name, "ext": extension}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        name=name,
        extension=extension,
        content_type=content_type,
        kind=kind,
        size=size,
        sha256=digest.hexdigest(),
    )
