"""A village's work goals (issue 13: "近期抓环境、长期抓产业、常态保稳定"): set by the principal, the
leaders and the village's contact leader and party secretary; linked to the village's items,
projects and topics; their progress held to its plain definition; every change in the history."""

from __future__ import annotations

import pytest
from django.test import Client

from maque.deliberation.models import TopicState
from maque.diagnosis import goals
from maque.diagnosis.models import Horizon, VillageGoal
from maque.ledger import lifecycle
from maque.ledger.models import Item, State
from maque.ledger.services import progress_add
from maque.projects.models import Project
from tests.conftest import drive_to_closed, make_item
from tests.projects.test_it_measures_progress_against_plan import post_project


def api(world, persona):  # noqa: ANN001, ANN201
    client = Client()
    client.force_login(world.user(persona))
    return client


def body(**changes):  # noqa: ANN003, ANN201
    return {"horizon": "near", "title": "人居环境整治见效", **changes}


def test_the_shares_and_the_mean_are_the_plain_definition() -> None:
    assert goals.item_share(State.CLOSED, 30) == 100.0
    assert goals.item_share(State.RECTIFYING, 40) == 40.0
    assert goals.item_share(State.FOUND, 0) == 0.0
    assert goals.item_share(State.CANCELLED, 80) is None
    assert goals.topic_share(TopicState.ANSWERED) == goals.topic_share(TopicState.COMPLETED) == 100
    assert goals.topic_share(TopicState.IMPLEMENTING) == 0.0
    for state in (TopicState.DECLINED, TopicState.MERGED, TopicState.SPAM):
        assert goals.topic_share(state) is None
    assert goals.mean([100.0, 40.0, None, 0.0]) == 46.7
    assert goals.mean([None]) is None and goals.mean([]) is None


def test_a_goals_progress_comes_from_its_links(world) -> None:  # noqa: ANN001
    assert post_project(world).status_code == 201
    closed = drive_to_closed(world, make_item(world, title="清理垃圾"))
    cadre = world.user("cadre_gaige")
    halfway = lifecycle.item_start(item=make_item(world, title="改厕"), by=cadre)
    progress_add(item=halfway, by=cadre, text="完成四成", percent=40)
    cancelled = make_item(world, title="重复登记")
    lifecycle.item_cancel(item=cancelled, by=world.user("principal"), reason="重复")
    client = api(world, "secretary_gaige")
    made = client.post(
        f"/api/v1/villages/{world.gaige.pk}/goals",
        body(items=[closed.code, halfway.code, cancelled.code.lower()], projects=["hetang"]),
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    goal = made.json()
    shares = {link["code"]: link["share"] for link in goal["links"]}
    project = Project.objects.get(code="hetang")
    actual = client.get("/api/v1/projects/hetang").json()["actual"]
    assert shares == {
        closed.code: 100.0,
        halfway.code: 40.0,
        cancelled.code: None,
        "hetang": actual,
    }
    # The plain definition by hand: the mean of the counted shares.
    expected = round((100.0 + 40.0 + actual) / 3, 1)
    assert goal["progress"] == expected
    assert goals.goal_progress(goals.goal_links(VillageGoal.objects.get())) == expected
    assert project.goals.get().pk == goal["id"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("principal", 201),
        ("leader", 201),
        ("contact_gaige", 201),
        ("secretary_gaige", 201),
        ("cadre_gaige", 403),
        ("inspector", 403),
        ("cadre_shuangsheng", 404),
        ("contact_shuangsheng", 404),
    ],
)
def test_who_sets_a_villages_goals(world, persona: str, status: int) -> None:  # noqa: ANN001
    response = api(world, persona).post(
        f"/api/v1/villages/{world.gaige.pk}/goals", body(), content_type="application/json"
    )
    assert response.status_code == status, response.content
    assert VillageGoal.objects.count() == (1 if status == 201 else 0)


def test_bad_links_are_refused_in_words_and_change_nothing(world) -> None:  # noqa: ANN001
    theirs = make_item(world, village=world.shuangsheng, persona="cadre_shuangsheng")
    client = api(world, "principal")
    url = f"/api/v1/villages/{world.gaige.pk}/goals"
    for bad, field in (
        (body(items=[theirs.code]), "items"),
        (body(items=["GG-2099-0001"]), "items"),
        (body(projects=["nowhere"]), "projects"),
        (body(topics=["HP-XX-2026-0001"]), "topics"),
        (body(horizon="someday"), "horizon"),
        (body(title=""), "title"),
    ):
        response = client.post(url, bad, content_type="application/json")
        assert response.status_code == 422, response.content
        assert field in response.json()["errors"], response.json()
    assert not VillageGoal.objects.exists()


def test_a_change_is_versioned_and_kept_in_the_history(world) -> None:  # noqa: ANN001
    item = make_item(world)
    client = api(world, "contact_gaige")
    goal = client.post(
        f"/api/v1/villages/{world.gaige.pk}/goals", body(), content_type="application/json"
    ).json()
    url = f"/api/v1/villages/{world.gaige.pk}/goals/{goal['id']}"
    changed = client.patch(
        url,
        {"version": 1, "horizon": "long", "title": "发展莲藕产业", "items": [item.code]},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    after = changed.json()
    assert after["version"] == 2 and after["horizon"] == Horizon.LONG
    assert [link["code"] for link in after["links"]] == [item.code]
    # Newest first; the links' change is a record of its own.
    titles = [record["title"] for record in after["history"]]
    assert titles[0] == "发展莲藕产业" and titles[-1] == "人居环境整治见效" and len(titles) >= 2
    assert after["history"][-1]["version"] == 1 and after["history"][0]["version"] == 2
    stale = client.patch(url, {"version": 1, "title": "又改"}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    retired = client.patch(url, {"active": False}, content_type="application/json").json()
    assert retired["active"] is False and VillageGoal.objects.filter(pk=goal["id"]).exists()
    refused = api(world, "cadre_gaige").patch(
        url, {"title": "越权"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert api(world, "cadre_shuangsheng").get(url).status_code == 404
    assert api(world, "cadre_gaige").get(url).json()["title"] == "发展莲藕产业"
    assert Item.objects.get(pk=item.pk).goals.get().pk == goal["id"]


def test_the_village_page_shows_the_goals_and_their_progress(world) -> None:  # noqa: ANN001
    closed = drive_to_closed(world, make_item(world, title="清理垃圾"))
    secretary = api(world, "secretary_gaige")
    page = secretary.get(f"/villages/{world.gaige.pk}/").content.decode()
    assert 'action="/villages/%d/goals/"' % world.gaige.pk in page
    response = secretary.post(
        f"/villages/{world.gaige.pk}/goals/",
        {"goal-horizon": "near", "goal-title": "垃圾清零", "goal-items": [closed.code]},
    )
    assert response.status_code == 302
    goal = VillageGoal.objects.get()
    page = api(world, "cadre_gaige").get(f"/villages/{world.gaige.pk}/").content.decode()
    assert "垃圾清零" in page and "100.0%" in page
    assert 'action="/villages/%d/goals/"' % world.gaige.pk not in page  # a cadre sets none
    refused = secretary.post(f"/villages/{world.gaige.pk}/goals/", {"goal-horizon": "near"})
    assert refused.status_code == 422 and VillageGoal.objects.count() == 1
    shown = secretary.get(f"/goals/{goal.pk}/").content.decode()
    assert closed.code in shown and "100%" in shown
    edited = secretary.post(
        f"/goals/{goal.pk}/edit/",
        {"horizon": "standing", "title": "常态保洁", "version": 1, "active": "on"},
    )
    assert edited.status_code == 302
    goal.refresh_from_db()
    assert goal.horizon == Horizon.STANDING and goal.items.count() == 0 and goal.version == 2
    assert api(world, "cadre_shuangsheng").get(f"/goals/{goal.pk}/").status_code == 404
