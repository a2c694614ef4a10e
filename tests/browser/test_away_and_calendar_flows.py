"""Alice marks Sam away at Dad's on the Family screen; Today says so instead of his
routines; in Settings she makes a calendar link for Sam, and the link the page shows is a
calendar (parsed with icalendar) that skips his days away; stopping it makes it a 404.
Each screen passes axe without a serious problem and does not scroll sideways."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from families.models import Role
from tests.support.factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory

from .helpers import log_in
from .test_phone_layout_flows import axe_problems

pytestmark = pytest.mark.django_db(transaction=True)


def no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_mark_sam_away_see_it_on_today_and_subscribe_to_his_calendar(page, app_url):
    family = FamilyFactory(name="The Riveras", timezone="Europe/Madrid")
    MembershipFactory(family=family, role=Role.OWNER, user__email="alice@example.com")
    sam = ChildFactory(family=family, name="Sam")
    ChildFactory(family=family, name="Lu")
    routine = RoutineFactory(family=family, name="Bedtime", children=[sam])
    today = timezone.now().astimezone(family.zone).date()
    last = today + timedelta(days=2)
    log_in(page, app_url, "alice@example.com")

    page.goto(f"{app_url}/#/families/{family.pk}/family")
    page.get_by_role("button", name="Days away for Sam").click()
    form = page.locator(f"#away-form-{sam.pk}")
    form.get_by_label("From").fill(today.isoformat())
    form.get_by_label("Until (included)").fill(last.isoformat())
    form.get_by_label("Note (optional)").fill("at Dad's")
    problems = axe_problems(page, "family with the away form")
    no_sideways_scroll(page)
    form.get_by_role("button", name="Mark away").click()
    expect(page.locator(f"#away-list-{sam.pk}")).to_contain_text("at Dad's")
    # The same days again are refused, naming the first day.
    form.get_by_label("From").fill(today.isoformat())
    form.get_by_label("Until (included)").fill(today.isoformat())
    form.get_by_role("button", name="Mark away").click()
    expect(form.locator(".field-error")).to_contain_text("Sam is already away")

    page.goto(f"{app_url}/#/families/{family.pk}/today")
    page.get_by_role("button", name="Sam", exact=True).click()
    weekday = last.strftime("%A")
    expect(page.locator("#away-banner")).to_contain_text(f"Sam is at Dad's until {weekday}")
    expect(page.get_by_role("heading", name="Bedtime")).to_have_count(0)
    problems += axe_problems(page, "today, Sam away")
    no_sideways_scroll(page)

    page.goto(f"{app_url}/#/families/{family.pk}/settings")
    page.get_by_label("Show in my calendar").select_option(label="Sam's routines")
    page.get_by_role("button", name="Make a calendar link").click()
    expect(page.locator("#feed-issued")).to_be_visible()
    url = page.locator("#feed-url").input_value()
    assert page.locator("#feed-webcal").get_attribute("href") == "webcal://" + url.split("://")[1]
    problems += axe_problems(page, "settings with a calendar link")
    no_sideways_scroll(page)
    assert problems == []

    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    answer = page.request.get(app_url + path)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(answer.body())
    [event] = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("routine-")]
    assert str(event["UID"]) == f"routine-{routine.pk}-child-{sam.pk}@localhost"
    skipped = sorted(d.dt.date() for d in event["EXDATE"].dts)
    assert skipped == [today, today + timedelta(days=1), last]

    page.get_by_role("button", name="Stop Sam's routines").click()
    expect(page.locator("#feed-list")).to_contain_text("No calendar links yet.")
    assert page.request.get(app_url + path).status == 404
