"""Headless Chromium for the end-to-end tests: the system's own browser, never a downloaded one.

When Chromium or the Playwright package is missing the tests are skipped, and the run ends
with a line saying so and why (tests/conftest.py; CI installs both, so there they always run).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("MAQUE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 375, "height": 740}

BROWSER_SKIPPED = "browser tests skipped"


def _why_unavailable() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -e '.[dev]')"
    return None


def pytest_collection_modifyitems(config, items):  # noqa: ANN001, ANN201
    reason = _why_unavailable()
    if reason is None:
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=f"{BROWSER_SKIPPED}: {reason}"))


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API keeps an event loop in this thread while the browser is open;
    # the tests' database calls between browser steps are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class Watch:
    """Fails the test on any request that leaves the test server, and collects console errors."""

    def __init__(self, origin: str) -> None:
        self.origin = urlsplit(origin).netloc
        self.foreign: list[str] = []
        self.console_errors: list[str] = []

    def route(self, route, request) -> None:  # noqa: ANN001
        if urlsplit(request.url).netloc == self.origin:
            route.continue_()
        else:
            self.foreign.append(request.url)
            route.abort()

    def observe(self, request) -> None:  # noqa: ANN001
        if (
            urlsplit(request.url).scheme in ("http", "https")
            and urlsplit(request.url).netloc != self.origin
        ):
            self.foreign.append(request.url)

    def console(self, message) -> None:  # noqa: ANN001
        if message.type == "error":
            self.console_errors.append(message.text)

    def page_error(self, error) -> None:  # noqa: ANN001
        self.console_errors.append(str(error))


@pytest.fixture
def open_context(browser, live_server):  # noqa: ANN001, ANN201
    """Open a browser context (a fresh profile) that may talk to the test server only."""
    contexts = []
    watches = []

    def make(*, phone: bool = True, intercept: bool = True):  # noqa: ANN202
        """A page in a fresh profile. Without interception (which turns the browser's cache off),
        requests are still watched, and one to another host fails the test at the end."""
        options = (
            {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
            if phone
            else {"viewport": {"width": 1280, "height": 900}}
        )
        context = browser.new_context(locale="zh-CN", **options)
        watch = Watch(live_server.url)
        if intercept:
            context.route("**/*", watch.route)
        page = context.new_page()
        if not intercept:
            page.on("request", watch.observe)
        page.on("console", watch.console)
        page.on("pageerror", watch.page_error)
        contexts.append(context)
        watches.append(watch)
        return page, watch

    yield make
    for context in contexts:
        context.close()
    for watch in watches:
        assert watch.foreign == [], f"requests left the test server: {watch.foreign}"


def screenshot(page, name: str) -> Path:  # noqa: ANN001
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
