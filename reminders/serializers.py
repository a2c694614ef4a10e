"""Request and response shapes of the reminders API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers

from core.api import WallClockTimeField
from families.scoping import FamilyRelatedField, MyFamilyField
from routines.models import Routine

from .endpoints import InvalidSubscription, validate_auth, validate_endpoint, validate_p256dh
from .messages import in_language
from .models import Delivery, PushSubscription, ReminderSettings


class VapidKeySerializer(serializers.Serializer):
    public_key = serializers.CharField(
        help_text="The server's VAPID public key (base64url): the `applicationServerKey`."
    )


class SubscriptionKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=100, trim_whitespace=False)
    auth = serializers.CharField(max_length=50, trim_whitespace=False)

    def validate_p256dh(self, value: str) -> str:
        try:
            return validate_p256dh(value)
        except InvalidSubscription as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate_auth(self, value: str) -> str:
        try:
            return validate_auth(value)
        except InvalidSubscription as exc:
            raise serializers.ValidationError(str(exc)) from exc


class SubscribeSerializer(serializers.Serializer):
    """The browser's ``PushSubscription.toJSON()``."""

    endpoint = serializers.CharField(max_length=2048, trim_whitespace=False)
    expirationTime = serializers.IntegerField(  # the browser's own name
        required=False, allow_null=True, help_text="Ignored (browsers send null)."
    )
    keys = SubscriptionKeysSerializer()

    def validate_endpoint(self, value: str) -> str:
        try:
            return validate_endpoint(value, settings.WEBPUSH_ALLOWED_HOSTS)
        except InvalidSubscription as exc:
            raise serializers.ValidationError(str(exc)) from exc


class UnsubscribeSerializer(serializers.Serializer):
    endpoint = serializers.CharField(max_length=2048, trim_whitespace=False)


class SubscriptionSerializer(serializers.ModelSerializer):
    device = serializers.CharField(source="device_label", read_only=True)

    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "device", "created_at", "last_success_at"]
        read_only_fields = fields


class ReminderSettingsSerializer(serializers.ModelSerializer):
    """A member's reminder settings; quiet hours are family-local ``HH:MM`` (may wrap midnight)."""

    quiet_start = WallClockTimeField(allow_null=True, required=False)
    quiet_end = WallClockTimeField(allow_null=True, required=False)
    timezone = serializers.CharField(
        source="membership.family.timezone", read_only=True, help_text="Quiet hours are in it."
    )
    opted_out_routines = FamilyRelatedField(
        noun="routine",
        queryset=Routine.objects.all(),
        many=True,
        required=False,
        help_text="Ids of this family's routines I want no reminders for.",
    )

    class Meta:
        model = ReminderSettings
        fields = [
            "enabled",
            "quiet_start",
            "quiet_end",
            "opted_out_routines",
            "weekly_digest",
            "timezone",
        ]
        extra_kwargs = {
            "weekly_digest": {
                "help_text": "Opt in to a push on Sunday evening (family-local) summing up "
                "each child's week."
            }
        }

    def to_representation(self, instance: ReminderSettings) -> dict[str, Any]:
        if instance.pk is None:  # the defaults, not saved yet: no opt-outs to look up
            return {
                "enabled": instance.enabled,
                "quiet_start": None,
                "quiet_end": None,
                "opted_out_routines": [],
                "weekly_digest": instance.weekly_digest,
                "timezone": instance.membership.family.timezone,
            }
        return super().to_representation(instance)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance
        start = attrs.get("quiet_start", getattr(instance, "quiet_start", None))
        end = attrs.get("quiet_end", getattr(instance, "quiet_end", None))
        if (start is None) != (end is None):
            missing = "quiet_end" if end is None else "quiet_start"
            raise serializers.ValidationError(
                {missing: [_("Give both the start and the end of quiet hours, or neither.")]}
            )
        membership = self.context.get("membership")
        if attrs.get("weekly_digest") and membership is not None and membership.is_sitter:
            raise serializers.ValidationError(
                {"weekly_digest": [_("The weekly digest is for the family's members.")]}
            )
        return attrs


class TestPushSerializer(serializers.Serializer):
    family = MyFamilyField(
        required=False, help_text="Optional family whose Settings screen the test opens."
    )


class TestPushResultSerializer(serializers.Serializer):
    devices = serializers.IntegerField(help_text="How many of your devices it was sent to.")


class DeliverySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="reminder.kind", read_only=True)
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    fire_at = serializers.DateTimeField(source="reminder.fire_at", read_only=True)
    recipient = serializers.CharField(source="user.display_name", read_only=True)
    recipient_id = serializers.IntegerField(source="user_id", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "url",
            "fire_at",
            "recipient",
            "recipient_id",
            "device",
            "state",
            "attempts",
            "status_code",
            "error",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields

    def get_title(self, obj: Delivery) -> str:
        # What the recipient's device was sent: their language's words.
        return str(in_language(obj.reminder.payload, obj.user.language).get("title", ""))

    def get_body(self, obj: Delivery) -> str:
        return str(in_language(obj.reminder.payload, obj.user.language).get("body", ""))

    def get_url(self, obj: Delivery) -> str:
        return str(obj.reminder.payload.get("url", ""))
