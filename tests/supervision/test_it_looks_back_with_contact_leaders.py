"""Look-backs as the article's 推进会 has them (first-week issue, point 11): the contact leader
(联村领导) looks back on the progress and the quality of the villages in their charge; a look-back
may check the open items' progress, not only the closed items' quality."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from maque.ledger.errors import NotPermitted
from maque.ledger.models import State
from maque.notifications.models import Notification
from maque.supervision.models import Review, ReviewCheck, ReviewScope
from maque.supervision.services import review_open, review_record
from tests.conftest import drive_to_closed, drive_to_submitted, make_item


@pytest.fixture
def ledger(world):  # noqa: ANN001, ANN201
    """改革村: one found, one in rectification, one submitted, one closed; 双胜村: one found."""
    make_item(world, title="改革村新发现")
    started = make_item(world, title="改革村整改中")
    from maque.ledger import lifecycle

    lifecycle.item_start(item=started, by=world.user("cadre_gaige"))
    drive_to_submitted(world, make_item(world, title="改革村待验收"))
    drive_to_closed(world, make_item(world, title="改革村已销号"))
    make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng, title="双胜村新发现")
    return world


def _titles(review: Review) -> set[str]:
    return set(review.checks.values_list("item__title", flat=True))


def test_a_contact_leader_looks_back_on_the_progress_of_their_village(ledger):
    world = ledger
    review = review_open(
        by=world.user("contact_gaige"), village=world.gaige, scope=ReviewScope.PROGRESS
    )
    # The items still in work, of that village only (a submitted item waits for verification).
    assert _titles(review) == {"改革村新发现", "改革村整改中"}
    assert review.town == world.town and review.category is None


def test_a_look_back_of_quality_takes_the_closed_items_of_the_village(ledger):
    world = ledger
    review = review_open(by=world.user("contact_gaige"), village=world.gaige)
    assert review.scope == ReviewScope.QUALITY
    assert _titles(review) == {"改革村已销号"}


def test_a_contact_leader_may_not_look_back_on_another_village_or_the_whole_town(ledger):
    world = ledger
    for village in (world.shuangsheng, None):
        with pytest.raises(NotPermitted):
            review_open(by=world.user("contact_gaige"), village=village, scope=ReviewScope.PROGRESS)
    for persona in ("cadre_gaige", "secretary_gaige", "discipline"):
        with pytest.raises(NotPermitted):
            review_open(by=world.user(persona), village=world.gaige, scope=ReviewScope.PROGRESS)
    assert not Review.objects.exists()


def test_inspectors_still_look_back_on_the_whole_town(ledger):
    world = ledger
    review = review_open(by=world.user("inspector"), scope=ReviewScope.PROGRESS)
    assert _titles(review) == {"改革村新发现", "改革村整改中", "双胜村新发现"}


def test_progress_is_on_track_or_behind_and_behind_is_told_to_the_owner(ledger):
    world = ledger
    review = review_open(
        by=world.user("contact_gaige"), village=world.gaige, scope=ReviewScope.PROGRESS
    )
    check = review.checks.get(item__title="改革村整改中")
    with pytest.raises(ValidationError) as refused:
        review_record(check=check, by=world.user("contact_gaige"), outcome="relapse", note="x")
    assert "outcome" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        review_record(check=check, by=world.user("contact_gaige"), outcome="behind")
    assert "note" in refused.value.message_dict
    done = review_record(
        check=check,
        by=world.user("contact_gaige"),
        outcome=ReviewCheck.Outcome.BEHIND,
        note="复耕面积只完成一半，月底前补种",
    )
    assert done.outcome == ReviewCheck.Outcome.BEHIND
    assert done.checked_by == world.people["contact_gaige"]
    told = Notification.objects.filter(user=world.user("cadre_gaige"), kind="review.behind")
    assert told.count() == 1 and "复耕面积只完成一半" in told.get().body
    # Behind is a finding about progress, not a relapse: the item stays where it is.
    check.item.refresh_from_db()
    assert check.item.state == State.RECTIFYING
    other = review.checks.get(item__title="改革村新发现")
    review_record(check=other, by=world.user("contact_gaige"), outcome="on_track")
    assert Notification.objects.filter(kind="review.behind").count() == 1


def test_quality_outcomes_stay_holds_or_relapse(ledger):
    world = ledger
    review = review_open(by=world.user("contact_gaige"), village=world.gaige)
    check = review.checks.get()
    with pytest.raises(ValidationError):
        review_record(check=check, by=world.user("contact_gaige"), outcome="on_track")
    review_record(check=check, by=world.user("contact_gaige"), outcome="relapse", note="又撂荒了")
    check.item.refresh_from_db()
    assert check.item.state == State.RECTIFYING


def test_only_the_village_roles_and_the_town_read_a_village_look_back(ledger):
    world = ledger
    review = review_open(by=world.user("contact_gaige"), village=world.gaige)
    town_wide = review_open(by=world.user("inspector"))
    readers = {
        persona: set(Review.objects.visible_to(world.user(persona)).values_list("pk", flat=True))
        for persona in (
            "inspector",
            "principal",
            "contact_gaige",
            "secretary_gaige",
            "cadre_gaige",
            "contact_shuangsheng",
            "cadre_shuangsheng",
        )
    }
    assert readers["inspector"] == readers["principal"] == {review.pk, town_wide.pk}
    for persona in ("contact_gaige", "secretary_gaige", "cadre_gaige"):
        assert readers[persona] == {review.pk}, persona
    assert readers["contact_shuangsheng"] == readers["cadre_shuangsheng"] == set()


def test_a_contact_leader_records_only_the_look_backs_of_their_villages(ledger):
    world = ledger
    town_wide = review_open(by=world.user("inspector"), scope=ReviewScope.PROGRESS)
    check = town_wide.checks.filter(village=world.gaige).first()
    assert check is not None
    with pytest.raises(NotPermitted):
        review_record(check=check, by=world.user("contact_gaige"), outcome="on_track")
    village = review_open(
        by=world.user("contact_gaige"), village=world.gaige, scope=ReviewScope.PROGRESS
    )
    with pytest.raises(NotPermitted):
        review_record(
            check=village.checks.first(), by=world.user("contact_shuangsheng"), outcome="on_track"
        )


def test_the_screens_let_a_contact_leader_open_and_record_a_progress_look_back(ledger, client):
    world = ledger
    client.force_login(world.user("contact_gaige"))
    page = client.get("/inspections/").content.decode()
    assert "review-scope" in page and world.gaige.name in page
    assert world.shuangsheng.name not in page  # only their own villages are offered
    refused = client.post(
        "/reviews/new/", {"review-scope": "progress", "review-village": world.shuangsheng.pk}
    )
    assert refused.status_code == 302 and not Review.objects.exists()
    response = client.post(
        "/reviews/new/", {"review-scope": "progress", "review-village": world.gaige.pk}
    )
    review = Review.objects.get()
    assert response["Location"] == f"/reviews/{review.pk}/"
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "改革村整改中" in page and "进度滞后" in page and "反弹" not in page
    check = review.checks.get(item__title="改革村整改中")
    answer = client.post(
        f"/reviews/{review.pk}/checks/{check.pk}/",
        {f"c{check.pk}-outcome": "behind", f"c{check.pk}-note": ""},
    )
    assert answer.status_code == 422 and "哪里滞后" in answer.content.decode()
    client.post(
        f"/reviews/{review.pk}/checks/{check.pk}/",
        {f"c{check.pk}-outcome": "behind", f"c{check.pk}-note": "未按计划补种"},
    )
    check.refresh_from_db()
    assert check.outcome == ReviewCheck.Outcome.BEHIND
    assert "1 件滞后" in client.get("/inspections/").content.decode()
    client.force_login(world.user("contact_shuangsheng"))
    assert client.get(f"/reviews/{review.pk}/").status_code == 404


def test_the_api_opens_a_contact_leaders_look_back(ledger, client):
    world = ledger
    client.force_login(world.user("contact_gaige"))
    response = client.post(
        "/api/v1/reviews",
        {"scope": "progress", "village": world.gaige.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["scope"] == "progress" and body["village"] == world.gaige.pk
    assert body["category"] is None and len(body["checks"]) == 2
    other = client.post(
        "/api/v1/reviews",
        {"scope": "progress", "village": world.shuangsheng.pk},
        content_type="application/json",
    )
    assert other.status_code == 404  # a village they cannot see
    whole = client.post("/api/v1/reviews", {"scope": "progress"}, content_type="application/json")
    assert whole.status_code == 403
    check = body["checks"][0]["id"]
    recorded = client.post(
        f"/api/v1/reviews/{body['id']}/checks/{check}",
        {"outcome": "on_track"},
        content_type="application/json",
    )
    assert recorded.status_code == 200 and recorded.json()["outcome"] == "on_track"
