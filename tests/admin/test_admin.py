"""Every admin screen renders for a superuser, none deletes, and lifecycle fields stay read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from maque.ledger.models import Item, ItemCounter, ItemRequest, ProgressLog, State, Transition
from maque.organisation.models import Plot, RoleAssignment

from ..conftest import drive_to_closed, make_item

# Created only through their own services (the lifecycle issues item codes); the admin reads them.
ADD_REFUSED = {Item, Transition, ProgressLog, ItemRequest, ItemCounter}


@pytest.fixture
def superuser(db):  # noqa: ANN001, ANN201
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw-root")


@pytest.fixture
def staff(client, superuser):  # noqa: ANN001, ANN201
    client.force_login(superuser)
    return client


def _url(model, view: str, *args) -> str:  # noqa: ANN001
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_it_renders_every_changelist_add_and_change_page(staff, world):
    item = drive_to_closed(world, make_item(world))
    assert item.state == State.CLOSED
    for model, model_admin in admin.site._registry.items():
        response = staff.get(_url(model, "changelist"))
        assert response.status_code == 200, (model, response.status_code)
        response = staff.get(_url(model, "add"))
        expected = 403 if model in ADD_REFUSED else 200
        if model not in ADD_REFUSED and not model_admin.has_add_permission(response.wsgi_request):
            expected = 403
        assert response.status_code == expected, (model, response.status_code)
        first = model_admin.get_queryset(response.wsgi_request).first()
        if first is not None:
            response = staff.get(_url(model, "change", first.pk))
            assert response.status_code == 200, (model, response.status_code)
    for model in ADD_REFUSED:
        assert staff.get(_url(model, "add")).status_code == 403


def test_it_refuses_to_delete_anything(staff, world):
    item = make_item(world)
    request = staff.get("/admin/").wsgi_request
    for model, model_admin in admin.site._registry.items():
        assert not model_admin.has_delete_permission(request), model
        assert "delete_selected" not in model_admin.get_actions(request), model
    response = staff.post(_url(Item, "delete", item.pk), {"post": "yes"})
    assert response.status_code == 403
    assert Item.objects.filter(pk=item.pk).exists()


def test_it_shows_chinese_labels(staff, world):
    make_item(world)
    with translation.override("zh-hans"):
        page = staff.get(_url(Item, "changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "选择 台账事项 来修改" in page
    for label in ("整改时限", "责任人", "待整改", "专项类别"):
        assert label in page, label


def test_it_never_edits_the_state_counters_or_version_of_an_item(staff, world):
    item = make_item(world)
    response = staff.get(_url(Item, "change", item.pk))
    form = response.context["adminform"].form
    for name in (
        "state",
        "returned_count",
        "reopened_count",
        "extension_count",
        "version",
        "verified_by",
        "code",
    ):
        assert name not in form.fields, name
    data = {
        "title": "改过的标题",
        "subject": item.subject,
        "description": "",
        "measures": "",
        "scope": "",
        "standard": "",
        "owner": item.owner_id,
        "deadline": item.deadline.isoformat(),
        "attributes": '{"plot": "GG-001", "area_mu": "3.5", "current_use": "撂荒", "target_use": "复耕"}',
        "state": State.CLOSED,
        "version": 99,
        "returned_count": 7,
        "transitions-TOTAL_FORMS": 0,
        "transitions-INITIAL_FORMS": 0,
        "progress_logs-TOTAL_FORMS": 0,
        "progress_logs-INITIAL_FORMS": 0,
    }
    response = staff.post(_url(Item, "change", item.pk), data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    item.refresh_from_db()
    assert item.title == "改过的标题"
    assert item.state == State.FOUND and item.returned_count == 0
    assert item.version == 2  # one edit, one version; the posted 99 is ignored
    assert item.history.first().history_change_reason.startswith("admin: edit")


def test_it_validates_category_fields_like_the_lifecycle(staff, world):
    item = make_item(world)
    data = {
        "title": item.title,
        "subject": "",
        "description": "",
        "measures": "",
        "scope": "",
        "standard": "",
        "owner": item.owner_id,
        "deadline": item.deadline.isoformat(),
        "attributes": '{"plot": "GG-001", "area_mu": "-1"}',
        "transitions-TOTAL_FORMS": 0,
        "transitions-INITIAL_FORMS": 0,
        "progress_logs-TOTAL_FORMS": 0,
        "progress_logs-INITIAL_FORMS": 0,
    }
    response = staff.post(_url(Item, "change", item.pk), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["attributes"]
    item.refresh_from_db()
    assert item.version == 1 and item.attributes["area_mu"] == "3.5"


def test_it_validates_plot_polygons(staff, world):
    plot = world.plots["gaige"]
    data = {
        "town": world.town.pk,
        "village": world.gaige.pk,
        "group": "",
        "code": plot.code,
        "area_mu": "3.50",
        "land_class": plot.land_class,
        "status": plot.status,
        "household": "",
        "note": "",
        "polygon": '{"type": "Polygon", "coordinates": [[[108.5, 32.5], [108.6, 32.5], [108.6, 32.6]]]}',
    }
    response = staff.post(_url(Plot, "change", plot.pk), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["polygon"]
    plot.refresh_from_db()
    assert plot.polygon is None
    data["polygon"] = (
        '{"type": "Polygon", "coordinates": [[[108.5, 32.5], [108.6, 32.5], [108.6, 32.6], [108.5, 32.5]]]}'
    )
    response = staff.post(_url(Plot, "change", plot.pk), data)
    assert response.status_code == 302
    plot.refresh_from_db()
    assert plot.polygon["type"] == "Polygon"
    assert plot.history.count() == 2


def test_it_keeps_who_and_since_of_an_assignment_fixed(staff, world):
    assignment = RoleAssignment.objects.get(person=world.people["cadre_gaige"])
    response = staff.get(_url(RoleAssignment, "change", assignment.pk))
    form = response.context["adminform"].form
    assert set(form.fields) == {"valid_to", "note"}
    response = staff.post(
        _url(RoleAssignment, "change", assignment.pk),
        {"valid_to": "2026-01-31", "note": "调整", "person": world.people["cadre_shuangsheng"].pk},
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.person == world.people["cadre_gaige"]
    assert str(assignment.valid_to) == "2026-01-31"


def test_it_keeps_a_towns_settings_on_the_towns_own_page(world):  # noqa: ANN001
    from django.contrib.auth import get_user_model
    from django.test import Client

    from maque.rhythm.models import rhythm_settings

    settings_row = rhythm_settings(world.town)
    admin_user = get_user_model().objects.create_superuser("root-settings", password="pw-root")
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/admin/organisation/town/{world.town.pk}/change/").content.decode()
    # The lights and the rhythm (bulletin, ladder, diagnosis, inspection, scoring) on one page.
    for field in (
        "light_due_soon_days",
        "bulletin_time",
        "escalation_contact_leader_days",
        "watch_rate_gap",
        "inspection_sample_percent",
        "scoring_period",
    ):
        assert field in page, field
    assert settings_row.pk is not None
