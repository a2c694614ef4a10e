"""Leaving a family never deletes it: the only owner hands it over first, and a family's
only member deletes it on purpose (its name typed, the password given)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from families.models import Family, Membership, Role
from tests.support.factories import PASSWORD, ChildFactory, FamilyFactory, MembershipFactory

from .helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def open_family(page, name: str) -> None:
    page.get_by_role("link", name="Family").click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


def test_the_only_owner_hands_the_family_over_and_then_leaves(page, app_url):
    family = FamilyFactory(name="The Riveras")
    ana = MembershipFactory(
        family=family, role=Role.OWNER, user__email="ana@example.com", user__display_name="Ana"
    ).user
    bob = MembershipFactory(family=family, role=Role.CAREGIVER, user__display_name="Bob")
    MembershipFactory(family=family, role=Role.CAREGIVER, user__display_name="Carol")
    MembershipFactory(family__name="The Others", user=ana)
    log_in(page, app_url, "ana@example.com")
    open_family(page, "The Riveras")

    page.get_by_role("button", name="Leave family…").click()
    panel = page.get_by_role("form", name="Hand over and leave")
    expect(panel).to_contain_text("You are the only owner of The Riveras")
    panel.get_by_label("New owner").select_option(label="Bob")
    panel.get_by_role("button", name="Make owner and leave").click()
    expect(page.locator("#toast")).to_contain_text("You left The Riveras. Bob is its owner now.")

    assert Family.objects.filter(pk=family.pk).exists()
    assert not Membership.objects.filter(family=family, user__email="ana@example.com").exists()
    bob.refresh_from_db()
    assert bob.role == Role.OWNER


def test_a_caregiver_leaves_and_the_family_stays(page, app_url):
    family = FamilyFactory(name="The Riveras")
    MembershipFactory(family=family, role=Role.OWNER, user__display_name="Ana")
    MembershipFactory(family=family, role=Role.CAREGIVER, user__email="bob@example.com")
    log_in(page, app_url, "bob@example.com")
    open_family(page, "The Riveras")
    expect(page.get_by_role("button", name="Delete family…")).to_have_count(0)
    page.get_by_role("button", name="Leave family…").click()
    panel = page.get_by_role("form", name="Leave The Riveras?")
    expect(panel).to_contain_text("Ana keeps everything.")
    panel.get_by_role("button", name="Leave for good").click()
    expect(page.locator("#toast")).to_contain_text("You left The Riveras.")
    expect(page.get_by_role("heading", name="Create your family")).to_be_visible()
    assert Family.objects.filter(pk=family.pk).exists()
    assert Membership.objects.filter(family=family).count() == 1


def test_the_only_member_deletes_the_family_with_its_name_and_the_password(page, app_url):
    family = FamilyFactory(name="The Riveras")
    MembershipFactory(family=family, role=Role.OWNER, user__email="ana@example.com")
    ChildFactory(family=family, name="Sam")
    ChildFactory(family=family, name="Mia")
    log_in(page, app_url, "ana@example.com")
    open_family(page, "The Riveras")

    # Nothing to leave: Leave is not offered, Delete family is, and says what goes.
    expect(page.get_by_role("button", name="Leave family…")).to_have_count(0)
    expect(page.get_by_text("You are the only member of The Riveras")).to_be_visible()
    page.get_by_role("button", name="Delete family…").click()
    panel = page.get_by_role("form", name="Delete this family?")
    expect(panel).to_contain_text("Mia's and Sam's routines, runs and check-ins go too.")
    delete = panel.get_by_role("button", name="Delete the family for good")
    name = panel.get_by_label("Type the family's name to confirm")
    expect(name).to_be_focused()
    name.fill("The Rivera")
    expect(delete).to_be_disabled()
    name.fill("The Riveras")
    panel.get_by_label("Your password").fill("not my password")
    delete.click()
    expect(panel.get_by_label("Your password")).to_have_attribute("aria-invalid", "true")
    assert Family.objects.filter(pk=family.pk).exists()

    panel.get_by_label("Your password").fill(PASSWORD)
    delete.click()
    expect(page.locator("#toast")).to_contain_text("The Riveras was deleted.")
    expect(page.get_by_role("heading", name="Create your family")).to_be_visible()
    assert not Family.objects.filter(pk=family.pk).exists()
