"""At 375 px: the party secretary sets a goal of the village from its page and sees it there with
its progress; the page does not scroll sideways."""

from __future__ import annotations

import pytest

from maque.diagnosis.models import VillageGoal
from tests.conftest import drive_to_closed, make_item
from tests.e2e.conftest import screenshot
from tests.e2e.test_it_field_work import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_secretary_sets_a_goal_on_a_phone(open_context, live_server, world):  # noqa: ANN001
    closed = drive_to_closed(world, make_item(world, title="清理垃圾"))
    make_item(world, title="改厕")
    base = live_server.url
    page, _watch = open_context(phone=True)
    sign_in(page, base, "secretary_gaige")
    page.goto(f"{base}/villages/{world.gaige.pk}/")
    page.click("#goals summary")
    page.select_option("#id_goal-horizon", "near")
    page.fill("#id_goal-title", "人居环境整治见效")
    page.select_option("#id_goal-items", [closed.code])
    with page.expect_navigation():
        page.click("#goals button[type=submit]")
    assert VillageGoal.objects.get().items.get() == closed
    goals = page.locator("#goals")
    assert "人居环境整治见效" in goals.inner_text() and "100.0%" in goals.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "40-village-goals-375")
