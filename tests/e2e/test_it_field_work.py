"""A cadre on a phone registers, reports and submits; the contact leader verifies; nobody else sees it.

Runs in the system's headless Chromium against the live test server; any request to another
host fails the test, and so does any error in the browser console.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from maque.ledger.models import Item, State
from maque.organisation.models import Plot
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [108.52, 32.51],
            [108.5212, 32.5101],
            [108.5215, 32.5109],
            [108.5203, 32.5112],
            [108.52, 32.51],
        ]
    ],
}


def camera_photo(tmp_path, colour: str = "olive"):  # noqa: ANN001, ANN201
    path = tmp_path / f"{colour}.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def sign_in(page, base: str, username: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def act(page, action: str, **fields: str) -> None:  # noqa: ANN001
    """Open an action on the item page (from "more actions" if it is not the primary one),
    fill its fields and confirm it."""
    summary = page.locator(f"summary[data-action={action}]")
    if not summary.is_visible():
        page.click("summary[data-more-actions]")
    summary.click()
    for name, value in fields.items():
        page.fill(f"#id_{action}-{name}", value)
    with page.expect_navigation():
        page.click(f"button[name=confirm][value={action}]")


def test_it_field_work_from_registration_to_close_out(open_context, live_server, world, tmp_path):  # noqa: ANN001
    base = live_server.url
    Plot.objects.filter(pk=world.plots["gaige"].pk).update(polygon=SQUARE)

    # The cadre of 改革村, on a phone, signs in and registers a problem with a photo.
    page, cadre_watch = open_context(phone=True)
    sign_in(page, base, "cadre_gaige")
    screenshot(page, "01-cadre-home-375")
    page.click(".navbar-toggler")
    page.click("text=摸排登记")
    page.wait_for_url(f"{base}/register/")
    page.select_option("#id_category", label="耕地流出整治及撂荒地治理")
    page.wait_for_selector("#id_attr_area_mu")
    page.fill("#id_title", "三组王家湾撂荒地复耕")
    page.select_option("#id_attr_plot", "GG-001")
    page.fill("#id_attr_area_mu", "2.4")
    page.select_option("#id_attr_current_use", "撂荒")
    page.select_option("#id_attr_target_use", "复耕")
    page.fill("#id_description", "连续两年无人耕种，杂草丛生。")
    page.set_input_files("#id_photo", str(camera_photo(tmp_path, "olive")))
    screenshot(page, "02-register-375")
    with page.expect_navigation():
        page.click("#register-submit")
    assert re.search(r"/items/\d+/$", page.url)
    item = Item.objects.get(title="三组王家湾撂荒地复耕")
    assert item.state == State.FOUND and item.attachments.count() == 1

    # Starts, logs progress with a photo from the camera, and submits for verification.
    act(page, "start")
    page.fill("#id_text", "已组织农户翻耕，完成一半。")
    page.fill("#id_percent", "50")
    page.set_input_files("#progress-files", str(camera_photo(tmp_path, "green")))
    with page.expect_navigation():
        page.click("text=保存进展")
    act(page, "submit", note="已全部复耕，请验收。")
    item.refresh_from_db()
    assert item.state == State.SUBMITTED
    assert page.locator("summary[data-action=verify]").count() == 0
    screenshot(page, "03-item-submitted-375")

    # The item page after the first visit: what a phone downloads again.
    item_url = f"{base}/items/{item.pk}/"
    # (Interception turns the browser's cache off, so this is measured in a watched profile.)
    measured, measured_watch = open_context(phone=True, intercept=False)
    sign_in(measured, base, "cadre_gaige")
    downloaded = measure_revisit(measured, item_url, via=f"{base}/")
    print(
        f"\nitem page after the first visit: {downloaded['bytes']} bytes over {downloaded['requests']} requests:"
    )
    for url, size in downloaded["detail"]:
        print(f"  {size:>8}  {url}")
    # The page itself and nothing big: styles, scripts and thumbnails come from the browser's cache.
    assert downloaded["bytes"] < 60_000

    # The contact leader of 改革村 verifies it from the home page.
    leader, leader_watch = open_context(phone=False)
    sign_in(leader, base, "contact_gaige")
    screenshot(leader, "04-contact-leader-home")
    leader.click(f"a[href='/items/{item.pk}/']")
    act(leader, "verify", note="现场核查：已复耕，长势良好。")
    item.refresh_from_db()
    assert item.state == State.CLOSED and item.verified_by == world.people["contact_gaige"]
    assert leader.locator(".badge", has_text="已销号").count() >= 1
    timeline = leader.locator(".timeline").inner_text()
    for step in ("登记", "开始整改", "进展", "提交验收", "验收销号", "现场核查：已复耕"):
        assert step in timeline
    screenshot(leader, "05-item-closed")

    # The cadre sees it closed, with its timeline, on the phone.
    page.goto(item_url)
    assert "已销号" in page.locator("h1 + p").inner_text()
    assert list(item.transitions.values_list("action", flat=True)) == [
        "create",
        "start",
        "submit",
        "verify",
    ]
    screenshot(page, "06-item-closed-375")

    # A cadre of another village cannot open it.
    other, other_watch = open_context(phone=True)
    sign_in(other, base, "cadre_shuangsheng")
    response = other.goto(item_url)
    assert response is not None and response.status == 404
    assert "三组王家湾撂荒地复耕" not in other.content()
    other_watch.console_errors = [e for e in other_watch.console_errors if "404" not in e]

    # The principal's home with the town table and charts, and the ledger on a phone.
    principal, principal_watch = open_context(phone=False)
    sign_in(principal, base, "principal")
    principal.wait_for_selector("#chart-trend canvas")
    screenshot(principal, "07-principal-home")
    principal_phone, phone_watch = open_context(phone=True)
    sign_in(principal_phone, base, "principal")
    principal_phone.goto(f"{base}/ledger/")
    principal_phone.select_option("#id_village", label="改革村")
    principal_phone.wait_for_url(re.compile(r".*village=\d+.*"))
    assert "三组王家湾撂荒地复耕" in principal_phone.locator("#ledger-table").inner_text()
    screenshot(principal_phone, "08-ledger-375")
    principal_phone.goto(f"{base}/villages/{world.gaige.pk}/")
    screenshot(principal_phone, "09-village-375")

    for watch in (
        cadre_watch,
        measured_watch,
        leader_watch,
        other_watch,
        principal_watch,
        phone_watch,
    ):
        assert watch.console_errors == []
        assert watch.foreign == []


def measure_revisit(page, url: str, *, via: str) -> dict:  # noqa: ANN001
    """Bytes received (headers and bodies) when a page visited once is opened again from another."""
    page.goto(url)
    page.goto(via)
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    urls: dict[str, str] = {}
    received: dict = {"bytes": 0, "requests": 0, "detail": []}

    def sent(event: dict) -> None:
        urls[event["requestId"]] = event["request"]["url"]

    def finished(event: dict) -> None:
        size = int(event.get("encodedDataLength", 0))
        received["bytes"] += size
        received["requests"] += 1
        received["detail"].append((urls.get(event["requestId"], "?"), size))

    session.on("Network.requestWillBeSent", sent)
    session.on("Network.loadingFinished", finished)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    session.detach()
    return received
