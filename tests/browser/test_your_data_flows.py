"""Your data in Chromium: export the family's data, delete the account with a clear warning."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from families.models import Family, Role, User
from tests.support.factories import (
    PASSWORD,
    CheckInFactory,
    ChildFactory,
    FamilyFactory,
    MembershipFactory,
)

from .helpers import log_in, wait_for_service_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ana():
    """Ana is the only owner of the Riveras (Bob helps) and a caregiver of the Others."""
    riveras = FamilyFactory(name="The Riveras", timezone="Europe/Madrid")
    ana = MembershipFactory(
        family=riveras, role=Role.OWNER, user__email="ana@example.com", user__display_name="Ana"
    ).user
    MembershipFactory(
        family=riveras, role=Role.CAREGIVER, user__email="bob@example.com", user__display_name="Bob"
    )
    sam = ChildFactory(family=riveras, name="Sam")
    CheckInFactory(family=riveras, child=sam, note="=cmd|' /C calc'!A0", created_by=ana)
    others = FamilyFactory(name="The Others")
    MembershipFactory(family=others, role=Role.OWNER, user__email="carol@example.com")
    MembershipFactory(family=others, user=ana, role=Role.CAREGIVER)
    return ana


def open_family_screen(page) -> None:
    page.get_by_role("link", name="Family").click()
    expect(page.get_by_role("heading", name="The Riveras", level=1)).to_be_visible()


def test_export_downloads_the_familys_data_and_keeps_no_copy(page, app_url, ana):
    log_in(page, app_url, "ana@example.com")
    open_family_screen(page)
    wait_for_service_worker(page)
    page.reload()  # now the service worker answers this page's API reads
    expect(page.get_by_role("heading", name="The Riveras", level=1)).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("button", name="Export family data").click()
    download = info.value
    assert re.fullmatch(r"tandem-the-riveras-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["family"]["name"] == "The Riveras"
    assert [c["name"] for c in data["children"]] == ["Sam"]
    assert len(data["checkins"]) == 1

    with page.expect_download() as info:
        page.get_by_role("button", name="Check-ins as CSV").click()
    csv_file = info.value
    assert csv_file.suggested_filename.startswith("tandem-the-riveras-checkins-")
    text = Path(csv_file.path()).read_text(encoding="utf-8-sig")
    assert ",'=cmd|' /C calc'!A0," in text  # a formula arrives as text

    cached = page.evaluate(
        """async () => (await (await caches.open('tandem-api')).keys()).map((r) => r.url)"""
    )
    assert any("/members/" in url for url in cached)  # ordinary reads are cached...
    assert not any("/export/" in url for url in cached)  # ...the family's data is not


def test_deleting_my_account_says_what_happens_and_asks_for_my_password(page, app_url, ana):
    # Ana owns the Riveras alone with Bob in it: she hands it over before she can go.
    log_in(page, app_url, "ana@example.com")
    open_family_screen(page)
    page.get_by_role("button", name="Delete my account…").click()
    panel = page.get_by_role("form", name="Delete your account?")
    expect(panel).to_contain_text("You are the only owner of The Riveras.")
    expect(panel).to_contain_text("You leave The Others")
    password = panel.get_by_label("Your password, to confirm")
    expect(password).to_be_focused()
    password.fill(PASSWORD)
    expect(panel.get_by_role("button", name="Delete my account for good")).to_be_disabled()
    panel.get_by_role("button", name="Cancel").click()
    expect(panel).to_have_count(0)

    page.get_by_label("Role of Bob").select_option("owner")
    expect(page.locator("#toast")).to_contain_text("Role changed")
    page.get_by_role("button", name="Delete my account…").click()
    expect(panel).to_contain_text("You leave The Riveras; its other owners keep it.")
    delete = panel.get_by_role("button", name="Delete my account for good")
    expect(delete).to_be_disabled()
    panel.get_by_label("Your password, to confirm").fill("not my password")
    delete.click()
    expect(panel.get_by_label("Your password, to confirm")).to_have_attribute(
        "aria-invalid", "true"
    )
    assert User.objects.filter(pk=ana.pk).exists()

    panel.get_by_label("Your password, to confirm").fill(PASSWORD)
    delete.click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    expect(page.locator("#toast")).to_contain_text("Your account has been deleted")
    assert not User.objects.filter(pk=ana.pk).exists()
    assert sorted(Family.objects.values_list("name", flat=True)) == ["The Others", "The Riveras"]
    assert page.evaluate("() => localStorage.length") == 0


def test_deleting_the_account_of_a_family_s_only_member_says_the_family_goes(page, app_url):
    MembershipFactory(
        family__name="The Solos", role=Role.OWNER, user__email="solo@example.com"
    ).family.children.create(name="Sam", avatar="🦊")
    log_in(page, app_url, "solo@example.com")
    page.get_by_role("link", name="Family").click()
    page.get_by_role("button", name="Delete my account…").click()
    panel = page.get_by_role("form", name="Delete your account?")
    expect(panel).to_contain_text(
        "The Solos will be deleted — you are its only member. "
        "Sam's routines, runs and check-ins go too."
    )
    panel.get_by_label("Your password, to confirm").fill(PASSWORD)
    panel.get_by_role("button", name="Delete my account for good").click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    assert not Family.objects.exists()
