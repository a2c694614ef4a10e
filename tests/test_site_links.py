"""Links in invitations and password-reset mails point where the app is really served:
``SITE_URL`` when set (required in production), else the origin the request came to."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail

from .support.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def invite(client, family) -> str:
    r = client.post(f"/api/v1/families/{family.id}/invitations/", {"role": "caregiver"})
    assert r.status_code == 201, r.json()
    return r.json()["url"]


def test_invitation_links_use_the_requests_own_origin_in_development(
    owner_client, family, settings
):
    settings.SITE_URL = ""  # development default: not configured
    owner_client.defaults["HTTP_HOST"] = "localhost:8765"  # make run PORT=8765
    url = invite(owner_client, family)
    assert url.startswith("http://localhost:8765/#/join/")
    owner_client.defaults["HTTP_HOST"] = "192.168.1.5:8000"  # a phone on the home network
    assert invite(owner_client, family).startswith("http://192.168.1.5:8000/#/join/")


def test_invitation_links_use_site_url_when_it_is_set(owner_client, family, settings):
    settings.SITE_URL = "https://tandem.example.com"
    owner_client.defaults["HTTP_HOST"] = "localhost:8765"
    url = invite(owner_client, family)
    assert url.startswith("https://tandem.example.com/#/join/")


def test_password_reset_links_use_the_requests_own_origin_in_development(anon_client, settings):
    settings.SITE_URL = ""
    UserFactory(email="sam@example.com")
    anon_client.post(
        "/api/v1/auth/password/reset/", {"email": "sam@example.com"}, HTTP_HOST="localhost:8765"
    )
    assert "http://localhost:8765/#/reset/" in mail.outbox[0].body


def test_password_reset_links_use_site_url_when_it_is_set(anon_client, settings):
    settings.SITE_URL = "https://tandem.example.com"
    UserFactory(email="sam@example.com")
    anon_client.post(
        "/api/v1/auth/password/reset/", {"email": "sam@example.com"}, HTTP_HOST="evil.example"
    )
    assert "https://tandem.example.com/#/reset/" in mail.outbox[0].body
    assert "evil.example" not in mail.outbox[0].body


@pytest.mark.parametrize("site_url", [None, "", "tandem.example.com"])
def test_production_refuses_to_start_without_a_site_url(site_url, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 64,
        "ALLOWED_HOSTS": "tandem.example.com",
        "DATA_DIR": str(tmp_path),
    }
    env.pop("SITE_URL", None)
    if site_url is not None:
        env["SITE_URL"] = site_url
    code = "import django; django.setup()"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode != 0
    error = out.stderr.strip().splitlines()[-1]
    assert error.startswith("django.core.exceptions.ImproperlyConfigured:"), out.stderr
    assert "SITE_URL" in error
    ok = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "SITE_URL": "https://tandem.example.com"},
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
