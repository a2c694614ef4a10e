"""The shape of a family export (``GET families/{id}/export/``).

``families.export`` renders each row through these serializers while it streams, so the
OpenAPI schema and the file people download come from one definition. Rows are plain
dicts from ``QuerySet.values()`` (no model instances), which DRF fields read like objects.
References to other rows are ids under the API's names (``child``, ``created_by``…);
``members`` maps user ids to names. Users who have since left appear as bare ids or null.
"""

from __future__ import annotations

from rest_framework import serializers

from config.api import WallClockTimeField

from .models import Role

_NULL_INT = {"allow_null": True, "required": False}


class ExportFamilySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    timezone = serializers.CharField(help_text="IANA time zone of the family's local dates.")
    follow_up_minutes = serializers.IntegerField(
        help_text="Minutes after a check-in with a strategy before the follow-up question."
    )
    created_at = serializers.DateTimeField()


class ExportMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The membership id (``member`` in check-ins).")
    user = serializers.IntegerField(source="user_id")
    display_name = serializers.CharField(source="user__display_name")
    email = serializers.EmailField(source="user__email")
    role = serializers.ChoiceField(choices=Role.choices)
    joined_at = serializers.DateTimeField()


class ExportChildSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    birth_year = serializers.IntegerField(**_NULL_INT)
    avatar = serializers.CharField(allow_blank=True)
    colour = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class ExportStepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    title = serializers.CharField()
    icon = serializers.CharField(allow_blank=True)
    duration_minutes = serializers.IntegerField(**_NULL_INT)


class ExportRoutineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    icon = serializers.CharField(allow_blank=True)
    children = serializers.ListField(child=serializers.IntegerField())
    days_of_week = serializers.ListField(
        child=serializers.IntegerField(), help_text="ISO weekdays, Monday = 1."
    )
    start_time = WallClockTimeField(help_text="Family-local wall-clock time.")
    reminder_offsets = serializers.ListField(child=serializers.IntegerField())
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    steps = ExportStepSerializer(many=True)


class ExportCompletionSerializer(serializers.Serializer):
    step = serializers.IntegerField(source="step_id")
    completed_by = serializers.IntegerField(source="completed_by_id", **_NULL_INT)
    completed_at = serializers.DateTimeField()


class ExportRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    routine = serializers.IntegerField(source="routine_id")
    child = serializers.IntegerField(source="child_id")
    date = serializers.DateField(help_text="Family-local date.")
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    completions = ExportCompletionSerializer(many=True)


class ExportStrategySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    steps = serializers.ListField(child=serializers.CharField(allow_blank=True))
    fits = serializers.ListField(child=serializers.CharField())
    energy_fit = serializers.ListField(child=serializers.CharField())
    age_note = serializers.CharField(allow_blank=True)
    guided = serializers.CharField(allow_null=True, allow_blank=True)
    caregiver_first = serializers.BooleanField()
    created_by = serializers.IntegerField(source="created_by_id", **_NULL_INT)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ExportCheckInSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    child = serializers.IntegerField(source="child_id", **_NULL_INT)
    member = serializers.IntegerField(
        source="member_id", help_text="Set on a caregiver's own check-in.", **_NULL_INT
    )
    emotion = serializers.CharField()
    intensity = serializers.IntegerField()
    body_areas = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField(allow_blank=True)
    strategy = serializers.IntegerField(source="strategy_id", **_NULL_INT)
    created_by = serializers.IntegerField(source="created_by_id", **_NULL_INT)
    occurred_at = serializers.DateTimeField()
    local_date = serializers.DateField(help_text="The family-local date of ``occurred_at``.")
    created_at = serializers.DateTimeField()
    follow_up_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(allow_null=True)
    outcome_emotion = serializers.CharField(allow_blank=True)
    outcome_at = serializers.DateTimeField(allow_null=True)
    pair = serializers.UUIDField(
        allow_null=True,
        help_text="Coregulation: the child's and the caregiver's check-in share this id.",
    )


class ExportInvitationSerializer(serializers.Serializer):
    """An invitation without its token hash (the token itself was never stored)."""

    id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices)
    status = serializers.ChoiceField(choices=["pending", "accepted", "revoked", "expired"])
    created_by = serializers.IntegerField(source="created_by_id", **_NULL_INT)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    accepted_by = serializers.IntegerField(source="accepted_by_id", **_NULL_INT)
    accepted_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class ExportPushSubscriptionSerializer(serializers.Serializer):
    """One of the requesting user's devices: the push service's host, never the keys."""

    id = serializers.IntegerField()
    endpoint_host = serializers.CharField()
    user_agent = serializers.CharField(allow_blank=True, required=False)
    created_at = serializers.DateTimeField(required=False)
    last_success_at = serializers.DateTimeField(allow_null=True, required=False)


class FamilyExportSerializer(serializers.Serializer):
    """Everything a family has stored in Tandem (documentation of the streamed file)."""

    format = serializers.CharField(help_text="``tandem-export/1``.")
    exported_at = serializers.DateTimeField()
    exported_by = serializers.IntegerField(help_text="The user id of who asked for it.")
    family = ExportFamilySerializer()
    members = ExportMemberSerializer(many=True)
    children = ExportChildSerializer(many=True)
    routines = ExportRoutineSerializer(many=True)
    runs = ExportRunSerializer(many=True)
    strategies = ExportStrategySerializer(many=True, help_text="The family's own strategies.")
    checkins = ExportCheckInSerializer(many=True)
    invitations = ExportInvitationSerializer(many=True)
    push_subscriptions = ExportPushSubscriptionSerializer(
        many=True, help_text="The requesting user's own devices."
    )
    deliveries = serializers.ListField(
        child=serializers.DictField(), help_text="The family's reminder deliveries."
    )
