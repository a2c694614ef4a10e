"""``/healthz``: is the database reachable, and the Celery broker? Is every queue consumed?

The queue report asks the workers which queues they consume (``celery inspect
active_queues``, one broadcast with a short timeout) in a background thread at most every
``QUEUES_TTL`` seconds, so ``/healthz`` itself never waits for it: it answers the last
known state (``unknown`` until the first answer). A queue nobody consumes means tasks
routed there wait silently (a worker started with ``-Q`` naming too few queues); it is
reported, but does not make the web process unhealthy, since the web still serves.
"""

from __future__ import annotations

import threading
import time

from celery import current_app
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

QUEUES_TTL = 30.0  # seconds between two inspections
INSPECT_TIMEOUT = 1.0  # seconds the broadcast waits for workers' replies

_lock = threading.Lock()
_consumed: set[str] | None = None  # None: not known yet (or the broker did not answer)
_checked_at = float("-inf")
_refreshing = False


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        # The app config/celery.py made current when Django started (config/__init__.py).
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def app_queues() -> list[str]:
    """The names of the queues the app declares (``CELERY_TASK_QUEUES``)."""
    queues = current_app.conf.task_queues or []
    names = [q.name for q in queues]
    default = current_app.conf.task_default_queue
    return names if default in names else [*names, default]


def _inspect() -> set[str] | None:
    """The queues some worker consumes now; None when the broker cannot tell."""
    try:
        replies = current_app.control.inspect(timeout=INSPECT_TIMEOUT).active_queues()
    except Exception:
        return None
    return {q["name"] for queues in (replies or {}).values() for q in queues or ()}


def _refresh() -> None:
    global _consumed, _checked_at, _refreshing
    consumed = _inspect()
    with _lock:
        _consumed, _checked_at, _refreshing = consumed, time.monotonic(), False


def queue_consumers(*, wait: bool = False) -> dict[str, str]:
    """``{queue: "ok" | "no consumer" | "unknown"}`` for every queue of the app.

    Answers from the last inspection; starts a new one in the background when that is
    older than ``QUEUES_TTL`` (``wait=True`` runs it here instead, for tests and checks).
    """
    global _refreshing
    with _lock:
        stale = time.monotonic() - _checked_at > QUEUES_TTL
        start = stale and not _refreshing
        if start:
            _refreshing = True
    if start:
        if wait:
            _refresh()
        else:
            threading.Thread(target=_refresh, name="healthz-queues", daemon=True).start()
    with _lock:
        consumed = _consumed
    if consumed is None:
        return dict.fromkeys(app_queues(), "unknown")
    return {q: "ok" if q in consumed else "no consumer" for q in app_queues()}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when database and broker answer, 503 naming what does not; plus the queues."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            **{k: "ok" if v else "down" for k, v in checks.items()},
            "queues": queue_consumers() if checks["broker"] else {},
        },
        status=200 if healthy else 503,
    )
