"""A cadre on a phone logs a visit to two households with a photo and a policy explained, and
registers the problem found there in one step; the visit and the item link to each other.

Runs in the system's headless Chromium against the live test server; any request to another
host fails the test, and so does any error in the browser console."""

from __future__ import annotations

import pytest

from maque.fieldwork.models import FieldVisit
from maque.ledger.models import Item
from maque.organisation.models import Household
from tests.e2e.conftest import screenshot
from tests.e2e.test_it_field_work import camera_photo, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_cadre_logs_a_visit_and_registers_a_problem_from_it(
    open_context, live_server, world, tmp_path
):  # noqa: ANN001
    base = live_server.url
    zhang = Household.objects.create(village=world.gaige, head_name="张德福", address="一组12号")
    li = Household.objects.create(village=world.gaige, head_name="李秀兰", address="一组15号")
    Household.objects.create(village=world.gaige, head_name="王长贵", address="三组3号")

    page, watch = open_context(phone=True)
    sign_in(page, base, "cadre_gaige")
    page.click(".navbar-toggler")
    page.click("text=入户走访")
    page.wait_for_url(f"{base}/visits/")
    page.click("text=登记走访")
    # Find the households by house number, then tick both.
    page.fill("#visit-q", "一组")
    with page.expect_navigation():
        page.click("form[method=get] button[type=submit]")
    assert "王长贵" not in page.content()
    page.check(f"#hh-{zhang.pk}")
    page.check(f"#hh-{li.pk}")
    page.select_option("#visit-purpose", "publicity")
    page.locator("label", has_text="耕地保护").click()
    page.locator("details summary").first.click()
    assert "耕地是吃饭的根本" in page.content()
    page.fill("#visit-notes", "讲解耕地保护政策，张家院坝边杂物堆放。")
    page.set_input_files("#visit-photos", str(camera_photo(tmp_path, "olive")))
    screenshot(page, "visit-01-form-375")
    with page.expect_navigation():
        page.click("main form[method=post] button[type=submit]")
    visit = FieldVisit.objects.latest("id")
    assert page.url == f"{base}/visits/{visit.pk}/"
    assert set(visit.households.all()) == {zhang, li}
    assert list(visit.policies.values_list("name", flat=True)) == ["耕地保护"]
    assert visit.photos.count() == 1
    screenshot(page, "visit-02-page-375")

    # Register the problem found there, in one step, for 张德福's household.
    page.fill("#reg-title", "院坝边杂物乱堆放")
    page.select_option("#reg-household", str(zhang.pk))
    page.fill("#reg-description", "柴草和废旧农具堆在院坝边。")
    with page.expect_navigation():
        page.click("form[action$='/register/'] button[type=submit]")
    item = Item.objects.get(visit_link__visit=visit)
    assert page.url == f"{base}/items/{item.pk}/"
    assert item.household == zhang and item.attachments.count() == 1
    # The item links to the visit, the visit to the item, the household to both.
    assert page.locator(f"a[href='/visits/{visit.pk}/']").count() >= 1
    screenshot(page, "visit-03-item-375")
    page.goto(f"{base}/visits/{visit.pk}/")
    assert page.locator(f"a[href='/items/{item.pk}/']").count() == 1
    page.goto(f"{base}/households/{zhang.pk}/")
    assert page.locator(f"a[href='/visits/{visit.pk}/']").count() == 1
    assert page.locator(f"a[href='/items/{item.pk}/']").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the household page is {width}px wide on a 375px phone"
    assert watch.console_errors == []
