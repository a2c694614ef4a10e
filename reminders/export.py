"""The reminders app's part of the family export: the requesting user's own devices and
the family's deliveries (registered in ``RemindersConfig.ready()``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from rest_framework import serializers

from core.contributions import ExportSection
from families.export import columns, stream
from families.models import Family, User

from .models import Delivery, DeliveryState, PushSubscription


class ExportPushSubscriptionSerializer(serializers.Serializer):
    """One of the requesting user's devices: the push service's host, never the keys."""

    id = serializers.IntegerField()
    endpoint_host = serializers.CharField()
    user_agent = serializers.CharField(allow_blank=True, required=False)
    created_at = serializers.DateTimeField(required=False)
    last_success_at = serializers.DateTimeField(allow_null=True, required=False)


def _push_subscriptions(family: Family, user: User) -> Iterator[dict]:
    """The user's devices: which push service, never the endpoint path or the keys."""
    fields = ("id", "endpoint", "user_agent", "created_at", "last_success_at")
    for row in stream(PushSubscription.objects.filter(user=user).order_by("id").values(*fields)):
        row["endpoint_host"] = urlsplit(row.pop("endpoint", "") or "").hostname or ""
        yield row


class ExportDeliverySerializer(serializers.Serializer):
    """One reminder to one device: its outcome and attempts (not the sender's lease)."""

    id = serializers.IntegerField()
    reminder_id = serializers.IntegerField()
    subscription_id = serializers.IntegerField(
        allow_null=True, help_text="Null once the device's subscription was removed."
    )
    user_id = serializers.IntegerField()
    device = serializers.CharField(allow_blank=True)
    state = serializers.ChoiceField(choices=DeliveryState.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    status_code = serializers.IntegerField(
        allow_null=True, help_text="The push service's last HTTP status."
    )
    error = serializers.CharField(allow_blank=True)


def _deliveries(family: Family, user: Any) -> Iterator[dict]:
    """The family's reminder deliveries, the columns of ``ExportDeliverySerializer``."""
    queryset = Delivery.objects.filter(reminder__family=family).order_by("id")
    yield from stream(queryset.values(*columns(ExportDeliverySerializer)))


SECTIONS = (
    ExportSection(
        "push_subscriptions",
        80,
        _push_subscriptions,
        ExportPushSubscriptionSerializer(),
        help_text="The requesting user's own devices.",
    ),
    ExportSection(
        "deliveries",
        90,
        _deliveries,
        ExportDeliverySerializer(),
        help_text="The family's reminder deliveries.",
    ),
)
