"""Notices: numbered per kind, town and year without gaps even when issued at once, and never
changed once issued (the model, the database and the download's hash check all refuse)."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from maque.petitions import lifecycle
from maque.petitions.models import Petition, PetitionNotice
from maque.petitions.notices import TamperedNoticeError, notice_docx
from tests.conftest import build_world
from tests.petitions.helpers import register


@pytest.mark.django_db(transaction=True)
def test_it_numbers_notices_issued_at_once_without_gaps():
    world = build_world()
    petitions = [register(world) for _ in range(4)]
    start = threading.Barrier(len(petitions))
    failures: list[str] = []

    def accept(pk: int) -> None:
        try:
            start.wait()
            lifecycle.petition_accept(
                petition=Petition.objects.get(pk=pk), by=world.user("principal")
            )
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(p.pk,)) for p in petitions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    numbers = sorted(PetitionNotice.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]
    # A failed issue leaves no gap: a refused action rolls its number back.
    with pytest.raises(Exception):  # noqa: B017, PT011
        lifecycle.petition_accept(petition=petitions[0], by=world.user("principal"))
    fifth = register(world)
    lifecycle.petition_accept(petition=fifth, by=world.user("principal"))
    assert PetitionNotice.objects.get(petition=fifth).number == 5


@pytest.mark.django_db
def test_it_never_changes_an_issued_notice(world):
    petition = lifecycle.petition_accept(petition=register(world), by=world.user("principal"))
    notice = petition.notices.get()
    notice.snapshot = {**notice.snapshot, "title": "改过的"}
    with pytest.raises(PermissionError):
        notice.save()
    with pytest.raises(PermissionError):
        notice.delete()
    with pytest.raises(PermissionError):
        PetitionNotice.objects.filter(pk=notice.pk).delete()
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        PetitionNotice.objects.filter(pk=notice.pk).update(code="篡改")
    stored = PetitionNotice.objects.get(pk=notice.pk)
    assert notice_docx(stored).startswith(b"PK")
    # A snapshot that no longer matches its hash is not served as the notice.
    with pytest.raises(TamperedNoticeError):
        notice_docx(notice)
