"""At 375 px, from one phone: five wrong passwords pause that account only — the message says what
happened and when it ends — and a colleague signs in on the same phone at once (issue: the first
week, sign-in lock-out)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_it_field_work import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_five_typos_pause_one_account_and_not_the_colleague(open_context, live_server, world):  # noqa: ANN001
    base = live_server.url
    page, _watch = open_context(phone=True)
    for _attempt in range(5):
        page.goto(f"{base}/login/")
        page.fill("#id_username", "cadre_gaige")
        page.fill("#id_password", "wrong-password")
        page.click("button[type=submit]")
        page.wait_for_load_state()
    page.goto(f"{base}/login/")
    page.fill("#id_username", "cadre_gaige")
    page.fill("#id_password", "pw-cadre_gaige")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert "/login/" in page.url
    # What happened, until when (HH:MM), and that the others are not affected.
    assert "暂停" in text and re.search(r"\d{2}:\d{2}", text), text
    assert "其他账号不受影响" in text, text
    screenshot(page, "sign-in-paused-phone")
    # The whole message is readable on the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1

    sign_in(page, base, "principal")
    assert page.url == f"{base}/"
