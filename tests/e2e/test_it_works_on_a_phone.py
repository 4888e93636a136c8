"""At 375 px: a refused registration shows its problems first and asks for the photo again; the
contact leader opens the weekly diagnosis; each role's home starts with what waits for it and the
town's table keeps its headers on one line with every column reachable."""

from __future__ import annotations

import pytest
from django.utils import timezone

from maque.accountability.services import accountability_suggest
from maque.meetings.services import diagnosis_draft
from tests.conftest import make_item
from tests.e2e.conftest import screenshot
from tests.e2e.test_it_field_work import camera_photo, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_it_shows_registration_problems_first_on_a_phone(
    open_context, live_server, world, tmp_path
):  # noqa: ANN001
    base = live_server.url
    page, _watch = open_context(phone=True)
    sign_in(page, base, "cadre_gaige")
    page.goto(f"{base}/register/")
    category = world.category("farmland-outflow")
    page.select_option("#id_category", str(category.pk))
    page.wait_for_selector("#category-fields")
    page.fill("#id_title", "河坝地撂荒")
    page.set_input_files("#id_photo", str(camera_photo(tmp_path)))
    with page.expect_navigation():
        page.click("#register-submit")
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    # The summary is on screen and has the focus; each problem links to its field.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    box = summary.bounding_box()
    assert box is not None and box["y"] < 740
    assert (
        page.locator("#photo-again").is_visible()
        and "olive.jpg" in page.locator("#photo-again").inner_text()
    )
    screenshot(page, "10-register-errors-375")
    first = summary.locator("a").first
    target = first.get_attribute("href")
    first.click()
    assert page.evaluate("location.hash") == target


def test_it_takes_the_contact_leader_to_the_diagnosis(open_context, live_server, world):  # noqa: ANN001
    base = live_server.url
    meeting = diagnosis_draft(town=world.town, now=timezone.now())
    page, _watch = open_context(phone=True)
    sign_in(page, base, "contact_gaige")
    page.goto(f"{base}/meetings/")
    page.click(f'a[href="/meetings/{meeting.pk}/"]')
    page.wait_for_url(f"{base}/meetings/{meeting.pk}/")
    assert "改革村" in page.content()
    screenshot(page, "11-contact-diagnosis-375")


def test_it_opens_each_home_with_what_waits_and_a_readable_town_table(
    open_context, live_server, world
):  # noqa: ANN001
    base = live_server.url
    for number in range(2):
        item = make_item(world, title=f"逾期事项{number}")
        accountability_suggest(
            town=world.town,
            rule="overdue",
            subject_person=world.people["cadre_gaige"],
            village=world.gaige,
            items=[item],
            key=f"overdue:{item.pk}",
            summary="逾期15天",
        )
    page, _watch = open_context(phone=True)
    sign_in(page, base, "discipline")
    page.wait_for_selector("#cases-waiting")
    assert (
        page.locator("#cases-waiting").bounding_box()["y"]
        < page.locator("#town-title").bounding_box()["y"]
    )
    assert page.locator('a[href="/register/"]').count() == 0
    # Headers of the town's table stay on one line; the table scrolls sideways inside its box.
    heights = page.eval_on_selector_all(
        "#town-title ~ .table-responsive th[scope=col]",
        "cells => cells.map(c => c.getBoundingClientRect().height)",
    )
    assert heights and max(heights) < 2 * min(heights)
    scrolls = page.eval_on_selector(
        "#town-title ~ .table-responsive",
        "box => box.scrollWidth > box.clientWidth || box.scrollWidth <= 375",
    )
    assert scrolls
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "12-discipline-home-375")
