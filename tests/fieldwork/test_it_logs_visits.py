"""Visits: logged by the people of the village in a step, photos and policies included; a
problem registered from a visit links both ways; publicity without a household; who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maque.api.services import token_issue
from maque.fieldwork.catalogue import policies_of
from maque.fieldwork.models import FieldVisit, PublicityRecord
from maque.fieldwork.queries import households_search, visits_of_item
from maque.fieldwork.services import publicity_record, visit_log, visit_register_item
from maque.ledger.errors import NotPermitted
from maque.organisation.models import Household
from tests.conftest import World, photo

pytestmark = pytest.mark.django_db


def households(world: World) -> list[Household]:
    return [
        Household.objects.create(village=world.gaige, head_name="张德福", address="一组12号"),
        Household.objects.create(village=world.gaige, head_name="李秀英", address="一组15号"),
    ]


def test_it_logs_a_visit_to_two_households_and_registers_a_problem_from_it(world):
    first, second = households(world)
    farmland = policies_of(world.town).get(code="farmland-protection")
    visit = visit_log(
        by=world.user("cadre_gaige"),
        village=world.gaige,
        purpose="publicity",
        households=[first, second],
        policies=[farmland],
        notes="宣传耕地保护政策，发现张家责任田撂荒",
        latitude="32.520512",
        longitude="108.537911",
        photos=[photo("visit.jpg")],
    )
    assert set(visit.households.all()) == {first, second}
    assert visit.photos.count() == 1 and farmland.plain_text
    item = visit_register_item(
        visit=visit,
        by=world.user("cadre_gaige"),
        title="张德福责任田撂荒",
        campaign=world.campaign,
        category=world.category("farmland-outflow"),
        household=first,
        attributes={
            "plot": "GG-001",
            "area_mu": "1.5",
            "current_use": "撂荒",
            "target_use": "复耕",
        },
    )
    # Linked both ways, prefilled from the visit, with the visit's photo as evidence.
    assert item.visit_link.visit == visit
    assert [link.item for link in visit.item_links.all()] == [item]
    assert (item.village, item.household) == (world.gaige, first)
    assert item.attachments.count() == 1
    assert list(visits_of_item(user=world.user("secretary_gaige"), item=item)) == [visit]
    assert [h.head_name for h in households_search(village_id=world.gaige.pk, text="15号")] == [
        "李秀英"
    ]


def test_it_refuses_bad_visits_and_outsiders(world):
    (first, _second) = households(world)
    other = Household.objects.create(village=world.shuangsheng, head_name="王五")
    with pytest.raises(NotPermitted):
        visit_log(by=world.user("cadre_shuangsheng"), village=world.gaige, purpose="survey")
    with pytest.raises(NotPermitted):
        visit_log(by=world.user("inspector"), village=world.gaige, purpose="survey")
    with pytest.raises(ValidationError) as bad:
        visit_log(
            by=world.user("cadre_gaige"),
            village=world.gaige,
            purpose="party",
            households=[first, other],
            visited_at=timezone.now() + timedelta(days=2),
            latitude="91",
            longitude="108",
        )
    assert set(bad.value.message_dict) == {"purpose", "households", "visited_at", "latitude"}
    assert not FieldVisit.objects.exists()


def test_it_shows_visits_to_the_village_and_records_publicity(world, client):
    first, second = households(world)
    visit = visit_log(
        by=world.user("cadre_gaige"), village=world.gaige, purpose="survey", households=[first]
    )
    for persona, sees in (
        ("secretary_gaige", True),
        ("principal", True),
        ("contact_gaige", True),
        ("cadre_shuangsheng", False),
        ("outsider", False),
    ):
        assert (
            FieldVisit.objects.visible_to(world.user(persona)).filter(pk=visit.pk).exists() is sees
        )
    record = publicity_record(
        by=world.user("secretary_gaige"),
        village=world.gaige,
        policy=policies_of(world.town).get(code="farmland-protection"),
        on=timezone.localdate(),
        method="loudspeaker",
        reach=300,
    )
    assert PublicityRecord.objects.visible_to(world.user("cadre_shuangsheng")).count() == 0
    token = token_issue(request=None, username="cadre_gaige", password="pw-cadre_gaige").token
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    posted = client.post(
        "/api/v1/field-visits",
        {
            "village": world.gaige.pk,
            "purpose": "publicity",
            "households": [first.pk, second.pk],
            "policies": ["industry-subsidy"],
            "notes": "讲解产业奖补申报流程",
        },
        content_type="application/json",
    )
    assert posted.status_code == 201, posted.content
    body = posted.json()
    assert [p["code"] for p in body["policies"]] == ["industry-subsidy"]
    assert client.get(f"/api/v1/field-visits/{body['id']}").status_code == 200
    listed = client.get("/api/v1/field-visits", {"village": world.gaige.pk}).json()
    assert listed["count"] == 2
    bad = client.post(
        "/api/v1/field-visits",
        {"village": world.gaige.pk, "purpose": "survey", "policies": ["nonsense"]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "policies" in bad.json()["errors"]
    assert client.get("/api/v1/publicity").json()["items"][0]["id"] == record.pk
    other = client.post(
        "/api/v1/publicity",
        {
            "village": world.shuangsheng.pk,
            "policy": "farmland-protection",
            "on": timezone.localdate().isoformat(),
            "method": "poster",
        },
        content_type="application/json",
    )
    assert other.status_code == 422  # a village the cadre does not read is unknown to them


def test_the_village_page_finds_its_households_and_links_to_them(client, world):  # noqa: ANN001
    zhang = Household.objects.create(village=world.gaige, head_name="张德福", address="一组12号")
    wang = Household.objects.create(village=world.gaige, head_name="王长贵", address="三组3号")
    other = Household.objects.create(
        village=world.shuangsheng, head_name="张德福", address="一组12号"
    )
    client.force_login(world.user("cadre_gaige"))
    page = client.get(f"/villages/{world.gaige.pk}/?hq=一组").content.decode()
    assert f'href="/households/{zhang.pk}/"' in page
    assert f'href="/households/{wang.pk}/"' not in page
    assert f'href="/households/{other.pk}/"' not in page
    page = client.get(f"/villages/{world.gaige.pk}/?hq=王长贵").content.decode()
    assert (
        f'href="/households/{wang.pk}/"' in page and f'href="/households/{zhang.pk}/"' not in page
    )
    assert client.get(f"/households/{zhang.pk}/").status_code == 200
    assert client.get(f"/villages/{world.gaige.pk}/?hq={'x' * 500}").status_code == 200


def test_a_topic_raised_from_a_visit_links_both_ways(client, world):  # noqa: ANN001
    from maque.deliberation.models import Topic
    from maque.fieldwork.models import VisitTopic

    home = Household.objects.create(village=world.gaige, head_name="张德福", address="一组12号")
    visit = visit_log(
        by=world.user("cadre_gaige"),
        village=world.gaige,
        purpose="survey",
        households=[home],
        notes="一组群众反映村道晚上没有路灯。",
        photos=[photo("lamp.jpg")],
    )
    client.force_login(world.user("cadre_gaige"))
    assert "根据本次走访提出联村共议议题" in client.get(f"/visits/{visit.pk}/").content.decode()
    before = Topic.objects.count()
    refused = client.post(f"/visits/{visit.pk}/topic/", {"title": "", "concern": "urgent"})
    assert refused.status_code == 302 and refused["Location"] == f"/visits/{visit.pk}/"
    assert Topic.objects.count() == before and not VisitTopic.objects.exists()

    response = client.post(
        f"/visits/{visit.pk}/topic/", {"title": "一组村道安装路灯", "concern": "hoped_for"}
    )
    topic = Topic.objects.get(title="一组村道安装路灯")
    assert response.status_code == 302 and response["Location"] == f"/topics/{topic.code}/"
    assert topic.village == world.gaige and topic.description == visit.notes
    assert topic.photos.count() == 1
    assert VisitTopic.objects.get().visit == visit
    assert f'href="/topics/{topic.code}/"' in client.get(f"/visits/{visit.pk}/").content.decode()
    assert f'href="/visits/{visit.pk}/"' in client.get(f"/topics/{topic.code}/").content.decode()

    # Someone who does not read the visit cannot raise a topic from it.
    client.force_login(world.user("cadre_shuangsheng"))
    assert (
        client.post(
            f"/visits/{visit.pk}/topic/", {"title": "越权", "concern": "urgent"}
        ).status_code
        == 404
    )
    assert Topic.objects.count() == before + 1
