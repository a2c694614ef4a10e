"""Shared fixtures: personas (an owner, a caregiver, an outsider) and API clients.

Like healthchecks' alice/bob/charlie: ``owner`` and ``caregiver`` share ``family``;
``outsider`` owns ``other_family``. Tests read as stories about them.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from rest_framework.test import APIClient

from families.models import Role
from reminders import followups
from testing.servers import PostgresServer

from .support.factories import ChildFactory, FamilyFactory, MembershipFactory

# Fixtures of one area kept in their own module (the push service, VAPID keys, queued sends).
pytest_plugins = ["tests.support.reminder_fixtures", "tests.support.routine_fixtures"]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
_shared_db_run = False  # set in pytest_configure: this run is `-m shared_db`


def pytest_configure(config: pytest.Config) -> None:
    global _shared_db_run
    _shared_db_run = config.getoption("markexpr") == "shared_db"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request: pytest.FixtureRequest) -> None:
    """SQLite tests run in memory (fast), except a `-m shared_db` run: its tests start
    web servers or Celery workers that must open the test database too, so it is a file
    (one per xdist worker: pytest-django appends the suffix)."""
    database = settings.DATABASES["default"]
    if _shared_db_run and database["ENGINE"] == "django.db.backends.sqlite3":
        database["TEST"]["NAME"] = str(settings.DATA_DIR / "test-tandem.sqlite3")
    request.getfixturevalue("django_db_modify_db_settings_parallel_suffix")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _shared_db_run:
        return
    skip = pytest.mark.skip(reason="shares its database with other processes: -m shared_db")
    for item in items:
        if item.get_closest_marker("shared_db"):
            item.add_marker(skip)


def skip_or_fail(reason: str) -> None:
    """Outside CI a missing server skips the test; under CI=true it fails it."""
    if IN_CI:
        pytest.fail(f"required under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "boards": settings.CACHES["boards"],
        # One process: memory is shared enough (tests/test_session_cache.py uses files).
        "sessions": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sessions",
        },
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Each test's media files in a folder of its own (a test may list what is stored).
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media-files")},
        },
    }
    cache.clear()
    caches["sessions"].clear()
    # Each test's clock starts afresh: the follow-up scan of its first tick looks back fully.
    followups.forget_watermark()


@pytest.fixture(scope="module")
def postgres():
    """A throw-away PostgreSQL 15 cluster for a module's tests (they start processes with
    ``DATABASE_URL`` pointing at it)."""
    if not PostgresServer.available():
        skip_or_fail("PostgreSQL 15 is not installed (apt-get install postgresql)")
    with PostgresServer.temporary() as server:
        yield server


@pytest.fixture
def family(db):
    return FamilyFactory(name="The Riveras", timezone="Europe/Madrid")


@pytest.fixture
def owner(family):
    return MembershipFactory(family=family, role=Role.OWNER, user__display_name="Alice").user


@pytest.fixture
def caregiver(family):
    return MembershipFactory(family=family, role=Role.CAREGIVER, user__display_name="Bob").user


@pytest.fixture
def other_family(db):
    return FamilyFactory(name="The Others", timezone="America/New_York")


@pytest.fixture
def outsider(other_family):
    return MembershipFactory(
        family=other_family, role=Role.OWNER, user__display_name="Charlie"
    ).user


@pytest.fixture
def child(family):
    return ChildFactory(family=family, name="Sam")


def client_for(user) -> APIClient:
    client = APIClient(enforce_csrf_checks=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def owner_client(owner):
    return client_for(owner)


@pytest.fixture
def caregiver_client(caregiver):
    return client_for(caregiver)


@pytest.fixture
def outsider_client(outsider):
    return client_for(outsider)
