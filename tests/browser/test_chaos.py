"""Chaos drill: half of the app's writes fail on the way, yet nothing is lost or doubled.

Playwright routing fails every other write to the API, alternating two ways: the request
never reaches the server, or it reaches the server and the answer is lost (the case that
tempts an app into doubling a record when it retries). A caregiver makes 10 check-ins
and ticks 10 steps meanwhile. When the network heals, the offline outbox replays what is
left, and the database holds exactly 10 check-ins and 10 step completions.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Route, expect

from checkins.models import CheckIn
from families.models import Role
from routines.models import RoutineRun, RoutineStep, StepCompletion
from testing.servers import wait_until
from tests.support.factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory

from .helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)

STEPS = ["Wake up", "Toilet", "Wash", "Dress", "Breakfast", "Teeth", "Hair", "Shoes", "Coat", "Bag"]
FEELINGS = {
    "Sad": "sad",
    "Worried": "worried",
    "Happy": "happy",
    "Scared": "scared",
    "Silly": "silly",
    "Brave": "brave",
    "Calm": "calm",
    "Safe": "safe",
    "Loved": "loved",
    "Tired (sleepy)": "tired",
}


class Chaos:
    """Fails every other write: first before the server, then after it (answer lost)."""

    def __init__(self) -> None:
        self.writes = 0
        self.dropped = 0
        self.answers_lost = 0

    def __call__(self, route: Route) -> None:
        if route.request.method == "GET":
            route.continue_()
            return
        self.writes += 1
        if self.writes % 4 == 1:
            self.dropped += 1
            route.abort("connectionreset")
        elif self.writes % 4 == 3:
            route.fetch()  # the server does the work...
            self.answers_lost += 1
            route.abort("connectionreset")  # ...and the phone never hears back
        else:
            route.continue_()


OUTBOX_LEFT = """async () => {
  const src = document.querySelector('script[type=module]').src;
  const q = await import(new URL('./offline-queue.js', src).href);
  return (await q.pending()).length;
}"""


def eventually(check) -> None:
    """Wait until ``check()`` is true (the outbox replays on its own time)."""
    wait_until(check, 20, interval=0.2)


@pytest.fixture
def morning():
    """Ana owns the Riveras; Sam has a ten-step morning routine every day."""
    family = FamilyFactory(name="The Riveras", timezone="Europe/Madrid")
    MembershipFactory(family=family, role=Role.OWNER, user__email="ana@example.com")
    sam = ChildFactory(family=family, name="Sam")
    routine = RoutineFactory(family=family, name="Morning", children=[sam], steps=0)
    RoutineStep.objects.bulk_create(
        RoutineStep(routine=routine, position=i, title=title, icon="⭐")
        for i, title in enumerate(STEPS)
    )
    return routine


def check_in(page, feeling: str) -> None:
    page.get_by_role("button", name="Sam", exact=True).click()
    page.get_by_role("button", name=feeling, exact=True).click()
    page.get_by_role("button", name=re.compile(r"^3 ")).click()
    page.get_by_role("button", name="Save without a strategy").click()
    expect(
        page.get_by_role("heading", name=re.compile("^(Check-in saved|Saved on this phone)$"))
    ).to_be_visible()
    page.get_by_role("button", name="Another check-in").click()
    expect(page.get_by_role("heading", name="Who is checking in?")).to_be_visible()


def test_half_the_writes_fail_and_exactly_ten_and_ten_are_stored(page, context, app_url, morning):
    log_in(page, app_url, "ana@example.com")
    expect(page.locator(".now-card")).to_contain_text("Wake up")

    chaos = Chaos()
    context.route("**/api/v1/**", chaos)

    page.get_by_role("link", name="Check-in").click()
    expect(page.get_by_role("heading", name="Who is checking in?")).to_be_visible()
    for feeling in FEELINGS:
        check_in(page, feeling)

    page.get_by_role("link", name="Today").click()
    expect(page.locator(".progress-text")).to_have_text("0 of 10 done")
    for n, title in enumerate(STEPS, start=1):
        page.get_by_role("button", name=title, exact=True).click()
        expect(page.locator(".progress-text")).to_have_text(f"{n} of 10 done")
    expect(page.get_by_text("All done!")).to_be_visible()
    # Second thoughts, also through the chaos: undo the first step, then tick it again.
    page.get_by_role("button", name="Wake up, done").click()
    expect(page.locator(".progress-text")).to_have_text("9 of 10 done")
    page.get_by_role("button", name="Wake up", exact=True).click()
    expect(page.locator(".progress-text")).to_have_text("10 of 10 done")
    # The screen moves before its write is on the wire: wait until all 21 writes (the
    # undo may be superseded by the second tick before it is sent) went through the chaos
    # (the evaluate lets Playwright handle the routes while this waits).
    eventually(lambda: page.evaluate("() => true") and chaos.writes >= 21)
    assert chaos.dropped >= 5
    assert chaos.answers_lost >= 5

    # The network heals; the app comes back (a reload replays the outbox at start).
    context.unroute("**/api/v1/**")
    page.reload()
    expect(page.locator("h1")).to_be_visible()
    # Until the outbox is empty the counts can reach 10 on the way (the undo and the
    # second tick of "Wake up" may still be waiting behind a tick they follow).
    expect(page.locator("#sync-status")).to_have_text("", timeout=20_000)
    eventually(lambda: page.evaluate(OUTBOX_LEFT) == 0)
    eventually(lambda: StepCompletion.objects.count() == 10 and CheckIn.objects.count() == 10)

    assert sorted(CheckIn.objects.values_list("emotion", flat=True)) == sorted(FEELINGS.values())
    assert set(CheckIn.objects.values_list("child__name", flat=True)) == {"Sam"}
    assert sorted(StepCompletion.objects.values_list("step__title", flat=True)) == sorted(STEPS)
    run = RoutineRun.objects.get()
    assert run.completed_at is not None

    # Later flushes find nothing left to send: still exactly ten and ten.
    page.reload()
    expect(page.locator(".progress-text")).to_have_text("10 of 10 done")
    page.wait_for_load_state("networkidle")
    assert CheckIn.objects.count() == 10
    assert StepCompletion.objects.count() == 10


# The outbox's ordering promise, checked against a scripted network: a replayed "done"
# still on its way must neither overtake the "undo" made after it nor delete it from the
# outbox when it succeeds.
OUTBOX_RACE = """async (undoFails) => {
  const src = document.querySelector('script[type=module]').src;
  const q = await import(new URL('./offline-queue.js', src).href);
  const realFetch = window.fetch;
  const log = [];
  let release;
  let calls = 0;
  window.fetch = (url, options) => {
    if (!String(url).includes('/drill/')) return realFetch(url, options);
    calls += 1;
    const method = options.method;
    const ok = () => { log.push(method); return new Response('{}', { status: 200 }); };
    if (calls === 1) return Promise.reject(new TypeError('network down'));
    if (calls === 2) return new Promise((resolve) => { release = () => resolve(ok()); });
    if (undoFails) return Promise.reject(new TypeError('network down'));
    return Promise.resolve(ok());
  };
  try {
    await q.send('PUT', 'drill/step/', undefined, 'drill-step');  // lost: queued
    const replay = q.flush();                                       // replays it, slowly
    await new Promise((r) => setTimeout(r, 100));
    const undo = q.send('DELETE', 'drill/step/', undefined, 'drill-step');
    await new Promise((r) => setTimeout(r, 100));
    release();
    await replay;
    await undo;
    const left = (await q.pending()).filter((item) => item.key === 'drill-step');
    return { log, left: left.map((item) => item.method) };
  } finally {
    window.fetch = realFetch;
  }
}"""


@pytest.mark.parametrize(
    ("undo_fails", "server_sees", "left"),
    [(False, ["PUT", "DELETE"], []), (True, ["PUT"], ["DELETE"])],
    ids=["undo-arrives-last", "failed-undo-stays-queued"],
)
def test_an_older_replay_never_overtakes_or_drops_a_newer_write(
    page, app_url, undo_fails, server_sees, left
):
    page.goto(f"{app_url}/#/login")
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    result = page.evaluate(OUTBOX_RACE, undo_fails)
    assert result == {"log": server_sees, "left": left}
