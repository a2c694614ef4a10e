"""Browser end-to-end fixtures: Debian's Chromium driven by Playwright, phone-sized."""

from __future__ import annotations

import os
import shutil

import pytest
from playwright.sync_api import expect

from tests.conftest import skip_or_fail

CHROMIUM = "/usr/bin/chromium"
# CI machines have 2 cores shared by two test workers, a live server and Chromium:
# generous waits keep the flows deterministic without slowing the passing case.
expect.set_options(timeout=15_000)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop vs. the ORM


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        skip_or_fail("Chromium is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # A fake camera and microphone that need no permission prompt (the voice recorder).
        "args": [
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 360, "height": 740},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "en-GB",
        "timezone_id": "Europe/Madrid",
    }


@pytest.fixture
def app_url(live_server):
    # Service workers need a secure context: localhost counts, 127.0.0.1 is fine too.
    return live_server.url.replace("127.0.0.1", "localhost")


@pytest.fixture
def new_context(browser, browser_context_args):
    """Open further independent browser contexts (another caregiver's phone)."""
    contexts = []

    def make():
        context = browser.new_context(**browser_context_args)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def _page_timeouts(request):
    if "page" in request.fixturenames:
        request.getfixturevalue("page").set_default_timeout(20_000)


@pytest.fixture(autouse=True)
def _browser_settings(settings):
    settings.SITE_URL = "http://localhost"
