"""Sessions are read from a cache every web process shares, written through to the database
(``cached_db``): a signed-in request reads no session row, and whatever ends a session or
someone's access still ends it on the next request, in every process.

The cache here is the production one without Redis: files (``config/settings.py``). Two
clients holding the same cookie stand for two gunicorn workers: nothing is kept in a
process's memory, so what one request changes the next one sees.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from config import settings as config_settings
from families.models import Membership

from .support.factories import PASSWORD, ChildFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)  # 18:00 in Madrid


@pytest.fixture(autouse=True)
def file_sessions(settings, tmp_path):
    settings.CACHES = {
        **settings.CACHES,
        "sessions": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "sessions"),
        },
    }


def signed_in(email: str) -> APIClient:
    client = APIClient()
    response = client.post("/api/v1/auth/login/", {"email": email, "password": PASSWORD})
    assert response.status_code in (200, 204), response.content
    return client


def twin(client: APIClient) -> APIClient:
    """Another worker's view of the same browser: the same cookies, no shared memory."""
    other = APIClient()
    other.cookies = client.cookies
    return other


def test_the_production_settings_use_cached_db_on_a_shared_cache():
    assert django_settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    backend = config_settings.CACHES[config_settings.SESSION_CACHE_ALIAS]["BACKEND"]
    assert backend in (
        "django.core.cache.backends.filebased.FileBasedCache",
        "django.core.cache.backends.redis.RedisCache",
    )


def test_a_signed_in_request_reads_no_session_row_and_the_row_is_still_written(owner, family):
    client = signed_in(owner.email)
    assert Session.objects.count() == 1  # written through: a cache miss signs nobody out
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/v1/families/{family.pk}/today/").status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]


def test_a_session_missing_from_the_cache_is_read_from_the_database(owner, family, settings):
    client = signed_in(owner.email)
    caches["sessions"].clear()  # a restart of Redis, or a culled file
    assert client.get(f"/api/v1/families/{family.pk}/today/").status_code == 200


def test_logging_out_in_one_worker_ends_the_session_in_every_worker(owner, family):
    client = signed_in(owner.email)
    other = twin(client)
    assert other.get("/api/v1/auth/me/").status_code == 200
    csrf = client.get("/api/v1/auth/csrf/")
    assert csrf.status_code in (200, 204)
    assert client.post("/api/v1/auth/logout/").status_code in (200, 204)
    assert other.get("/api/v1/auth/me/").status_code == 403
    assert not Session.objects.exists()


def test_a_password_changed_elsewhere_ends_the_other_sessions(owner, family):
    phone, laptop = signed_in(owner.email), signed_in(owner.email)
    assert laptop.get("/api/v1/auth/me/").status_code == 200
    response = phone.post(
        "/api/v1/auth/password/change/",
        {"old_password": PASSWORD, "new_password": "another sturdy phrase"},
    )
    assert response.status_code == 200, response.json()
    assert phone.get("/api/v1/auth/me/").status_code == 200
    assert laptop.get("/api/v1/auth/me/").status_code == 403


def test_a_removed_member_is_out_at_once(owner_client, caregiver, family):
    client = signed_in(caregiver.email)
    today = f"/api/v1/families/{family.pk}/today/"
    assert client.get(today).status_code == 200
    mine = Membership.objects.get(user=caregiver, family=family)
    response = owner_client.delete(f"/api/v1/families/{family.pk}/members/{mine.pk}/")
    assert response.status_code == 204
    assert twin(client).get(today).status_code == 404
    assert client.get(today).status_code == 404


def test_revoking_a_pass_ends_its_sessions_in_every_worker(owner, family):
    sam = ChildFactory(family=family, name="Sam")
    owner_client = signed_in(owner.email)
    today = f"/api/v1/families/{family.pk}/today/"
    with time_machine.travel(NOW, tick=False):
        issued = owner_client.post(
            f"/api/v1/families/{family.pk}/sitter-passes/",
            {
                "name": "Tonight",
                "starts_at": "2026-06-10T18:00:00+02:00",
                "ends_at": "2026-06-10T23:30:00+02:00",
                "children": [sam.pk],
            },
            format="json",
        ).json()
        phone = APIClient()
        redeemed = phone.post(
            "/api/v1/sitter-passes/redeem/", {"token": issued["token"], "name": "Maya"}
        )
        assert redeemed.status_code == 200, redeemed.json()
        assert phone.get(today).status_code == 200
        revoked = owner_client.delete(f"/api/v1/families/{family.pk}/sitter-passes/{issued['id']}/")
        assert revoked.status_code == 204
        for worker in (phone, twin(phone)):
            response = worker.get(today)
            assert response.status_code == 403
            assert response.json()["code"] == "pass_refused"
        # And when it ends, the cached session ends with it (its expiry is the pass's).
        assert phone.cookies["sessionid"].value
    later = NOW + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        assert phone.get("/api/v1/auth/me/").status_code == 403
