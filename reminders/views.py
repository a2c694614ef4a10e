"""Reminders API: VAPID key, push subscriptions, test push, member settings, deliveries."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from core.api import validation_error
from families.scoping import FamilyScopedMixin
from families.users import request_user

from . import services
from .models import Delivery
from .serializers import (
    DeliverySerializer,
    ReminderSettingsSerializer,
    SubscribeSerializer,
    SubscriptionSerializer,
    TestPushResultSerializer,
    TestPushSerializer,
    UnsubscribeSerializer,
    VapidKeySerializer,
)
from .vapid import identity


class VapidPublicKeyView(GenericAPIView):
    """The server's VAPID public key, for ``pushManager.subscribe({applicationServerKey})``."""

    permission_classes = [AllowAny]
    serializer_class = VapidKeySerializer

    def get(self, request: Request) -> Response:
        return Response({"public_key": identity().public_key})


class SubscriptionsView(GenericAPIView):
    """Turn push on for this device (POST the subscription); off: ``POST unsubscribe/``."""

    serializer_class = SubscribeSerializer

    @extend_schema(responses={200: SubscriptionSerializer, 201: SubscriptionSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscription, created = services.subscribe(
            user=request_user(request),
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(
            SubscriptionSerializer(subscription).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        deprecated=True,
        responses={204: None},
        description="Deprecated (a body on DELETE cannot be described): use "
        "`POST push/subscriptions/unsubscribe/`. Still served for older clients, with "
        '`{"endpoint"}` in the body.',
    )
    def delete(self, request: Request) -> Response:
        return _unsubscribe(request)


class UnsubscribeView(GenericAPIView):
    """Turn push off for this device: forget its subscription (idempotent)."""

    serializer_class = UnsubscribeSerializer

    @extend_schema(responses={204: None})
    def post(self, request: Request) -> Response:
        return _unsubscribe(request)


def _unsubscribe(request: Request) -> Response:
    serializer = UnsubscribeSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    services.unsubscribe(user=request_user(request), endpoint=serializer.validated_data["endpoint"])
    return Response(status=status.HTTP_204_NO_CONTENT)


class TestPushView(GenericAPIView):
    """Send a test notification to each of my devices."""

    serializer_class = TestPushSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "push_test"

    @extend_schema(responses={202: TestPushResultSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deliveries = services.send_test(
            user=request_user(request), family=serializer.validated_data.get("family")
        )
        if not deliveries:
            raise validation_error(
                "devices", _("Turn on notifications on this device first, then send a test.")
            )
        return Response({"devices": len(deliveries)}, status=status.HTTP_202_ACCEPTED)


class MyReminderSettingsView(FamilyScopedMixin, GenericAPIView):
    """My reminder settings in this family: on/off, quiet hours, per-routine opt-outs."""

    serializer_class = ReminderSettingsSerializer
    sitter_actions = ("get", "patch")  # notifications for the pass's window

    def get(self, request: Request, family_id: int) -> Response:
        return Response(self.get_serializer(services.settings_for(self.membership)).data)

    def patch(self, request: Request, family_id: int) -> Response:
        current = services.settings_for(self.membership)
        serializer = self.get_serializer(current, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = services.update_settings(self.membership, serializer.validated_data)
        return Response(self.get_serializer(updated).data)


class DeliveryViewSet(FamilyScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Recent reminder deliveries of the family, newest first: sent, skipped, missed, failed."""

    queryset = Delivery.objects.select_related("reminder", "user").order_by("-created_at", "-pk")
    family_field = "reminder__family"
    serializer_class = DeliverySerializer
    sitter_actions = ("list",)
