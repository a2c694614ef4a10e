"""Shapes of duty, handovers and the care log."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api import BoundedDateField
from families.models import Child, Membership
from families.scoping import FamilyRelatedField

from .models import Duty, Handover


class DutySerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="child_id")
    member = serializers.IntegerField(source="membership_id")

    class Meta:
        model = Duty
        fields = ["child", "member", "since"]


class OnDutyMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The membership id.")
    name = serializers.CharField()
    since = serializers.DateTimeField()


class ChildDutySerializer(serializers.Serializer):
    child = serializers.IntegerField()
    members = OnDutyMemberSerializer(many=True)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The membership id.")
    name = serializers.CharField()


class HandoverSerializer(serializers.ModelSerializer):
    """A handover: who to whom, the note, and the summary of what happened."""

    children = FamilyRelatedField(noun="child", queryset=Child.objects.all(), many=True)
    to = FamilyRelatedField(
        noun="member",
        queryset=Membership.objects.all(),
        required=False,
        allow_null=True,
        write_only=True,
        help_text="The member taking over (default: the owners are told).",
    )
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    summary = serializers.JSONField(read_only=True)

    class Meta:
        model = Handover
        fields = ["id", "children", "to", "note", "summary", "automatic", "created_at"]
        read_only_fields = ["id", "summary", "automatic", "created_at"]

    def to_representation(self, instance: Handover) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["from"] = (
            {"id": instance.from_membership_id, "name": instance.from_name}
            if instance.from_name
            else None
        )
        target = instance.to_membership
        data["to"] = (
            {"id": target.pk, "name": target.user.display_name or target.user.email}
            if target is not None
            else None
        )
        return data


class LogQuerySerializer(serializers.Serializer):
    date = BoundedDateField(required=False, help_text="Family-local day (default: today).")


class HandoverQuerySerializer(serializers.Serializer):
    child = FamilyRelatedField(noun="child", queryset=Child.objects.all(), required=False)


class LogEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="Family-local time.")
    kind = serializers.CharField()
    actor = serializers.CharField()
    text = serializers.CharField()
