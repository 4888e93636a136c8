"""The petition office on a phone: the leader registers a petition, accepts it and downloads the
notice; the register masks the petitioner; the limits say calendar days (自然日) everywhere.

Runs in the system's headless Chromium against the live test server; any request to another
host fails the test, and so does any error in the browser console."""

from __future__ import annotations

import pytest

from maque.petitions.models import Petition, State
from tests.e2e.conftest import screenshot
from tests.e2e.test_it_field_work import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_it_registers_accepts_and_issues_a_notice_on_a_phone(open_context, live_server, world):  # noqa: ANN001
    base = live_server.url
    page, watch = open_context(phone=True)
    sign_in(page, base, "leader")
    page.click(".navbar-toggler")
    page.click("text=信访")
    page.wait_for_url(f"{base}/petitions/")
    assert "自然日" in page.content()
    page.click("text=信访登记")
    page.wait_for_url(f"{base}/petitions/new/")
    page.select_option("#id_channel", "visit")
    page.fill("#id_petitioner_name", "王德明")
    page.fill("#id_petitioner_phone", "13912345678")
    page.fill("#id_matter", "反映三组宅基地边界纠纷，要求重新勘界。")
    page.select_option("#id_village", label=world.gaige.name)
    page.select_option("#id_owner", label="cadre_gaige")
    screenshot(page, "petition-01-register-form-375")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    petition = Petition.objects.latest("id")
    assert page.url == f"{base}/petitions/{petition.code}/"
    assert "王德明" in page.content() and "自然日" in page.content()
    screenshot(page, "petition-02-page-375")

    with page.expect_navigation():
        page.click("button[name=confirm][value=accept]")
    petition.refresh_from_db()
    assert petition.state == State.ACCEPTED
    notice = petition.notices.get()
    assert notice.code in page.content()
    with page.expect_download() as download:
        page.click(f"a[href='/petitions/{petition.code}/notices/{notice.pk}/']")
    assert download.value.suggested_filename.endswith(".docx")
    screenshot(page, "petition-03-accepted-375")

    page.goto(f"{base}/petitions/")
    assert petition.code in page.content()
    assert "王德明" not in page.content() and "13912345678" not in page.content()
    screenshot(page, "petition-04-register-375")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the register is {width}px wide on a 375px phone"
    assert watch.console_errors == []
