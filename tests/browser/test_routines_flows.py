"""Routines in Chromium: build a bedtime routine, share progress, complete a step offline."""

import re
import time

import pytest
from playwright.sync_api import expect

from core.timeutils import family_today
from families.models import Role
from routines import views_runs
from routines.models import Routine, RoutineRun, RoutineStep, StepCompletion
from testing.servers import wait_until
from tests.support.factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory

from .helpers import add_child, create_family, log_in, sign_up, wait_for_service_worker

pytestmark = pytest.mark.django_db(transaction=True)

BEDTIME = [("🛁", "Bath", 15), ("👕", "Pyjamas", None), ("🪥", "Teeth", 3), ("📖", "Story", 10)]


def eventually(check) -> None:
    """Wait until ``check()`` is true (the browser writes to the database on its own time)."""
    wait_until(check, 10, interval=0.1)


@pytest.fixture
def bedtime_family():
    """The Riveras (Madrid) with Ana (owner), Bob (caregiver), Sam and a daily bedtime."""
    family = FamilyFactory(name="The Riveras", timezone="Europe/Madrid")
    ana = MembershipFactory(family=family, role=Role.OWNER, user__email="ana@example.com")
    MembershipFactory(family=family, role=Role.CAREGIVER, user__email="bob@example.com")
    sam = ChildFactory(family=family, name="Sam")
    routine = RoutineFactory(family=family, name="Bedtime", children=[sam], steps=0)
    RoutineStep.objects.bulk_create(
        RoutineStep(routine=routine, position=i, icon=icon, title=title, duration_minutes=minutes)
        for i, (icon, title, minutes) in enumerate(BEDTIME)
    )
    return ana.user, routine


def test_build_a_four_step_bedtime_routine_in_the_editor(page, app_url):
    sign_up(page, app_url, name="Ana", email="ana@example.com")
    create_family(page, "The Riveras")
    add_child(page, "Sam")
    page.get_by_role("link", name="Routines").click()
    page.get_by_role("link", name="New routine").click()

    page.get_by_label("Routine name").fill("Bedtime")
    page.get_by_label("Starts at").fill("19:30")
    page.get_by_label("Step 1", exact=True).fill("Pyjamas")
    page.get_by_role("button", name="Choose emoji for step 1").click()
    page.get_by_role("button", name="👕").click()
    page.get_by_role("button", name="+ Add a step").click()
    page.get_by_label("Step 2", exact=True).fill("Bath")
    page.get_by_label("Minutes for step 2").fill("500")
    page.get_by_role("button", name="Choose emoji for step 2").click()
    page.get_by_role("button", name="🛁").click()
    page.get_by_role("button", name="Move step 2 up").click()  # Bath first
    page.get_by_role("button", name="+ Add a step").click()
    page.get_by_label("Step 3", exact=True).fill("Oops")
    page.get_by_role("button", name="Remove step 3").click()
    for n, (icon, title, minutes) in enumerate(BEDTIME[2:], start=3):
        page.get_by_role("button", name="+ Add a step").click()
        page.get_by_label(f"Step {n}", exact=True).fill(title)
        page.get_by_label(f"Minutes for step {n}").fill(str(minutes))
        page.get_by_role("button", name=f"Choose emoji for step {n}").click()
        page.get_by_role("button", name=icon).click()

    # 500 minutes is refused next to the field; fix it and save.
    page.get_by_role("button", name="Create routine").click()
    bath_minutes = page.get_by_label("Minutes for step 1")
    expect(bath_minutes).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error")).to_contain_text("240")
    bath_minutes.fill("15")
    page.get_by_role("button", name="Create routine").click()

    expect(page.get_by_role("link", name=re.compile(r"^Bedtime"))).to_be_visible()
    expect(page.locator("#routine-list")).to_contain_text("19:30 · Every day · 4 steps")
    routine = Routine.objects.get()
    steps = [(s.icon, s.title, s.duration_minutes) for s in routine.steps.order_by("position")]
    assert steps == BEDTIME
    assert [c.name for c in routine.children.all()] == ["Sam"]
    assert routine.days_of_week == [1, 2, 3, 4, 5, 6, 7]

    # The routine is on Sam's Today board, first step big, next step small.
    page.get_by_role("link", name="Today").click()
    expect(page.locator(".now-card")).to_contain_text("Bath")
    expect(page.locator(".next-card")).to_contain_text("Pyjamas")
    expect(page.locator(".now-timer")).to_contain_text("15 min")


def test_two_caregivers_see_the_same_progress(page, new_context, app_url, bedtime_family):
    log_in(page, app_url, "ana@example.com")
    bob = new_context().new_page()
    log_in(bob, app_url, "bob@example.com")
    expect(bob.locator(".progress-text")).to_have_text("0 of 4 done")

    expect(page.locator(".now-card")).to_contain_text("Bath")
    page.get_by_role("button", name="Done: Bath").click()
    expect(page.locator(".now-card")).to_contain_text("Pyjamas")
    expect(page.locator("#toast")).to_contain_text("Bath done")
    page.get_by_role("button", name="Pyjamas", exact=True).click()  # from the step strip
    expect(page.locator(".progress-text")).to_have_text("2 of 4 done")
    eventually(lambda: StepCompletion.objects.count() == 2)

    # Bob's phone picks it up when the app comes back to the foreground.
    bob.evaluate("() => window.dispatchEvent(new Event('focus'))")
    expect(bob.locator(".progress-text")).to_have_text("2 of 4 done")
    expect(bob.locator(".now-card")).to_contain_text("Teeth")
    expect(bob.get_by_role("button", name="Bath, done")).to_have_attribute("aria-pressed", "true")

    # Undo from the toast reaches the server too.
    bob.get_by_role("button", name="Done: Teeth").click()
    eventually(lambda: StepCompletion.objects.filter(step__title="Teeth").exists())
    bob.locator("#toast").get_by_role("button", name="Undo").click()
    expect(bob.locator(".now-card")).to_contain_text("Teeth")
    eventually(lambda: not StepCompletion.objects.filter(step__title="Teeth").exists())
    assert StepCompletion.objects.count() == 2

    # Ana finishes from the step strip: a small celebration, and the run is complete.
    page.get_by_role("button", name="Teeth", exact=True).click()
    page.get_by_role("button", name="Story", exact=True).click()
    expect(page.get_by_text("All done!")).to_be_visible()
    eventually(lambda: RoutineRun.objects.filter(completed_at__isnull=False).count() == 1)


def test_a_polling_phone_is_answered_304_until_the_board_changes(
    page, app_url, bedtime_family, monkeypatch
):
    """The Today screen re-reads the board on focus and every 30 s: the browser revalidates
    with the board's ETag, and the server answers 304 without a body until it changes."""
    answers: list[int] = []
    real = views_runs.get_conditional_response

    def recording(request, **kwargs):  # the real function, with its answers written down
        response = real(request, **kwargs)
        answers.append(response.status_code if response is not None else 200)
        if response is not None:
            time.sleep(1)  # a slow network: the change below lands while this read is out
        return response

    monkeypatch.setattr(views_runs, "get_conditional_response", recording)
    log_in(page, app_url, "ana@example.com")
    expect(page.locator(".progress-text")).to_have_text("0 of 4 done")
    eventually(lambda: answers == [200])

    page.evaluate("() => window.dispatchEvent(new Event('focus'))")
    eventually(lambda: answers == [200, 304])
    expect(page.locator(".progress-text")).to_have_text("0 of 4 done")  # from the browser's copy

    routine = Routine.objects.get()
    run = RoutineRun.objects.create(
        routine=routine, child=routine.children.get(), date=family_today(routine.family)
    )
    StepCompletion.objects.create(run=run, step=routine.steps.order_by("position").first())
    # The app comes back while the 304 is still on its way: that read predates the change,
    # so the screen must read once more rather than drop this ask.
    page.evaluate("() => window.dispatchEvent(new Event('focus'))")
    expect(page.locator(".progress-text")).to_have_text("1 of 4 done")
    assert answers == [200, 304, 200]


def test_a_step_completed_offline_is_stored_exactly_once(page, context, app_url, bedtime_family):
    log_in(page, app_url, "ana@example.com")
    expect(page.locator(".now-card")).to_contain_text("Bath")
    wait_for_service_worker(page)

    context.set_offline(True)
    page.get_by_role("button", name="Done: Bath").click()
    expect(page.locator(".now-card")).to_contain_text("Pyjamas")
    expect(page.locator("#sync-status")).to_have_text("You're offline. 1 change waiting to sync.")
    assert StepCompletion.objects.count() == 0

    context.set_offline(False)
    expect(page.locator("#sync-status")).to_have_text("", timeout=20_000)
    eventually(lambda: StepCompletion.objects.count() == 1)
    # Coming back to the app again flushes and refreshes: still exactly one.
    page.evaluate("() => window.dispatchEvent(new Event('focus'))")
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator(".progress-text")).to_have_text("1 of 4 done")
    time.sleep(0.5)
    assert StepCompletion.objects.count() == 1
    assert StepCompletion.objects.get().step.title == "Bath"
