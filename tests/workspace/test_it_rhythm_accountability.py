"""Accountability (问责) in the workspace: the discipline commission and the principal leaders see
cases and move them on; to every other persona the screens, the links and the cases do not exist."""

from __future__ import annotations

import pytest

from maque.accountability.models import AccountabilityCase, CaseEvent, Measure, Status
from maque.accountability.services import accountability_suggest
from maque.notifications.models import Notification
from tests.conftest import make_item

ALLOWED = ["discipline", "principal"]
OTHERS = [
    "leader",
    "inspector",
    "contact_gaige",
    "cadre_gaige",
    "secretary_gaige",
    "cadre_shuangsheng",
    "contact_shuangsheng",
    "outsider",
]


def signed_in(client, world, persona):  # noqa: ANN001, ANN201
    client.force_login(world.user(persona))
    return client


@pytest.fixture
def case(world):  # noqa: ANN001, ANN201
    item = make_item(world, title="逾期十五天的复耕")
    return accountability_suggest(
        town=world.town,
        rule="overdue",
        subject_person=world.people["cadre_gaige"],
        village=world.gaige,
        items=[item],
        key=f"overdue:{item.pk}",
        summary="逾期15天未整改",
    )


@pytest.mark.parametrize("persona", ALLOWED)
def test_it_shows_cases_to_the_discipline_commission_and_principal(client, world, case, persona):  # noqa: ANN001
    client = signed_in(client, world, persona)
    home = client.get("/").content.decode()
    assert 'href="/accountability/"' in home
    listing = client.get("/accountability/").content.decode()
    assert f"#{case.number} {case.title}" in listing and "cadre_gaige" in listing
    detail = client.get(f"/accountability/{case.pk}/")
    page = detail.content.decode()
    assert detail.status_code == 200
    assert "逾期15天未整改" in page and "逾期十五天的复耕" in page
    item = case.evidence.get().object_id
    assert f'href="/items/{item}/"' in page


@pytest.mark.parametrize("persona", OTHERS)
def test_it_answers_404_to_everyone_else_everywhere(client, world, case, persona):  # noqa: ANN001
    client = signed_in(client, world, persona)
    assert 'href="/accountability/"' not in client.get("/").content.decode()
    assert client.get("/accountability/").status_code == 404
    assert client.get(f"/accountability/{case.pk}/").status_code == 404
    assert client.get(f"/accountability/{case.pk + 1000}/").status_code == 404
    response = client.post(
        f"/accountability/{case.pk}/status/", {"to": Status.DISMISSED, "note": "不予追究"}
    )
    assert response.status_code == 404
    assert client.get("/accountability/new/").status_code == 404
    assert client.post("/accountability/new/", {"title": "线索"}).status_code == 404
    assert AccountabilityCase.objects.count() == 1
    case.refresh_from_db()
    assert case.status == Status.SUGGESTED
    # Nor does the inbox give a hint.
    assert case.title not in client.get("/inbox/").content.decode()
    assert not Notification.objects.filter(
        user=world.user(persona), kind__startswith="accountability"
    ).exists()


def test_it_asks_anonymous_users_to_sign_in_without_revealing_anything(client, case):  # noqa: ANN001
    response = client.get(f"/accountability/{case.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_it_filters_the_case_list(client, world, case):  # noqa: ANN001
    other = accountability_suggest(
        town=world.town, rule="false_close_out", village=world.shuangsheng, key="x:1"
    )
    client = signed_in(client, world, "discipline")
    page = client.get("/accountability/", {"rule": "false_close_out"}).content.decode()
    assert other.title in page and "逾期15天" not in page
    page = client.get("/accountability/", {"village": world.gaige.pk}).content.decode()
    assert f"#{case.number} " in page and f"#{other.number} " not in page


def test_it_moves_a_case_on_through_the_service_and_refuses_bad_input(client, world, case):  # noqa: ANN001
    client = signed_in(client, world, "discipline")
    url = f"/accountability/{case.pk}/status/"
    assert client.post(url, {"to": Status.OPENED}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.OPENED and case.opened_by == world.user("discipline")
    # Deciding needs a measure and the decision; nothing changes without them.
    response = client.post(url, {"to": Status.DECIDED, "decision": ""})
    page = response.content.decode()
    assert response.status_code == 422 and "请选择问责方式" in page
    case.refresh_from_db()
    assert case.status == Status.OPENED and case.measure == ""
    # A status the case cannot reach is not a choice.
    response = client.post(url, {"to": Status.CLOSED})
    assert response.status_code == 422 and "选择一个有效的选项" in response.content.decode()
    client.post(
        url,
        {
            "to": Status.DECIDED,
            "measure": Measure.REMINDER_TALK,
            "decision": "由镇纪委书记提醒谈话",
        },
    )
    case.refresh_from_db()
    assert case.status == Status.DECIDED and case.measure == Measure.REMINDER_TALK
    assert list(CaseEvent.objects.filter(case=case).values_list("to_status", flat=True)) == [
        Status.SUGGESTED,
        Status.OPENED,
        Status.DECIDED,
    ]
    page = client.get(f"/accountability/{case.pk}/").content.decode()
    assert "提醒谈话" in page and "由镇纪委书记提醒谈话" in page


def test_it_lets_the_principal_dismiss_with_a_reason_only(client, world, case):  # noqa: ANN001
    client = signed_in(client, world, "principal")
    url = f"/accountability/{case.pk}/status/"
    assert client.post(url, {"to": Status.DISMISSED, "note": ""}).status_code == 422
    assert AccountabilityCase.objects.get(pk=case.pk).status == Status.SUGGESTED
    client.post(url, {"to": Status.DISMISSED, "note": "已按期整改，不予追究"})
    assert AccountabilityCase.objects.get(pk=case.pk).status == Status.DISMISSED


def test_it_opens_a_case_by_hand_and_refuses_a_case_without_title(client, world):  # noqa: ANN001
    client = signed_in(client, world, "discipline")
    assert "/accountability/new/" in client.get("/accountability/").content.decode()
    response = client.post("/accountability/new/", {"title": "", "summary": "群众反映"})
    assert response.status_code == 422 and "这个字段是必填项" in response.content.decode()
    assert not AccountabilityCase.objects.exists()
    response = client.post(
        "/accountability/new/",
        {
            "title": "群众反映虚报复耕面积",
            "summary": "村民来信反映",
            "subject_person": world.people["cadre_gaige"].pk,
            "village": world.gaige.pk,
        },
    )
    case = AccountabilityCase.objects.get()
    assert response["Location"] == f"/accountability/{case.pk}/"
    assert (
        case.status == Status.OPENED
        and case.rule == "manual"
        and case.opened_by == world.user("discipline")
    )
    assert case.subject_person == world.people["cadre_gaige"] and case.village == world.gaige


def test_it_follows_a_case_notification_from_the_inbox(client, world, case):  # noqa: ANN001
    client = signed_in(client, world, "discipline")
    notification = Notification.objects.get(
        user=world.user("discipline"), kind="accountability.suggested"
    )
    response = client.get(f"/inbox/{notification.pk}/", follow=True)
    assert response.status_code == 200 and response.context["case"] == case
