"""The admin lists the rhythm's records, read-only where they are issued, and never deletes them."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from maque.bulletins.models import Bulletin
from maque.bulletins.services import bulletin_issue
from maque.meetings.models import Meeting
from maque.supervision.services import round_open


def test_it_shows_bulletins_read_only_and_lists_the_other_records(world, client):
    bulletin = bulletin_issue(town=world.town)
    round_open(town=world.town)
    admin = get_user_model().objects.create_superuser("root", password="pw-root-123456")
    client.force_login(admin)
    for url in (
        "/admin/bulletins/bulletin/",
        "/admin/meetings/meeting/",
        "/admin/supervision/inspectionround/",
        "/admin/supervision/inspectionfinding/",
        "/admin/supervision/review/",
        "/admin/supervision/scoringscheme/",
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/admin/bulletins/bulletin/{bulletin.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert (
        client.post(f"/admin/bulletins/bulletin/{bulletin.pk}/change/", {"title": "改"}).status_code
        == 403
    )
    assert client.get(f"/admin/bulletins/bulletin/{bulletin.pk}/delete/").status_code == 403
    assert client.get("/admin/bulletins/bulletin/add/").status_code == 403
    assert Bulletin.objects.get(pk=bulletin.pk).title == bulletin.title
    assert (
        client.get("/admin/meetings/meeting/add/").status_code == 200
        and not Meeting.objects.exists()
    )
