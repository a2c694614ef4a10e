"""Security headers, CSP without unsafe-inline, size limits, 503 on a locked database."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection

from .conftest import client_for
from .support.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_security_headers_on_the_app_shell(client):
    r = client.get("/")
    assert r.status_code == 200
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["X-Frame-Options"] == "DENY"
    assert r["Referrer-Policy"] == "same-origin"
    # The app's own pages may use the camera and microphone (step photos, voice prompts).
    assert "camera=(self)" in r["Permissions-Policy"]
    assert "microphone=(self)" in r["Permissions-Policy"]
    assert r["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_app_shell_has_no_inline_script_or_style(client):
    html = client.get("/").content.decode()
    assert "<style" not in html
    assert " style=" not in html
    scripts = html.split("<script")[1:]
    assert scripts, "the app shell loads its code with <script src=…>"
    for tag in scripts:
        assert 'src="' in tag.split(">")[0], "inline <script> would need unsafe-inline"


def test_session_and_csrf_cookies_are_httponly_and_samesite(anon_client):
    UserFactory(email="a@example.com")
    r = anon_client.post("/api/v1/auth/login/", {"email": "a@example.com", "password": PASSWORD})
    session = r.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    csrf = r.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"
    assert not csrf["httponly"]  # the PWA reads it to send X-CSRFToken


def test_production_settings_are_strict():
    """The production branch of config/settings.py, evaluated in a subprocess."""
    code = (
        "import json, django; from django.conf import settings as s; django.setup();"
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_SSL_REDIRECT, s.DEBUG]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 64,
        "ALLOWED_HOSTS": "tandem.example.com",
        "SITE_URL": "https://tandem.example.com",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert json.loads(out.stdout) == [True, True, 31536000, True, False]
    for missing in ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"):
        bad = {k: v for k, v in env.items() if k != missing}
        result = subprocess.run(
            [sys.executable, "-c", code], env=bad, capture_output=True, text=True
        )
        assert result.returncode != 0
        # The error raised (the traceback's last line) names what is missing.
        error = result.stderr.strip().splitlines()[-1]
        assert error.startswith("django.core.exceptions.ImproperlyConfigured:"), result.stderr
        assert missing in error
    debug = subprocess.run(
        [sys.executable, "-c", code], env={**env, "DEBUG": "true"}, capture_output=True, text=True
    )
    assert debug.returncode != 0
    error = debug.stderr.strip().splitlines()[-1]
    assert error.startswith("django.core.exceptions.ImproperlyConfigured:"), debug.stderr
    assert "DEBUG" in error
    # A key that starts with "$" is a key, not a reference to another variable.
    dollar = "$" + "k" * 63
    key = subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings as s;"
         " django.setup(); print(s.SECRET_KEY)"],
        env={**env, "SECRET_KEY": dollar}, capture_output=True, text=True,
    )  # fmt: skip
    assert key.stdout.strip() == dollar, key.stderr


def test_oversized_request_bodies_are_refused(caregiver_client, family, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    url = f"/api/v1/families/{family.id}/children/"
    # A valid child: only the body's size can make it fail.
    r = caregiver_client.post(url, {"name": "Sam", "padding": "x" * 5000}, format="json")
    assert r.status_code in (400, 413)
    assert not family.children.exists()
    # The same child in a body under the limit is accepted.
    r = caregiver_client.post(url, {"name": "Sam", "padding": "x" * 500}, format="json")
    assert r.status_code == 201, r.content
    assert list(family.children.values_list("name", flat=True)) == ["Sam"]


def test_malformed_json_is_a_clear_400(caregiver_client, family):
    r = caregiver_client.generic(
        "POST",
        f"/api/v1/families/{family.id}/children/",
        "{not json",
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json()["detail"].startswith("JSON parse error")


@pytest.mark.django_db(transaction=True)
def test_a_locked_database_answers_503_not_a_stack_trace(caregiver, family):
    """Another connection holds an exclusive lock: the API says 503 with a message."""
    client = client_for(caregiver)
    name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":
        pytest.skip("drill written for the SQLite test database")
    locker = sqlite3.connect(connection.get_connection_params()["database"], uri=True)
    options = connection.settings_dict["OPTIONS"]
    timeout = options.get("timeout")
    # The test database is a file: give up on the lock after 0.2 s, not the usual 20 s.
    options["timeout"] = 0.2
    connection.close()
    try:
        locker.execute("BEGIN EXCLUSIVE")
        locker.execute(
            "INSERT INTO families_child (family_id, name, avatar, colour, created_at) "
            "VALUES (?, 'lock', '', '', '2026-01-01')",
            (family.id,),
        )
        r = client.post(f"/api/v1/families/{family.id}/children/", {"name": "Sam"})
    finally:
        locker.rollback()
        locker.close()
        options["timeout"] = timeout
        connection.close()
    assert r.status_code == 503, (name, r.status_code)
    assert "try again" in r.json()["detail"]
    assert r["Retry-After"]


def test_healthz_reports_database_and_broker(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert {k: body[k] for k in ("status", "database", "broker")} == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
    }
    # Which queues have a consumer (core/health.py; checked in the background).
    assert set(body["queues"]) == {"dispatch", "push", "default"}
