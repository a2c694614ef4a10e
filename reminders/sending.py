"""Send deliveries with Web Push (VAPID, aes128gcm) and record each outcome.

Like healthchecks' ``sendalerts``, a send task first claims its deliveries with a
conditional update (pending → sending, stamped with the task's lease token; it sends only
the rows that carry its token), so duplicate tasks for the same delivery — a re-enqueue
after a broker restart, a redelivered message — send it once.

The chunk's pushes are then encrypted here (pywebpush's ``WebPusher.encode``) and posted
concurrently by the process's :mod:`reminders.pushclient` (one event loop thread, one
keep-alive ``aiohttp`` session, at most ``REMINDER_PUSH_HOST_CONCURRENCY`` in flight per
push service); the VAPID ``Authorization`` header is signed once per audience and reused
until an hour before its ``exp``. Answers come back in small batches as they arrive, and
each batch's outcomes are written in one transaction, conditional on the lease, before
the next batch is looked at.

Outcomes: 2xx sent; 404/410 the subscription is gone (deleted, delivery failed); 429/5xx
and network errors retried with exponential backoff honouring ``Retry-After``, until
``REMINDER_MAX_ATTEMPTS`` or until the reminder is past its grace period; other 4xx
failed. A 429 (or a 503 with ``Retry-After``) also pauses that push service for every
worker (shared through the cache): its deliveries not yet posted go back to pending for
the time asked, without using up an attempt, while other services' carry on.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from pywebpush import WebPusher

from core.languages import DEFAULT as DEFAULT_LANGUAGE

from . import pushclient
from .endpoints import InvalidSubscription, validate_endpoint
from .messages import in_language
from .models import Delivery, DeliveryState, PushSubscription, ReminderKind
from .pushclient import PushRequest, PushResult, origin_of, retry_after_seconds
from .vapid import identity

__all__ = [
    "Outcome",
    "backoff_seconds",
    "claim",
    "deadline",
    "retry_after_seconds",
    "send_deliveries",
    "send_delivery",
    "vapid_authorization",
]

VAPID_LIFETIME = 12 * 3600  # exp of a signed header (RFC 8292 allows up to 24 h)
VAPID_RENEW_BEFORE = 3600  # a header is re-signed this long before its exp
PAUSE_KEY = "reminders:push-pause:"  # + origin: shared end of a push service's pause


@dataclass(frozen=True)
class Outcome:
    """The result of one send; ``retry_in`` (seconds) when it should be tried again."""

    state: str
    retry_in: float | None = None


# --- VAPID -------------------------------------------------------------------------------

_vapid_headers: dict[tuple[str, str, str], tuple[str, float]] = {}


def vapid_authorization(audience: str) -> str:
    """``vapid t=…,k=…`` for ``audience``, signed once and reused until shortly before
    its ``exp`` (per process; RFC 8292 §2 lets a sender reuse a token)."""
    vapid = identity()
    key = (vapid.public_key, vapid.subject, audience)
    now = time.time()
    cached = _vapid_headers.get(key)
    if cached is not None and cached[1] > now:
        return cached[0]
    exp = int(now) + VAPID_LIFETIME
    header = str(
        vapid.key.sign({"sub": vapid.subject, "aud": audience, "exp": exp})["Authorization"]
    )
    _vapid_headers[key] = (header, exp - VAPID_RENEW_BEFORE)
    return header


# --- retry arithmetic --------------------------------------------------------------------


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter: base * 2^(attempts-1), capped, ±20 %."""
    base = settings.REMINDER_RETRY_BASE_SECONDS * (2 ** max(0, attempts - 1))
    delay = min(base, settings.REMINDER_RETRY_MAX_SECONDS)
    return float(delay * random.uniform(0.8, 1.2))


def deadline(delivery: Delivery) -> datetime:
    """After this instant the notification is useless ("in 10 minutes" at 03:00)."""
    reminder = delivery.reminder
    start = reminder.fire_at if reminder.kind != ReminderKind.TEST else delivery.created_at
    return start + settings.REMINDER_GRACE


# --- claiming ----------------------------------------------------------------------------


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
        ).select_related("reminder", "subscription", "user")
    }
    return [claimed[pk] for pk in delivery_ids if pk in claimed]


# --- recording ---------------------------------------------------------------------------


@dataclass
class _Ledger:
    """Outcomes waiting to be written: one transaction per flush, grouped into one
    conditional UPDATE per kind of outcome (a sent chunk is one statement)."""

    lease: str
    outcomes: dict[int, Outcome]
    writes: dict[tuple[str, tuple[tuple[str, Any], ...]], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
    refresh: set[int] = field(default_factory=set)  # subscriptions that just worked
    failures: list[int] = field(default_factory=list)  # subscriptions that failed again
    gone: set[int] = field(default_factory=set)  # subscriptions to delete (404/410)
    pauses: dict[str, float] = field(default_factory=dict)  # origin -> end, to share

    def finish(self, delivery: Delivery, outcome: Outcome, **fields: Any) -> None:
        self.outcomes[delivery.pk] = outcome
        key = (outcome.state, tuple(sorted(fields.items())))
        self.writes[key].append(delivery.pk)

    def flush(self) -> None:
        if not (self.writes or self.refresh or self.failures or self.gone or self.pauses):
            return
        now = timezone.now()
        with transaction.atomic():
            for (state, fields), pks in self.writes.items():
                values = {k: (now if v is _NOW else v) for k, v in fields}
                # Conditional on still holding our claim: a lease taken over is never
                # overwritten by this task.
                Delivery.objects.filter(
                    pk__in=pks, state=DeliveryState.SENDING, lease=self.lease
                ).update(state=state, lease="", updated_at=now, **values)
            if self.refresh:
                PushSubscription.objects.filter(pk__in=self.refresh).update(
                    last_success_at=now, failures=0
                )
            if self.failures:
                PushSubscription.objects.filter(pk__in=self.failures).update(
                    failures=F("failures") + 1
                )
            if self.gone:
                PushSubscription.objects.filter(pk__in=self.gone).delete()
        for origin, until in self.pauses.items():
            _share_pause(origin, until)
        self.writes.clear()
        self.refresh.clear()
        self.failures.clear()
        self.gone.clear()
        self.pauses.clear()


class _Now:
    """Placeholder for "the time of the flush" in grouped writes (hashable, unique)."""

    def __repr__(self) -> str:
        return "<now>"


_NOW = _Now()


def _share_pause(origin: str, until: float) -> None:
    seconds = until - time.time()
    if seconds > 0:
        cache.set(PAUSE_KEY + origin, until, timeout=int(seconds) + 1)


def _shared_pauses(origins: set[str]) -> dict[str, float]:
    found = cache.get_many([PAUSE_KEY + o for o in origins])
    return {key.removeprefix(PAUSE_KEY): float(until) for key, until in found.items()}


def _retry_or_fail(
    ledger: _Ledger,
    delivery: Delivery,
    now: datetime,
    error: str,
    status: int | None,
    wait: float | None,
) -> None:
    delay = max(backoff_seconds(delivery.attempts), wait or 0.0)
    retry_at = now + timedelta(seconds=delay)
    if delivery.attempts >= settings.REMINDER_MAX_ATTEMPTS or retry_at > deadline(delivery):
        ledger.finish(
            delivery,
            Outcome(DeliveryState.FAILED),
            status_code=status,
            error=f"Gave up after {delivery.attempts} attempts: {error}"[:300],
        )
        if delivery.subscription_id:
            ledger.failures.append(delivery.subscription_id)
        return
    ledger.finish(
        delivery,
        Outcome(DeliveryState.PENDING, retry_in=delay),
        status_code=status,
        error=error[:300],
        next_attempt_at=retry_at,
    )


def _defer(ledger: _Ledger, delivery: Delivery, now: datetime, seconds: float) -> None:
    """Not posted because its push service asked to wait: back to pending for that long,
    the attempt not counted; failed if the wait runs past the grace period."""
    retry_in = seconds + random.uniform(0.0, min(1.0, seconds * 0.1))  # spread the restart
    retry_at = now + timedelta(seconds=retry_in)
    note = "The push service asked us to wait"
    if retry_at > deadline(delivery):
        ledger.finish(
            delivery,
            Outcome(DeliveryState.FAILED),
            attempts=F("attempts") - 1,
            error=f"{note} past the grace period.",
        )
        return
    ledger.finish(
        delivery,
        Outcome(DeliveryState.PENDING, retry_in=retry_in),
        attempts=F("attempts") - 1,
        next_attempt_at=retry_at,
        error=f"{note} ({int(seconds)} s).",
    )


def _record(ledger: _Ledger, delivery: Delivery, result: PushResult) -> None:
    now = timezone.now()
    if result.deferred_for is not None:
        _defer(ledger, delivery, now, result.deferred_for)
        return
    status = result.status
    if status is None:
        _retry_or_fail(ledger, delivery, now, f"Network error: {result.error}", None, None)
        return
    subscription = delivery.subscription
    assert subscription is not None  # checked before sending
    if 200 <= status < 300:
        ledger.finish(
            delivery, Outcome(DeliveryState.SENT), sent_at=_NOW, status_code=status, error=""
        )
        last = subscription.last_success_at
        if subscription.failures or last is None or now - last > timedelta(hours=1):
            # Hourly is precise enough for "last worked", and spares a write per push.
            ledger.refresh.add(subscription.pk)
        return
    if status in (404, 410):
        # The browser unsubscribed or the subscription expired: prune it.
        ledger.finish(
            delivery,
            Outcome(DeliveryState.FAILED),
            status_code=status,
            error=f"The device's subscription has expired ({status}); it was removed.",
        )
        ledger.gone.add(subscription.pk)
        return
    if status == 429 or status >= 500:
        wait = retry_after_seconds(result.retry_after, now)
        if status == 429 or wait is not None:
            # This service asked everyone to slow down: tell the other workers too.
            pause = wait if wait is not None else settings.REMINDER_RETRY_BASE_SECONDS
            ledger.pauses[result.host] = max(
                ledger.pauses.get(result.host, 0.0), time.time() + pause
            )
        _retry_or_fail(ledger, delivery, now, f"Push service answered {status}.", status, wait)
        return
    ledger.finish(
        delivery,
        Outcome(DeliveryState.FAILED),
        status_code=status,
        error=f"Push service refused the message ({status}).",
    )
    ledger.failures.append(subscription.pk)


# --- sending -----------------------------------------------------------------------------


def _client() -> pushclient.PushClient:
    return pushclient.client(
        per_host=settings.REMINDER_PUSH_HOST_CONCURRENCY,
        timeout=settings.REMINDER_SEND_TIMEOUT,
        # Read once per client, as requests would on every call.
        cafile=os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE") or None,
        default_pause=settings.REMINDER_RETRY_BASE_SECONDS,
    )


def _checked(ledger: _Ledger, delivery: Delivery) -> bool:
    """The re-checks before posting; records the outcome of a delivery that fails them."""
    subscription = delivery.subscription
    if subscription is None or subscription.user_id != delivery.user_id:
        ledger.finish(delivery, Outcome(DeliveryState.FAILED), error="The device was removed.")
        return False
    try:
        validate_endpoint(subscription.endpoint, settings.WEBPUSH_ALLOWED_HOSTS)
    except InvalidSubscription as exc:
        ledger.finish(
            delivery, Outcome(DeliveryState.FAILED), error=f"Endpoint not allowed: {exc}"[:300]
        )
        return False
    if timezone.now() > deadline(delivery):
        ledger.finish(delivery, Outcome(DeliveryState.MISSED), error="Too late to be useful.")
        return False
    return True


def _request(delivery: Delivery) -> PushRequest:
    """The encrypted push for a checked delivery: body, TTL, Urgency, Topic, VAPID."""
    subscription = delivery.subscription
    assert subscription is not None
    reminder = delivery.reminder
    payload = in_language(reminder.payload, getattr(delivery.user, "language", DEFAULT_LANGUAGE))
    payload["id"] = delivery.pk  # lets the service worker spot a repeat of this delivery
    data = json.dumps(payload, separators=(",", ":")).encode()
    pusher = WebPusher(
        {
            "endpoint": subscription.endpoint,
            "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
        }
    )
    body = pusher.encode(data, "aes128gcm")["body"]
    ttl = max(60, int((deadline(delivery) - timezone.now()).total_seconds()))
    headers = {
        "TTL": str(ttl),
        "Content-Encoding": "aes128gcm",
        "Urgency": "normal" if reminder.kind == ReminderKind.TEST else "high",
        "Topic": reminder.payload.get("topic") or f"d{delivery.pk}",
        "Authorization": vapid_authorization(origin_of(subscription.endpoint)),
    }
    return PushRequest(key=delivery.pk, url=subscription.endpoint, headers=headers, body=body)


def send_deliveries(delivery_ids: Sequence[int]) -> dict[int, Outcome]:
    """Send the deliveries that are pending and due, concurrently; record the outcomes
    in batches as the answers arrive (so a crash repeats at most the pushes on the wire
    and those answered in the last moment, never a recorded one)."""
    outcomes = {pk: Outcome("not-pending") for pk in delivery_ids}
    claimed = claim(delivery_ids)
    if not claimed:
        return outcomes
    ledger = _Ledger(lease=claimed[0].lease, outcomes=outcomes)
    to_send = [d for d in claimed if _checked(ledger, d)]
    by_pk = {d.pk: d for d in to_send}
    client = _client()
    origins = {origin_of(d.subscription.endpoint) for d in to_send if d.subscription}
    for origin, until in _shared_pauses(origins).items():
        client.pause(origin, until)

    def requests() -> Iterator[PushRequest]:
        for delivery in to_send:
            try:
                yield _request(delivery)
            except Exception as exc:  # keys a browser would never make (checked at subscribe)
                ledger.finish(
                    delivery,
                    Outcome(DeliveryState.FAILED),
                    error=f"Could not encrypt for this device: {exc}"[:300],
                )

    try:
        for batch in client.results(requests()):
            for result in batch:
                _record(ledger, by_pk[result.key], result)
            ledger.flush()
    finally:
        ledger.flush()
    return outcomes


def send_delivery(delivery_id: int) -> Outcome:
    """Send one delivery if it is pending and due; record what happened."""
    return send_deliveries([delivery_id])[delivery_id]
