"""Exports of projects, visits, publicity and petitions: exactly the reader's scoped records, in
the township's layout, personal data masked unless the reader may see it, formulas kept as text."""

from __future__ import annotations

import pytest
from django.utils import timezone

from maque.fieldwork.catalogue import policies_of
from maque.fieldwork.services import publicity_record, visit_log
from maque.organisation.models import Household
from tests.conftest import World
from tests.petitions.helpers import ID_NUMBER, NAME, PHONE, register
from tests.sheets.helpers import cells, client_for, make_project, table

pytestmark = pytest.mark.django_db


def test_it_exports_projects_one_row_per_milestone(world: World):
    project = make_project(world, description='=HYPERLINK("http://x") 电话13912345678')
    rows = table(client_for(world, "leader").get("/api/v1/projects/export"))
    assert rows[0][0] == "蒿坪镇重点项目台账" and rows[1][:3] == ["序号", "项目编号", "项目名称"]
    body = rows[2:]
    assert [row[1] for row in body] == ["hetang", "hetang"]
    assert [row[12] for row in body] == ["清淤", "栈道"] and [row[13] for row in body] == [40, 60]
    assert body[0][8] == "衔接资金:800000；村集体自筹:400000"
    codes = set(project.milestones.values_list("item__code", flat=True))
    assert {row[19] for row in body} == codes
    # The leader's role masks personal data: the phone in the description is masked, and the
    # formula is the text itself in a text cell.
    description = cells(client_for(world, "leader").get("/api/v1/projects/export"))[2][11]
    assert description.data_type == "s" and description.value.startswith("=HYPERLINK")
    assert "139****5678" in description.value
    assert "13912345678" in str(
        table(client_for(world, "principal").get("/api/v1/projects/export"))
    )
    csv_rows = table(client_for(world, "leader").get("/api/v1/projects/export?format=csv"))
    assert [row[12] for row in csv_rows[2:]] == ["清淤", "栈道"]
    assert csv_rows[2][11].startswith("'=HYPERLINK")  # neutralised for a spreadsheet program
    assert table(client_for(world, "cadre_shuangsheng").get("/api/v1/projects/export"))[2:] == []


def test_it_exports_visits_and_publicity_of_the_readers_villages(world: World):
    zhang = Household.objects.create(village=world.gaige, head_name="张德福", address="一组12号")
    farmland = policies_of(world.town).get(code="farmland-protection")
    visit = visit_log(
        by=world.user("cadre_gaige"),
        village=world.gaige,
        purpose="publicity",
        households=[zhang],
        policies=[farmland],
        notes="+户主电话13912345678",
    )
    visit_log(by=world.user("cadre_shuangsheng"), village=world.shuangsheng, purpose="survey")
    publicity_record(
        by=world.user("secretary_gaige"),
        village=world.gaige,
        policy=farmland,
        on=timezone.localdate(),
        method="loudspeaker",
        reach=300,
    )
    rows = table(client_for(world, "secretary_gaige").get("/api/v1/field-visits/export"))
    assert rows[1][:5] == ["序号", "走访编号", "村", "走访人", "走访时间"]
    assert [row[1] for row in rows[2:]] == [visit.pk]
    row = rows[2]
    assert row[2:4] == ["改革村", "cadre_gaige"] and row[5] == "政策宣传"
    assert row[6] == f"张德福 #{zhang.pk}" and row[7] == farmland.name
    assert row[8] == "+户主电话139****5678"  # masked for a village role, and kept as text
    unmasked = table(client_for(world, "principal").get("/api/v1/field-visits/export?format=csv"))
    assert len(unmasked) == 4 and "'+户主电话13912345678" in [r[8] for r in unmasked[2:]]
    publicity = table(client_for(world, "cadre_gaige").get("/api/v1/publicity/export"))
    assert publicity[2][1] == "改革村" and publicity[2][2].date() == timezone.localdate()
    assert publicity[2][3:6] == [farmland.name, "小喇叭", 300]
    assert table(client_for(world, "cadre_shuangsheng").get("/api/v1/publicity/export"))[2:] == []


def test_it_exports_petitions_masked_unless_the_reader_may_see_them(world: World):
    petition = register(world)
    register(world, village=world.shuangsheng, owner=world.people["cadre_shuangsheng"])

    def shown(persona: str) -> list[list[object]]:
        response = client_for(world, persona).get("/api/v1/petitions/export")
        assert response.status_code == 200, persona
        return table(response)[2:]

    principal = shown("principal")
    assert len(principal) == 2
    assert principal[0][4:7] == [NAME, PHONE, ID_NUMBER] and PHONE in principal[0][7]
    assert principal[0][1] == petition.code
    for persona in ("leader", "cadre_gaige"):  # handler and owner, but roles that mask
        rows = shown(persona)
        text = str(rows)
        assert NAME not in text and PHONE not in text and ID_NUMBER not in text, persona
        assert rows[0][4] == "王**" and rows[0][5] == "139****5678"
        assert rows[0][6] == "610924********1234"
    assert [row[1] for row in shown("cadre_gaige")] == [petition.code]  # only their own
    discipline = shown("discipline")
    assert NAME in str(discipline)
    for persona in ("inspector", "outsider"):
        assert client_for(world, persona).get("/api/v1/petitions/export").status_code == 404
    assert client_for(world, None).get("/api/v1/petitions/export").status_code == 401
