"""One helper turns a service's refusal into what the form shows: per field, at the top, and a
stale version as a request to reload (409) instead of version numbers."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from maque.accountability.models import AccountabilityCase, Status
from maque.accountability.services import accountability_suggest
from maque.core.errors import ConflictError, NotPermitted
from maque.workspace.views.errors import form_errors
from tests.conftest import make_item


class TitleForm(forms.Form):
    title = forms.CharField()


def bound() -> TitleForm:
    form = TitleForm({"title": "x"})
    assert form.is_valid()
    return form


def test_it_puts_each_message_next_to_its_field_or_on_top():
    form = bound()
    status = form_errors(
        form, ValidationError({"title": ["太短"], "attributes.area": ["必填"], "other": ["别的"]})
    )
    assert status == 422
    assert form.errors["title"] == ["太短"]
    assert form.non_field_errors() == ["必填", "别的"]
    assert "is-invalid" in form.fields["title"].widget.attrs["class"]


def test_it_keeps_messages_of_controls_outside_the_form_for_them():
    form = bound()
    form_errors(form, ValidationError({"photo": ["不是图片"]}), inputs=("photo",))
    assert form.input_errors == {"photo": ["不是图片"]} and not form.non_field_errors()


def test_it_asks_to_reload_on_a_stale_version_and_answers_409():
    form = bound()
    with translation.override("zh-hans"):
        status = form_errors(
            form, ConflictError("version 3, yours 2", code="stale_version", current_version=3)
        )
        assert status == 409
        assert form.non_field_errors() == [
            "在您填写期间，其他人修改了这条记录。请刷新页面查看他们的修改，然后再试一次。"
        ]
    other = bound()
    assert form_errors(other, ConflictError("本轮督查已结束。", code="round_closed")) == 422
    assert other.non_field_errors() == ["本轮督查已结束。"]
    refused = bound()
    assert form_errors(refused, NotPermitted("无权操作。")) == 422
    assert refused.non_field_errors() == ["无权操作。"]


def test_it_shows_a_stale_case_change_as_a_reload_request(client, world):  # noqa: ANN001
    item = make_item(world)
    case = accountability_suggest(
        town=world.town,
        rule="overdue",
        subject_person=world.people["cadre_gaige"],
        village=world.gaige,
        items=[item],
        key=f"overdue:{item.pk}",
        summary="逾期15天未整改",
    )
    client.force_login(world.user("discipline"))
    response = client.post(
        f"/accountability/{case.pk}/status/",
        {"to": Status.OPENED, "note": "立案", "version": case.version + 3},
    )
    assert response.status_code == 409
    assert "请刷新页面" in response.content.decode()
    assert AccountabilityCase.objects.get(pk=case.pk).status == Status.SUGGESTED
