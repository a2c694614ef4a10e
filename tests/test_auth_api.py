"""Accounts: signup, login, throttling, me, password change and reset."""

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from config import settings as config_settings
from families.models import Family, User

from .support.factories import PASSWORD, UserFactory

ME_PASSWORD = {"password": PASSWORD}

pytestmark = pytest.mark.django_db


def test_signup_logs_the_new_user_in(anon_client):
    r = anon_client.post(
        "/api/v1/auth/signup/",
        {"email": "Ana@Example.com", "password": "a sturdy passphrase", "display_name": "Ana"},
    )
    assert r.status_code == 201, r.json()
    assert r.json()["email"] == "ana@example.com"
    assert r.json()["families"] == []
    assert anon_client.get("/api/v1/auth/me/").json()["display_name"] == "Ana"
    assert User.objects.get().password.startswith("md5$")  # tests use a fast hasher


def test_passwords_are_hashed_with_argon2_in_the_app():
    # The suite swaps in a fast hasher; the app's own configuration is what ships.
    assert config_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"email": "not-an-email", "password": "a sturdy passphrase", "display_name": "A"},
            "email",
        ),
        ({"email": "a@example.com", "password": "short", "display_name": "A"}, "password"),
        ({"email": "a@example.com", "password": "1234567890123", "display_name": "A"}, "password"),
        ({"email": "a@example.com", "password": "password1234", "display_name": "A"}, "password"),
        ({"email": "a@example.com", "password": "a sturdy passphrase"}, "display_name"),
    ],
)
def test_signup_rejects_bad_input_naming_the_field(anon_client, body, field):
    r = anon_client.post("/api/v1/auth/signup/", body)
    assert r.status_code == 400
    assert field in r.json()["errors"]
    assert r.json()["detail"]


def test_signup_refuses_a_taken_email_whatever_its_case(anon_client):
    UserFactory(email="sam@example.com")
    r = anon_client.post(
        "/api/v1/auth/signup/",
        {"email": "SAM@example.com", "password": "a sturdy passphrase", "display_name": "S"},
    )
    assert r.status_code == 400
    assert "email" in r.json()["errors"]


def test_login_and_logout(anon_client):
    user = UserFactory(email="sam@example.com")
    r = anon_client.post("/api/v1/auth/login/", {"email": "SAM@example.com", "password": PASSWORD})
    assert r.status_code == 200
    assert r.json()["id"] == user.id
    assert anon_client.post("/api/v1/auth/logout/").status_code == 204
    assert anon_client.get("/api/v1/auth/me/").status_code == 403


def test_wrong_password_is_a_400_on_email(anon_client):
    UserFactory(email="sam@example.com")
    r = anon_client.post("/api/v1/auth/login/", {"email": "sam@example.com", "password": "nope"})
    assert r.status_code == 400
    assert "email" in r.json()["errors"]


def test_failed_logins_slow_down_an_account_from_addresses_it_never_used():
    # Not a lock: a short, growing delay, never felt at a known address
    # (tests/test_login_lockout.py).
    UserFactory(email="sam@example.com")
    for i in range(10):
        client = APIClient(REMOTE_ADDR=f"10.0.0.{i}")  # many addresses, one account
        r = client.post("/api/v1/auth/login/", {"email": "sam@example.com", "password": "bad"})
        assert r.status_code == 400
    r = APIClient(REMOTE_ADDR="10.0.1.1").post(
        "/api/v1/auth/login/", {"email": "sam@example.com", "password": PASSWORD}
    )
    assert r.status_code == 429
    assert r.json()["code"] == "throttled"


def test_failed_logins_are_throttled_per_address():
    client = APIClient(REMOTE_ADDR="10.9.9.9")
    for i in range(30):  # THROTTLE_LOGIN_ADDRESS
        r = client.post("/api/v1/auth/login/", {"email": f"x{i}@example.com", "password": "bad"})
        assert r.status_code == 400
    UserFactory(email="real@example.com")
    r = client.post("/api/v1/auth/login/", {"email": "real@example.com", "password": PASSWORD})
    assert r.status_code == 429
    # another address is not affected
    r = APIClient(REMOTE_ADDR="10.9.9.10").post(
        "/api/v1/auth/login/", {"email": "real@example.com", "password": PASSWORD}
    )
    assert r.status_code == 200


def test_successful_logins_are_not_counted():
    UserFactory(email="sam@example.com")
    client = APIClient(REMOTE_ADDR="10.1.1.1")
    for _ in range(15):
        r = client.post("/api/v1/auth/login/", {"email": "sam@example.com", "password": PASSWORD})
        assert r.status_code == 200


def test_me_shows_families_with_roles(owner_client, owner, family):
    me = owner_client.get("/api/v1/auth/me/").json()
    assert me["families"] == [
        {
            "id": family.id,
            "name": "The Riveras",
            "timezone": "Europe/Madrid",
            "language": "en",
            "role": "owner",
            "member": owner.memberships.get().pk,
        }
    ]


def test_me_update_display_name_and_reject_blank(owner_client):
    r = owner_client.patch("/api/v1/auth/me/", {"display_name": "Mum"})
    assert r.status_code == 200
    assert r.json()["display_name"] == "Mum"
    r = owner_client.patch("/api/v1/auth/me/", {"display_name": ""})
    assert r.status_code == 400
    assert "display_name" in r.json()["errors"]
    r = owner_client.patch("/api/v1/auth/me/", {"email": "new@example.com"})
    assert r.json()["email"] != "new@example.com"  # e-mail is read-only here


def test_deleting_my_account_as_the_only_member_removes_the_family(owner_client, owner, family):
    assert owner_client.delete("/api/v1/auth/me/", ME_PASSWORD, format="json").status_code == 204
    assert not User.objects.filter(pk=owner.pk).exists()
    assert not Family.objects.filter(pk=family.pk).exists()


def test_deleting_my_account_keeps_a_family_with_another_owner(
    caregiver_client, caregiver, owner, family
):
    assert (
        caregiver_client.delete("/api/v1/auth/me/", ME_PASSWORD, format="json").status_code == 204
    )
    assert Family.objects.filter(pk=family.pk).exists()
    assert not family.memberships.filter(user_id=caregiver.pk).exists()


def test_password_change_keeps_the_session(owner_client, owner):
    r = owner_client.post(
        "/api/v1/auth/password/change/",
        {"old_password": PASSWORD, "new_password": "another sturdy phrase"},
    )
    assert r.status_code == 200, r.json()
    assert owner_client.get("/api/v1/auth/me/").status_code == 200
    owner.refresh_from_db()
    assert owner.check_password("another sturdy phrase")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"old_password": "wrong", "new_password": "another sturdy phrase"}, "old_password"),
        ({"old_password": PASSWORD, "new_password": "short"}, "new_password"),
    ],
)
def test_password_change_bad_input(owner_client, body, field):
    r = owner_client.post("/api/v1/auth/password/change/", body)
    assert r.status_code == 400
    assert field in r.json()["errors"]


def test_password_reset_by_email_end_to_end(anon_client):
    user = UserFactory(email="sam@example.com")
    r = anon_client.post("/api/v1/auth/password/reset/", {"email": "sam@example.com"})
    assert r.status_code == 200
    assert len(mail.outbox) == 1
    uid, token = re.search(r"#/reset/([^/]+)/(\S+)", mail.outbox[0].body).groups()
    r = anon_client.post(
        "/api/v1/auth/password/reset/confirm/",
        {"uid": uid, "token": token, "new_password": "a brand new phrase"},
    )
    assert r.status_code == 200, r.json()
    user.refresh_from_db()
    assert user.check_password("a brand new phrase")
    # the link is single use: the token is tied to the old password hash
    r = anon_client.post(
        "/api/v1/auth/password/reset/confirm/",
        {"uid": uid, "token": token, "new_password": "yet another phrase"},
    )
    assert r.status_code == 400
    assert "token" in r.json()["errors"]


def test_password_reset_does_not_reveal_unknown_addresses(anon_client):
    r = anon_client.post("/api/v1/auth/password/reset/", {"email": "nobody@example.com"})
    assert r.status_code == 200
    assert mail.outbox == []


def test_password_reset_confirm_rejects_garbage(anon_client):
    r = anon_client.post(
        "/api/v1/auth/password/reset/confirm/",
        {"uid": "!!!", "token": "x", "new_password": "a brand new phrase"},
    )
    assert r.status_code == 400
    assert "token" in r.json()["errors"]


def test_csrf_is_enforced_for_login_and_for_signed_in_writes():
    UserFactory(email="sam@example.com")
    client = APIClient(enforce_csrf_checks=True)
    body = {"email": "sam@example.com", "password": PASSWORD}
    assert client.post("/api/v1/auth/login/", body).status_code == 403
    token = client.get("/api/v1/auth/csrf/").json()["csrf_token"]
    assert client.post("/api/v1/auth/login/", body, HTTP_X_CSRFTOKEN=token).status_code == 200
    r = client.post("/api/v1/families/", {"name": "X", "timezone": "UTC"})
    assert r.status_code == 403
    token = client.cookies["csrftoken"].value  # rotated at login
    r = client.post("/api/v1/families/", {"name": "X", "timezone": "UTC"}, HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 201
