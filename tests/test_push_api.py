"""Push API: the VAPID key, subscribing a device (validated), unsubscribing, a test push."""

from __future__ import annotations

import base64
import os
from io import StringIO

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from rest_framework.throttling import ScopedRateThrottle

from reminders.models import Delivery, PushSubscription
from reminders.vapid import KEY_FILE_NAME, identity
from testing.pushservice import BrowserKeys, b64url, b64url_decode

from .conftest import client_for
from .support.factories import UserFactory
from .support.reminder_fixtures import send_all

pytestmark = pytest.mark.django_db

URL = "/api/v1/push/subscriptions/"
FCM = "https://fcm.googleapis.com/fcm/send/dGVzdC1kZXZpY2U6QVBBOTFi"


def subscription(endpoint: str = FCM, keys: BrowserKeys | None = None) -> dict:
    info = (keys or BrowserKeys()).subscription_info(endpoint)
    return {**info, "expirationTime": None}


def test_it_serves_the_vapid_public_key(anon_client, vapid):
    response = anon_client.get("/api/v1/push/vapid-public-key/")
    assert response.status_code == 200
    assert response.json()["public_key"] == vapid
    assert len(b64url_decode(vapid)) == 65


def test_the_embedded_default_generates_one_key_pair_into_the_data_folder(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    identity.cache_clear()
    try:
        first = identity().public_key
        key_file = tmp_path / KEY_FILE_NAME
        assert key_file.exists()
        assert oct(key_file.stat().st_mode & 0o777) == "0o600"
        identity.cache_clear()  # another process starting later
        assert identity().public_key == first
    finally:
        identity.cache_clear()


def test_a_browser_subscription_is_stored_and_updated_by_endpoint(owner_client, owner):
    keys = BrowserKeys()
    response = owner_client.post(
        URL, subscription(keys=keys), HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Chrome/126.0"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["device"] == "Chrome on Android"
    stored = PushSubscription.objects.get(endpoint=FCM)
    assert (stored.user, stored.p256dh, stored.auth) == (owner, keys.p256dh, keys.auth)

    renewed = BrowserKeys()
    again = owner_client.post(URL, subscription(keys=renewed))
    assert again.status_code == 200
    assert PushSubscription.objects.count() == 1
    assert PushSubscription.objects.get().p256dh == renewed.p256dh


def test_a_device_belongs_to_one_user_so_resubscribing_moves_it(owner_client, caregiver):
    owner_client.post(URL, subscription())
    response = client_for(caregiver).post(URL, subscription())
    assert response.status_code == 200
    assert PushSubscription.objects.get(endpoint=FCM).user == caregiver


def test_unsubscribing_removes_only_my_own_device(owner_client, caregiver):
    owner_client.post(URL, subscription())
    other = "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABm"
    client_for(caregiver).post(URL, subscription(other))

    assert owner_client.delete(URL, {"endpoint": other}).status_code == 204
    assert PushSubscription.objects.filter(endpoint=other).exists()
    assert owner_client.delete(URL, {"endpoint": FCM}).status_code == 204
    assert not PushSubscription.objects.filter(endpoint=FCM).exists()
    assert owner_client.delete(URL, {"endpoint": FCM}).status_code == 204  # idempotent


def test_unsubscribing_is_a_post_with_the_endpoint(owner_client, caregiver):
    """The documented form (a DELETE body cannot be described in the schema)."""
    owner_client.post(URL, subscription())
    other = "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABm"
    client_for(caregiver).post(URL, subscription(other))
    off = URL + "unsubscribe/"

    assert owner_client.post(off, {"endpoint": other}).status_code == 204
    assert PushSubscription.objects.filter(endpoint=other).exists()
    assert owner_client.post(off, {"endpoint": FCM}).status_code == 204
    assert not PushSubscription.objects.filter(endpoint=FCM).exists()
    assert owner_client.post(off, {"endpoint": FCM}).status_code == 204  # idempotent
    response = owner_client.post(off, {})
    assert response.status_code == 400
    assert "endpoint" in response.json()["errors"]


def test_unsubscribing_needs_the_endpoint(owner_client):
    response = owner_client.delete(URL, {})
    assert response.status_code == 400
    assert "endpoint" in response.json()["errors"]


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",  # not https
        "https://evil.example.com/push/abc",  # not a push service
        "https://fcm.googleapis.com.evil.example/fcm/send/abc",  # suffix trick
        "https://evilpush.apple.com/abc",  # not a subdomain of push.apple.com
        "https://user:pw@fcm.googleapis.com/fcm/send/abc",  # credentials
        "https://fcm.googleapis.com@evil.example/abc",  # credentials trick
        "https://fcm.googleapis.com:8443/fcm/send/abc",  # odd port
        "https://127.0.0.1/push/abc",  # an address, not a push service
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://[::1]/push/abc",
        "https://fcm.googleapis.com/fcm/send/abc#frag",
        "https://fcm.googleapis.com/fcm/send/ab c",
        "fcm.googleapis.com/fcm/send/abc",
        "https://fcm.googleapis.com/" + "a" * 2100,
        "",
    ],
)
def test_endpoints_outside_the_allow_list_are_refused(owner_client, endpoint):
    response = owner_client.post(URL, subscription(endpoint))
    assert response.status_code == 400
    assert "endpoint" in response.json()["errors"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "endpoint",
    [
        FCM,
        "https://web.push.apple.com/QGuQyavXutnMH-0sIz",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABm",
        "https://wns2-db5p.notify.windows.com/w/?token=BQYAAAB",
        "https://fcm.googleapis.com:443/fcm/send/abc",
    ],
)
def test_known_push_services_are_accepted(owner_client, endpoint, settings):
    settings.WEBPUSH_ALLOWED_HOSTS = [
        "fcm.googleapis.com",
        "*.push.services.mozilla.com",
        "updates.push.services.mozilla.com",
        "*.push.apple.com",
        "*.notify.windows.com",
    ]
    assert owner_client.post(URL, subscription(endpoint)).status_code == 201


def test_a_pattern_with_a_port_allows_exactly_that_port(owner_client, settings):
    settings.WEBPUSH_ALLOWED_HOSTS = ["127.0.0.1:8443"]
    assert owner_client.post(URL, subscription("https://127.0.0.1:8443/push/a")).status_code == 201
    refused = owner_client.post(URL, subscription("https://127.0.0.1:8444/push/a"))
    assert refused.status_code == 400
    assert owner_client.post(URL, subscription("https://127.0.0.1/push/a")).status_code == 400


def _not_on_curve() -> str:
    return b64url(b"\x04" + b"\x01" * 64)


@pytest.mark.parametrize(
    ("keys", "field"),
    [
        ({"p256dh": b64url(os.urandom(33)), "auth": b64url(os.urandom(16))}, "keys.p256dh"),
        ({"p256dh": _not_on_curve(), "auth": b64url(os.urandom(16))}, "keys.p256dh"),
        ({"p256dh": "not base64!", "auth": b64url(os.urandom(16))}, "keys.p256dh"),
        ({"p256dh": BrowserKeys().p256dh, "auth": b64url(os.urandom(15))}, "keys.auth"),
        ({"p256dh": BrowserKeys().p256dh}, "keys.auth"),
        (None, "keys"),
    ],
)
def test_keys_must_be_what_a_browser_generates(owner_client, keys, field):
    body = {"endpoint": FCM} if keys is None else {"endpoint": FCM, "keys": keys}
    response = owner_client.post(URL, body)
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()


def test_padded_standard_keys_are_accepted_and_stored_unpadded(owner_client):
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    raw = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    padded = base64.urlsafe_b64encode(raw).decode()
    assert padded.endswith("=")
    body = {"endpoint": FCM, "keys": {"p256dh": padded, "auth": b64url(os.urandom(16))}}
    assert owner_client.post(URL, body).status_code == 201
    assert not PushSubscription.objects.get().p256dh.endswith("=")


def test_anonymous_cannot_subscribe(anon_client):
    assert anon_client.post(URL, subscription()).status_code == 403


def test_a_test_push_reaches_each_of_my_devices(
    owner_client, owner, family, push, queued, django_capture_on_commit_callbacks
):
    for name in ("phone", "tablet"):
        info = push.register_device(name)
        assert owner_client.post(URL, info).status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/api/v1/push/test/", {"family": family.pk})
    assert response.status_code == 202
    assert response.json() == {"devices": 2}
    assert send_all(queued) == ["sent", "sent"]

    messages = push.wait_for(2)
    assert {m.device_id for m in messages} == {"phone", "tablet"}
    assert messages[0].payload["title"] == "Tandem test notification"
    assert messages[0].payload["url"] == f"/#/families/{family.pk}/settings"
    assert push.errors == []
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


def test_a_test_push_without_devices_says_so(owner_client):
    response = owner_client.post("/api/v1/push/test/", {})
    assert response.status_code == 400
    assert "devices" in response.json()["errors"]


def test_a_test_push_for_another_family_is_refused(owner_client, other_family):
    response = owner_client.post("/api/v1/push/test/", {"family": other_family.pk})
    assert response.status_code == 400
    assert "family" in response.json()["errors"]
    assert response.json()["errors"]["family"] == ["You are not a member of this family."]
    response = owner_client.post("/api/v1/push/test/", {"family": "mine"})
    assert response.status_code == 400
    assert response.json()["errors"]["family"] == ["Give the family's id (a number)."]


def test_test_pushes_are_throttled(monkeypatch, owner_client):
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "push_test": "2/hour"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    statuses = [owner_client.post("/api/v1/push/test/", {}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_my_subscriptions_go_when_my_account_does(owner_client, owner):
    owner_client.post(URL, subscription())
    UserFactory()  # someone else stays
    owner.delete()
    assert not PushSubscription.objects.exists()


def test_the_vapid_keys_command_prints_a_pair_the_server_accepts(settings):
    out = StringIO()
    call_command("vapid_keys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    settings.VAPID_PRIVATE_KEY = lines["VAPID_PRIVATE_KEY"]
    settings.VAPID_PUBLIC_KEY = lines["VAPID_PUBLIC_KEY"]
    identity.cache_clear()
    try:
        assert identity().public_key == lines["VAPID_PUBLIC_KEY"]
    finally:
        identity.cache_clear()


def test_a_public_key_that_does_not_match_is_refused(settings, vapid):
    settings.VAPID_PUBLIC_KEY = BrowserKeys().p256dh
    identity.cache_clear()
    with pytest.raises(ImproperlyConfigured):
        identity()
