"""Sign up, create a family, add a child, invite; join from the link; start offline."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import add_child, create_family, sign_up, wait_for_service_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_invite_flow_between_two_caregivers(page, new_context, app_url):
    sign_up(page, app_url, name="Ana", email="ana@example.com")
    create_family(page, "The Riveras")
    add_child(page, "Sam")
    page.get_by_role("button", name="Invite a caregiver").click()
    link = page.get_by_label("Invite link").input_value()
    assert re.search(r"/#/join/[\w-]{22,}$", link)
    invite_path = link.split("/#/", 1)[1]

    grandma = new_context().new_page()
    grandma.goto(f"{app_url}/#/{invite_path}")
    expect(grandma.get_by_role("heading", name=re.compile("invited"))).to_be_visible()
    grandma.get_by_role("link", name="Sign up").click()
    grandma.get_by_label("Your name").fill("Grandma")
    grandma.get_by_label("E-mail").fill("grandma@example.com")
    grandma.get_by_label("Password").fill("a sturdy passphrase")
    grandma.get_by_role("button", name="Sign up").click()
    expect(grandma.get_by_role("heading", name="The Riveras")).to_be_visible()
    expect(grandma.locator("#children-list")).to_contain_text("Sam")
    expect(grandma.get_by_text("Ana", exact=True)).to_be_visible()

    page.reload()
    expect(page.get_by_text("Grandma", exact=True)).to_be_visible()


def test_bad_input_is_shown_next_to_the_field(page, app_url):
    sign_up(page, app_url, name="Ana", email="not-an-email", password="short")
    expect(page.locator(".field-error").first).to_be_visible()
    expect(page.get_by_label("E-mail")).to_have_attribute("aria-invalid", "true")


def test_service_worker_controls_the_page_and_the_shell_starts_offline(page, context, app_url):
    sign_up(page, app_url, name="Ana", email="ana@example.com")
    create_family(page, "The Riveras")
    wait_for_service_worker(page)
    page.reload()
    assert page.evaluate("() => Boolean(navigator.serviceWorker.controller)")
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="The Riveras")).to_be_visible()
    context.set_offline(False)


def test_manifest_is_installable_shape(page, app_url):
    response = page.request.get(f"{app_url}/manifest.webmanifest")
    manifest = response.json()
    assert manifest["display"] == "standalone"
    sizes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert page.request.get(f"{app_url}{icon['src']}").status == 200
