"""Accountability cases: suggested once per key, moved on with a record, and confidential."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test import Client

from maque.accountability.models import AccountabilityCase, CaseEvent, Evidence, Rule, Status
from maque.accountability.services import accountability_suggest, case_change_status, case_open
from maque.ledger.errors import ConflictError, NotPermitted
from maque.notifications.models import Notification
from maque.organisation.models import Person, Role, RoleAssignment, Town
from tests.conftest import make_item

pytestmark = pytest.mark.django_db

HANDLERS = ("principal", "discipline")
OTHERS = (
    "leader",
    "inspector",
    "contact_gaige",
    "cadre_gaige",
    "secretary_gaige",
    "cadre_shuangsheng",
    "contact_shuangsheng",
    "outsider",
)


def suggest(world, key: str = "overdue:item:1"):  # noqa: ANN001, ANN201
    item = make_item(world)
    return accountability_suggest(
        town=world.town,
        rule=Rule.OVERDUE,
        subject_person=world.people["cadre_gaige"],
        village=world.gaige,
        items=(item,),
        key=key,
        summary="逾期15个工作日",
    )


def client_for(world, persona: str | None) -> Client:  # noqa: ANN001
    client = Client()
    if persona is not None:
        client.force_login(world.user(persona))
    return client


def test_it_suggests_once_per_key_and_tells_only_the_handlers(world):
    case = suggest(world)
    assert (case.status, case.rule, case.number) == (Status.SUGGESTED, Rule.OVERDUE, 1)
    assert case.title == "整治不及时：逾期超过时限"
    assert Evidence.objects.get(case=case).record.title == "三组撂荒地复耕"
    again = accountability_suggest(town=world.town, rule=Rule.OVERDUE, key="overdue:item:1")
    assert again.pk == case.pk
    assert AccountabilityCase.objects.count() == 1
    assert list(CaseEvent.objects.values_list("to_status", flat=True)) == [Status.SUGGESTED]
    assert set(Notification.objects.values_list("user__username", flat=True)) == set(HANDLERS)
    assert suggest(world, key="overdue:item:2").number == 2


def test_it_moves_a_case_on_with_a_record_of_each_change(world):
    case = suggest(world)
    discipline = world.user("discipline")
    case = case_change_status(case=case, by=discipline, to=Status.OPENED, note="立案核查")
    with pytest.raises(ValidationError) as refused:
        case_change_status(case=case, by=discipline, to=Status.DECIDED)
    assert set(refused.value.message_dict) == {"measure", "decision"}
    case.refresh_from_db()
    assert case.status == Status.OPENED
    case = case_change_status(
        case=case,
        by=discipline,
        to=Status.DECIDED,
        measure="admonition",
        decision="对责任人诫勉谈话",
    )
    with pytest.raises(ConflictError):
        case_change_status(case=case, by=discipline, to=Status.OPENED)
    case = case_change_status(
        case=case, by=world.user("principal"), to=Status.CLOSED, note="已谈话"
    )
    assert (case.status, case.measure) == (Status.CLOSED, "admonition")
    events = list(case.events.values_list("from_status", "to_status", "by__username"))
    assert events == [
        ("", "suggested", None),
        ("suggested", "opened", "discipline"),
        ("opened", "decided", "discipline"),
        ("decided", "closed", "principal"),
    ]
    assert case.history.count() == 4


def test_it_needs_a_reason_to_dismiss(world):
    case = suggest(world)
    with pytest.raises(ValidationError):
        case_change_status(case=case, by=world.user("discipline"), to=Status.DISMISSED)
    case = case_change_status(
        case=case, by=world.user("discipline"), to=Status.DISMISSED, note="已依规延期，不予追责"
    )
    assert case.status == Status.DISMISSED


@pytest.mark.parametrize("persona", OTHERS)
def test_it_does_not_exist_for_anyone_else_in_services(world, persona):
    case = suggest(world)
    with pytest.raises(AccountabilityCase.DoesNotExist):
        case_change_status(case=case, by=world.user(persona), to=Status.OPENED)
    with pytest.raises(NotPermitted):
        case_open(town=world.town, by=world.user(persona), title="手动立案")
    assert AccountabilityCase.objects.visible_to(world.user(persona)).count() == 0
    case.refresh_from_db()
    assert case.status == Status.SUGGESTED


@pytest.mark.parametrize("persona", [*OTHERS, None])
def test_it_answers_404_to_everyone_else_in_the_api(world, persona):
    case = suggest(world)
    client = client_for(world, persona)
    expected = 401 if persona is None else 404
    assert client.get("/api/v1/accountability").status_code == expected
    assert client.get("/api/v1/accountability", {"q": "逾期"}).status_code == expected
    assert client.get(f"/api/v1/accountability/{case.pk}").status_code == expected
    answer = client.post(
        "/api/v1/accountability", {"title": "手动立案"}, content_type="application/json"
    )
    assert answer.status_code == expected
    answer = client.post(
        f"/api/v1/accountability/{case.pk}/status",
        {"to": "opened"},
        content_type="application/json",
    )
    assert answer.status_code == expected
    # A case that exists and one that does not look the same.
    if persona is not None:
        assert (
            client.get(f"/api/v1/accountability/{case.pk}").json()
            == client.get("/api/v1/accountability/999999").json()
        )
        inbox = client.get("/api/v1/notifications").json()
        assert inbox["count"] == inbox["unread"] == 0
    assert AccountabilityCase.objects.count() == 1
    assert AccountabilityCase.objects.get().status == Status.SUGGESTED


@pytest.mark.parametrize("persona", HANDLERS)
def test_it_serves_the_handlers(world, persona):
    case = suggest(world)
    client = client_for(world, persona)
    listing = client.get("/api/v1/accountability").json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == case.pk
    assert client.get("/api/v1/accountability", {"q": "逾期"}).json()["count"] == 1
    assert client.get("/api/v1/accountability", {"status": "closed"}).json()["count"] == 0
    detail = client.get(f"/api/v1/accountability/{case.pk}").json()
    assert detail["evidence"][0]["type"] == "ledger.item"
    assert detail["events"][0]["to_status"] == "suggested"
    answer = client.post(
        f"/api/v1/accountability/{case.pk}/status",
        {"to": "opened", "note": "立案"},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "opened"
    answer = client.post(
        f"/api/v1/accountability/{case.pk}/status",
        {"to": "decided", "measure": "criticism"},
        content_type="application/json",
    )
    assert answer.status_code == 422 and "decision" in answer.json()["errors"]
    assert AccountabilityCase.objects.get().status == Status.OPENED
    inbox = client.get("/api/v1/notifications").json()
    assert inbox["results"][0]["kind"] == "accountability.suggested"


def test_it_opens_a_case_by_hand_with_evidence(world):
    item = make_item(world)
    client = client_for(world, "discipline")
    answer = client.post(
        "/api/v1/accountability",
        {
            "title": "群众反映虚报复耕面积",
            "summary": "核查中",
            "subject_person": world.people["cadre_gaige"].pk,
            "village": world.gaige.pk,
            "evidence": [{"type": "ledger.item", "id": item.pk}],
        },
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    case = AccountabilityCase.objects.get()
    assert (case.rule, case.status, case.opened_by) == (
        Rule.MANUAL,
        Status.OPENED,
        world.user("discipline"),
    )
    assert case.evidence.get().object_id == item.pk
    # Evidence must exist and be of the town; nothing is created otherwise.
    bad = client.post(
        "/api/v1/accountability",
        {
            "title": "x",
            "evidence": [{"type": "auth.user", "id": 1}, {"type": "ledger.item", "id": 999999}],
        },
        content_type="application/json",
    )
    assert bad.status_code == 422 and len(bad.json()["errors"]["evidence"]) == 2
    assert AccountabilityCase.objects.count() == 1


def test_it_keeps_towns_apart(world):
    case = suggest(world)
    other = Town.objects.create(name="洞河镇", short_name="洞河", code="dh")
    person = Person.objects.create(town=other, name="洞河纪委", user=world.users["outsider"])
    RoleAssignment.objects.create(
        person=person, role=Role.DISCIPLINE, town=other, valid_from="2020-01-01"
    )
    client = client_for(world, "outsider")
    assert client.get("/api/v1/accountability").json()["count"] == 0
    assert client.get(f"/api/v1/accountability/{case.pk}").status_code == 404
    with pytest.raises(AccountabilityCase.DoesNotExist):
        case_change_status(case=case, by=world.user("outsider"), to=Status.OPENED)


@pytest.mark.parametrize("persona", OTHERS[:-1])
def test_it_hides_cases_in_the_admin_from_other_staff(world, persona):
    case = suggest(world)
    user = world.user(persona)
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="accountability"))
    client = client_for(world, persona)
    assert client.get("/admin/accountability/accountabilitycase/").status_code == 404
    assert (
        client.get(f"/admin/accountability/accountabilitycase/{case.pk}/change/").status_code == 404
    )
    assert (
        client.get(f"/admin/accountability/accountabilitycase/{case.pk}/history/").status_code
        == 404
    )
    assert "accountability" not in client.get("/admin/").content.decode()


def test_it_shows_cases_in_the_admin_to_the_discipline_commission(world):
    case = suggest(world)
    user = world.user("discipline")
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="accountability"))
    client = client_for(world, "discipline")
    assert client.get("/admin/accountability/accountabilitycase/").status_code == 200
    assert (
        client.get(f"/admin/accountability/accountabilitycase/{case.pk}/change/").status_code == 200
    )


def test_it_suggests_many_at_once_numbered_in_order_with_history(world):
    from maque.accountability.services import Suggestion, accountability_suggest_many

    manual = case_open(town=world.town, by=world.user("discipline"), title="手工立案")
    first, second = make_item(world), make_item(world)
    existing = suggest(world, key="overdue:item:old")
    cases = accountability_suggest_many(
        town=world.town,
        suggestions=[
            Suggestion(
                rule=Rule.OVERDUE,
                key="overdue:item:a",
                subject_person=world.people["cadre_gaige"],
                evidence=(first,),
            ),
            Suggestion(
                rule=Rule.RETURNS, key="returns:item:b", village=world.gaige, evidence=(second,)
            ),
            Suggestion(rule=Rule.OVERDUE, key="overdue:item:old", evidence=(second,)),
            Suggestion(
                rule=Rule.OVERDUE, key=" overdue:item:a ", evidence=(second,)
            ),  # the same key again
        ],
    )
    assert [case.pk for case in cases][2] == existing.pk
    assert cases[0].pk == cases[3].pk
    assert [cases[0].number, cases[1].number] == [manual.number + 2, manual.number + 3]
    assert cases[1].title == "整改不到位：多次验收退回"
    assert AccountabilityCase.objects.count() == 4
    # Both records of the repeated key, and the new evidence of the existing case.
    assert set(Evidence.objects.filter(case=cases[0]).values_list("object_id", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert Evidence.objects.filter(case=existing).count() == 2
    history = AccountabilityCase.history.model.objects  # type: ignore[attr-defined]
    assert history.filter(id__in=[cases[0].pk, cases[1].pk], history_type="+").count() == 2
    assert CaseEvent.objects.filter(case__in=cases[:2], to_status=Status.SUGGESTED).count() == 2
    for case in cases[:2]:
        assert set(
            Notification.objects.filter(key=f"accountability.suggested:{case.pk}").values_list(
                "user__username", flat=True
            )
        ) == set(HANDLERS)
    with pytest.raises(ValidationError):
        accountability_suggest_many(
            town=world.town, suggestions=[Suggestion(rule="nonsense", key="x")]
        )
    assert AccountabilityCase.objects.count() == 4
