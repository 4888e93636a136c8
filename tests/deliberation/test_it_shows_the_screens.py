"""The topic screens (the board, proposing, a topic's page with similar topics and its actions)
and the public pages under /p/ (no account; nothing else readable; hostile input escaped)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from maque.deliberation.models import Topic, TopicState
from maque.deliberation.queries import bigrams, similarity
from tests.conftest import World, jpeg_bytes
from tests.deliberation.helpers import deadline, propose, propose_public

pytestmark = pytest.mark.django_db


def signed_in(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    return client


def test_similarity_is_on_character_bigrams_without_word_splitting():
    assert bigrams("路灯 不亮！") == {"路灯", "灯不", "不亮"}
    assert similarity("三组路灯不亮", "三组的路灯不亮了") > 0.4
    assert similarity("三组路灯不亮", "荷塘园区建设") == 0.0
    assert similarity("", "路灯") == 0.0


def test_the_board_filters_and_hides_other_villages(world: World):
    mine = propose(world, title="村道路灯不亮", concern="urgent")
    propose(world, title="希望修建文化广场", concern="hoped_for")
    theirs = propose(
        world, persona="cadre_shuangsheng", village=world.shuangsheng, title="双胜水渠"
    )
    client = signed_in(world, "secretary_gaige")
    page = client.get("/topics/").content.decode()
    assert mine.code in page and theirs.code not in page
    filtered = client.get("/topics/", {"concern": "hoped_for"}).content.decode()
    assert mine.code not in filtered and "文化广场" in filtered
    assert Client().get("/topics/").status_code == 302


def test_a_secretary_proposes_with_a_photo_and_sees_the_receipt(world: World):
    client = signed_in(world, "secretary_gaige")
    response = client.post(
        "/topics/new/",
        {
            "village": world.gaige.pk,
            "concern": "difficult",
            "title": "荷塘园区排水不畅",
            "description": "雨后积水",
            "domain": "industry",
            "source": "meeting",
            "proposer_kind": "four_teams",
            "proposer_name": "",
            "proposer_phone": "",
            "photos": [SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")],
        },
        follow=True,
    )
    topic = Topic.objects.get(title="荷塘园区排水不畅")
    body = response.content.decode()
    assert topic.code in body and re.search(rf"{topic.code}-[0-9A-Z]{{8}}", body)
    assert topic.photos.count() == 1 and topic.source == "meeting"
    photo = topic.photos.get()
    assert client.get(f"/topics/photos/{photo.pk}/").status_code == 200
    assert (
        signed_in(world, "cadre_shuangsheng").get(f"/topics/photos/{photo.pk}/").status_code == 404
    )
    assert signed_in(world, "inspector").get("/topics/new/").status_code == 404


def test_the_topic_page_shows_similar_topics_and_takes_actions(world: World):
    first = propose(world, title="三组路灯不亮", description="晚上走路不安全")
    second = propose(world, title="三组的路灯坏了不亮", description="晚上走路很不安全")
    client = signed_in(world, "secretary_gaige")
    page = client.get(f"/topics/{second.code}/").content.decode()
    assert "similar-title" in page and first.code in page
    response = client.post(
        f"/topics/{second.code}/act/merge/", {"merge-version": 1, "merge-into": first.code}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.state == TopicState.MERGED and second.merged_into == first
    response = client.post(
        f"/topics/{first.code}/act/accept/",
        {
            "accept-version": 1,
            "accept-track": "quick",
            "accept-owner": world.people["cadre_gaige"].pk,
            "accept-deadline": deadline().isoformat(),
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == TopicState.ASSIGNED and first.actions.count() == 1
    stale = client.post(
        f"/topics/{first.code}/act/add_action/",
        {
            "add_action-version": 1,
            "add_action-owner": world.people["cadre_gaige"].pk,
            "add_action-deadline": deadline().isoformat(),
        },
    )
    assert stale.status_code == 409
    refused = signed_in(world, "cadre_gaige").post(
        f"/topics/{first.code}/act/add_action/", {"add_action-version": first.version}
    )
    assert refused.status_code == 302 and first.actions.count() == 1
    assert signed_in(world, "cadre_shuangsheng").get(f"/topics/{first.code}/").status_code == 404


def test_the_village_page_takes_a_proposal_and_gives_a_receipt(world: World):
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/p/{world.gaige.public_code}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "改革村" in body and "navbar" not in body
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    response = client.post(
        f"/p/{world.gaige.public_code}/",
        {
            "csrfmiddlewaretoken": token,
            "concern": "urgent",
            "title": "<script>alert(1)</script>路灯",
            "description": "",
            "name": "",
            "phone": "",
            "website": "",
            "photos": [SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")],
        },
    )
    assert response.status_code == 201, response.content.decode()[:500]
    receipt = re.search(r'id="receipt">([^<]+)<', response.content.decode()).group(1)
    followed = client.get("/p/receipt/", {"receipt": receipt}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;路灯" in followed
    assert "<script>alert(1)</script>" not in followed
    assert Topic.objects.get().photos.count() == 1


def test_the_village_page_refuses_what_it_must(world: World):
    client = Client()
    url = f"/p/{world.gaige.public_code}/"
    honeypot = client.post(url, {"concern": "urgent", "title": "x", "website": "spam"})
    assert honeypot.status_code == 400
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    refused = client.post(url, {"concern": "urgent", "title": "x", "photos": [fake]})
    assert refused.status_code == 422
    assert client.get("/p/no-such-village/").status_code == 404
    assert not Topic.objects.exists()


def test_nothing_else_is_readable_under_p(world: World):
    answered_elsewhere, _ = propose_public(world, village=world.shuangsheng, title="双胜村秘密")
    pending, receipt = propose_public(world, title="改革村尚未受理")
    client = Client()
    page = client.get(f"/p/{world.gaige.public_code}/").content.decode()
    assert "尚未受理" not in page and "双胜村秘密" not in page
    other_receipt = f"{answered_elsewhere.code}-{receipt.rsplit('-', 1)[1]}"
    assert client.get("/p/receipt/", {"receipt": other_receipt}).status_code == 404
    assert client.get("/p/receipt/", {"receipt": receipt}).status_code == 200
    assert client.get("/topics/").status_code == 302


def test_the_poster_draws_a_qr_code_of_the_page(world: World, settings):  # noqa: ANN001
    settings.MAQUE_PUBLIC_BASE_URL = "https://cun.example.gov.cn"
    response = Client().get(f"/p/{world.gaige.public_code}/poster/")
    body = response.content.decode()
    assert response.status_code == 200 and "<svg" in body
    assert f"https://cun.example.gov.cn/p/{world.gaige.public_code}/" in body
    assert "<script" not in body and "<style" not in body


def test_the_receipt_page_takes_satisfaction_once(world: World):
    from django.utils import timezone

    from maque.deliberation import lifecycle
    from maque.deliberation.tick import complete_finished_topics
    from tests.deliberation.helpers import accept_quick, close_item, topic_items

    topic, receipt = propose_public(world)
    topic = accept_quick(world, topic)
    close_item(world, topic_items(topic)[0])
    complete_finished_topics(now=timezone.now())
    lifecycle.topic_answer(
        topic=Topic.objects.get(pk=topic.pk), by=world.user("secretary_gaige"), answer="已清运完毕"
    )
    client = Client()
    page = client.get("/p/receipt/", {"receipt": receipt}).content.decode()
    assert "已清运完毕" in page and 'name="satisfaction"' in page
    response = client.post(
        "/p/receipt/satisfaction/", {"receipt": receipt, "satisfaction": "satisfied", "note": ""}
    )
    assert response.status_code == 200
    topic.refresh_from_db()
    assert topic.satisfaction == "satisfied"
    again = client.get("/p/receipt/", {"receipt": receipt}).content.decode()
    assert 'name="satisfaction"' not in again


def test_the_board_shows_the_villages_figures(world: World):
    propose(world, concern="urgent")
    propose(world, concern="urgent")
    propose(world, persona="cadre_shuangsheng", village=world.shuangsheng, concern="hoped_for")
    page = signed_in(world, "secretary_gaige").get("/topics/").content.decode()
    figures = page.split('id="figures-title"', 1)[1]
    assert "改革村" in figures and "双胜村" not in figures
    assert "<td>2</td><td>2</td>" in figures  # two topics, both 急
