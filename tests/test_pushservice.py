"""The local push service (tests/pushservice.py) works with the real pywebpush."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import requests
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid02
from pywebpush import WebPusher, WebPushException, webpush

from testing.pushservice import BrowserKeys, PushService, b64url, b64url_decode

CLAIMS_SUB = "mailto:test@example.com"


def vapid_key_b64(key: Vapid02) -> str:
    raw = key.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return b64url(raw)


@pytest.fixture
def push(tmp_path) -> Iterator[PushService]:
    with PushService(tmpdir=tmp_path) as service:
        yield service


@pytest.fixture
def vapid() -> Vapid02:
    key = Vapid02()
    key.generate_keys()
    return key


@pytest.fixture
def session(push: PushService) -> Iterator[requests.Session]:
    with push.session() as s:
        yield s


def send(
    sub: dict,
    data: dict,
    vapid: Vapid02,
    session: requests.Session,
    **kw,
) -> requests.Response:
    return webpush(
        sub,
        data=json.dumps(data),
        vapid_private_key=vapid,
        vapid_claims={"sub": CLAIMS_SUB},
        ttl=kw.pop("ttl", 60),
        headers=kw.pop("headers", {"Urgency": "normal", "Topic": "abc"}),
        content_encoding="aes128gcm",
        requests_session=session,
        timeout=10,
        **kw,
    )


def test_browser_keys_shape() -> None:
    keys = BrowserKeys()
    info = keys.subscription_info("https://example.invalid/push/x")
    assert info["endpoint"] == "https://example.invalid/push/x"
    p256dh = b64url_decode(info["keys"]["p256dh"])
    assert len(p256dh) == 65
    assert p256dh[0] == 0x04
    assert len(b64url_decode(info["keys"]["auth"])) == 16
    assert "=" not in info["keys"]["p256dh"] + info["keys"]["auth"]


def test_delivers_and_decrypts(push: PushService, vapid: Vapid02, session) -> None:
    sub = push.register_device("phone-1")
    assert sub["endpoint"] == f"https://127.0.0.1:{push.port}/push/phone-1"
    payload = {"title": "Bedtime", "body": "in 10 minutes", "url": "/r/1", "tag": "r1-2026-03-02"}

    response = send(sub, payload, vapid, session)

    assert response.status_code == 201
    assert response.headers["Location"].startswith(push.origin)
    [msg] = push.wait_for(1, timeout=5)
    assert msg.device_id == "phone-1"
    assert msg.payload == payload
    assert msg.ttl == 60
    assert msg.urgency == "normal"
    assert msg.topic == "abc"
    assert msg.vapid_claims["aud"] == push.origin
    assert msg.vapid_claims["sub"] == CLAIMS_SUB
    assert msg.vapid_public_key == vapid_key_b64(vapid)
    assert push.errors == []


def test_two_devices_get_their_own_payloads(push: PushService, vapid: Vapid02, session) -> None:
    a = push.register_device("a")
    b = push.register_device("b")
    send(a, {"n": 1}, vapid, session)
    send(b, {"n": 2}, vapid, session)
    assert [m.payload for m in push.wait_for(1, device_id="a")] == [{"n": 1}]
    assert [m.payload for m in push.wait_for(1, device_id="b")] == [{"n": 2}]
    assert push.errors == []


def test_scripted_500_then_201(push: PushService, vapid: Vapid02, session) -> None:
    sub = push.register_device("flaky")
    push.script("flaky", [500, (429, {"Retry-After": "7"}), 201])

    with pytest.raises(WebPushException) as first:
        send(sub, {"try": 1}, vapid, session)
    assert first.value.response.status_code == 500

    with pytest.raises(WebPushException) as second:
        send(sub, {"try": 2}, vapid, session)
    assert second.value.response.status_code == 429
    assert second.value.response.headers["Retry-After"] == "7"

    assert send(sub, {"try": 3}, vapid, session).status_code == 201
    assert send(sub, {"try": 4}, vapid, session).status_code == 201  # script used up

    assert [m.payload for m in push.messages] == [{"try": 3}, {"try": 4}]
    assert [a.status for a in push.attempts] == [500, 429, 201, 201]
    assert push.errors == []


def test_gone_and_unknown(push: PushService, vapid: Vapid02, session) -> None:
    sub = push.register_device("old")
    push.expire("old")
    with pytest.raises(WebPushException) as gone:
        send(sub, {"x": 1}, vapid, session)
    assert gone.value.response.status_code == 410

    push.script("scripted-gone", [410])
    sub2 = push.register_device("scripted-gone")
    with pytest.raises(WebPushException) as gone2:
        send(sub2, {"x": 1}, vapid, session)
    assert gone2.value.response.status_code == 410

    unknown = BrowserKeys().subscription_info(push.endpoint("never-registered"))
    with pytest.raises(WebPushException) as missing:
        send(unknown, {"x": 1}, vapid, session)
    assert missing.value.response.status_code == 404
    assert push.messages == []
    assert push.errors == []


def test_bad_vapid_signature_rejected(push: PushService, vapid: Vapid02, session) -> None:
    sub = push.register_device("phone")
    other = Vapid02()
    other.generate_keys()
    # Sign with one key but advertise another key in k=.
    good = vapid.sign({"sub": CLAIMS_SUB, "aud": push.origin, "exp": int(time.time()) + 3600})
    forged_k = other.sign({"sub": CLAIMS_SUB, "aud": push.origin, "exp": int(time.time()) + 60})
    token = good["Authorization"].split("t=", 1)[1].split(",", 1)[0]
    k = forged_k["Authorization"].split("k=", 1)[1]
    # Encrypt properly so that only the signature is wrong.
    encoded = WebPusher(sub).encode(json.dumps({"x": 1}).encode(), "aes128gcm")
    response = session.post(
        sub["endpoint"],
        data=encoded["body"],
        headers={
            "Authorization": f"vapid t={token},k={k}",
            "TTL": "60",
            "Content-Encoding": "aes128gcm",
        },
        timeout=10,
    )
    assert response.status_code == 400
    [error] = push.errors
    assert "signature" in error.reason
    assert push.messages == []


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": "https://push.example.com"}, "aud"),
        ({"exp": int(time.time()) + 25 * 3600}, "24 hours"),
        ({"exp": int(time.time()) - 10}, "expired"),
    ],
)
def test_bad_vapid_claims_rejected(
    push: PushService, vapid: Vapid02, session, claims: dict, reason: str
) -> None:
    sub = push.register_device("phone")
    full = {"sub": CLAIMS_SUB, "aud": push.origin, "exp": int(time.time()) + 3600, **claims}
    if claims.get("exp", 1) < time.time():
        # pywebpush would refresh an expired exp, so sign by hand.
        headers = vapid.sign(full)
        encoded = WebPusher(sub).encode(b"{}", "aes128gcm")
        response = session.post(
            sub["endpoint"],
            data=encoded["body"],
            headers={**headers, "TTL": "0", "Content-Encoding": "aes128gcm"},
            timeout=10,
        )
        assert response.status_code == 400
    else:
        with pytest.raises(WebPushException) as exc:
            webpush(
                sub,
                data="{}",
                vapid_private_key=vapid,
                vapid_claims=full,
                ttl=0,
                requests_session=session,
                timeout=10,
            )
        assert exc.value.response.status_code == 400
    [error] = push.errors
    assert reason in error.reason


def test_wrong_recipient_keys_cannot_decrypt(push: PushService, vapid: Vapid02, session) -> None:
    sub = push.register_device("phone")
    # The app holds stale keys for this endpoint (e.g. the browser re-subscribed).
    stale = BrowserKeys().subscription_info(sub["endpoint"])
    with pytest.raises(WebPushException) as exc:
        send(stale, {"x": 1}, vapid, session)
    assert exc.value.response.status_code == 400
    [error] = push.errors
    assert "decrypt" in error.reason


def test_missing_ttl_and_wrong_encoding_rejected(
    push: PushService, vapid: Vapid02, session
) -> None:
    sub = push.register_device("phone")
    body = WebPusher(sub).encode(b"{}", "aes128gcm")["body"]
    auth = vapid.sign({"sub": CLAIMS_SUB, "aud": push.origin, "exp": int(time.time()) + 60})
    r1 = session.post(
        sub["endpoint"], data=body, headers={**auth, "Content-Encoding": "aes128gcm"}, timeout=10
    )
    r2 = session.post(
        sub["endpoint"],
        data=body,
        headers={**auth, "TTL": "5", "Content-Encoding": "aesgcm"},
        timeout=10,
    )
    r3 = session.post(sub["endpoint"], data=body, headers={"TTL": "5"}, timeout=10)
    assert (r1.status_code, r2.status_code, r3.status_code) == (400, 400, 400)
    reasons = [e.reason for e in push.errors]
    assert "TTL" in reasons[0]
    assert "Content-Encoding" in reasons[1]
    assert "Authorization" in reasons[2]


def test_require_vapid_key(tmp_path, vapid: Vapid02) -> None:
    with PushService(tmpdir=tmp_path, require_vapid_key=vapid_key_b64(vapid)) as push:
        sub = push.register_device("d")
        with push.session() as s:
            assert send(sub, {"ok": True}, vapid, s).status_code == 201
            intruder = Vapid02()
            intruder.generate_keys()
            with pytest.raises(WebPushException) as exc:
                send(sub, {"ok": False}, intruder, s)
            assert exc.value.response.status_code == 403


def test_tls_is_really_verified(push: PushService, vapid: Vapid02, monkeypatch) -> None:
    sub = push.register_device("phone")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    # Default trust store: our certificate is not trusted.
    with requests.Session() as s, pytest.raises(requests.exceptions.SSLError):
        send(sub, {"x": 1}, vapid, s)
    # localhost is in the certificate too.
    with push.session() as s:
        local_sub = dict(sub, endpoint=sub["endpoint"].replace("127.0.0.1", "localhost"))
        with pytest.raises(WebPushException) as exc:  # aud is then https://localhost:...
            send(local_sub, {"x": 1}, vapid, s)
        assert exc.value.response.status_code == 400


def test_wait_for_times_out_with_context(push: PushService) -> None:
    with pytest.raises(TimeoutError, match="expected 1 push message"):
        push.wait_for(1, timeout=0.1)


def test_plain_webpush_via_environment_bundle(
    push: PushService, vapid: Vapid02, monkeypatch
) -> None:
    """How app code that calls webpush() without a session is tested."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(push.ca_bundle_path))
    sub = push.register_device("env")
    webpush(
        sub,
        data=json.dumps({"title": "t"}),
        vapid_private_key=vapid,
        vapid_claims={"sub": CLAIMS_SUB},
        ttl=30,
        timeout=10,
    )
    [msg] = push.wait_for(1)
    assert msg.payload == {"title": "t"}
    assert msg.ttl == 30
    assert push.errors == []
