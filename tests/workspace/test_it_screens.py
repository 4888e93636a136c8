"""The workspace screens with the personas of `tests/conftest.py`: what each one sees and may do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from maque.ledger import lifecycle
from maque.ledger.models import Item, ProgressLog, State, Transition
from maque.organisation.models import Plot
from tests.conftest import add_evidence, drive_to_closed, drive_to_submitted, make_item, photo

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[108.5, 32.5], [108.501, 32.5], [108.501, 32.501], [108.5, 32.501], [108.5, 32.5]]
    ],
}


def signed_in(client, world, persona):  # noqa: ANN001, ANN201
    client.force_login(world.user(persona))
    return client


def test_it_sends_anonymous_users_to_sign_in(client, db):  # noqa: ANN001
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_home_shows_a_cadre_their_own_items_by_light_with_the_return_reason(client, world):  # noqa: ANN001
    item = drive_to_submitted(world, make_item(world, title="二组撂荒地"))
    lifecycle.item_return(item=item, by=world.user("contact_gaige"), reason="照片看不出已复耕")
    make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng, title="别村的事")
    page = signed_in(client, world, "cadre_gaige").get("/").content.decode()
    assert "二组撂荒地" in page
    assert "照片看不出已复耕" in page
    assert "别村的事" not in page


def test_it_home_shows_a_contact_leader_what_waits_for_verification(client, world):  # noqa: ANN001
    drive_to_submitted(world, make_item(world, title="待验收的事项"))
    make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng, title="双胜村的事")
    response = signed_in(client, world, "contact_gaige").get("/")
    page = response.content.decode()
    assert "待验收的事项" in page
    assert "双胜村的事" not in page
    villages = response.context["contact"]["villages"]
    assert [(v.name, v.submitted) for v in villages] == [("改革村", 1)]


def test_it_home_gives_the_principal_the_town_table_and_chart_data(
    client, world, django_assert_max_num_queries
):  # noqa: ANN001
    drive_to_closed(world, make_item(world))
    make_item(
        world, deadline=timezone.localdate(), found_on=timezone.localdate() - timedelta(days=5)
    )
    make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng)
    client = signed_in(client, world, "principal")
    client.get("/")  # warm the per-user caches
    # The town's figures, and first what waits for the principal: a bounded number of queries.
    with django_assert_max_num_queries(26):
        response = client.get("/")
    town = response.context["town"]
    rows = {v.name: v for v in town["villages"]}
    assert (
        rows["改革村"].total == 2
        and rows["改革村"].closed == 1
        and rows["改革村"].closure_rate == 50.0
    )
    assert rows["双胜村"].total == 1 and rows["双胜村"].closed == 0
    assert sum(town["charts"]["trend"]["closed"]) == 1
    assert town["charts"]["campaigns"][0]["total"] == 3
    assert b'id="chart-data"' in response.content
    assert b"echarts.common.min.js" in response.content


def test_it_filters_the_ledger_and_returns_only_the_table_to_htmx(client, world):  # noqa: ANN001
    make_item(world, title="甲地块撂荒")
    make_item(world, title="乙地块撂荒")
    make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng, title="双胜村撂荒")
    client = signed_in(client, world, "principal")
    full = client.get("/ledger/", {"q": "甲"})
    assert b"<html" in full.content and "甲地块撂荒" in full.content.decode()
    assert "乙地块撂荒" not in full.content.decode()
    fragment = client.get("/ledger/", {"village": world.shuangsheng.pk}, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "<html" not in body and 'id="ledger-table"' in body
    assert "双胜村撂荒" in body and "甲地块撂荒" not in body


def test_it_ledger_of_a_cadre_never_shows_another_village(client, world):  # noqa: ANN001
    make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng, title="双胜村撂荒")
    page = (
        signed_in(client, world, "cadre_gaige")
        .get("/ledger/", {"village": world.shuangsheng.pk})
        .content.decode()
    )
    assert "双胜村撂荒" not in page


def test_it_bulk_assigns_an_owner_through_the_lifecycle(client, world):  # noqa: ANN001
    first, second = make_item(world), make_item(world)
    other = make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng)
    new_owner = world.people["secretary_gaige"]
    response = signed_in(client, world, "contact_gaige").post(
        "/ledger/bulk/",
        {
            "items": [first.pk, second.pk, other.pk],
            "operation": "owner",
            "owner": new_owner.pk,
            "next": "/ledger/?state=found",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/ledger/?state=found"
    assert set(Item.objects.filter(owner=new_owner).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    other.refresh_from_db()
    assert other.owner == world.people["cadre_shuangsheng"]
    assert Item.history.filter(id=first.pk, owner=new_owner).exists()


def test_it_refuses_bulk_changes_by_a_cadre_with_a_message(client, world):  # noqa: ANN001
    item = make_item(world)
    later = item.deadline + timedelta(days=30)  # a sane deadline: refused for the role alone
    response = signed_in(client, world, "cadre_gaige").post(
        "/ledger/bulk/",
        {"items": [item.pk], "operation": "deadline", "deadline": str(later)},
        follow=True,
    )
    item.refresh_from_db()
    assert item.deadline != later
    assert any(item.code in str(m) for m in response.context["messages"])


def test_it_item_page_offers_exactly_the_available_actions(client, world):  # noqa: ANN001
    item = drive_to_submitted(world, make_item(world))
    cadre_page = signed_in(client, world, "cadre_gaige").get(f"/items/{item.pk}/")
    assert [
        form.action for form in cadre_page.context["action_forms"]
    ] == lifecycle.available_actions(world.user("cadre_gaige"), item)
    assert b'data-action="verify"' not in cadre_page.content
    client.logout()
    leader_page = signed_in(client, world, "contact_gaige").get(f"/items/{item.pk}/")
    assert b'data-action="verify"' in leader_page.content


def test_it_a_cadre_of_another_village_gets_404(client, world):  # noqa: ANN001
    item = make_item(world)
    evidence = add_evidence(world, item)
    client = signed_in(client, world, "cadre_shuangsheng")
    assert client.get(f"/items/{item.pk}/").status_code == 404
    assert (
        client.post(f"/items/{item.pk}/act/start/", {"start-version": item.version}).status_code
        == 404
    )
    assert client.get(f"/files/{evidence.pk}/").status_code == 404
    assert client.get(f"/files/{evidence.pk}/thumb/").status_code == 404
    assert client.get(f"/villages/{world.gaige.pk}/").status_code == 404
    item.refresh_from_db()
    assert item.state == State.FOUND


def test_it_verifying_without_a_note_shows_the_message_next_to_the_field(client, world):  # noqa: ANN001
    item = drive_to_submitted(world, make_item(world))
    response = signed_in(client, world, "contact_gaige").post(
        f"/items/{item.pk}/act/verify/", {"verify-version": item.version, "verify-note": " "}
    )
    assert response.status_code == 422
    assert b'id="verify-note-errors"' in response.content
    item.refresh_from_db()
    assert item.state == State.SUBMITTED


def test_it_verifies_through_the_page_and_shows_the_timeline(client, world):  # noqa: ANN001
    item = drive_to_submitted(world, make_item(world))
    client = signed_in(client, world, "contact_gaige")
    response = client.post(
        f"/items/{item.pk}/act/verify/",
        {"verify-version": item.version, "verify-note": "现场核查，已复耕"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.CLOSED and item.verified_by == world.people["contact_gaige"]
    assert Transition.objects.get(item=item, action="verify").via == "web"
    page = client.get(f"/items/{item.pk}/").content.decode()
    assert "现场核查，已复耕" in page


def test_it_a_stale_version_is_a_clear_conflict_and_changes_nothing(client, world):  # noqa: ANN001
    item = make_item(world)
    client = signed_in(client, world, "cadre_gaige")
    response = client.post(
        f"/items/{item.pk}/act/start/", {"start-version": item.version + 5}, follow=True
    )
    item.refresh_from_db()
    assert item.state == State.FOUND
    assert any(
        "Reload" in str(m) or "刷新" in str(m) or "重新" in str(m)
        for m in response.context["messages"]
    )


def test_it_logs_progress_with_a_photo(client, world):  # noqa: ANN001
    item = lifecycle.item_start(item=make_item(world), by=world.user("cadre_gaige"))
    response = signed_in(client, world, "cadre_gaige").post(
        f"/items/{item.pk}/progress/",
        {"text": "已翻耕一半", "percent": "50", "files": [photo("field.jpg")]},
    )
    assert response.status_code == 302
    log = ProgressLog.objects.get(item=item)
    assert log.text == "已翻耕一半" and log.percent == 50
    assert log.attachments.get().original_name == "field.jpg"
    thumb = client.get(f"/files/{log.attachments.get().pk}/thumb/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"


def test_it_rejects_a_fake_photo_next_to_the_field(client, world):  # noqa: ANN001
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = lifecycle.item_start(item=make_item(world), by=world.user("cadre_gaige"))
    fake = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    response = signed_in(client, world, "cadre_gaige").post(
        f"/items/{item.pk}/progress/", {"text": "进展", "files": [fake]}
    )
    assert response.status_code == 422
    assert b'id="files-errors"' in response.content
    assert not ProgressLog.objects.filter(item=item).exists()


def test_it_registers_an_item_with_category_fields_and_a_photo(client, world):  # noqa: ANN001
    category = world.category("farmland-outflow")
    client = signed_in(client, world, "cadre_gaige")
    form_page = client.get(
        "/register/", {"category": category.pk, "village": world.gaige.pk}, HTTP_HX_REQUEST="true"
    )
    assert (
        b'name="attr_area_mu"' in form_page.content
        and b'capture="environment"' in form_page.content
    )
    response = client.post(
        "/register/",
        {
            "category": category.pk,
            "village": world.gaige.pk,
            "title": "四组撂荒地",
            "attr_plot": "GG-001",
            "attr_area_mu": "1.5",
            "attr_current_use": "撂荒",
            "attr_target_use": "复耕",
            "photo": photo("scene.jpg"),
        },
    )
    item = Item.objects.get(title="四组撂荒地")
    assert response.status_code == 302 and response["Location"] == f"/items/{item.pk}/"
    assert item.attributes["area_mu"] == "1.5" and item.plot == world.plots["gaige"]
    assert item.attachments.get().original_name == "scene.jpg"
    assert Transition.objects.get(item=item, action="create").via == "web"


def test_it_registration_errors_stand_next_to_their_fields_and_nothing_is_saved(client, world):  # noqa: ANN001
    category = world.category("farmland-outflow")
    response = signed_in(client, world, "cadre_gaige").post(
        "/register/",
        {
            "category": category.pk,
            "village": world.gaige.pk,
            "title": "缺字段",
            "attr_plot": "GG-001",
            "attr_area_mu": "abc",
            "attr_current_use": "撂荒",
            "attr_target_use": "复耕",
        },
    )
    assert response.status_code == 422
    assert b'id="attr_area_mu-errors"' in response.content
    assert not Item.objects.filter(title="缺字段").exists()


def test_it_a_cadre_cannot_register_in_another_village(client, world):  # noqa: ANN001
    category = world.category("farmland-outflow")
    response = signed_in(client, world, "cadre_gaige").post(
        "/register/",
        {
            "category": category.pk,
            "village": world.shuangsheng.pk,
            "title": "越权登记",
            "attr_plot": "SS-001",
            "attr_area_mu": "1",
            "attr_current_use": "撂荒",
            "attr_target_use": "复耕",
        },
    )
    assert response.status_code == 422
    assert not Item.objects.filter(title="越权登记").exists()


def test_it_village_page_shows_the_grid_with_phones_to_call_and_plots(client, world):  # noqa: ANN001
    Plot.objects.filter(pk=world.plots["gaige"].pk).update(polygon=SQUARE)
    make_item(world, plot=world.plots["gaige"])
    response = signed_in(client, world, "contact_gaige").get(f"/villages/{world.gaige.pk}/")
    page = response.content.decode()
    assert "contact_gaige" in page and "cadre_gaige" in page
    # The duty roster is for calling colleagues: their work phones are not masked.
    assert 'href="tel:13800001234"' in page and "138****1234" not in page
    assert '<svg class="plot-map"' in page and 'class="hl"' in page


@pytest.mark.parametrize(
    "persona", ["principal", "inspector", "contact_gaige", "cadre_gaige", "discipline"]
)
def test_it_every_main_page_renders_for_every_persona(client, world, persona):  # noqa: ANN001
    item = drive_to_closed(world, make_item(world))
    client = signed_in(client, world, persona)
    for url in (
        "/",
        "/ledger/",
        "/register/",
        "/villages/",
        f"/villages/{world.gaige.pk}/",
        f"/items/{item.pk}/",
        reverse("workspace:password_change"),
    ):
        assert client.get(url).status_code == 200, url


def test_it_ledger_and_item_pages_take_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):  # noqa: ANN001
    items = [make_item(world, title=f"事项{n}") for n in range(30)]
    drive_to_closed(world, items[0])
    client = signed_in(client, world, "principal")
    client.get("/ledger/")
    with django_assert_max_num_queries(15):
        page = client.get("/ledger/", {"sort": "deadline"})
    assert len(page.context["page"].object_list) == 25
    with django_assert_max_num_queries(15):
        client.get("/ledger/", {"page": 2}, HTTP_HX_REQUEST="true")
    with django_assert_max_num_queries(25):
        client.get(f"/items/{items[0].pk}/")


def test_it_ledger_filters_by_light_overdue_and_due_dates(client, world, today):  # noqa: ANN001
    late = make_item(
        world,
        title="逾期事项",
        found_on=today - timedelta(days=20),
        deadline=today - timedelta(days=2),
    )
    make_item(world, title="远期事项", deadline=today + timedelta(days=50))
    client = signed_in(client, world, "principal")
    overdue = client.get("/ledger/", {"overdue": "yes"}).context["page"].object_list
    assert [item.pk for item in overdue] == [late.pk]
    red = client.get("/ledger/", {"light": "red"}).context["page"].object_list
    assert [item.pk for item in red] == [late.pk]
    due = (
        client.get("/ledger/", {"due_after": (today + timedelta(days=40)).isoformat()})
        .context["page"]
        .object_list
    )
    assert [item.title for item in due] == ["远期事项"]


def test_it_a_requested_extension_waits_on_the_leaders_home_and_is_approved_from_the_item_page(
    client, world, today
):  # noqa: ANN001
    item = lifecycle.item_start(
        item=make_item(world, title="要延期的事项"), by=world.user("cadre_gaige")
    )
    cadre = signed_in(client, world, "cadre_gaige")
    new_deadline = item.deadline + timedelta(days=30)
    cadre.post(
        f"/items/{item.pk}/act/extend/",
        {
            "extend-version": item.version,
            "extend-new_deadline": new_deadline.isoformat(),
            "extend-reason": "等雨季过后复耕",
        },
    )
    item.refresh_from_db()
    assert item.requests.get().reason == "等雨季过后复耕" and item.deadline != new_deadline
    client.logout()
    leader = signed_in(client, world, "contact_gaige")
    home = leader.get("/").content.decode()
    assert "要延期的事项" in home and "申请延期" in home
    page = leader.get(f"/items/{item.pk}/")
    assert "approve_extension" in [form.action for form in page.context["action_forms"]]
    leader.post(
        f"/items/{item.pk}/act/approve_extension/", {"approve_extension-version": item.version}
    )
    item.refresh_from_db()
    assert item.deadline == new_deadline and item.original_deadline != new_deadline


def test_it_item_page_has_one_primary_action_and_groups_the_rest(client, world):  # noqa: ANN001
    item = make_item(world)
    page = signed_in(client, world, "principal").get(f"/items/{item.pk}/")
    assert page.context["primary_form"].action == "start"
    assert [form.action for form in page.context["more_forms"]] == ["cancel", "suspend", "extend"]
    html = page.content.decode()
    assert html.count("data-more-actions") == 1 and "更多操作" in html
    assert "approve_extension" not in html and "reject_suspension" not in html
