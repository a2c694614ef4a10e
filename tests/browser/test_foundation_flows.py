"""Sign up, create a family, add a child, invite; join from the link; start offline."""

import re

import pytest
from playwright.sync_api import expect

from families import services
from families.models import Membership, Role
from tests.support.factories import MembershipFactory

from .helpers import add_child, create_family, log_in, sign_up, wait_for_service_worker

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
    # The link names the family and who invited, and joins nothing by itself.
    expect(grandma.get_by_role("heading", name="Join The Riveras?")).to_be_visible()
    expect(grandma.get_by_text("Ana invited you as a caregiver.")).to_be_visible()
    grandma.get_by_role("link", name="Sign up").click()
    grandma.get_by_label("Your name").fill("Grandma")
    grandma.get_by_label("E-mail").fill("grandma@example.com")
    grandma.get_by_label("Password").fill("a sturdy passphrase")
    grandma.get_by_role("button", name="Sign up").click()
    # Back on the invitation, asked again (signed in now): join, or not now.
    expect(grandma.get_by_role("heading", name="Join The Riveras?")).to_be_visible()
    expect(grandma.get_by_role("button", name="Not now")).to_be_visible()
    assert not Membership.objects.filter(user__email="grandma@example.com").exists()
    grandma.get_by_role("button", name="Join").click()
    expect(grandma.locator("#toast")).to_contain_text("You joined The Riveras")
    expect(grandma.get_by_role("heading", name="The Riveras")).to_be_visible()
    expect(grandma.locator("#children-list")).to_contain_text("Sam")
    expect(grandma.get_by_text("Ana", exact=True)).to_be_visible()

    page.reload()
    expect(page.get_by_text("Grandma", exact=True)).to_be_visible()


def test_an_invitation_says_which_family_and_who_and_not_now_joins_nothing(
    page, new_context, app_url
):
    owner = MembershipFactory(
        family__name="The Riveras", role=Role.OWNER, user__display_name="Alice"
    )
    issued = services.create_invitation(membership=owner, role=Role.CAREGIVER)
    MembershipFactory(family__name="The Smiths", user__email="bob@example.com")
    log_in(page, app_url, "bob@example.com")
    expect(page.get_by_role("heading", name="Today")).to_be_visible()

    page.goto(f"{app_url}/#/join/{issued.token}")
    expect(page.get_by_role("heading", name="Join The Riveras?")).to_be_visible()
    expect(page.get_by_text("Alice invited you as a caregiver.")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert not Membership.objects.filter(user__email="bob@example.com", family=owner.family)
    page.get_by_role("button", name="Not now").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    assert not Membership.objects.filter(user__email="bob@example.com", family=owner.family)

    page.goto(f"{app_url}/#/join/not-a-real-token-at-all-123456")
    expect(page.get_by_role("heading", name="This invitation cannot be used")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("not valid")


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
