"""On a phone (375 px): a villager with no account raises a matter with a photo on the village's
public page and gets a receipt; the secretary accepts it as 小事 and assigns a cadre; the cadre's
item is verified and closed; the secretary answers; the villager looks the receipt up, reads the
answer and gives satisfaction (issue 12, the browser test)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from maque.deliberation.models import Topic, TopicState
from maque.deliberation.tick import complete_finished_topics
from tests.deliberation.helpers import close_item, topic_items
from tests.e2e.conftest import screenshot
from tests.e2e.test_it_field_work import camera_photo, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_villagers_topic_from_the_notice_board_to_satisfaction(
    open_context, live_server, world, tmp_path
):  # noqa: ANN001
    base = live_server.url
    villager, _watch = open_context(phone=True)
    villager.goto(f"{base}/p/{world.gaige.public_code}/")
    assert villager.evaluate("document.documentElement.scrollWidth") <= 375
    villager.check("input[name=concern][value=urgent]")
    villager.fill("#id_title", "三组村道路灯不亮")
    villager.fill("#id_description", "晚上老人走路看不见。")
    villager.set_input_files("#photos", str(camera_photo(tmp_path)))
    with villager.expect_navigation():
        villager.click("button[type=submit]")
    receipt = villager.locator("#receipt").inner_text().strip()
    screenshot(villager, "40-villager-receipt-375")
    topic = Topic.objects.get(title="三组村道路灯不亮")
    assert receipt.startswith(topic.code + "-") and topic.photos.count() == 1

    secretary, _watch2 = open_context(phone=True)
    sign_in(secretary, base, "secretary_gaige")
    secretary.goto(f"{base}/topics/")
    secretary.click(f'a[href="/topics/{topic.code}/"]')
    secretary.select_option("#id_accept-track", "quick")
    secretary.select_option("#id_accept-owner", str(world.people["cadre_gaige"].pk))
    secretary.fill("#id_accept-deadline", (timezone.localdate() + timedelta(days=7)).isoformat())
    with secretary.expect_navigation():
        secretary.click('form[action$="/act/accept/"] button[type=submit]')
    topic.refresh_from_db()
    assert topic.state == TopicState.ASSIGNED
    (item,) = topic_items(topic)
    assert item.owner == world.people["cadre_gaige"]

    close_item(world, item)  # the cadre's work, verified by the contact leader
    assert complete_finished_topics(now=timezone.now()) == 1
    secretary.reload()
    secretary.fill("#id_answer-answer", "三组村道的路灯已全部更换，晚上已经亮了。")
    with secretary.expect_navigation():
        secretary.click('form[action$="/act/answer/"] button[type=submit]')
    topic.refresh_from_db()
    assert topic.state == TopicState.ANSWERED

    villager.goto(f"{base}/p/receipt/")
    villager.fill("#id_receipt", receipt)
    with villager.expect_navigation():
        villager.click("form[method=get] button[type=submit]")
    assert "路灯已全部更换" in villager.content()
    villager.check("input[name=satisfaction][value=satisfied]")
    with villager.expect_navigation():
        villager.click('form[action$="/receipt/satisfaction/"] button[type=submit]')
    screenshot(villager, "41-villager-satisfied-375")
    assert villager.evaluate("document.documentElement.scrollWidth") <= 375
    topic.refresh_from_db()
    assert topic.satisfaction == "satisfied"
