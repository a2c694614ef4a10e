"""A child's tablet in Chromium: the owner sets it up in the Family screen, a second
browser pairs with the code and sees only Sam, Sam makes a picture check-in (the faces
and sizes speak), the owner's phone gets the push and its tap opens the check-in with
Sam's feeling chosen, the owner removes the tablet and it is back at the pairing screen."""

from __future__ import annotations

import re
import time

import pytest
from django.db.utils import OperationalError
from playwright.sync_api import expect

from checkins.models import CheckIn
from families.models import ChildDevice, Role
from reminders import dispatch, sending
from testing.servers import wait_until
from tests.support.factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory
from tests.support.reminder_fixtures import add_device

from .helpers import log_in, wait_for_service_worker
from .test_phone_layout_flows import axe_problems
from .test_push_flows import notifications, service_worker_registration_id

pytestmark = pytest.mark.django_db(transaction=True)

# Records what the page asks the browser to say (and says nothing: the test has no ears).
RECORD_SPEECH = """
(() => {
  window.__spoken = [];
  const record = (utterance) =>
    window.__spoken.push({ text: utterance.text, lang: utterance.lang });
  if (!("speechSynthesis" in window)) {
    window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; };
    Object.defineProperty(window, "speechSynthesis", { value: { speak: record, cancel() {} } });
  } else {
    window.speechSynthesis.speak = record;
    window.speechSynthesis.cancel = () => {};
  }
})();
"""


@pytest.fixture
def riveras():
    family = FamilyFactory(name="The Riveras", timezone="Europe/Madrid")
    ana = MembershipFactory(
        family=family, role=Role.OWNER, user__email="ana@example.com", user__display_name="Ana"
    )
    sam = ChildFactory(family=family, name="Sam", avatar="🦊")
    lu = ChildFactory(family=family, name="Lu", avatar="🐼")
    RoutineFactory(family=family, name="Lu's bath", children=[lu], steps=2)
    return {"family": family, "ana": ana, "sam": sam, "lu": lu}


def eventually(check) -> None:
    def settled() -> bool:
        try:
            return bool(check())
        except OperationalError:  # the in-memory database is busy with the live server
            return False

    wait_until(settled, 20, interval=0.1)


def deliver_due_pushes() -> None:
    def send_now(delivery_ids, *, countdown=None):
        for delivery_id in delivery_ids:
            sending.send_delivery(delivery_id)

    dispatch.dispatch_due(enqueue=send_now)


def spoken(page) -> list[str]:
    return [s["text"] for s in page.evaluate("() => window.__spoken")]


def no_sideways_scroll(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 740})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_a_childs_tablet_from_pairing_to_removal(
    page, context, new_context, app_url, riveras, push
):
    family, sam = riveras["family"], riveras["sam"]
    add_device(push, riveras["ana"].user, "ana-phone")
    context.grant_permissions(["notifications"], origin=app_url)  # Ana allowed them before

    # Ana sets up a tablet for Sam: a code, its QR code and a countdown.
    log_in(page, app_url, "ana@example.com")
    wait_for_service_worker(page)
    page.get_by_role("link", name="Family", exact=True).click()
    expect(page.get_by_role("heading", name="The Riveras", level=1)).to_be_visible()
    expect(page.locator("#child-devices")).to_contain_text("No child devices yet.")
    page.get_by_role("button", name="Set up a child device").click()
    page.get_by_label("Tablet name").fill("Sam's tablet")
    page.locator("#new-device-h").locator("..").get_by_role("checkbox", name="Sam").check()
    page.get_by_role("button", name="Show the code").click()
    code_box = page.locator("#pairing-code")
    expect(code_box).to_have_text(re.compile(r"^[2-9A-HJ-NP-Z]{8}$"))
    code = code_box.inner_text()
    expect(page.locator("#pair-countdown")).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))
    expect(page.get_by_role("img", name="QR code to pair a tablet for Sam")).to_be_visible()
    assert axe_problems(page, "family with a pairing code") == []

    # The tablet: from the sign-in screen to the pairing screen, then Sam's view only.
    tablet_context = new_context()
    tablet_context.add_init_script(RECORD_SPEECH)
    tablet = tablet_context.new_page()
    tablet.goto(f"{app_url}/#/login")
    tablet.get_by_role("link", name="This is a child's tablet").click()
    expect(tablet.get_by_role("heading", name="This is a child's tablet")).to_be_visible()
    assert axe_problems(tablet, "pairing") == []
    no_sideways_scroll(tablet, 320)
    tablet.get_by_label("Pairing code").fill(code.lower())
    tablet.get_by_role("button", name="Pair this tablet").click()
    expect(tablet.get_by_role("heading", level=1, name="Sam")).to_be_visible()
    assert tablet.url.endswith(f"/#/child/{family.pk}/{sam.pk}")
    expect(tablet.locator("#tabs")).to_be_hidden()
    # Another screen is not for a tablet: it goes back to Sam's view.
    tablet.goto(f"{app_url}/#/families/{family.pk}/family")
    expect(tablet.get_by_role("heading", level=1, name="Sam")).to_be_visible()
    expect(tablet.get_by_text("Lu")).to_have_count(0)

    # Sam's own check-in: a face, a size, no typing.
    tablet.get_by_role("link", name="How do I feel?").click()
    expect(tablet.get_by_role("heading", name="How do you feel?")).to_be_visible()
    assert tablet.locator("input, textarea, select").count() == 0
    assert axe_problems(tablet, "child's faces") == []
    for width in (320, 414):
        no_sideways_scroll(tablet, width)
    small = tablet.locator(".child-face").first.bounding_box()
    assert small["width"] >= 44
    assert small["height"] >= 44
    tablet.get_by_role("button", name="mad", exact=True).click()
    expect(tablet.get_by_role("heading", name="How big is mad?")).to_be_visible()
    assert axe_problems(tablet, "child's sizes") == []
    no_sideways_scroll(tablet, 320)
    tablet.get_by_role("button", name="big", exact=True).click()
    expect(tablet.get_by_role("heading", name="Thank you. A grown-up is coming.")).to_be_visible()
    assert spoken(tablet) == ["mad", "big", "Thank you. A grown-up is coming."]
    assert all(s["lang"] for s in tablet.evaluate("() => window.__spoken"))
    expect(tablet.get_by_role("heading", level=1, name="Sam")).to_be_visible(timeout=10_000)
    assert tablet.url.endswith(f"/#/child/{family.pk}/{sam.pk}")
    eventually(lambda: CheckIn.objects.filter(by_child=True, child=sam).exists())
    checkin = CheckIn.objects.get()
    assert (checkin.emotion, checkin.intensity, checkin.pair) == ("angry", 5, None)

    # Ana's phone is told, and the tap opens the check-in for Sam with his feeling chosen.
    deliver_due_pushes()
    [message] = push.wait_for(1, timeout=10)
    assert message.payload["title"] == "Sam says: mad, big"
    assert push.errors == []
    page.get_by_role("link", name="Today").click()
    cdp, registration_id = service_worker_registration_id(context, page)
    origin = re.match(r"^https?://[^/]+", app_url).group(0)
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": origin, "registrationId": registration_id, "data": message.plaintext.decode()},
    )
    deadline = time.monotonic() + 10
    shown = notifications(page)
    while not shown and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        shown = notifications(page)
    assert [n["title"] for n in shown] == ["Sam says: mad, big"]
    [worker] = context.service_workers
    worker.evaluate(
        """async () => {
            const [notification] = await self.registration.getNotifications();
            self.dispatchEvent(new NotificationEvent("notificationclick", { notification }));
        }"""
    )
    expect(page.locator(".child-said")).to_contain_text("Sam said: 😠 mad, 5 of 5")
    expect(page.get_by_role("heading", name="How are you feeling?")).to_be_visible()
    assert axe_problems(page, "check-in opened by the push") == []
    page.get_by_role("button", name="Calm", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Sam: 😠 mad, 5 of 5"))).to_be_visible()

    # Ana removes the tablet; its next screen is the pairing screen.
    page.get_by_role("link", name="Family", exact=True).click()
    devices = page.locator("#child-devices")
    expect(devices).to_contain_text("Sam's tablet")
    expect(devices).to_contain_text("last seen")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove Sam's tablet").click()
    expect(devices).to_contain_text("No child devices yet.")
    eventually(lambda: ChildDevice.objects.get().revoked_at is not None)
    tablet.reload()
    expect(tablet.get_by_role("heading", name="This is a child's tablet")).to_be_visible()
