"""Notifications in Chromium: turning them on, a push shown by the service worker, a tap.

Chromium here cannot reach a vendor push service, so ``pushManager.subscribe`` is stubbed
in an init script to return a subscription at the local test push service (real keys).
The server really encrypts and sends to that service; the decrypted message is then
handed to the service worker through the DevTools protocol, as the browser's push
service would.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import expect

from families.models import Family
from reminders import sending, tasks
from reminders.models import PushSubscription, ReminderSettings
from tests.support.factories import DeliveryFactory, RoutineFactory

from .helpers import create_family, sign_up, wait_for_service_worker

pytestmark = pytest.mark.django_db(transaction=True)

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)

# A stand-in for the browser's PushManager: subscribe() answers with the given
# subscription and remembers it, as a real one would.
STUB_PUSH_MANAGER = """
(() => {
  const info = %s;
  let current = null;
  const make = (options) => ({
    endpoint: info.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: options.applicationServerKey.buffer },
    toJSON: () => ({ endpoint: info.endpoint, expirationTime: null, keys: info.keys }),
    unsubscribe: async () => { current = null; return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    window.__subscribeOptions = { userVisibleOnly: options.userVisibleOnly,
      keyLength: options.applicationServerKey.length };
    current = make(options);
    return current;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
})();
"""

# The person taps "Block" when the browser asks.
DENY_PERMISSION = """
(() => {
  let state = "default";
  Object.defineProperty(Notification, "permission", { get: () => state });
  Notification.requestPermission = async () => { state = "denied"; return state; };
})();
"""


@pytest.fixture
def send_now(monkeypatch):
    """Sends run right away in the live server instead of in a Celery worker."""

    def run(delivery_ids, *, countdown=None):
        for delivery_id in delivery_ids:
            sending.send_delivery(delivery_id)

    monkeypatch.setattr(tasks, "enqueue_sends", run)


def open_settings(page, app_url, family_name="The Riveras"):
    sign_up(page, app_url, name="Ana", email="ana@example.com")
    create_family(page, family_name)
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()


def turn_on_notifications(page, context, app_url, push) -> dict:
    """Sign up, open Settings and turn notifications on, on a device of the push service;
    its subscription info (endpoint and keys)."""
    info = push.register_device("ana-phone")
    context.add_init_script(STUB_PUSH_MANAGER % json.dumps(info))
    context.grant_permissions(["notifications"], origin=app_url)
    open_settings(page, app_url)
    wait_for_service_worker(page)
    page.get_by_role("button", name="Turn on notifications").click()
    expect(page.locator("#push-status")).to_have_text("Notifications are on for this device.")
    return info


def test_turning_notifications_on_subscribes_this_device(page, context, app_url, push):
    info = turn_on_notifications(page, context, app_url, push)

    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360  # no sideways scroll
    options = page.evaluate("() => window.__subscribeOptions")
    assert options == {"userVisibleOnly": True, "keyLength": 65}
    subscription = PushSubscription.objects.get()
    assert subscription.endpoint == info["endpoint"]
    assert subscription.user.email == "ana@example.com"
    assert subscription.p256dh == info["keys"]["p256dh"]


def test_a_refused_permission_is_explained(page, context, app_url):
    context.add_init_script(DENY_PERMISSION)
    open_settings(page, app_url)

    page.get_by_role("button", name="Turn on notifications").click()

    expect(page.locator("#push-denied")).to_contain_text("site settings")
    assert not PushSubscription.objects.exists()


def test_the_permission_is_not_asked_before_a_tap(page, context, app_url):
    context.add_init_script(
        "Notification.requestPermission = async () => { window.__asked = true; return 'default'; };"
    )
    open_settings(page, app_url)
    expect(page.get_by_role("button", name="Turn on notifications")).to_be_visible()
    assert page.evaluate("() => Boolean(window.__asked)") is False


def test_iphone_users_are_told_to_add_the_app_to_the_home_screen(new_context, app_url):
    page = new_context_with_agent(new_context, IPHONE).new_page()
    open_settings(page, app_url)
    expect(page.locator("#ios-hint")).to_contain_text("Add to Home Screen")


def new_context_with_agent(new_context, user_agent):
    context = new_context()
    context.set_extra_http_headers({"User-Agent": user_agent})
    context.add_init_script(
        f"Object.defineProperty(navigator, 'userAgent', {{ get: () => {json.dumps(user_agent)} }});"
    )
    return context


def service_worker_registration_id(context, page):
    """A DevTools session on the page and the id of the app's service worker registration."""
    cdp = context.new_cdp_session(page)
    found: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: found.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not [r for r in found if not r.get("isDeleted")] and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    live = [r for r in found if not r.get("isDeleted")]
    assert live, "no service worker registration reported"
    return cdp, live[-1]["registrationId"]


def notifications(page) -> list[dict]:
    return page.evaluate(
        """async () => (await (await navigator.serviceWorker.ready).getNotifications())
            .map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }))"""
    )


def test_a_push_is_shown_and_a_tap_opens_its_screen(
    page, context, app_url, push, send_now, live_server
):
    turn_on_notifications(page, context, app_url, push)

    # The server encrypts and sends a real test notification to the push service...
    page.get_by_role("button", name="Send a test notification").click()
    [message] = push.wait_for(1, timeout=10)
    family = Family.objects.get()
    assert message.payload["url"] == f"/#/families/{family.pk}/settings"
    assert push.errors == []

    # ...which hands it to the browser: deliver it to the service worker.
    page.get_by_role("link", name="Family", exact=True).click()
    expect(page.get_by_role("heading", name="The Riveras")).to_be_visible()
    cdp, registration_id = service_worker_registration_id(context, page)
    origin = re.match(r"^https?://[^/]+", app_url).group(0)
    data = message.plaintext.decode()
    pushed = {"origin": origin, "registrationId": registration_id, "data": data}
    shown: list[dict] = []
    for _ in range(3):
        # DevTools' hand-over can be lost while the worker is (re)starting, where a push
        # service would deliver again: so does this. A repeat replaces (same tag).
        cdp.send("ServiceWorker.deliverPushMessage", pushed)
        deadline = time.monotonic() + 5
        shown = notifications(page)
        while not shown and time.monotonic() < deadline:
            page.wait_for_timeout(100)
            shown = notifications(page)
        if shown:
            break
    assert [(n["title"], n["body"], n["tag"]) for n in shown] == [
        ("Tandem test notification", "Notifications work on this device.", message.payload["tag"])
    ]
    assert shown[0]["data"]["url"].endswith(f"/#/families/{family.pk}/settings")

    # A tap: the worker's notificationclick handler brings the app to that screen.
    [worker] = context.service_workers
    worker.evaluate(
        """async () => {
            const [notification] = await self.registration.getNotifications();
            self.dispatchEvent(new NotificationEvent("notificationclick", { notification }));
        }"""
    )
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    assert page.url.endswith(f"/#/families/{family.pk}/settings")
    assert notifications(page) == []  # the tap closed it


def test_quiet_hours_are_saved_and_recent_reminders_listed(page, app_url):

    sign_up(page, app_url, name="Ana", email="ana@example.com")
    create_family(page, "The Riveras")
    family = Family.objects.get()
    user = family.memberships.get().user
    DeliveryFactory(
        reminder__family=family, subscription__user=user, state="skipped", error="Quiet hours."
    )
    page.get_by_role("link", name="Settings").click()
    expect(page.locator("#deliveries")).to_contain_text("Bedtime for Sam in 10 minutes")
    expect(page.locator("#deliveries")).to_contain_text("Skipped")

    page.get_by_label("From").fill("21:30")
    page.get_by_label("Until").fill("07:00")
    page.get_by_role("button", name="Save reminder settings").click()
    expect(page.locator("#toast")).to_have_text("Reminder settings saved")
    stored = ReminderSettings.objects.get(membership__user=user)
    assert (str(stored.quiet_start), str(stored.quiet_end)) == ("21:30:00", "07:00:00")

    page.get_by_label("From").fill("")
    page.get_by_role("button", name="Save reminder settings").click()
    expect(page.locator(".field-error")).to_contain_text("both")


def test_single_routines_can_be_switched_off(page, app_url):

    sign_up(page, app_url, name="Ana", email="ana@example.com")
    create_family(page, "The Riveras")
    family = Family.objects.get()
    bedtime = RoutineFactory(family=family, name="Bedtime")
    RoutineFactory(family=family, name="School morning")
    page.get_by_role("link", name="Settings").click()

    toggle = page.get_by_role("checkbox", name="Bedtime")
    expect(toggle).to_be_checked()
    toggle.uncheck()
    page.get_by_role("button", name="Save reminder settings").click()
    expect(page.locator("#toast")).to_have_text("Reminder settings saved")
    stored = ReminderSettings.objects.get(membership__family=family)
    assert list(stored.opted_out_routines.all()) == [bedtime]
    page.reload()
    expect(page.get_by_role("checkbox", name="Bedtime")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="School morning")).to_be_checked()
