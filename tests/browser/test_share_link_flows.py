"""A professional opens a share link in a fresh browser, without an account: sees the
shared child's insights (and nothing of another child), and after the family revokes
the link, the plain "gone" page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import Strategy
from checkins.strategies import sync_builtin_strategies
from families.models import Role
from reports import services
from tests.support.factories import CheckInFactory, ChildFactory, FamilyFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_share_link_opens_without_login_and_is_gone_after_revoke(new_context, app_url):
    sync_builtin_strategies()
    family = FamilyFactory(name="The Riveras", timezone="Europe/Madrid")
    owner = MembershipFactory(family=family, role=Role.OWNER, user__email="alice@example.com")
    sam = ChildFactory(family=family, name="Sam")
    lea = ChildFactory(family=family, name="Leandra")
    box = Strategy.objects.get(family=None, key="box_breathing")
    today = timezone.now().astimezone(family.zone).date()
    for n, outcome in enumerate(["better", "better", "worse"]):
        CheckInFactory(
            family=family, child=sam, emotion="angry", strategy=box, outcome=outcome,
            occurred_at=datetime.now(UTC) - timedelta(hours=2 + n),
        )  # fmt: skip
    CheckInFactory(family=family, child=lea, emotion="sad", note="Leandra's secret")
    made = services.create_share(
        family=family,
        user=owner.user,
        children=[sam],
        first=today - timedelta(days=6),
        last=today,
        sections=["mood_meter", "what_helps", "hard_moments"],
        expires_at=timezone.now() + timedelta(days=7),
        label="Dr. Chen",
    )
    url = f"{app_url}/share/{made.token}/"

    page = new_context().new_page()  # no session, no account
    page.goto(url)
    expect(page.get_by_role("heading", name="Sam", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="What helps with what")).to_be_visible()
    expect(page.get_by_role("img", name="Mood meter: 3 check-ins")).to_be_visible()
    expect(page.locator("body")).to_contain_text("better 2 of 3 (67%)")
    expect(page.locator("body")).not_to_contain_text("Leandra")
    expect(page.locator("body")).not_to_contain_text("alice@example.com")
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
    # Readable at 360 px: the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    services.revoke_share(made.share)
    response = page.reload()
    assert response.status == 410
    expect(page.locator("body")).to_contain_text("This link has expired or was revoked.")
