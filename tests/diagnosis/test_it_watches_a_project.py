"""A project's watch-list entry names its project (issue 13): the rules that flag a project set
it, the API shows it and the entry's page links the project's page."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from maque.diagnosis.models import Subject, WatchEntry
from maque.diagnosis.services import entries_propose
from maque.organisation.models import Village
from maque.projects.models import Project
from maque.projects.queries import rule_rows
from tests.projects.test_it_measures_progress_against_plan import post_project

from .test_it_picks_the_typical_sparrow import at, snap_town


def test_the_rules_flag_a_project_behind_plan_and_its_entry_names_it(world) -> None:  # noqa: ANN001
    assert post_project(world).status_code == 201
    project = Project.objects.get(code="hetang")
    today = timezone.localdate()
    world.villages = list(Village.objects.filter(town=world.town, active=True))
    snap_town(world, today)
    assert entries_propose(town=world.town, now=at(today), projects=rule_rows) == 1
    entry = WatchEntry.objects.get()
    assert entry.subject == Subject.PROJECT and entry.project == project
    assert entry.subject_key == f"project:{project.pk}"
    assert {reason["rule"] for reason in entry.reasons} >= {"project_behind"}

    client = Client()
    client.force_login(world.user("principal"))
    shown = client.get(f"/api/v1/watchlist/{entry.pk}").json()
    assert shown["project"] == {"code": "hetang", "name": "荷塘园区建设"}
    assert shown["subject_label"] == "荷塘园区建设"
    listed = client.get("/api/v1/watchlist").json()["items"]
    assert listed[0]["project"]["code"] == "hetang"
    page = client.get(f"/watchlist/{entry.pk}/").content.decode()
    assert 'href="/projects/hetang/"' in page
