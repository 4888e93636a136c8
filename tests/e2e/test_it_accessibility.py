"""Keyboard use and labels: signing in and acting on an item with the keyboard only; every
form control on the main pages has an accessible name."""

from __future__ import annotations

import pytest

from maque.ledger.models import State
from tests.conftest import drive_to_submitted, make_item

pytestmark = [pytest.mark.browser, pytest.mark.slow]

UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 120))"""


def test_it_works_with_the_keyboard_and_labels_every_control(open_context, live_server, world):  # noqa: ANN001
    base = live_server.url
    item = drive_to_submitted(world, make_item(world, title="键盘验收的事项"))
    page, watch = open_context(phone=False)
    page.goto(f"{base}/login/")
    page.keyboard.type("contact_gaige")  # the user name field has the focus on arrival
    page.keyboard.press("Tab")
    page.keyboard.type("pw-contact_gaige")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/"

    for path in (
        "/",
        "/ledger/",
        "/register/",
        f"/items/{item.pk}/",
        f"/villages/{world.gaige.pk}/",
        "/password/",
    ):
        page.goto(base + path)
        assert page.evaluate(UNLABELLED) == [], path

    # Verify with the keyboard: focus the action, open it, type the note, confirm.
    page.goto(f"{base}/items/{item.pk}/")
    page.focus("summary[data-action=verify]")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("现场核查属实")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    item.refresh_from_db()
    assert item.state == State.CLOSED
    assert watch.console_errors == []
