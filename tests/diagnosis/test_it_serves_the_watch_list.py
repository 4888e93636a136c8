"""The watch list and the village diagnosis through the API: scoped reads (a cadre sees their
village's diagnosis and entries, not other villages' deliberations), proposals by hand, steps
with their reasons and versions, and refusals that change nothing."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from maque.diagnosis.models import EntryState, VillageSnapshot, WatchEntry
from maque.diagnosis.snapshots import snapshots_write
from tests.conftest import make_item


def api(world, persona: str) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(world.user(persona))
    return client


def propose(world, village=None) -> dict:  # noqa: ANN001
    response = api(world, "principal").post(
        "/api/v1/watchlist",
        {"village": (village or world.gaige).pk, "reason": "群众反映集中"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_it_proposes_by_hand_and_takes_each_step_with_its_reason(world):
    entry = propose(world)
    assert entry["state"] == "proposed" and entry["subject_label"] == "改革村"
    assert entry["reasons"][0] == {
        "rule": "by_hand",
        "text": "群众反映集中",
        "value": None,
        "threshold": None,
    }
    assert set(entry["actions"]) == {"accept", "dismiss"}
    leader = api(world, "leader")
    url = f"/api/v1/watchlist/{entry['id']}/actions/accept"
    refused = leader.post(url, {"version": 1}, content_type="application/json")
    assert refused.status_code == 422 and "reason" in refused.json()["errors"]
    accepted = leader.post(url, {"reason": "典型", "version": 1}, content_type="application/json")
    assert accepted.status_code == 200
    body = accepted.json()
    assert (body["state"], body["version"], body["listed_on"]) == (
        "listed",
        2,
        str(timezone.localdate()),
    )
    assert [e["action"] for e in body["events"]] == ["propose", "accept"]
    stale = leader.post(
        f"/api/v1/watchlist/{entry['id']}/actions/exit",
        {"reason": "已好转", "version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert WatchEntry.objects.get().state == EntryState.LISTED


def test_it_refuses_a_second_active_entry_of_a_subject(world):
    propose(world)
    again = api(world, "principal").post(
        "/api/v1/watchlist",
        {"village": world.gaige.pk, "reason": "再次"},
        content_type="application/json",
    )
    assert again.status_code == 422
    assert WatchEntry.objects.count() == 1


def test_it_shows_a_cadre_only_their_villages_entries(world):
    own = propose(world)
    other = propose(world, world.shuangsheng)
    cadre = api(world, "cadre_gaige")
    listed = cadre.get("/api/v1/watchlist").json()
    assert [row["id"] for row in listed["items"]] == [own["id"]]
    assert cadre.get(f"/api/v1/watchlist/{other['id']}").status_code == 404
    assert cadre.get(f"/api/v1/watchlist/{own['id']}").json()["actions"] == []
    refused = cadre.post(
        f"/api/v1/watchlist/{own['id']}/actions/dismiss",
        {"reason": "不同意"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert WatchEntry.objects.get(pk=own["id"]).state == EntryState.PROPOSED
    principal = api(world, "principal").get("/api/v1/watchlist?state=proposed").json()
    assert principal["count"] == 2


def test_it_serves_a_village_diagnosis_against_the_town_with_its_trend(world):
    today = timezone.localdate()
    make_item(
        world,
        title="逾期",
        found_on=today - timedelta(days=30),
        deadline=today - timedelta(days=20),
    )
    make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng, title="按期")
    now = timezone.now()
    for back in (14, 7, 0):
        snapshots_write(town=world.town, now=now - timedelta(days=back), stale_days=14)
    assert VillageSnapshot.objects.count() == 6
    cadre = api(world, "cadre_gaige")
    body = cadre.get(f"/api/v1/villages/{world.gaige.pk}/diagnosis?weeks=3").json()
    assert body["day"] == str(today)
    assert [week["day"] for week in body["weeks"]] == [
        str(today - timedelta(days=14)),
        str(today - timedelta(days=7)),
        str(today),
    ]
    indicators = {row["key"]: row for row in body["indicators"]}
    assert indicators["overdue"]["value"] == 1 and indicators["overdue"]["town_median"] == 0.5
    assert indicators["overdue_15"]["worse_than_town"] is True
    assert indicators["topics_waiting"]["value"] is None  # not tracked here
    assert [row["title"] for row in body["drivers"]["items"]] == ["逾期"]
    assert body["drivers"]["items"][0]["days_overdue"] == 20
    assert body["drivers"]["owners"] == [{"name": "cadre_gaige", "overdue": 1}]
    assert cadre.get(f"/api/v1/villages/{world.shuangsheng.pk}/diagnosis").status_code == 404
    assert cadre.get(f"/api/v1/villages/{world.gaige.pk}/diagnosis?weeks=0").status_code == 422


def test_it_lists_the_watch_list_on_the_principals_home_and_not_a_cadres(world):
    propose(world, world.shuangsheng)
    page = api(world, "principal").get("/").content.decode()
    assert "走看清单" in page and "群众反映集中" in page
    assert "群众反映集中" not in api(world, "cadre_gaige").get("/").content.decode()
