"""The smaller things a tired parent runs into: another caregiver's tick shows at once,
a swallowed double tap says why, routine errors come all at once, toasts hide nothing,
limits come from the schema, and what is announced, named and worded."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from families.models import Role
from routines.models import Routine, RoutineStep, StepCompletion
from tests.support.factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory

from .helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)

BEDTIME = [("🛁", "Bath"), ("👕", "Pyjamas"), ("🪥", "Teeth"), ("📖", "Story")]


@pytest.fixture
def riveras():
    family = FamilyFactory(name="The Riveras", timezone="Europe/Madrid")
    MembershipFactory(
        family=family, role=Role.OWNER, user__email="ana@example.com", user__display_name="Ana"
    )
    MembershipFactory(
        family=family, role=Role.CAREGIVER, user__email="bob@example.com", user__display_name="Bob"
    )
    sam = ChildFactory(family=family, name="Sam")
    routine = RoutineFactory(family=family, name="Bedtime", children=[sam], steps=0)
    RoutineStep.objects.bulk_create(
        RoutineStep(routine=routine, position=i, icon=icon, title=title)
        for i, (icon, title) in enumerate(BEDTIME)
    )
    return family


def test_another_caregivers_tick_shows_on_an_open_today_within_3_seconds(
    page, new_context, app_url, riveras
):
    bob = new_context().new_page()
    log_in(bob, app_url, "bob@example.com")
    expect(bob.locator(".progress-text")).to_have_text("0 of 4 done")
    log_in(page, app_url, "ana@example.com")
    expect(page.locator(".progress-text")).to_have_text("0 of 4 done")
    bob.wait_for_timeout(2500)  # Bob's board has been polled since: it is answered 304

    with page.expect_response(lambda r: "/completion/" in r.url and r.request.method == "PUT"):
        page.get_by_role("button", name="Done: Bath").click()
    ticked = time.monotonic()
    expect(bob.locator(".progress-text")).to_have_text("1 of 4 done", timeout=3000)
    assert time.monotonic() - ticked < 3

    # Unchanged boards cost a 304 without a body.
    with bob.expect_response(lambda r: "/today/" in r.url) as polled:
        pass
    assert polled.value.status == 304


def test_a_second_done_tap_right_after_the_first_says_it_was_already_done(page, app_url, riveras):
    log_in(page, app_url, "ana@example.com")
    expect(page.locator(".progress-text")).to_have_text("0 of 4 done")
    page.get_by_role("button", name="Done: Bath").click()
    page.wait_for_timeout(300)
    page.get_by_role("button", name="Done: Pyjamas").click()  # the child's second tap
    expect(page.locator(".tap-note")).to_have_text("Bath is already done. Tap again for Pyjamas.")
    expect(page.locator(".progress-text")).to_have_text("1 of 4 done")
    page.get_by_role("button", name="Done: Pyjamas").click()  # a deliberate tap counts
    expect(page.locator(".progress-text")).to_have_text("2 of 4 done")


def test_routine_errors_come_at_once_and_a_routine_needs_a_child(page, app_url, riveras):
    log_in(page, app_url, "ana@example.com")
    page.get_by_role("link", name="Routines").click()
    page.get_by_role("link", name="New routine").click()
    page.get_by_role("checkbox", name="🦊 Sam").uncheck()
    writes: list[str] = []
    page.on("request", lambda r: writes.append(r.url) if r.method == "POST" else None)
    page.get_by_role("button", name="Create routine").click()

    start = page.get_by_label("Starts at")
    expect(start).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Choose a start time.")).to_be_visible()
    expect(page.get_by_label("Routine name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Step 1", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Choose at least one child")).to_be_visible()
    expect(page.get_by_text("wrong format")).to_have_count(0)
    assert not [url for url in writes if "/routines/" in url]

    page.get_by_label("Routine name").fill("Bedtime too")
    start.fill("19:30")
    page.get_by_label("Step 1", exact=True).fill("Bath")
    expect(page.get_by_text("Choose a start time.")).to_have_count(0)
    page.get_by_role("button", name="Create routine").click()
    expect(page.get_by_text("Choose at least one child")).to_be_visible()
    assert not Routine.objects.filter(name="Bedtime too").exists()
    page.get_by_role("checkbox", name="🦊 Sam").check()
    expect(page.get_by_text("Choose at least one child")).to_have_count(0)
    page.get_by_role("button", name="Create routine").click()
    expect(page.get_by_role("heading", name="Routines")).to_be_visible()
    made = Routine.objects.get(name="Bedtime too")
    assert list(made.children.values_list("name", flat=True)) == ["Sam"]


TOUCHES = """() => {
  const toast = document.getElementById('toast').getBoundingClientRect();
  const overlaps = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.left < toast.right && box.right > toast.left
      && box.top < toast.bottom && box.bottom > toast.top;
  };
  return [...document.querySelectorAll('main *, #tabs')].filter(overlaps)
    .map((el) => el.tagName + '.' + el.className);
}"""

CONTRAST = """() => {
  const rgb = (css) => css.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = c.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const button = document.querySelector('#toast button');
  const fg = rgb(getComputedStyle(button).color);
  let el = button;
  let bg = getComputedStyle(el).backgroundColor;
  while (/rgba\\(.*, 0\\)|transparent/.test(bg)) {
    el = el.parentElement;
    bg = getComputedStyle(el).backgroundColor;
  }
  const [a, b] = [lum(fg), lum(rgb(bg))].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_undo_toast_hides_nothing_reads_clearly_and_stays_behind(
    page, app_url, riveras, scheme
):
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    log_in(page, app_url, "ana@example.com")
    expect(page.locator(".progress-text")).to_have_text("0 of 4 done")
    page.get_by_role("button", name="Done: Bath").click()
    toast = page.locator("#toast")
    expect(toast).to_contain_text("Bath done.")
    undo = toast.get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    assert page.evaluate(TOUCHES) == []
    assert page.evaluate(CONTRAST) >= 4.5

    page.get_by_role("link", name="Check-in").click()
    expect(page.get_by_role("heading", name="Who is checking in?")).to_be_visible()
    expect(undo).to_have_count(0)
    expect(toast).not_to_have_class(re.compile(r"\bshow\b"))
    assert StepCompletion.objects.count() == 1


def test_the_you_first_breathing_starts_inside_the_checkin(page, app_url, riveras):
    log_in(page, app_url, "ana@example.com")
    page.get_by_role("link", name="Check-in").click()
    page.get_by_role("button", name="Sam + me").click()
    page.get_by_role("button", name="Frustrated").click()
    page.get_by_role("button", name="Angry (mad)").click()
    page.get_by_role("button", name=re.compile(r"^4 ")).click()
    pinned = page.locator(".suggestion.pinned")
    expect(pinned).to_contain_text("Take three slow breaths yourself first")
    pinned.get_by_role("button", name="Start breathing").click()
    expect(pinned.get_by_role("status").filter(has_text="Breathe in")).to_be_visible()
    expect(pinned.locator(".breath-circle")).to_have_class(re.compile(r"breath-in-4"))


def test_input_limits_are_the_schemas(page, app_url, riveras):
    log_in(page, app_url, "ana@example.com")
    expect(page.locator(".progress-text")).to_be_visible()
    schema = page.request.get(f"{app_url}/api/schema/?format=json").json()
    limits = page.evaluate(
        """async () => {
          const app = [...document.scripts].find((s) => /\\/app[.\\w]*\\.js$/.test(s.src));
          return (await import(new URL('limits.js', app.src).href)).LIMITS;  // as app.js does
        }"""
    )
    assert limits
    for key, entry in limits.items():
        component, prop = entry["schema"].split(".")
        assert (
            schema["components"]["schemas"][component]["properties"][prop]["maxLength"]
            == (entry["max"])
        ), key

    page.get_by_role("link", name="Family").click()
    page.get_by_role("button", name="Add a child").click()
    name = page.get_by_label("Child's name")
    name.press_sequentially("x" * 200, delay=0)
    assert len(name.input_value()) == limits["child.name"]["max"] == 60


def test_a_fixed_field_is_no_longer_marked_invalid(page, app_url, riveras):
    log_in(page, app_url, "ana@example.com")
    page.get_by_role("link", name="Family").click()
    name = page.get_by_label("Family name")
    name.fill("")
    page.get_by_role("button", name="Rename").click()
    expect(name).to_have_attribute("aria-invalid", "true")
    name.press_sequentially("T")
    expect(name).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error")).to_have_count(0)
    assert name.get_attribute("aria-describedby") is None


def test_going_offline_and_back_is_announced_with_nothing_waiting(page, context, app_url, riveras):
    log_in(page, app_url, "ana@example.com")
    expect(page.locator(".progress-text")).to_be_visible()
    status = page.locator("#sync-status")
    expect(status).to_have_attribute("aria-live", "polite")
    context.set_offline(True)
    expect(status).to_have_text("You're offline. Changes are kept on this phone.")
    context.set_offline(False)
    expect(status).to_have_text("Back online.")


def test_tab_labels_stay_on_one_line_at_320_px(page, app_url, riveras):
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, app_url, "ana@example.com")
    page.get_by_role("link", name="Check-in").click()
    expect(page.get_by_role("heading", name="Who is checking in?")).to_be_visible()
    lines = page.evaluate(
        """() => [...document.querySelectorAll('#tabs a')].map((a) => {
          const text = [...a.childNodes].find((n) => n.nodeType === Node.TEXT_NODE);
          const range = document.createRange();
          range.selectNodeContents(text);
          const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          return [text.textContent, tops.size, a.scrollWidth <= a.clientWidth];
        })"""
    )
    assert all(count == 1 and fits for _, count, fits in lines), lines


def test_removing_a_child_says_whose_data_goes(page, app_url, riveras):
    log_in(page, app_url, "ana@example.com")
    page.get_by_role("link", name="Family").click()
    page.get_by_role("button", name="Edit Sam").click()
    messages: list[str] = []

    def answer(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", answer)
    page.get_by_role("form", name="Edit Sam").get_by_role("button", name="Remove").click()
    page.wait_for_timeout(200)
    assert messages == ["Remove Sam? Sam's routines, runs and check-ins go too."]
