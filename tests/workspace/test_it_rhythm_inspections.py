"""Inspections (督查) in the workspace: rounds, the sample by village, findings recorded through the
services (items change through the lifecycle), the report, look-backs, and who sees what."""

from __future__ import annotations

import pytest

from maque.accountability.models import AccountabilityCase
from maque.ledger.models import Item, Source, State, Transition
from maque.supervision.models import (
    InspectionFinding,
    InspectionRound,
    Outcome,
    Review,
    ReviewCheck,
)
from maque.supervision.services import review_open, round_open
from tests.conftest import drive_to_closed, drive_to_submitted, make_item, photo


def signed_in(client, world, persona):  # noqa: ANN001, ANN201
    client.force_login(world.user(persona))
    return client


@pytest.fixture
def sampled(world):  # noqa: ANN001, ANN201
    """A round with a submitted and a closed item in 改革村 and an open item in 双胜村."""
    submitted = drive_to_submitted(world, make_item(world, title="待验收的复耕"))
    closed = drive_to_closed(world, make_item(world, title="已销号的复耕"))
    open_item = make_item(
        world, persona="cadre_shuangsheng", village=world.shuangsheng, title="双胜村在整改"
    )
    inspection_round = round_open(town=world.town, by=world.user("inspector"), seed=7)
    return inspection_round, submitted, closed, open_item


def sample_of(inspection_round, item):  # noqa: ANN001, ANN201
    return inspection_round.samples.get(item=item)


def test_it_opens_a_round_from_the_list(client, world):  # noqa: ANN001
    drive_to_submitted(world, make_item(world))
    client = signed_in(client, world, "inspector")
    assert "立即开展一轮督查" in client.get("/inspections/").content.decode()
    response = client.post("/inspections/new/")
    created = InspectionRound.objects.get(town=world.town)
    assert response["Location"] == f"/inspections/{created.pk}/"
    assert created.opened_by == world.user("inspector") and created.samples.count() == 1


def test_it_shows_the_sample_grouped_by_village_with_forms_for_inspectors(client, world, sampled):  # noqa: ANN001
    inspection_round, submitted, closed, open_item = sampled
    response = signed_in(client, world, "inspector").get(f"/inspections/{inspection_round.pk}/")
    page = response.content.decode()
    groups = {
        group["village"].name: [e["sample"].item for e in group["entries"]]
        for group in response.context["groups"]
    }
    assert set(groups["改革村"]) == {submitted, closed} and groups["双胜村"] == [open_item]
    assert page.index("双胜村") < page.index("改革村") or page.index("改革村") < page.index(
        "双胜村"
    )
    assert (
        f"/inspections/{inspection_round.pk}/samples/{sample_of(inspection_round, submitted).pk}/finding/"
        in page
    )
    assert str(inspection_round.seed) in page
    # The principal reads the round too; a leader sees it but gets no forms.
    page = (
        signed_in(client, world, "leader")
        .get(f"/inspections/{inspection_round.pk}/")
        .content.decode()
    )
    assert "待验收的复耕" in page and "/finding/" not in page


def test_it_records_pass_inadequate_and_false_close_out_through_the_services(
    client, world, sampled
):  # noqa: ANN001
    inspection_round, submitted, closed, open_item = sampled
    client = signed_in(client, world, "inspector")
    url = f"/inspections/{inspection_round.pk}/samples/{{}}/finding/"
    sample = sample_of(inspection_round, submitted)
    response = client.post(
        url.format(sample.pk),
        {f"s{sample.pk}-outcome": "inadequate", f"s{sample.pk}-note": "照片不清"},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == State.RECTIFYING and submitted.returned_count == 1
    assert Transition.objects.filter(item=submitted, action="return", reason="照片不清").exists()
    sample = sample_of(inspection_round, closed)
    refused = client.post(
        url.format(sample.pk),
        {f"s{sample.pk}-outcome": "false_close", f"s{sample.pk}-note": "地块仍撂荒"},
    )
    assert refused.status_code == 422 and "须至少附一张现场照片" in refused.content.decode()
    closed.refresh_from_db()
    assert closed.state == State.CLOSED  # refused: nothing changed
    client.post(
        url.format(sample.pk),
        {
            f"s{sample.pk}-outcome": "false_close",
            f"s{sample.pk}-note": "地块仍撂荒",
            f"s{sample.pk}-photos": [photo("plot.jpg")],
        },
    )
    closed.refresh_from_db()
    assert closed.state == State.RECTIFYING
    assert InspectionFinding.objects.get(sample=sample).outcome == Outcome.FALSE_CLOSE
    assert AccountabilityCase.objects.filter(town=world.town, rule="false_close_out").count() == 1
    sample = sample_of(inspection_round, open_item)
    client.post(
        url.format(sample.pk), {f"s{sample.pk}-outcome": "pass", f"s{sample.pk}-note": "进展正常"}
    )
    report = {
        row["village"]: row
        for row in client.get(f"/inspections/{inspection_round.pk}/report/").context["report"]
    }
    assert report["改革村"]["inspected"] == 2 and report["改革村"]["pass_rate"] == 0.0
    assert report["双胜村"]["passed"] == 1 and report["双胜村"]["pass_rate"] == 100.0
    page = client.get(f"/inspections/{inspection_round.pk}/report/").content.decode()
    assert "100.0%" in page and "通过率" in page


def test_it_refuses_bad_findings_with_chinese_messages_and_changes_nothing(client, world, sampled):  # noqa: ANN001
    inspection_round, submitted, _closed, open_item = sampled
    client = signed_in(client, world, "inspector")
    sample = sample_of(inspection_round, submitted)
    url = f"/inspections/{inspection_round.pk}/samples/{sample.pk}/finding/"
    response = client.post(url, {f"s{sample.pk}-outcome": "pass", f"s{sample.pk}-note": ""})
    assert response.status_code == 422 and "这个字段是必填项" in response.content.decode()
    response = client.post(
        url, {f"s{sample.pk}-outcome": "false_close", f"s{sample.pk}-note": "没销号"}
    )
    assert (
        response.status_code == 422
        and "只有已销号的事项才能认定为虚假销号" in response.content.decode()
    )
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED and not InspectionFinding.objects.exists()
    # A cadre may not record anything, even by posting directly: the round does not exist for them.
    client = signed_in(client, world, "cadre_gaige")
    assert (
        client.post(url, {f"s{sample.pk}-outcome": "pass", f"s{sample.pk}-note": "好"}).status_code
        == 404
    )
    # A leader sees the round, but the service refuses.
    client = signed_in(client, world, "leader")
    response = client.post(url, {f"s{sample.pk}-outcome": "pass", f"s{sample.pk}-note": "好"})
    assert (
        response.status_code == 422
        and "只有督查考评组或主要领导才能进行此操作" in response.content.decode()
    )
    assert not InspectionFinding.objects.exists()


def test_it_registers_a_new_problem_with_its_category_fields_and_closes_the_round(
    client, world, sampled
):  # noqa: ANN001
    inspection_round, *_ = sampled
    grave = world.category("grave")
    client = signed_in(client, world, "inspector")
    url = f"/inspections/{inspection_round.pk}/problems/"
    assert url in client.get(f"/inspections/{inspection_round.pk}/").content.decode()
    # Choosing the category brings its own fields (htmx gets only the form).
    fragment = client.get(
        url, {"category": grave.pk, "village": world.shuangsheng.pk}, HTTP_HX_REQUEST="true"
    )
    body = fragment.content.decode()
    assert "<html" not in body and 'name="attr_grave_type"' in body and "坟墓类型" in body
    # Missing category fields: refused in Chinese, nothing registered.
    response = client.post(
        url, {"category": grave.pk, "village": world.shuangsheng.pk, "title": "河道旁新建坟墓"}
    )
    assert response.status_code == 422 and "这个字段是必填项" in response.content.decode()
    assert not Item.objects.filter(source=Source.INSPECTION).exists()
    response = client.post(
        url,
        {
            "category": grave.pk,
            "village": world.shuangsheng.pk,
            "title": "河道旁新建坟墓",
            "description": "现场发现",
            "owner": world.people["cadre_shuangsheng"].pk,
            "attr_location": "河道旁",
            "attr_grave_type": "新建",
            "attr_action": "迁移",
        },
    )
    assert response.status_code == 302
    item = Item.objects.get(title="河道旁新建坟墓")
    assert item.source == Source.INSPECTION and item.owner == world.people["cadre_shuangsheng"]
    assert item.category == grave and item.attributes["grave_type"] == "新建"
    assert InspectionFinding.objects.filter(
        item=item, outcome=Outcome.NEW_PROBLEM, round=inspection_round
    ).exists()
    assert "河道旁新建坟墓" in client.get(f"/inspections/{inspection_round.pk}/").content.decode()
    # Only inspectors are offered the form.
    assert signed_in(client, world, "leader").get(url).status_code == 403
    client = signed_in(client, world, "inspector")
    client.post(f"/inspections/{inspection_round.pk}/close/")
    inspection_round.refresh_from_db()
    assert inspection_round.status == InspectionRound.Status.CLOSED
    assert "/finding/" not in client.get(f"/inspections/{inspection_round.pk}/").content.decode()
    response = client.post(
        url,
        {
            "category": grave.pk,
            "village": world.shuangsheng.pk,
            "title": "再发现一处",
            "attr_location": "山上",
            "attr_grave_type": "新建",
            "attr_action": "迁移",
        },
    )
    assert response.status_code == 422 and "本轮督查已结束" in response.content.decode()
    assert Item.objects.filter(source=Source.INSPECTION).count() == 1


@pytest.mark.parametrize("persona", ["contact_gaige", "cadre_gaige", "secretary_gaige", "outsider"])
def test_it_hides_rounds_from_village_roles(client, world, sampled, persona):  # noqa: ANN001
    inspection_round, *_ = sampled
    client = signed_in(client, world, persona)
    assert client.get(f"/inspections/{inspection_round.pk}/").status_code == 404
    assert client.get(f"/inspections/{inspection_round.pk}/report/").status_code == 404
    assert (
        f"/inspections/{inspection_round.pk}/" not in client.get("/inspections/").content.decode()
    )
    assert client.post("/inspections/new/").status_code == 302
    assert InspectionRound.objects.count() == 1


def test_it_runs_a_look_back_where_a_relapse_reopens_the_item(client, world):  # noqa: ANN001
    closed = drive_to_closed(world, make_item(world, title="复耕已销号"))
    client = signed_in(client, world, "inspector")
    response = client.post(
        "/reviews/new/",
        {"review-category": world.category("farmland-outflow").pk, "review-note": "秋季回头看"},
    )
    review = Review.objects.get()
    assert response["Location"] == f"/reviews/{review.pk}/"
    check = review.checks.get()
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "复耕已销号" in page and "秋季回头看" in page
    response = client.post(
        f"/reviews/{review.pk}/checks/{check.pk}/",
        {f"c{check.pk}-outcome": "relapse", f"c{check.pk}-note": ""},
    )
    assert response.status_code == 422 and "请说明反弹情况" in response.content.decode()
    closed.refresh_from_db()
    assert closed.state == State.CLOSED
    client.post(
        f"/reviews/{review.pk}/checks/{check.pk}/",
        {f"c{check.pk}-outcome": "relapse", f"c{check.pk}-note": "又撂荒了"},
    )
    closed.refresh_from_db()
    check.refresh_from_db()
    assert closed.state == State.RECTIFYING and check.outcome == ReviewCheck.Outcome.RELAPSE
    assert "1 件反弹" in client.get("/inspections/").content.decode()
    assert signed_in(client, world, "cadre_gaige").get(f"/reviews/{review.pk}/").status_code == 404


def test_it_hides_the_inspection_link_from_village_roles(client, world):  # noqa: ANN001
    review_open(by=world.user("inspector"), category=world.category("farmland-outflow"))
    assert 'href="/inspections/"' in signed_in(client, world, "inspector").get("/").content.decode()
    # A contact leader comes for the look-backs of their villages (and sees no round).
    page = signed_in(client, world, "contact_gaige").get("/inspections/").content.decode()
    assert 'href="/inspections/"' in page and "半月一督查" not in page
    for persona in ("cadre_gaige", "secretary_gaige"):
        assert (
            'href="/inspections/"'
            not in signed_in(client, world, persona).get("/").content.decode()
        )


def test_it_records_a_finding_in_place_with_its_photo(client, world, sampled):  # noqa: ANN001
    """On a phone the finding is recorded without reloading the page: htmx gets the row back."""
    inspection_round, submitted, _closed, _open_item = sampled
    client = signed_in(client, world, "inspector")
    sample = sample_of(inspection_round, submitted)
    url = f"/inspections/{inspection_round.pk}/samples/{sample.pk}/finding/"
    page = client.get(f"/inspections/{inspection_round.pk}/").content.decode()
    assert f'hx-post="{url}"' in page and 'hx-encoding="multipart/form-data"' in page
    refused = client.post(
        url, {f"s{sample.pk}-outcome": "pass", f"s{sample.pk}-note": ""}, HTTP_HX_REQUEST="true"
    )
    body = refused.content.decode()
    assert refused.status_code == 422 and body.lstrip().startswith(
        f'<li class="list-group-item sample" id="sample-{sample.pk}"'
    )
    assert "这个字段是必填项" in body and "<html" not in body
    response = client.post(
        url,
        {
            f"s{sample.pk}-outcome": "inadequate",
            f"s{sample.pk}-note": "照片不清",
            f"s{sample.pk}-photos": [photo("field.jpg")],
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "已记录" in body
    finding = InspectionFinding.objects.get(sample=sample)
    photo_url = f"/inspections/photos/{finding.photos.get().pk}/"
    assert photo_url in body
    assert client.get(photo_url)["Content-Type"] == "image/jpeg"
    # The photo is the inspection group's: a village cadre cannot open it.
    client = signed_in(client, world, "cadre_gaige")
    assert client.get(photo_url).status_code == 404


def test_the_api_takes_a_false_close_out_with_its_photo(client, world, sampled):  # noqa: ANN001
    inspection_round, _submitted, closed, _open_item = sampled
    client = signed_in(client, world, "inspector")
    sample = sample_of(inspection_round, closed)
    base = f"/api/v1/inspections/{inspection_round.pk}/samples/{sample.pk}"
    refused = client.post(
        f"{base}/finding",
        {"outcome": "false_close", "note": "仍撂荒"},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "photos" in refused.content.decode()
    response = client.post(
        f"{base}/finding-with-photos",
        {"outcome": "false_close", "note": "仍撂荒", "photos": [photo("plot.jpg")]},
    )
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == "false_close" and len(response.json()["photos"]) == 1
