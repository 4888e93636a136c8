"""Bad input at the service level: a clear message per field, and nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from maque.ledger import lifecycle
from maque.ledger.errors import NotPermitted
from maque.ledger.models import Attachment, Item, ItemCounter, ProgressLog, Transition
from maque.ledger.services import attachment_add, progress_add
from tests.conftest import World, jpeg_bytes, make_item, outflow_attributes, photo


def nothing_created() -> tuple[int, int, int]:
    return Item.objects.count(), Transition.objects.count(), ItemCounter.objects.count()


def create_errors(world: World, **overrides) -> dict[str, list[str]]:  # noqa: ANN003
    before = nothing_created()
    with pytest.raises(ValidationError) as raised:
        make_item(world, **overrides)
    assert nothing_created() == before
    return raised.value.message_dict


def with_attributes(**changes) -> dict:  # noqa: ANN003
    attributes = {**outflow_attributes(), **changes}
    return {key: value for key, value in attributes.items() if value is not ...}


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        (with_attributes(colour="red"), "attributes.colour"),  # unknown field
        (with_attributes(area_mu=...), "attributes.area_mu"),  # missing required field
        (with_attributes(area_mu="   "), "attributes.area_mu"),
        (with_attributes(area_mu="三亩"), "attributes.area_mu"),  # wrong type
        (with_attributes(area_mu=True), "attributes.area_mu"),
        (with_attributes(area_mu=[3]), "attributes.area_mu"),
        (with_attributes(area_mu="NaN"), "attributes.area_mu"),
        (with_attributes(area_mu="Infinity"), "attributes.area_mu"),
        (with_attributes(area_mu="-2.5"), "attributes.area_mu"),  # below min_value
        (with_attributes(area_mu=0), "attributes.area_mu"),
        (with_attributes(subsidy_yuan="-1"), "attributes.subsidy_yuan"),
        (with_attributes(target_use="盖房"), "attributes.target_use"),  # not a choice
        (with_attributes(target_use=1), "attributes.target_use"),
        (with_attributes(plot="SS-001"), "attributes.plot"),  # another village's plot
        (with_attributes(plot="NOPE"), "attributes.plot"),
        (with_attributes(plot=7), "attributes.plot"),
        (["not", "an", "object"], "attributes"),
    ],
)
def test_it_refuses_bad_category_fields(world, attributes, field):
    errors = create_errors(world, attributes=attributes)
    assert field in errors and errors[field][0].strip()


@pytest.mark.parametrize(
    ("category", "attributes", "field"),
    [
        (
            "collective-contract",
            {
                "contract_no": "HT-1",
                "counterparty": "某合作社",
                "amount_yuan": "1000",
                "problem_type": "其他",
                "term_years": "2.5",
            },
            "attributes.term_years",
        ),
        (
            "collective-contract",
            {
                "contract_no": "HT-1",
                "counterparty": "某合作社",
                "amount_yuan": "1000",
                "problem_type": "其他",
                "term_years": -1,
            },
            "attributes.term_years",
        ),
        (
            "collective-contract",
            {
                "contract_no": "x" * 501,
                "counterparty": "某合作社",
                "amount_yuan": "1",
                "problem_type": "其他",
            },
            "attributes.contract_no",
        ),
        (
            "farmland-chief",
            {
                "plot": "GG-001",
                "chief_level": "村级田长",
                "finding": "撂荒",
                "patrol_date": "2026-02-30",
            },
            "attributes.patrol_date",
        ),
        (
            "greenhouse",
            {"structure": "看护房", "built_area_m2": "10", "action": "拆除", "household": 999999},
            "attributes.household",
        ),
    ],
)
def test_it_refuses_bad_values_of_every_field_type(world, category, attributes, field):
    assert field in create_errors(world, category=world.category(category), attributes=attributes)


def test_it_refuses_bad_dates_and_text(world, today):
    assert "deadline" in create_errors(
        world, found_on=today - timedelta(days=3), deadline=today - timedelta(days=4)
    )
    assert "found_on" in create_errors(world, found_on=today + timedelta(days=1))
    assert "title" in create_errors(world, title="   ")
    assert "title" in create_errors(world, title=None)
    assert "kind" in create_errors(world, kind="rumour")
    assert "source" in create_errors(world, source="gossip")
    assert "subject" in create_errors(world, subject="户" * 101)
    assert "state" in create_errors(world, state="closed")
    assert "category" in create_errors(world, category=None, attributes=None)
    errors = create_errors(
        world,
        title="",
        deadline=today - timedelta(days=400),
        attributes=with_attributes(area_mu="-1"),
    )
    # Every problem at once, each on its own field.
    assert {"title", "deadline", "attributes.area_mu"} <= set(errors)


def test_it_refuses_registration_outside_the_registrars_villages(world):
    before = nothing_created()
    with pytest.raises(NotPermitted):
        make_item(world, persona="cadre_shuangsheng")  # an 改革村 item
    with pytest.raises(NotPermitted):
        make_item(world, persona="discipline")
    assert nothing_created() == before


def test_it_speaks_chinese(world, today):
    with translation.override("zh-hans"):
        errors = create_errors(
            world, found_on=today + timedelta(days=1), attributes=with_attributes(area_mu="-1")
        )
    assert errors["found_on"] == ["发现日期不能晚于今天。"]
    assert errors["attributes.area_mu"] == ["面积不能小于 0.01。"]
    with translation.override("en"):
        errors = create_errors(world, attributes=with_attributes(area_mu="-1"))
    assert errors["attributes.area_mu"] == ["面积 must be at least 0.01."]


def test_it_refuses_bad_edits_and_changes_nothing(world, today):
    item = make_item(world)
    version = item.version
    for changes, field in [
        ({"attributes": with_attributes(area_mu="-1")}, "attributes.area_mu"),
        ({"deadline": item.found_on - timedelta(days=1)}, "deadline"),
        ({"deadline": "next week"}, "deadline"),
        ({"owner": "cadre_gaige"}, "owner"),
        ({"title": ""}, "title"),
        ({"group": world.shuangsheng.groups.first()}, "group"),
        ({"version": 99}, "version"),
    ]:
        with pytest.raises(ValidationError) as raised:
            lifecycle.item_update(item=item, by=world.user("leader"), changes=changes)
        assert field in raised.value.message_dict, changes
    fresh = Item.objects.get(pk=item.pk)
    assert (
        fresh.version == version
        and fresh.attributes == item.attributes
        and fresh.deadline == item.deadline
    )


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_it_refuses_bad_progress_and_files_and_changes_nothing(world, settings):
    settings.MAQUE_MAX_UPLOAD_BYTES = 1024 * 1024
    item = lifecycle.item_start(item=make_item(world), by=world.user("cadre_gaige"))
    cadre = world.user("cadre_gaige")
    cases = [
        ({"text": "  "}, "text"),
        ({"text": None}, "text"),
        ({"text": 42}, "text"),
        ({"text": "进度", "percent": 101}, "percent"),
        ({"text": "进度", "percent": -1}, "percent"),
        ({"text": "进度", "percent": "50"}, "percent"),
        ({"text": "进度", "percent": True}, "percent"),
        ({"text": "进度", "files": [upload("fake.jpg", b"%PDF-1.4 not a photo")]}, "files"),
        ({"text": "进度", "files": [upload("empty.jpg", b"")]}, "files"),
        (
            {"text": "进度", "files": [upload("big.jpg", jpeg_bytes() + b"\0" * (1024 * 1024))]},
            "files",
        ),
        ({"text": "进度", "files": [upload("script.exe", b"MZ\x90\x00")]}, "files"),
        ({"text": "进度", "files": [photo(f"p{n}.jpg") for n in range(10)]}, "files"),
        ({"text": "进度", "files": [photo(), upload("fake.png", jpeg_bytes())]}, "files"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as raised:
            progress_add(item=item, by=cadre, **kwargs)
        assert field in raised.value.message_dict, kwargs
    with pytest.raises(ValidationError):
        attachment_add(item=item, by=cadre, upload=upload("fake.jpg", b"GIF89a......"))
    assert not ProgressLog.objects.exists() and not Attachment.objects.exists()
    fresh = Item.objects.get(pk=item.pk)
    assert fresh.last_progress_at is None and fresh.progress_percent == 0
    log = progress_add(item=item, by=cadre, text="已翻耕一半", percent=50, files=[photo()])
    assert log.attachments.count() == 1
    assert Item.objects.get(pk=item.pk).progress_percent == 50
