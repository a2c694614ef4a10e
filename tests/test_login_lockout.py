"""Lock-out of password sign-ins (the API's and the admin's) and password rules.

Failures are counted per (account, address) pair, more loosely per address, and per
account across addresses only as a growing delay that an address the account has signed
in from before never sees: a stranger cannot keep a parent out.
"""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from families.models import User

from .support.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/api/v1/auth/login/"


def login(address: str, email: str = "sam@example.com", password: str = PASSWORD):
    return APIClient(REMOTE_ADDR=address).post(LOGIN, {"email": email, "password": password})


# --- The admin ------------------------------------------------------------------------


def test_the_admin_sign_in_is_locked_out_like_the_api(db):
    User.objects.create_superuser("root@example.com", PASSWORD)
    usual = Client(REMOTE_ADDR="10.3.0.2")  # where the admin usually signs in
    usual.post("/admin/login/", {"username": "root@example.com", "password": PASSWORD})
    usual.logout()
    client = Client(REMOTE_ADDR="10.3.0.1")
    for _ in range(15):
        r = client.post("/admin/login/", {"username": "root@example.com", "password": "bad"})
        assert r.status_code == 200
        assert SESSION_KEY not in client.session
    r = client.post("/admin/login/", {"username": "root@example.com", "password": PASSWORD})
    assert SESSION_KEY not in client.session
    assert "Too many failed sign-ins" in r.content.decode()
    # the lock-out is the API's: the same (account, address) pair is refused there too
    assert login("10.3.0.1", "root@example.com").status_code == 429
    # while the admin's usual address still gets in
    r = usual.post("/admin/login/", {"username": "root@example.com", "password": PASSWORD})
    assert r.status_code == 302
    assert usual.session[SESSION_KEY] == str(User.objects.get().pk)


def test_admin_failures_count_towards_the_api_lockout(db):
    User.objects.create_superuser("root@example.com", PASSWORD)
    client = Client(REMOTE_ADDR="10.3.1.1")
    for _ in range(10):
        client.post("/admin/login/", {"username": "root@example.com", "password": "bad"})
    assert login("10.3.1.1", "root@example.com").status_code == 429


@pytest.mark.parametrize(
    ("admin_url", "mounted"), [(None, False), ("staff-7q2/", True), ("", False)]
)
def test_production_mounts_the_admin_only_where_configured(admin_url, mounted, tmp_path):
    code = (
        "import django; django.setup(); from django.urls import resolve, Resolver404\n"
        "from django.conf import settings as s\n"
        "path = '/' + (s.ADMIN_URL or 'admin/') + 'login/'\n"
        "try:\n    resolve(path); print('mounted', path)\n"
        "except Resolver404:\n    print('absent', path)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 64,
        "ALLOWED_HOSTS": "tandem.example.com",
        "SITE_URL": "https://tandem.example.com",
        "DATA_DIR": str(tmp_path),
    }
    env.pop("ADMIN_URL", None)
    if admin_url is not None:
        env["ADMIN_URL"] = admin_url
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    expected = "/staff-7q2/login/" if admin_url == "staff-7q2/" else "/admin/login/"
    assert out.stdout.split() == ["mounted" if mounted else "absent", expected]


# --- A stranger cannot lock a parent out ----------------------------------------------


def test_a_wrong_password_flood_from_other_addresses_does_not_lock_the_parent_out():
    UserFactory(email="sam@example.com")
    assert login("192.168.1.20").status_code == 200  # the parent's usual address
    for i in range(40):  # a stranger, from many addresses
        r = login(f"10.0.{i // 200}.{i % 200}", password="guess")
        assert r.status_code in {400, 429}
    assert login("192.168.1.20").status_code == 200


def test_an_existing_session_is_unaffected_by_a_flood(owner, owner_client):
    for i in range(30):
        login(f"10.1.0.{i}", owner.email, "guess")
    assert owner_client.get("/api/v1/auth/me/").status_code == 200


def test_failures_are_counted_per_account_and_address_pair():
    UserFactory(email="sam@example.com")
    UserFactory(email="ana@example.com")
    for address in ("192.168.1.20", "192.168.1.21"):  # the parent's phone and laptop
        assert login(address).status_code == 200
    for _ in range(10):  # a known address is not exempt from its own pair's count
        assert login("192.168.1.20", password="guess").status_code == 400
    r = login("192.168.1.20")
    assert r.status_code == 429
    assert r.json()["code"] == "throttled"
    assert int(r["Retry-After"]) > 0
    # the same address may still sign in to another account...
    assert login("192.168.1.20", "ana@example.com").status_code == 200
    # ...and the account from its other address
    assert login("192.168.1.21").status_code == 200


def test_failures_on_one_account_from_many_addresses_bring_a_growing_delay(time_machine):
    start = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    UserFactory(email="sam@example.com")
    for i in range(10):
        assert login(f"10.0.0.{i}", password="guess").status_code == 400
    # an address that never signed in to the account now waits a little, not an hour
    r = login("10.0.1.1")
    assert r.status_code == 429
    first_wait = int(r["Retry-After"])
    assert 0 < first_wait <= 5
    time_machine.move_to(start + timedelta(seconds=first_wait))
    assert login("10.0.1.2", password="guess").status_code == 400
    r = login("10.0.1.3")
    assert r.status_code == 429
    assert int(r["Retry-After"]) > first_wait  # each further failure doubles the wait
    assert int(r["Retry-After"]) <= 60
    time_machine.move_to(start + timedelta(seconds=first_wait + 61))
    assert login("10.0.1.3").status_code == 200  # the delay ends; it never became a lock


def test_a_completed_password_reset_lets_the_parent_in_from_a_new_address():
    user = UserFactory(email="sam@example.com")
    for i in range(20):
        login(f"10.0.0.{i}", password="guess")
    assert login("172.16.0.9").status_code == 429  # a new address, during the flood
    client = APIClient(REMOTE_ADDR="172.16.0.9")
    client.post("/api/v1/auth/password/reset/", {"email": "sam@example.com"})
    uid, token = mail.outbox[-1].body.split("#/reset/")[1].split()[0].split("/")
    r = client.post(
        "/api/v1/auth/password/reset/confirm/",
        {"uid": uid, "token": token, "new_password": "a brand new phrase"},
    )
    assert r.status_code == 200, r.json()
    r = client.post(LOGIN, {"email": user.email, "password": "a brand new phrase"})
    assert r.status_code == 200


# --- Password reset mails --------------------------------------------------------------


def test_password_reset_mails_are_limited_per_account_too(anon_client):
    UserFactory(email="sam@example.com")
    for i in range(6):  # from six addresses: the per-address limit never applies
        client = APIClient(REMOTE_ADDR=f"10.5.0.{i}")
        r = client.post("/api/v1/auth/password/reset/", {"email": "sam@example.com"})
        assert r.status_code == 200  # the same answer whether or not a mail went out
    assert len(mail.outbox) == 3


# --- Password rules --------------------------------------------------------------------

SPACES = " " * 14


def test_signup_refuses_a_password_of_spaces_only(anon_client):
    r = anon_client.post(
        "/api/v1/auth/signup/",
        {"email": "a@example.com", "password": SPACES, "display_name": "A"},
    )
    assert r.status_code == 400
    assert "password" in r.json()["errors"]


def test_password_change_refuses_a_password_of_spaces_only(owner_client):
    r = owner_client.post(
        "/api/v1/auth/password/change/", {"old_password": PASSWORD, "new_password": "\t" + SPACES}
    )
    assert r.status_code == 400
    assert "new_password" in r.json()["errors"]


def test_password_reset_confirm_refuses_a_password_of_spaces_only(anon_client):
    UserFactory(email="sam@example.com")
    anon_client.post("/api/v1/auth/password/reset/", {"email": "sam@example.com"})
    uid, token = mail.outbox[0].body.split("#/reset/")[1].split()[0].split("/")
    r = anon_client.post(
        "/api/v1/auth/password/reset/confirm/", {"uid": uid, "token": token, "new_password": SPACES}
    )
    assert r.status_code == 400
    assert "new_password" in r.json()["errors"]


def test_passwords_with_spaces_inside_are_fine(anon_client):
    r = anon_client.post(
        "/api/v1/auth/signup/",
        {"email": "a@example.com", "password": "  a sturdy passphrase  ", "display_name": "A"},
    )
    assert r.status_code == 201, r.json()
