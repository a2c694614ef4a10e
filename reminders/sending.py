"""Send deliveries with Web Push (pywebpush, VAPID, aes128gcm) and record each outcome.

Like healthchecks' ``sendalerts``, a send task first claims its deliveries with a
conditional update (pending → sending, stamped with the task's lease token; it sends only
the rows that carry its token), so duplicate tasks for the same delivery — a re-enqueue
after a broker restart, a redelivered message — send it once.
Outcomes: 2xx sent; 404/410 the subscription is gone (deleted, delivery failed); 429/5xx
and network errors retried with exponential backoff honouring ``Retry-After``, until
``REMINDER_MAX_ATTEMPTS`` or until the reminder is past its grace period; other 4xx
failed. Every transition is written to the database before the task ends.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from pywebpush import WebPushException, webpush

from .endpoints import InvalidSubscription, validate_endpoint
from .models import Delivery, DeliveryState, PushSubscription, ReminderKind
from .vapid import identity


class _NoRedirectSession(requests.Session):
    """Never follow a redirect: it could point a push anywhere (SSRF)."""

    def get_redirect_target(self, resp: requests.Response) -> None:
        return None


_session: requests.Session | None = None
_session_pid: int | None = None


def http_session() -> requests.Session:
    """One keep-alive session per worker process (a forked child makes its own).

    The environment (``REQUESTS_CA_BUNDLE``/``SSL_CERT_FILE``, ``HTTPS_PROXY``) is read
    once here instead of on every request, which would cost more than the encryption.
    """
    global _session, _session_pid
    if _session is None or _session_pid != os.getpid():
        session = _NoRedirectSession()
        session.trust_env = False
        session.verify = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE") or True
        )
        session.proxies = urllib.request.getproxies()
        _session, _session_pid = session, os.getpid()
    return _session


@dataclass(frozen=True)
class Outcome:
    """The result of one send; ``retry_in`` (seconds) when it should be tried again."""

    state: str
    retry_in: float | None = None


def post_push(
    subscription: PushSubscription,
    payload: dict,
    *,
    ttl: int,
    urgency: str,
    topic: str,
    session: requests.Session | None = None,
) -> requests.Response:
    """Encrypt ``payload`` for the subscription and POST it; returns the HTTP response.

    Raises ``requests.RequestException`` on network errors.
    """
    vapid = identity()
    try:
        return webpush(
            {
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=json.dumps(payload, separators=(",", ":")),
            vapid_private_key=vapid.key,
            # pywebpush adds aud/exp to this dict: a fresh one per call.
            vapid_claims={"sub": vapid.subject},
            ttl=ttl,
            headers={"Urgency": urgency, "Topic": topic},
            content_encoding="aes128gcm",
            timeout=settings.REMINDER_SEND_TIMEOUT,
            requests_session=session or http_session(),
        )
    except WebPushException as exc:
        if exc.response is None:
            raise requests.ConnectionError(str(exc)) from exc
        return exc.response


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Parse ``Retry-After`` (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter: base * 2^(attempts-1), capped, ±20 %."""
    base = settings.REMINDER_RETRY_BASE_SECONDS * (2 ** max(0, attempts - 1))
    delay = min(base, settings.REMINDER_RETRY_MAX_SECONDS)
    return delay * random.uniform(0.8, 1.2)


def deadline(delivery: Delivery) -> datetime:
    """After this instant the notification is useless ("in 10 minutes" at 03:00)."""
    reminder = delivery.reminder
    start = reminder.fire_at if reminder.kind != ReminderKind.TEST else delivery.created_at
    return start + settings.REMINDER_GRACE


def _finish(delivery: Delivery, state: str, **fields: object) -> None:
    # Conditional on still holding our claim: a lease taken over is never overwritten.
    Delivery.objects.filter(
        pk=delivery.pk, state=DeliveryState.SENDING, lease=delivery.lease
    ).update(state=state, lease="", updated_at=timezone.now(), **fields)


def _retry_or_fail(
    delivery: Delivery, now: datetime, error: str, status: int | None, wait: float | None
) -> Outcome:
    delay = max(backoff_seconds(delivery.attempts), wait or 0.0)
    retry_at = now + timedelta(seconds=delay)
    if delivery.attempts >= settings.REMINDER_MAX_ATTEMPTS or retry_at > deadline(delivery):
        _finish(
            delivery,
            DeliveryState.FAILED,
            status_code=status,
            error=f"Gave up after {delivery.attempts} attempts: {error}"[:300],
        )
        _count_failure(delivery.subscription_id)
        return Outcome(DeliveryState.FAILED)
    _finish(
        delivery,
        DeliveryState.PENDING,
        status_code=status,
        error=error[:300],
        next_attempt_at=retry_at,
    )
    return Outcome(DeliveryState.PENDING, retry_in=delay)


def _count_failure(subscription_id: int | None) -> None:
    if subscription_id:
        PushSubscription.objects.filter(pk=subscription_id).update(failures=F("failures") + 1)


def claim(delivery_ids: Sequence[int]) -> list[Delivery]:
    """Claim the pending, due deliveries among ``delivery_ids`` (one conditional UPDATE);
    return them in the given order. Others are gone, done, or held by another task."""
    now = timezone.now()
    token = secrets.token_hex(8)
    Delivery.objects.filter(
        pk__in=delivery_ids,
        state=DeliveryState.PENDING,
        next_attempt_at__lte=now + timedelta(seconds=1),
    ).update(
        state=DeliveryState.SENDING,
        lease=token,
        attempts=F("attempts") + 1,
        next_attempt_at=now,  # the lease starts now
        updated_at=now,
    )
    claimed = {
        d.pk: d
        for d in Delivery.objects.filter(
            pk__in=delivery_ids, state=DeliveryState.SENDING, lease=token
        ).select_related("reminder", "subscription")
    }
    return [claimed[pk] for pk in delivery_ids if pk in claimed]


def send_deliveries(delivery_ids: Sequence[int]) -> dict[int, Outcome]:
    """Send the deliveries that are pending and due; record each outcome as it happens
    (so a crash repeats at most the push on the wire, never a finished one)."""
    outcomes = {pk: Outcome("not-pending") for pk in delivery_ids}
    for delivery in claim(delivery_ids):
        outcomes[delivery.pk] = _send_claimed(delivery)
    return outcomes


def send_delivery(delivery_id: int) -> Outcome:
    """Send one delivery if it is pending and due; record what happened."""
    return send_deliveries([delivery_id])[delivery_id]


def _send_claimed(delivery: Delivery) -> Outcome:
    subscription = delivery.subscription
    if subscription is None or subscription.user_id != delivery.user_id:
        _finish(delivery, DeliveryState.FAILED, error="The device was removed.")
        return Outcome(DeliveryState.FAILED)
    try:
        validate_endpoint(subscription.endpoint, settings.WEBPUSH_ALLOWED_HOSTS)
    except InvalidSubscription as exc:
        _finish(delivery, DeliveryState.FAILED, error=f"Endpoint not allowed: {exc}"[:300])
        return Outcome(DeliveryState.FAILED)
    useful_until = deadline(delivery)
    now = timezone.now()
    if now > useful_until:
        _finish(delivery, DeliveryState.MISSED, error="Too late to be useful.")
        return Outcome(DeliveryState.MISSED)

    reminder = delivery.reminder
    payload = {k: v for k, v in reminder.payload.items() if k != "topic"}
    payload["id"] = delivery.pk  # lets the service worker spot a repeat of this delivery
    try:
        response = post_push(
            subscription,
            payload,
            ttl=max(60, int((useful_until - now).total_seconds())),
            urgency="normal" if reminder.kind == ReminderKind.TEST else "high",
            topic=reminder.payload.get("topic") or f"d{delivery.pk}",
        )
    except requests.RequestException as exc:
        return _retry_or_fail(delivery, timezone.now(), f"Network error: {exc}", None, None)

    status = response.status_code
    done_at = timezone.now()
    if 200 <= status < 300:
        _finish(delivery, DeliveryState.SENT, sent_at=done_at, status_code=status, error="")
        last = subscription.last_success_at
        if subscription.failures or last is None or done_at - last > timedelta(hours=1):
            # Hourly is precise enough for "last worked", and spares a write per push.
            PushSubscription.objects.filter(pk=subscription.pk).update(
                last_success_at=done_at, failures=0
            )
        return Outcome(DeliveryState.SENT)
    if status in (404, 410):
        # The browser unsubscribed or the subscription expired: prune it.
        _finish(
            delivery,
            DeliveryState.FAILED,
            status_code=status,
            error=f"The device's subscription has expired ({status}); it was removed.",
        )
        PushSubscription.objects.filter(pk=subscription.pk).delete()
        return Outcome(DeliveryState.FAILED)
    if status == 429 or status >= 500:
        wait = retry_after_seconds(response.headers.get("Retry-After"), done_at)
        return _retry_or_fail(delivery, done_at, f"Push service answered {status}.", status, wait)
    _finish(
        delivery,
        DeliveryState.FAILED,
        status_code=status,
        error=f"Push service refused the message ({status}).",
    )
    _count_failure(subscription.pk)
    return Outcome(DeliveryState.FAILED)
