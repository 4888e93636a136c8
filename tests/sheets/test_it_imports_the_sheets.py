"""Imports of topics, projects, visits and petitions: export → import gives the same records,
through each app's service (history, codes, limits); a preview writes nothing; any bad row
imports nothing and says where and why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from maque.deliberation.models import Topic, TopicSource
from maque.fieldwork.catalogue import policies_of
from maque.fieldwork.models import FieldVisit
from maque.fieldwork.services import visit_log
from maque.organisation.models import Household
from maque.petitions.models import Petition, PetitionEvent, State
from maque.projects.models import Project
from tests.conftest import World
from tests.deliberation.helpers import propose
from tests.petitions.helpers import ID_NUMBER, NAME, PHONE, register
from tests.sheets.helpers import client_for, commit, content, make_project, upload

pytestmark = pytest.mark.django_db


def exported(world: World, persona: str, path: str) -> bytes:
    response = client_for(world, persona).get(path)
    assert response.status_code == 200
    return content(response)


def preview_then_commit(persona: str, kind: str, data: bytes, name: str = "sheet.xlsx") -> dict:
    answer = upload(persona, kind, data, name)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "previewed", body["problems"]
    committed = commit(persona, body["id"])
    assert committed.status_code == 200, committed.content
    return committed.json()


def test_it_round_trips_petitions_through_the_register_service(world: World):
    original = register(world, stability=True)
    data = exported(world, "principal", "/api/v1/petitions/export")
    # The same petition again would be a duplicate: the original moves aside first.
    Petition.objects.filter(pk=original.pk).update(matter="另一件事")
    answer = upload("principal", "petitions", data)
    assert answer.json()["counts"]["new"] == 1
    assert Petition.objects.count() == 1  # a preview writes nothing
    body = commit("principal", answer.json()["id"]).json()
    assert body["status"] == "committed" and len(body["created_codes"]) == 1
    new = Petition.objects.get(code=body["created_codes"][0])
    assert (new.petitioner_name, new.petitioner_phone, new.petitioner_id_number) == (
        NAME,
        PHONE,
        ID_NUMBER,
    )
    assert (new.matter, new.village, new.owner, new.channel, new.stability) == (
        original.matter,
        original.village,
        original.owner,
        original.channel,
        True,
    )
    assert new.state == State.REGISTERED and new.received_on == original.received_on
    assert PetitionEvent.objects.filter(petition=new, via="import", action="register").exists()


def test_it_refuses_a_masked_export_and_petitions_past_registration(world: World):
    original = register(world)
    masked = exported(world, "leader", "/api/v1/petitions/export")
    Petition.objects.filter(pk=original.pk).update(matter="另一件事")
    body = upload("principal", "petitions", masked).json()
    assert body["status"] == "invalid"
    columns = {p["column"] for p in body["problems"]}
    assert {"信访人", "联系电话", "身份证号"} <= columns
    assert Petition.objects.count() == 1
    from tests.sheets.helpers import workbook

    rows = [
        ["登记日期", "信访形式", "信访人", "信访事项", "所属村", "办理状态"],
        [timezone.localdate().isoformat(), "来访", "李四", "修路", "改革村", "办理中"],
    ]
    body = upload("principal", "petitions", workbook(rows)).json()
    assert [p["column"] for p in body["problems"]] == ["办理状态"]


def test_it_round_trips_visits_as_their_visitor(world: World):
    zhang = Household.objects.create(village=world.gaige, head_name="张德福", address="一组12号")
    farmland = policies_of(world.town).get(code="farmland-protection")
    original = visit_log(
        by=world.user("cadre_gaige"),
        village=world.gaige,
        purpose="publicity",
        households=[zhang],
        policies=[farmland],
        notes="讲解耕地保护",
        visited_at=timezone.now() - timedelta(days=3),
    )
    data = exported(world, "secretary_gaige", "/api/v1/field-visits/export")
    FieldVisit.objects.filter(pk=original.pk).update(
        visited_at=original.visited_at - timedelta(days=1)
    )
    preview_then_commit("secretary_gaige", "visits", data)
    new = FieldVisit.objects.exclude(pk=original.pk).get()
    assert new.visitor == original.visitor  # the sheet's visitor, not the clerk who imported
    assert new.visited_at == original.visited_at.replace(second=0, microsecond=0)
    assert list(new.households.all()) == [zhang] and list(new.policies.all()) == [farmland]
    assert (new.purpose, new.notes, new.village) == ("publicity", "讲解耕地保护", world.gaige)
    assert new.history.first().history_change_reason == "import: log"


def test_it_round_trips_projects_with_their_milestones(world: World):
    original = make_project(world)
    data = exported(world, "leader", "/api/v1/projects/export")
    Project.objects.filter(pk=original.pk).update(code="hetang-old")
    body = preview_then_commit("leader", "projects", data)
    new = Project.objects.get(code="hetang")
    assert body["created_codes"] == ["hetang"]
    assert (new.name, new.budget_yuan, new.starts_on, new.ends_on, new.owner) == (
        original.name,
        original.budget_yuan,
        original.starts_on,
        original.ends_on,
        original.owner,
    )
    assert list(new.villages.all()) == [world.gaige]
    assert [(f.source, f.amount_yuan) for f in new.funding.all()] == [
        (f.source, f.amount_yuan) for f in original.funding.all()
    ]

    def plan(project: Project) -> list[tuple[object, ...]]:
        return [
            (m.item.title, m.weight, m.planned_start, m.planned_on, m.item.owner_id, m.item.kind)
            for m in project.milestones.select_related("item")
        ]

    assert plan(new) == plan(original) and len(plan(new)) == 2


def test_it_round_trips_topics_as_imported_proposals(world: World):
    original = propose(world, title="修缮村道", description="路面破损")
    data = exported(world, "principal", "/api/v1/topics/export?village=改革村")
    Topic.objects.filter(pk=original.pk).update(title="另一个议题")
    body = preview_then_commit("secretary_gaige", "topics", data)
    new = Topic.objects.get(code=body["created_codes"][0])
    assert new.source == TopicSource.IMPORT and new.state == "submitted"
    assert (new.title, new.description, new.concern, new.domain, new.village) == (
        "修缮村道",
        original.description,
        original.concern,
        original.domain,
        original.village,
    )
    assert (new.proposer_id, new.proposer_name, new.proposer_phone) == (
        original.proposer_id,
        original.proposer_name,
        original.proposer_phone,
    )
