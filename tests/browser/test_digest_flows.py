"""The weekly digest in the PWA: the Settings toggle and the digest screen a push opens."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from families.models import Family
from reminders.models import ReminderSettings, ScheduledReminder
from tests.support.factories import CheckInFactory, ChildFactory

from .helpers import create_family, sign_up

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_digest_is_switched_on_in_settings_and_its_screen_shows_the_week(page, app_url):
    sign_up(page, app_url, name="Ana", email="ana@example.com")
    create_family(page, "The Riveras")
    family = Family.objects.get()
    sam = ChildFactory(family=family, name="Sam")
    CheckInFactory(family=family, child=sam, emotion="calm")
    page.get_by_role("link", name="Settings").click()

    toggle = page.get_by_role("checkbox", name="Weekly digest on Sunday evening")
    expect(toggle).not_to_be_checked()
    toggle.check()
    expect(page.locator("#toast")).to_have_text("Weekly digest on: see you Sunday evening")
    assert ReminderSettings.objects.get(membership__family=family).weekly_digest
    assert ScheduledReminder.objects.filter(kind="digest", state="pending").count() == 1
    page.reload()
    expect(page.get_by_role("checkbox", name="Weekly digest on Sunday evening")).to_be_checked()

    page.get_by_role("link", name="See this week's digest").click()
    expect(page.get_by_role("heading", name="Your week")).to_be_visible()
    expect(page.locator("#digest-lines")).to_contain_text("Sam's week: 1 calm day")
