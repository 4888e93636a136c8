"""The petition screens (信访): the register, the register form, a petition's page with its
actions and notices — shown only to the roles that may read petitions, limits in calendar days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from maque.petitions.lifecycle import petition_accept
from maque.petitions.models import Petition, PetitionNotice, State
from tests.petitions.helpers import ID_NUMBER, NAME, PHONE, register

READERS = {"principal", "leader", "discipline"}
NOT_READERS = {
    "leader_projects",
    "inspector",
    "contact_gaige",
    "secretary_gaige",
    "cadre_shuangsheng",
    "contact_shuangsheng",
    "outsider",
}


@pytest.mark.parametrize("persona", sorted(READERS | NOT_READERS | {"cadre_gaige"}))
def test_it_links_the_register_only_for_those_who_read_petitions(client, world, persona):  # noqa: ANN001
    register(world)  # assigned to cadre_gaige
    client.force_login(world.user(persona))
    page = client.get("/").content.decode()
    shown = 'href="/petitions/"' in page
    assert shown == (persona in READERS or persona == "cadre_gaige")
    status = client.get("/petitions/").status_code
    assert status == (200 if shown else 404)


def test_a_cadre_sees_only_the_petitions_assigned_to_them(client, world):  # noqa: ANN001
    mine = register(world)
    other = register(world, owner=world.people["secretary_gaige"])
    client.force_login(world.user("cadre_gaige"))
    page = client.get("/petitions/").content.decode()
    assert mine.code in page and other.code not in page
    assert client.get(f"/petitions/{other.code}/").status_code == 404
    assert client.get(f"/petitions/{mine.code}/").status_code == 200
    assert client.get("/petitions/new/").status_code == 404


def test_the_register_masks_personal_data_and_says_calendar_days(client, world):  # noqa: ANN001
    petition = register(world)
    client.force_login(world.user("principal"))
    page = client.get("/petitions/").content.decode()
    assert petition.code in page
    for secret in (NAME, PHONE, ID_NUMBER):
        assert secret not in page
    assert "自然日" in page
    detail = client.get(f"/petitions/{petition.code}/").content.decode()
    assert NAME in detail and PHONE in detail and ID_NUMBER in detail
    assert "自然日" in detail
    assert "自然日" in client.get("/petitions/new/").content.decode()


def test_it_filters_by_state_village_and_overdue(client, world):  # noqa: ANN001
    today = timezone.localdate()
    late = register(world, received_on=today - timedelta(days=16))
    fresh = register(world, village=world.shuangsheng)
    accepted = petition_accept(petition=register(world), by=world.user("principal"))
    client.force_login(world.user("principal"))

    def codes(query: str) -> set[str]:
        page = client.get(f"/petitions/?{query}").content.decode()
        return {p.code for p in (late, fresh, accepted) if p.code in page}

    assert codes("overdue=yes") == {late.code}
    assert codes("overdue=no") == {fresh.code, accepted.code}
    assert codes(f"village={world.shuangsheng.pk}") == {fresh.code}
    assert codes("state=accepted") == {accepted.code}
    assert "已超期1日（自然日）" in client.get("/petitions/?overdue=yes").content.decode()
    assert client.get("/petitions/?state=bogus&village=abc&overdue=x&page=zz").status_code == 200


def test_it_registers_from_the_form_and_refuses_bad_input_in_words(client, world):  # noqa: ANN001
    client.force_login(world.user("leader"))
    before = Petition.objects.count()
    response = client.post(
        "/petitions/new/",
        {
            "town": world.town.pk,
            "channel": "visit",
            "received_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "petitioner_name": "李四",
            "petitioner_id_number": "12345",
            "matter": "道路损毁",
        },
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "身份证号为18位" in text and "收到日期不能晚于今天" in text
    assert Petition.objects.count() == before
    response = client.post(
        "/petitions/new/",
        {
            "town": world.town.pk,
            "channel": "visit",
            "received_on": timezone.localdate().isoformat(),
            "petitioner_name": "李四",
            "matter": "道路损毁",
            "village": world.gaige.pk,
            "owner": world.people["cadre_gaige"].pk,
        },
    )
    created = Petition.objects.latest("id")
    assert response.status_code == 302 and response["Location"] == f"/petitions/{created.code}/"
    assert created.owner == world.people["cadre_gaige"] and created.state == State.REGISTERED


def test_it_offers_the_lifecycles_actions_and_issues_their_notices(client, world):  # noqa: ANN001
    petition = register(world)
    client.force_login(world.user("principal"))
    page = client.get(f"/petitions/{petition.code}/").content.decode()
    assert f"/petitions/{petition.code}/act/accept/" in page
    assert f"/petitions/{petition.code}/act/reply/" not in page
    response = client.post(
        f"/petitions/{petition.code}/act/accept/", {"accept-version": petition.version}
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.state == State.ACCEPTED
    notice = PetitionNotice.objects.get(petition=petition)
    page = client.get(f"/petitions/{petition.code}/").content.decode()
    assert notice.code in page
    download = client.get(f"/petitions/{petition.code}/notices/{notice.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert download.content[:2] == b"PK"
    # A stale version asks to reload and changes nothing.
    response = client.post(
        f"/petitions/{petition.code}/act/extend/",
        {"extend-version": 1, "extend-days": 10, "extend-reason": "需现场勘查"},
    )
    assert response.status_code == 409
    petition.refresh_from_db()
    assert petition.extension_days == 0


def test_the_owner_is_refused_in_words_what_the_lifecycle_refuses(client, world):  # noqa: ANN001
    petition = petition_accept(petition=register(world), by=world.user("principal"))
    client.force_login(world.user("cadre_gaige"))
    page = client.get(f"/petitions/{petition.code}/").content.decode()
    assert f"/petitions/{petition.code}/act/reply/" in page
    assert f"/petitions/{petition.code}/act/extend/" not in page
    response = client.post(
        f"/petitions/{petition.code}/act/extend/",
        {"extend-version": petition.version, "extend-days": 10, "extend-reason": "自己批"},
        follow=True,
    )
    assert "您不能对该信访件执行“延长办理期限”" in response.content.decode()
    petition.refresh_from_db()
    assert petition.extension_days == 0
    response = client.post(
        f"/petitions/{petition.code}/act/reply/",
        {"reply-version": petition.version, "reply-reply": ""},
    )
    assert response.status_code == 422 and "必填" in response.content.decode()
    response = client.post(
        f"/petitions/{petition.code}/act/reply/",
        {"reply-version": petition.version, "reply-reply": "已协调村委会重新勘界。"},
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.state == State.REPLIED


def test_the_form_takes_a_household_of_the_chosen_village_only(client, world):  # noqa: ANN001
    from maque.organisation.models import Household

    ours = Household.objects.create(village=world.gaige, head_name="王大有", address="三组12号")
    theirs = Household.objects.create(village=world.shuangsheng, head_name="陈二妹")
    client.force_login(world.user("leader"))
    blank = client.get("/petitions/new/").content.decode()
    assert "请先选择村" in blank and "王大有" not in blank and "陈二妹" not in blank
    # Choosing the village draws the form again (htmx GET) with what was typed kept.
    chosen = client.get(
        "/petitions/new/",
        {"village": world.gaige.pk, "petitioner_name": "李四", "matter": "道路损毁"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert f'<option value="{ours.pk}">王大有（三组12号）</option>' in chosen
    assert "陈二妹" not in chosen and 'value="李四"' in chosen and "道路损毁" in chosen
    fields = {
        "town": world.town.pk,
        "channel": "visit",
        "received_on": timezone.localdate().isoformat(),
        "petitioner_name": "李四",
        "matter": "道路损毁",
        "village": world.gaige.pk,
    }
    before = Petition.objects.count()
    refused = client.post("/petitions/new/", {**fields, "household": theirs.pk})
    assert refused.status_code == 422 and Petition.objects.count() == before
    assert "王大有" in refused.content.decode()  # the choices stay the chosen village's
    response = client.post("/petitions/new/", {**fields, "household": ours.pk})
    assert response.status_code == 302
    assert Petition.objects.latest("id").household == ours
