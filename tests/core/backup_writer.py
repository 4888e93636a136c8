"""A colleague at work while the backup runs: builds a small town, then registers items with a
photo each until told to stop. Run as `python backup_writer.py FOLDER` in an installation."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import django


def main(folder: Path) -> None:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from maque.ledger import lifecycle
    from maque.ledger.catalogue import catalogue_install
    from maque.ledger.models import Campaign
    from maque.ledger.services import attachment_add
    from maque.organisation.models import Person, Role, RoleAssignment, Town, Village

    town = Town.objects.create(name="备份镇", short_name="备份", code="bf")
    village = Village.objects.create(town=town, name="改革村")
    catalogue_install(town=town)
    campaign = Campaign.objects.get(town=town, code="five-rectifications")
    user = get_user_model().objects.create_user("writer", password="pw-writer-2026")
    person = Person.objects.create(town=town, name="写入者", user=user)
    RoleAssignment.objects.create(
        person=person, role=Role.PRINCIPAL, town=town, valid_from="2020-01-01"
    )

    def photo(n: int) -> SimpleUploadedFile:
        buffer = io.BytesIO()
        Image.new("RGB", (16, 16), (n % 256, 80, 160)).save(buffer, "JPEG")
        return SimpleUploadedFile(f"现场{n}.jpg", buffer.getvalue(), content_type="image/jpeg")

    n = 0
    while not (folder / "stop").exists() and n < 80:
        n += 1
        item = lifecycle.item_create(
            by=user,
            campaign=campaign,
            village=village,
            title=f"备份中登记的事项{n}",
            kind="action",
            source="meeting",
        )
        attachment_add(item=item, by=user, upload=photo(n))
        if n == 5:
            (folder / "ready").write_text("5")
        time.sleep(0.01)
    (folder / "written").write_text(str(n))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
