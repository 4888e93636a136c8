"""Evidence uploads: allowed types only, content that matches the name, size limits."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from maque.core.uploads import check_upload
from tests.conftest import jpeg_bytes


def image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _english():  # noqa: ANN202
    """Messages are matched in English here; the Chinese ones are checked on their own."""
    with translation.override("en"):
        yield


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


def file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("现场.jpg", jpeg_bytes(), "photo"),
        ("IMG_0001.JPEG", jpeg_bytes(), "photo"),
        ("map.png", image("PNG"), "photo"),
        ("photo.webp", image("WEBP"), "photo"),
        ("整改报告.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "document"),
        ("台账.docx", docx(), "document"),
        ("台账.xlsx", docx(), "document"),
    ],
)
def test_it_accepts_what_it_claims(name, content, kind):
    checked = check_upload(file(name, content))
    assert checked.kind == kind
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.name == name and checked.extension == name[name.rindex(".") :].lower()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", image("PNG"), "does not match"),  # a PNG calling itself a JPEG
        ("photo.png", jpeg_bytes(), "does not match"),
        ("report.pdf", jpeg_bytes(), "does not match"),
        ("report.pdf", b"<html><script>alert(1)</script></html>", "does not match"),
        ("sheet.xlsx", b"not a zip at all", "does not match"),
        ("photo.heic", jpeg_bytes(), "does not match"),
        ("virus.exe", b"MZ\x90\x00\x03", "not allowed"),
        ("page.html", b"<html></html>", "not allowed"),
        ("photo.jpg.exe", jpeg_bytes(), "not allowed"),
        ("noextension", jpeg_bytes(), "not allowed"),
        ("empty.jpg", b"", "empty"),
    ],
)
def test_it_refuses_files_that_lie_or_are_not_allowed(name, content, message):
    with pytest.raises(ValidationError) as raised:
        check_upload(file(name, content))
    assert message in raised.value.messages[0]


def test_it_refuses_oversize_files(settings):
    settings.MAQUE_MAX_UPLOAD_BYTES = 1024 * 1024
    content = jpeg_bytes()
    check_upload(file("ok.jpg", content + b"\0" * (1024 * 1024 - len(content))))
    with pytest.raises(ValidationError) as raised:
        check_upload(file("big.jpg", content + b"\0" * (1024 * 1024 - len(content) + 1)))
    assert "too large" in raised.value.messages[0]


def test_it_keeps_no_path_and_keeps_the_extension_of_long_names():
    checked = check_upload(file("../../etc/" + "长" * 300 + ".jpg", jpeg_bytes()))
    assert "/" not in checked.name and ".." not in checked.name
    assert len(checked.name) <= 200 and checked.name.endswith(".jpg")
    assert checked.extension == ".jpg"


def test_it_rewinds_the_file_for_storage():
    upload = file("a.jpg", jpeg_bytes())
    check_upload(upload)
    assert upload.read() == jpeg_bytes()
