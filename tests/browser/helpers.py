"""Steps that many browser tests share."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.factories import PASSWORD


def sign_up(
    page: Page, app_url: str, *, name: str, email: str, password: str = "a sturdy passphrase"
) -> None:
    page.goto(f"{app_url}/#/signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign up").click()


def create_family(page: Page, name: str, timezone: str = "Europe/Madrid") -> None:
    expect(page.get_by_role("heading", name="Create your family")).to_be_visible()
    page.get_by_label("Family name").fill(name)
    page.get_by_label("Time zone").select_option(timezone)
    page.get_by_role("button", name="Create family").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def add_child(page: Page, name: str) -> None:
    page.get_by_role("button", name="Add a child").click()
    page.get_by_label("Child's name").fill(name)
    page.get_by_role("button", name="Add child").click()
    expect(page.locator("#children-list")).to_contain_text(name)


def wait_for_service_worker(page: Page) -> None:
    page.evaluate(
        """() => Promise.race([
            navigator.serviceWorker.ready,
            new Promise((_, reject) =>
                setTimeout(() => reject(new Error('no service worker')), 10000)),
        ])"""
    )


def log_in(page: Page, app_url: str, email: str) -> None:
    """Sign in on the app's login screen (every test account shares ``PASSWORD``)."""
    page.goto(f"{app_url}/#/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
