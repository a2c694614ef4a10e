"""Screens release what they started when they are left (the Today board stops polling,
its timers and document/window listeners end with it), and forms share one submit helper."""

import pytest
from playwright.sync_api import expect

from families.models import Role
from routines.models import RoutineStep
from tests.support.factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory

from .helpers import create_family, log_in, sign_up

pytestmark = pytest.mark.django_db(transaction=True)

# Counts the page's live intervals and window/document listeners (by type).
TRACK = """(() => {
  const intervals = new Set();
  const setInterval = window.setInterval;
  const clearInterval = window.clearInterval;
  window.setInterval = function (...args) {
    const id = setInterval.apply(this, args);
    intervals.add(id);
    return id;
  };
  window.clearInterval = function (id) {
    intervals.delete(id);
    return clearInterval.call(this, id);
  };
  const listeners = {};
  for (const [name, target] of [["window", window], ["document", document]]) {
    const add = target.addEventListener;
    const remove = target.removeEventListener;
    target.addEventListener = function (type, fn, options) {
      (listeners[`${name}:${type}`] ||= new Set()).add(fn);
      return add.call(this, type, fn, options);
    };
    target.removeEventListener = function (type, fn, options) {
      if (listeners[`${name}:${type}`]) listeners[`${name}:${type}`].delete(fn);
      return remove.call(this, type, fn, options);
    };
  }
  window.liveHandles = () => {
    const counts = { intervals: intervals.size };
    for (const [key, fns] of Object.entries(listeners)) counts[key] = fns.size;
    return counts;
  };
})();"""

COMES_BACK = """() => {
  window.dispatchEvent(new Event('focus'));
  document.dispatchEvent(new Event('visibilitychange'));
}"""


@pytest.fixture
def bedtime_family():
    family = FamilyFactory(name="The Riveras", timezone="Europe/Madrid")
    MembershipFactory(family=family, role=Role.OWNER, user__email="ana@example.com")
    sam = ChildFactory(family=family, name="Sam")
    routine = RoutineFactory(family=family, name="Bedtime", children=[sam], steps=0)
    RoutineStep.objects.create(routine=routine, position=0, icon="🛁", title="Bath")
    return family


def is_board_read(request) -> bool:
    return "/today/" in request.url


def test_the_today_board_stops_reading_when_left(page, app_url, bedtime_family):
    page.clock.install()  # the page's timers: run forward below, then flowing again
    log_in(page, app_url, "ana@example.com")
    expect(page.locator(".progress-text")).to_have_text("0 of 1 done")

    # While it is shown, the board is read again when the app comes back and every 2 s
    # (answered 304 while unchanged).
    with page.expect_request(is_board_read):
        page.evaluate(COMES_BACK)
    page.wait_for_load_state("networkidle")
    with page.expect_request(is_board_read):
        page.clock.run_for("00:31")
        page.clock.resume()

    # Another screen: neither coming back nor a minute passing reads the board.
    page.get_by_role("link", name="Routines").click()
    expect(page.get_by_role("heading", name="Routines")).to_be_visible()
    page.wait_for_load_state("networkidle")
    reads: list[str] = []
    page.on("request", lambda r: reads.append(r.url) if is_board_read(r) else None)
    page.evaluate(COMES_BACK)
    page.clock.run_for("01:05")
    page.clock.resume()
    page.wait_for_timeout(1000)  # Playwright hears of requests while it waits
    assert reads == []

    # Back on Today, it reads (and polls) again.
    page.get_by_role("link", name="Today").click()
    expect(page.locator(".progress-text")).to_have_text("0 of 1 done")
    page.wait_for_load_state("networkidle")
    with page.expect_request(is_board_read):
        page.clock.run_for("00:31")
        page.clock.resume()


def test_leaving_today_releases_its_timers_and_listeners(page, app_url, bedtime_family):
    page.add_init_script(TRACK)
    log_in(page, app_url, "ana@example.com")
    expect(page.locator(".progress-text")).to_have_text("0 of 1 done")
    on_today = page.evaluate("() => window.liveHandles()")

    page.get_by_role("link", name="Routines").click()
    expect(page.get_by_role("heading", name="Routines")).to_be_visible()
    left = page.evaluate("() => window.liveHandles()")
    # The board's poll and 1 s timer tick, its focus and visibility listeners.
    assert left["intervals"] == on_today["intervals"] - 2, (on_today, left)
    assert left.get("window:focus", 0) == on_today["window:focus"] - 1, (on_today, left)
    assert left["document:visibilitychange"] == on_today["document:visibilitychange"] - 1

    # A second visit starts them once more, not twice.
    page.get_by_role("link", name="Today").click()
    expect(page.locator(".progress-text")).to_have_text("0 of 1 done")
    assert page.evaluate("() => window.liveHandles()") == on_today


def test_a_form_marks_its_field_errors_and_clears_them_once_fixed(page, app_url):
    """Every form submits through dom.js's handleSubmit: the API's field errors go next
    to their inputs (aria-invalid, aria-describedby) and go away after a good save."""
    sign_up(page, app_url, name="Ana", email="ana@example.com")
    create_family(page, "The Riveras")
    name = page.get_by_label("Family name")
    name.fill("")
    page.get_by_role("button", name="Rename").click()
    expect(name).to_have_attribute("aria-invalid", "true")
    error = page.locator(".field-error")
    expect(error).to_be_visible()
    expect(name).to_have_attribute("aria-describedby", error.get_attribute("id"))

    name.fill("The Rivera-Smiths")
    page.get_by_role("button", name="Rename").click()
    expect(page.locator("#toast")).to_contain_text("Renamed")
    expect(page.locator(".field-error")).to_have_count(0)
    expect(name).not_to_have_attribute("aria-invalid", "true")
    assert name.get_attribute("aria-describedby") is None
    expect(page.get_by_role("button", name="Rename")).to_be_enabled()
