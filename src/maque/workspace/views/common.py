"""Small helpers every screen module uses."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def inline_file(stored: Any) -> FileResponse:
    """A stored, checked upload (a photo of a topic or a finding) shown in the browser, with the
    content type it was checked to have."""
    response = FileResponse(stored.file.open("rb"), content_type=stored.content_type)
    response["Content-Disposition"] = "inline"
    return response
