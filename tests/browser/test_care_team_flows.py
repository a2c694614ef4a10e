"""The care team in Chromium: a sitter's evening on a pass (opened by its link, only the
children of the pass, ticks, a check-in with breathing, the handover the owner reads
first on Today and gets by push), a revoked pass refusing the sitter's next screen, and a
caregiver limited to one child seeing only that child."""

from __future__ import annotations

import datetime as _dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db.utils import OperationalError
from django.utils import timezone
from playwright.sync_api import Page, expect

from care.models import Handover
from checkins.models import CheckIn
from checkins.strategies import sync_builtin_strategies
from families import sitters
from families.models import Membership, Role, SitterPass
from reminders import dispatch, sending
from routines.models import RoutineStep, StepCompletion
from testing.servers import wait_until
from tests.support.factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory
from tests.support.reminder_fixtures import add_device

from .helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)

MADRID = ZoneInfo("Europe/Madrid")
BEDTIME = [("🛁", "Bath"), ("👕", "Pyjamas"), ("🪥", "Teeth"), ("📖", "Story")]
SITTER_TABS = ["Today", "Check-in", "Strategies", "Hand over"]


@pytest.fixture
def riveras():
    """The Riveras (Madrid): Ana (owner), Bob (caregiver), Sam with a bedtime, and Lu."""
    sync_builtin_strategies()
    family = FamilyFactory(name="The Riveras", timezone="Europe/Madrid")
    ana = MembershipFactory(
        family=family, role=Role.OWNER, user__email="ana@example.com", user__display_name="Ana"
    )
    MembershipFactory(
        family=family, role=Role.CAREGIVER, user__email="bob@example.com", user__display_name="Bob"
    )
    sam = ChildFactory(family=family, name="Sam", avatar="🦊")
    lu = ChildFactory(family=family, name="Lu", avatar="🐼")
    bedtime = RoutineFactory(family=family, name="Bedtime", children=[sam], steps=0)
    RoutineStep.objects.bulk_create(
        RoutineStep(routine=bedtime, position=i, icon=icon, title=title)
        for i, (icon, title) in enumerate(BEDTIME)
    )
    RoutineFactory(family=family, name="Lu's bath", children=[lu], steps=2)
    return {"family": family, "ana": ana, "sam": sam, "lu": lu}


def eventually(check) -> None:
    """Wait until ``check()`` is true: the browser writes on its own time, and the
    in-memory database refuses a read while the live server writes ("table is locked")."""

    def settled() -> bool:
        try:
            return bool(check())
        except OperationalError:
            return False

    wait_until(settled, 20, interval=0.1)


def local_input(instant: _dt.datetime) -> str:
    return timezone.localtime(instant, MADRID).strftime("%Y-%m-%dT%H:%M")


def open_family(page: Page) -> None:
    page.get_by_role("link", name="Family", exact=True).click()
    expect(page.get_by_role("heading", name="The Riveras", level=1)).to_be_visible()
    expect(page.locator("#passes .loading")).to_have_count(0)


def tabs(page: Page) -> list[str]:
    expect(page.locator("#tabs")).to_be_visible()
    return [t.split("\n")[-1].strip() for t in page.locator("#tabs a").all_inner_texts()]


def open_pass(page: Page, app_url: str, token: str, name: str) -> None:
    page.goto(f"{app_url}/#/pass/{token}")
    expect(page.get_by_role("heading", name="Looking after the children?")).to_be_visible()
    page.get_by_label("Your first name").fill(name)
    page.get_by_role("button", name="Start").click()


def issue_pass(family, owner: Membership, children, *, starts_in=-5, lasts=180) -> str:
    now = timezone.now()
    issued = sitters.create_pass(
        membership=owner,
        children=children,
        starts_at=now + _dt.timedelta(minutes=starts_in),
        ends_at=now + _dt.timedelta(minutes=starts_in + lasts),
        name="Grandma",
    )
    return issued.token


def deliver_due_pushes() -> None:
    """One dispatcher tick, sending at once (what Celery beat and the worker do)."""

    def send_now(delivery_ids, *, countdown=None):
        for delivery_id in delivery_ids:
            sending.send_delivery(delivery_id)

    dispatch.dispatch_due(enqueue=send_now)


def test_a_sitters_whole_evening(page, new_context, app_url, riveras, push):
    family, sam = riveras["family"], riveras["sam"]
    add_device(push, riveras["ana"].user, "ana-phone")

    # Ana makes a pass for Sam only. The window defaults to tonight, 18:00–23:30 in the
    # family's time; for this test it starts now.
    log_in(page, app_url, "ana@example.com")
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    open_family(page)
    expect(page.locator("#passes")).to_contain_text("No passes yet.")
    page.get_by_role("button", name="New sitter pass").click()
    form = page.get_by_role("form", name="New sitter pass")
    expect(form.get_by_label("From")).to_have_value(re.compile(r"T18:00$"))
    expect(form.get_by_label("Until")).to_have_value(re.compile(r"T23:30$"))
    form.get_by_label("Who is it for? (optional)").fill("Grandma")
    form.get_by_role("checkbox", name="Lu").uncheck()
    now = timezone.now()
    form.get_by_label("From").fill(local_input(now - _dt.timedelta(minutes=5)))
    form.get_by_label("Until").fill(local_input(now + _dt.timedelta(hours=3)))
    form.get_by_role("button", name="Create pass").click()

    expect(page.get_by_role("heading", name="Send the pass")).to_be_visible()
    link = page.get_by_label("Pass link").input_value()
    token = re.search(r"#/pass/([\w-]+)$", link).group(1)
    qr = page.get_by_role("img", name="QR code of the pass link for Sam")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml;base64,")
    assert page.evaluate("(img) => img.naturalWidth > 0", qr.element_handle())
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    listed = page.locator("#passes li")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Grandma")
    expect(listed).to_contain_text("Active now")
    expect(listed).to_contain_text("Not opened yet")
    eventually(lambda: [c.pk for c in SitterPass.objects.get().children.all()] == [sam.pk])
    stored = SitterPass.objects.get()
    assert abs((stored.starts_at - (now - _dt.timedelta(minutes=5))).total_seconds()) < 60

    # Grandma opens the link on her phone and gives her first name.
    grandma = new_context().new_page()
    open_pass(grandma, app_url, token, "Grandma")
    expect(grandma.get_by_role("heading", name="Today")).to_be_visible()
    expect(grandma.locator(".sitter-welcome")).to_contain_text("You're looking after Sam until")
    assert tabs(grandma) == SITTER_TABS
    expect(grandma.get_by_role("button", name="Turn on notifications")).to_be_visible()
    # Only Sam: no child to switch to, nothing of Lu's.
    expect(grandma.locator(".routine-heading")).to_contain_text("Bedtime")
    expect(grandma.locator(".child-switcher")).to_have_count(0)
    expect(grandma.locator("main")).not_to_contain_text("Lu")
    # Opening the pass put her on duty for Sam.
    expect(grandma.locator(".duty-list")).to_contain_text("On duty: you since")
    expect(grandma.get_by_role("button", name="Stop being on duty for Sam")).to_be_visible()

    # Bedtime, step by step.
    for _, title in BEDTIME:
        grandma.get_by_role("button", name=title, exact=True).click()
        expect(grandma.get_by_role("button", name=f"{title}, done")).to_be_visible()
    expect(grandma.get_by_text("All done!")).to_be_visible()
    eventually(lambda: StepCompletion.objects.filter(run__child=sam).count() == 4)

    # A check-in with Sam, into box breathing.
    grandma.get_by_role("link", name="Check-in").click()
    expect(grandma.get_by_role("heading", name="Who is checking in?")).to_be_visible()
    expect(grandma.get_by_role("button", name="Lu", exact=True)).to_have_count(0)
    grandma.get_by_role("button", name="Sam", exact=True).click()
    grandma.get_by_role("button", name="Angry (mad)").click()
    grandma.get_by_role("button", name=re.compile(r"^4 ")).click()
    grandma.get_by_role("button", name="Try this: Box breathing").click()
    expect(grandma.get_by_role("heading", name="Box breathing", level=1)).to_be_visible()
    grandma.get_by_role("button", name="Start breathing").click()
    expect(grandma.get_by_role("status").filter(has_text="Breathe in")).to_be_visible()
    eventually(lambda: CheckIn.objects.get(child=sam).strategy.key == "box_breathing")

    # Strategies are a tab of hers too.
    grandma.get_by_role("link", name="Strategies").click()
    expect(grandma.get_by_role("heading", name="Strategies")).to_be_visible()
    expect(grandma.get_by_role("link", name=re.compile("Box breathing"))).to_be_visible()

    # She hands over with a note; the summary is what the app recorded.
    grandma.get_by_role("link", name="Hand over").click()
    expect(grandma.get_by_role("heading", name="Hand over", level=1)).to_be_visible()
    expect(grandma.get_by_role("checkbox", name="Sam")).to_be_checked()
    expect(grandma.get_by_label("To")).to_have_count(0)  # a sitter's goes to the owners
    grandma.get_by_label("Note (optional)").fill("Sam was tired but fell asleep at nine.")
    grandma.get_by_role("button", name="Hand over").click()
    result = grandma.locator("#handover-result")
    expect(result).to_contain_text("Handover from you")
    expect(result).to_contain_text("Bedtime done")
    expect(result).to_contain_text("Check-in: Angry (4 of 5), tried Box breathing")
    eventually(lambda: Handover.objects.get().note == "Sam was tired but fell asleep at nine.")

    # Ana's Today shows it first; her phone is told.
    page.get_by_role("link", name="Today").click()
    card = page.locator(".handover-card").first
    expect(card).to_contain_text("Handover from Grandma")
    expect(card).to_contain_text("Sam was tired but fell asleep at nine.")
    expect(card).to_contain_text("Bedtime done")
    assert page.evaluate(
        "() => document.querySelector('#today-care').compareDocumentPosition("
        "document.querySelector('#today-board')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    deliver_due_pushes()
    [message] = push.wait_for(1, timeout=10)
    assert message.payload["title"] == "Handover from Grandma: Sam"
    assert message.payload["body"] == "Sam was tired but fell asleep at nine."
    assert message.payload["url"] == f"/#/families/{family.pk}/today"

    # Nobody has Sam now; Ana takes over, and the care log tells the evening.
    expect(page.locator(".duty-list li").filter(has_text="Sam")).to_contain_text("Nobody on duty")
    page.get_by_role("button", name="I have Sam now").click()
    expect(page.locator(".duty-list li").filter(has_text="Sam")).to_contain_text(
        "On duty: you since"
    )
    page.get_by_role("button", name="Got it").click()
    expect(page.locator(".handover-card")).to_have_count(0)
    page.get_by_role("link", name="Care log for Sam").click()
    expect(page.get_by_role("heading", name="Sam's care log")).to_be_visible()
    log = page.locator("#care-log")
    expect(log).to_contain_text("Grandma has Sam now.")
    expect(log).to_contain_text("Bath (Bedtime)")
    expect(log).to_contain_text("Angry, 4 of 5, tried Box breathing")
    expect(log).to_contain_text("Grandma handed Sam over: Sam was tired")
    expect(log).to_contain_text("Ana has Sam now.")
    yesterday = timezone.localtime(timezone.now(), MADRID).date() - _dt.timedelta(days=1)
    page.get_by_label("Day").fill(yesterday.isoformat())
    expect(page.locator("#care-log")).to_have_text("Nothing was recorded for Sam that day.")
    # The pass shows its use in the list.
    open_family(page)
    expect(page.locator("#passes li")).to_contain_text("Opened once")


def test_a_revoked_pass_refuses_the_sitters_next_screen(page, new_context, app_url, riveras):
    token = issue_pass(riveras["family"], riveras["ana"], [riveras["sam"]])
    grandma = new_context().new_page()
    open_pass(grandma, app_url, token, "Grandma")
    expect(grandma.get_by_role("heading", name="Today")).to_be_visible()

    log_in(page, app_url, "ana@example.com")
    open_family(page)
    expect(page.locator("#passes li")).to_contain_text("Opened once")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile(r"^Revoke Grandma")).click()
    expect(page.locator("#passes li")).to_contain_text("Revoked")
    expect(page.get_by_role("button", name=re.compile(r"^Revoke"))).to_have_count(0)

    grandma.get_by_role("link", name="Check-in").click()
    expect(grandma.get_by_role("heading", name="This pass cannot be used now")).to_be_visible()
    expect(grandma.locator(".refusal-text")).to_have_text(
        "This pass was cancelled. Ask the family for a new one."
    )
    expect(grandma.locator("#tabs")).to_be_hidden()
    # And again after a reload: the session is no longer let in.
    grandma.reload()
    expect(grandma.locator(".refusal-text")).to_have_text(
        "This pass was cancelled. Ask the family for a new one."
    )


def test_a_pass_opened_before_its_window_says_when_it_starts(new_context, app_url, riveras):
    now_local = timezone.localtime(timezone.now(), MADRID)
    token = issue_pass(riveras["family"], riveras["ana"], [riveras["sam"]], starts_in=90)
    starts = (now_local + _dt.timedelta(minutes=90)).strftime("%H:%M")
    grandma = new_context().new_page()
    open_pass(grandma, app_url, token, "Grandma")
    expect(grandma.get_by_role("heading", name="This pass cannot be used now")).to_be_visible()
    expect(grandma.locator(".refusal-text")).to_contain_text("This pass starts at")
    if now_local.date() == (now_local + _dt.timedelta(minutes=90)).date():
        expect(grandma.locator(".refusal-text")).to_have_text(f"This pass starts at {starts}.")
    eventually(lambda: not Membership.objects.filter(role=Role.SITTER).exists())


def test_a_caregiver_limited_to_one_child_sees_only_that_child(page, new_context, app_url, riveras):
    sam, lu = riveras["sam"], riveras["lu"]
    log_in(page, app_url, "ana@example.com")
    open_family(page)
    bob_line = page.locator("#members-h ~ ul li").filter(has_text="Bob")
    expect(bob_line).to_contain_text("Sees: all children")
    page.get_by_role("button", name="Change which children Bob sees").click()
    access = page.get_by_role("form", name="Children Bob sees")
    access.get_by_role("checkbox", name="Sam").uncheck()
    access.get_by_role("checkbox", name="Lu").uncheck()
    access.get_by_role("button", name="Save").click()
    expect(access.locator(".form-error")).to_have_text("Choose at least one child.")
    access.get_by_role("checkbox", name="Sam").check()
    access.get_by_role("button", name="Save").click()
    expect(bob_line).to_contain_text("Sees: Sam")
    eventually(lambda: Membership.objects.get(user__email="bob@example.com").limited)
    bob = Membership.objects.get(user__email="bob@example.com")
    assert list(bob.children.all()) == [sam]

    page2 = new_context().new_page()
    log_in(page2, app_url, "bob@example.com")
    # Today: Sam's board, Sam's duty, nothing of Lu.
    expect(page2.locator(".routine-heading")).to_contain_text("Bedtime")
    expect(page2.locator(".child-switcher")).to_have_count(0)
    expect(page2.locator(".duty-list li")).to_have_count(1)
    expect(page2.locator("main")).not_to_contain_text("Lu")
    # Check-in: Sam only.
    page2.get_by_role("link", name="Check-in").click()
    expect(page2.get_by_role("heading", name="Who is checking in?")).to_be_visible()
    expect(page2.get_by_role("button", name="Sam", exact=True)).to_be_visible()
    expect(page2.locator(".who-list")).not_to_contain_text("Lu")
    # Routines: Sam's bedtime, not Lu's bath.
    page2.get_by_role("link", name="Routines").click()
    expect(page2.get_by_role("heading", name="Routines", level=1)).to_be_visible()
    expect(page2.locator("main")).to_contain_text("Bedtime")
    expect(page2.locator("main")).not_to_contain_text("Lu's bath")
    # Settings: reminders of Sam's routines only.
    page2.get_by_role("link", name="Settings").click()
    expect(page2.get_by_role("checkbox", name="Bedtime")).to_be_visible()
    expect(page2.locator("#routine-toggles")).not_to_contain_text("Lu's bath")
    # Family: Sam in the children, and what Bob sees.
    page2.get_by_role("link", name="Family", exact=True).click()
    expect(page2.locator("#children-list li")).to_have_count(1)
    expect(page2.locator("#children-list")).to_contain_text("Sam")
    expect(page2.locator("#passes-h")).to_have_count(0)  # passes are the owners'
    # Hand over: only Sam to choose.
    page2.goto(f"{app_url}/#/families/{riveras['family'].pk}/handover")
    expect(page2.get_by_role("checkbox", name="Sam")).to_be_visible()
    expect(page2.get_by_role("checkbox", name="Lu")).to_have_count(0)
    # Sam's care log opens; Lu's is not there for Bob.
    page2.goto(f"{app_url}/#/families/{riveras['family'].pk}/children/{sam.pk}/log")
    expect(page2.get_by_role("heading", name="Sam's care log")).to_be_visible()
    page2.goto(f"{app_url}/#/families/{riveras['family'].pk}/children/{lu.pk}/log")
    expect(page2.get_by_role("heading", name="Something went wrong")).to_be_visible()
    expect(page2.locator("main")).not_to_contain_text("Lu's care log")


def test_a_pass_that_ended_says_so_instead_of_asking_to_log_in(new_context, app_url, riveras):
    token = issue_pass(riveras["family"], riveras["ana"], [riveras["sam"]])
    grandma = new_context().new_page()
    open_pass(grandma, app_url, token, "Grandma")
    expect(grandma.get_by_role("heading", name="Today")).to_be_visible()

    # The window closes while her session is still open: her next screen is refused...
    ended = timezone.now() - _dt.timedelta(minutes=1)
    eventually(lambda: SitterPass.objects.update(ends_at=ended) == 1)
    # (Today's own poll may show the refusal first; a navigation must show it too.)
    grandma.evaluate("() => { location.hash = location.hash.replace('/today', '/strategies'); }")
    expect(grandma.locator(".refusal-text")).to_have_text(
        f"This pass ended at {timezone.localtime(ended, MADRID):%H:%M}."
    )
    # ...and once the session itself has gone (it expires with the pass), the app says the
    # pass ended rather than asking a sitter to log in.
    grandma.evaluate(
        """() => {
          const info = JSON.parse(localStorage.getItem('sitter'));
          info.ends_at = new Date(Date.now() - 60000).toISOString();
          localStorage.setItem('sitter', JSON.stringify(info));
        }"""
    )
    grandma.context.clear_cookies()
    grandma.reload()
    expect(grandma.get_by_role("heading", name="This pass cannot be used now")).to_be_visible()
    expect(grandma.locator(".refusal-text")).to_contain_text("This pass ended at")
    expect(grandma.get_by_role("link", name="Have a Tandem account? Log in")).to_be_visible()
