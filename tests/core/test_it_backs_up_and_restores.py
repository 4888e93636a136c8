"""`maque backup` makes one consistent archive of a live installation under writes; `maque
restore` puts it into a new, empty one, which then serves every item and its evidence; damaged,
mismatched or misplaced restores are refused and change nothing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SERVE_AND_CHECK = """
import hashlib, json, django
django.setup()
from django.test import Client
from maque.ledger.models import Attachment, Item
client = Client()
assert client.login(username="writer", password="pw-writer-2026")
found = []
for item in Item.objects.order_by("id"):
    page = client.get(f"/api/v1/items/{item.code}")
    assert page.status_code == 200, page.status_code
    for attachment in Attachment.objects.filter(item=item):
        response = client.get(f"/api/v1/attachments/{attachment.pk}")
        assert response.status_code == 200, (item.code, response.status_code)
        body = b"".join(response.streaming_content)
        assert body[:2] == b"\\xff\\xd8" and len(body) == attachment.size
        found.append(attachment.pk)
print(json.dumps({"items": Item.objects.count(), "attachments": len(found),
                  "attachment_rows": Attachment.objects.count()}))
"""


def environment(var: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("MAQUE_")}
    env.update(
        {
            "MAQUE_VAR_DIR": str(var),
            "DJANGO_SETTINGS_MODULE": "maque.settings",
            "PYTHONPATH": os.pathsep.join(sys.path),
            "MAQUE_LANGUAGE": "en",  # the refusals are asserted in English
        }
    )
    return env


def maque(var: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "maque.cli", *args],
        env=environment(var),
        cwd=var.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """An archive of a live installation taken while a colleague registers items."""
    root = tmp_path_factory.mktemp("backup")
    live = root / "live"
    live.mkdir(mode=0o700)
    maque(live, "manage", "migrate", "--verbosity", "0")
    writer = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, str(HERE / "backup_writer.py"), str(root)],
        env=environment(live),
        cwd=root,
    )
    try:
        deadline = time.monotonic() + 120
        while not (root / "ready").exists():
            assert writer.poll() is None and time.monotonic() < deadline, "the writer did not start"
            time.sleep(0.1)
        archive = root / "archive.tar.gz"
        maque(live, "backup", "-o", str(archive))
        time.sleep(0.3)  # writes go on after the copy
    finally:
        (root / "stop").write_text("")
        assert writer.wait(timeout=60) == 0
    return archive, int((root / "written").read_text())


def test_it_restores_a_live_backup_that_serves_every_item_and_file(backup, tmp_path):  # noqa: ANN001
    archive, written = backup
    with tarfile.open(archive) as opened:
        manifest = json.loads(opened.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["engine"] == "sqlite" and "ledger" in manifest["migrations"]
    fresh = tmp_path / "fresh"
    fresh.mkdir(mode=0o700)
    maque(fresh, "restore", str(archive))
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", SERVE_AND_CHECK],
        env=environment(fresh),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    restored = json.loads(result.stdout.strip().splitlines()[-1])
    # One consistent moment: at least the first five, no more than were written, each with its photo.
    assert 5 <= restored["items"] <= written
    assert restored["attachments"] == restored["attachment_rows"] == restored["items"]


def test_it_refuses_to_restore_over_an_installation_in_use(backup, tmp_path):  # noqa: ANN001
    archive, _written = backup
    used = tmp_path / "used"
    used.mkdir(mode=0o700)
    maque(used, "manage", "migrate", "--verbosity", "0")
    refused = maque(used, "restore", str(archive), check=False)
    assert refused.returncode != 0 and "not empty" in refused.stderr


def test_it_refuses_a_damaged_archive_and_changes_nothing(backup, tmp_path):  # noqa: ANN001
    archive, _written = backup
    # A member whose bytes no longer match the manifest's checksum.
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("media/"):
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            target.addfile(member, io.BytesIO(data))
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    for bad, message in ((damaged, "checksum"), (truncated, "cannot be read")):
        fresh = tmp_path / f"fresh-{bad.stem}"
        fresh.mkdir(mode=0o700)
        refused = maque(fresh, "restore", str(bad), check=False)
        assert refused.returncode != 0 and message in refused.stderr, refused.stderr
        assert not (fresh / "var" / "media").exists() or not any(
            (fresh / "var" / "media").iterdir()
        )


def test_it_refuses_an_archive_of_another_engine_or_a_newer_version(backup, tmp_path):  # noqa: ANN001
    archive, _written = backup
    for change, message in (
        (lambda m: m.update(engine="postgresql"), "postgresql"),
        (
            lambda m: m["migrations"].setdefault("ledger", []).append("9999_from_the_future"),
            "newer version",
        ),
    ):
        altered = tmp_path / "altered.tar.gz"
        with tarfile.open(archive) as source, tarfile.open(altered, "w:gz") as target:
            for member in source.getmembers():
                data = source.extractfile(member).read()  # type: ignore[union-attr]
                if member.name == "manifest.json":
                    manifest = json.loads(data)
                    change(manifest)
                    data = json.dumps(manifest).encode()
                    member.size = len(data)
                target.addfile(member, io.BytesIO(data))
        fresh = tmp_path / f"fresh-{message.replace(' ', '-')}"
        fresh.mkdir(mode=0o700)
        refused = maque(fresh, "restore", str(altered), check=False)
        assert refused.returncode != 0 and message in refused.stderr, refused.stderr
