"""Check-ins in Chromium: a coregulation check-in into guided breathing; offline sync."""

import re

import pytest
from playwright.sync_api import expect

from checkins.models import CheckIn

from .helpers import add_child, create_family, sign_up, wait_for_service_worker

pytestmark = pytest.mark.django_db(transaction=True)


def start_family_with_sam(page, app_url):
    sign_up(page, app_url, name="Ana", email="ana@example.com")
    create_family(page, "The Riveras")
    add_child(page, "Sam")


def open_checkin(page):
    page.get_by_role("link", name="Check-in").click()
    expect(page.get_by_role("heading", name="Who is checking in?")).to_be_visible()


def test_a_coregulation_checkin_through_suggestions_into_breathing(page, app_url):
    start_family_with_sam(page, app_url)
    open_checkin(page)

    # Tap 1: who. The caregiver's own intensity is preset (3) above their feelings.
    page.get_by_role("button", name="Sam + me").click()
    expect(page.get_by_role("heading", name="How are you feeling?")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^3 "))).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_role("button", name=re.compile(r"^4 ")).click()  # optional: adjust mine
    page.get_by_role("button", name="Frustrated").click()  # tap 2
    expect(page.get_by_role("heading", name="How is Sam feeling?")).to_be_visible()
    page.get_by_role("button", name="Angry (mad)").click()  # tap 3
    page.get_by_role("button", name=re.compile(r"^4 ")).click()  # tap 4

    # Suggestions: the grown-up steadies themself first, each idea says why.
    pinned = page.locator(".suggestion.pinned")
    expect(pinned).to_contain_text("Take three slow breaths yourself first")
    expect(pinned).to_contain_text("frustrated")
    expect(page.locator("article.suggestion .reason").first).to_contain_text("fits feeling angry")
    expect(page.get_by_text(re.compile("not medical advice"))).to_be_visible()
    page.locator("summary", has_text="Where in the body?").click()
    page.get_by_role("button", name="Tummy").click()
    page.get_by_role("button", name="Try this: Box breathing").click()  # tap 5 saves both

    expect(page.get_by_role("heading", name="Box breathing", level=1)).to_be_visible()
    page.get_by_role("button", name="Start breathing").click()
    expect(page.get_by_role("status").filter(has_text="Breathe in")).to_be_visible()
    expect(page.locator(".breath-circle")).to_have_class(re.compile(r"breath-in-4"))
    expect(page.get_by_role("status").filter(has_text="Hold")).to_be_visible(timeout=8000)

    childs = CheckIn.objects.get(child__name="Sam")
    mine = CheckIn.objects.get(member__isnull=False)
    assert (childs.emotion, childs.intensity, childs.body_areas) == ("angry", 4, ["tummy"])
    assert (mine.emotion, mine.intensity) == ("frustrated", 4)
    assert childs.pair == mine.pair == childs.pk
    assert childs.strategy.key == "box_breathing"
    assert childs.follow_up_at is not None

    page.get_by_role("link", name="How is Sam now?").click()
    expect(page.get_by_role("heading", name="How is Sam now?")).to_be_visible()
    page.get_by_role("button", name="Better").click()
    expect(page.get_by_text("Thank you, noted.")).to_be_visible()
    childs.refresh_from_db()
    assert childs.outcome == "better"


def test_five_checkins_made_offline_sync_exactly_once(page, context, app_url):
    start_family_with_sam(page, app_url)
    wait_for_service_worker(page)
    page.reload()
    open_checkin(page)
    page.wait_for_load_state("networkidle")  # the children and strategies are cached

    context.set_offline(True)
    feelings = ["Sad", "Worried", "Happy", "Tired (sleepy)", "Scared"]
    for n, feeling in enumerate(feelings):
        page.get_by_role("button", name="Sam", exact=True).click()
        page.get_by_role("button", name=feeling, exact=True).click()
        page.get_by_role("button", name=re.compile(r"^2 ")).click()
        if n < 4:
            page.get_by_role("button", name="Save without a strategy").click()
            expect(page.get_by_role("heading", name="Saved on this phone")).to_be_visible()
            page.get_by_role("button", name="Another check-in").click()
            expect(page.get_by_role("heading", name="Who is checking in?")).to_be_visible()
        else:  # suggestions from the cached strategies still work offline
            page.get_by_role("button", name=re.compile(r"^Try ")).first.click()
            expect(page.get_by_role("heading", level=2, name="Steps")).to_be_visible()
    expect(page.locator("#sync-status")).to_have_text("You're offline. 5 changes waiting to sync.")
    assert CheckIn.objects.count() == 0

    context.set_offline(False)
    expect(page.locator("#sync-status")).to_have_text("", timeout=15_000)
    assert CheckIn.objects.count() == 5
    assert sorted(CheckIn.objects.values_list("emotion", flat=True)) == sorted(
        ["sad", "worried", "happy", "tired", "scared"]
    )
    assert CheckIn.objects.filter(strategy__isnull=False, follow_up_at__isnull=False).count() == 1

    page.reload()  # another flush finds nothing left to send
    expect(page.locator("h1")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert CheckIn.objects.count() == 5
