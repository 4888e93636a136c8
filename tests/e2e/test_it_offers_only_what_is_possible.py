"""On a phone (375 px) the item page offers one primary action and groups the rest; approvals
appear only while a request waits; no button is squeezed to a character's width (the inbox's
"mark read" neither)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from maque.ledger import lifecycle
from maque.ledger.models import Item
from maque.notifications.services import notify
from tests.conftest import make_item
from tests.e2e.conftest import screenshot
from tests.e2e.test_it_field_work import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Four Chinese characters of a small button at 14 px, the narrowest label shown.
NARROWEST = 56

VISIBLE_BUTTONS = """() => Array.from(document.querySelectorAll('main .btn, main summary.btn'))
  .filter(el => el.checkVisibility())
  .map(el => ({text: el.innerText.trim(), width: el.getBoundingClientRect().width,
               lines: Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight))}))"""


def visible_actions(page) -> list[str]:  # noqa: ANN001
    return page.eval_on_selector_all(
        "summary[data-action]",
        "els => els.filter(el => el.checkVisibility()).map(el => el.dataset.action)",
    )


def assert_buttons_readable(page) -> None:  # noqa: ANN001
    for button in page.evaluate(VISIBLE_BUTTONS):
        assert button["width"] >= NARROWEST, button
        assert button["lines"] <= 2, button


def test_it_offers_one_primary_action_and_approvals_only_when_asked(
    open_context, live_server, world
):  # noqa: ANN001
    base = live_server.url
    item = make_item(world, title="新登记的撂荒地")
    page, watch = open_context(phone=True)
    sign_in(page, base, "principal")
    page.goto(f"{base}/items/{item.pk}/")
    assert visible_actions(page) == ["start"]
    assert page.locator("summary[data-more-actions]").is_visible()
    assert page.locator("summary[data-action^=approve], summary[data-action^=reject]").count() == 0
    assert_buttons_readable(page)
    screenshot(page, "20-new-item-principal-375")
    page.click("summary[data-more-actions]")
    assert visible_actions(page) == ["start", "cancel", "suspend", "extend"]
    assert_buttons_readable(page)

    # The owner asks for an extension: now the principal is offered the decision, first.
    lifecycle.item_request_extension(
        item=item,
        by=world.user("cadre_gaige"),
        new_deadline=item.deadline + timedelta(days=20),
        reason="等雨季过后",
    )
    page.goto(f"{base}/items/{item.pk}/")
    assert visible_actions(page)[0] in ("start", "approve_extension")
    page.click("summary[data-more-actions]")
    assert {"approve_extension", "reject_extension"} <= set(visible_actions(page))
    assert "extend" not in visible_actions(page)
    page.click("summary[data-action=approve_extension]")
    with page.expect_navigation():
        page.click("button[name=confirm][value=approve_extension]")
    assert Item.objects.get(pk=item.pk).deadline == item.deadline + timedelta(days=20)
    page.goto(f"{base}/items/{item.pk}/")
    assert page.locator("summary[data-action^=approve], summary[data-action^=reject]").count() == 0
    assert watch.console_errors == []


def test_it_keeps_the_inbox_mark_read_button_readable_on_a_phone(open_context, live_server, world):  # noqa: ANN001
    base = live_server.url
    for number in range(3):
        notify(
            recipients=[world.people["principal"]],
            kind="escalation.digest",
            title="逾期事项汇总：" + "改革村三组王家湾撂荒地复耕整治" * 3,
            body="逾期12天 · 改革村",
            key=f"e2e:{number}",
        )
    page, watch = open_context(phone=True)
    sign_in(page, base, "principal")
    page.goto(f"{base}/inbox/")
    buttons = page.get_by_role("button", name="标为已读", exact=True)
    assert buttons.count() == 3
    for index in range(3):
        box = buttons.nth(index).bounding_box()
        assert box is not None and box["width"] >= NARROWEST, box
    assert_buttons_readable(page)
    screenshot(page, "21-inbox-375")
    assert watch.console_errors == []
