"""Fixtures for reminder tests: a VAPID identity, the local push service, queued sends.

Registered in ``tests/conftest.py`` (``pytest_plugins``); helpers are imported directly.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from reminders import dispatch, pushclient, sending, services, tasks
from reminders.models import PushSubscription
from reminders.vapid import generate_key_pair, identity
from testing.pushservice import PushService

DEFAULT_ALLOWED = ["fcm.googleapis.com", "*.push.services.mozilla.com", "*.push.apple.com"]


@pytest.fixture
def vapid(settings) -> Iterator[str]:
    """A fresh VAPID key pair in the settings; yields its public key."""
    private, public = generate_key_pair()
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_SUBJECT = "mailto:reminders@example.com"
    identity.cache_clear()
    yield public
    identity.cache_clear()


@pytest.fixture
def push(tmp_path, settings, monkeypatch, vapid) -> Iterator[PushService]:
    """The local HTTPS push service, allowed and trusted by this process."""
    with PushService(tmpdir=tmp_path / "push", require_vapid_key=vapid) as service:
        settings.WEBPUSH_ALLOWED_HOSTS = [*DEFAULT_ALLOWED, f"127.0.0.1:{service.port}"]
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(service.ca_bundle_path))
        pushclient.reset()  # a new certificate to trust
        yield service
        pushclient.reset()


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """Delivery ids the code enqueued for sending (instead of a broker)."""
    ids: list[int] = []

    def capture(delivery_ids, *, countdown=None):
        ids.extend(delivery_ids)

    monkeypatch.setattr(tasks, "enqueue_sends", capture)
    return ids


def add_device(push: PushService, user, name: str) -> PushSubscription:
    """Register a device at the push service and subscribe it for ``user``."""
    info = push.register_device(name)
    subscription, _ = services.subscribe(
        user=user,
        endpoint=info["endpoint"],
        p256dh=info["keys"]["p256dh"],
        auth=info["keys"]["auth"],
        user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36",
    )
    return subscription


def send_all(ids: list[int]) -> list[str]:
    """Run the queued sends in this process, in order; returns their outcome states."""
    states = [sending.send_delivery(i).state for i in ids]
    ids.clear()
    return states


@pytest.fixture
def tick(queued, django_capture_on_commit_callbacks):
    """Run the dispatch tick here, with its after-commit enqueues landing in ``queued``."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return dispatch.dispatch_due(enqueue=tasks.enqueue_sends, **kwargs)

    return run


def as_if_the_tables_were_large() -> None:
    """PostgreSQL plans a scan of a test's few rows; in the test's transaction, have it
    plan as for a large table, so that a test of which index serves a query holds there
    too (SQLite plans by the query's shape alone)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
