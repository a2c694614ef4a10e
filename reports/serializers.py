"""Request and response shapes of reports, shares and the digest."""

from __future__ import annotations

from rest_framework import serializers

from checkins.serializers_insights import (
    CheckInChildSerializer,
    CoregulationSerializer,
    HardMomentsSerializer,
    InsightDaySerializer,
    MoodMeterSerializer,
    RoutinesAndFeelingsSerializer,
    WhatHelpsSerializer,
)
from core.api import BoundedDateField
from families.models import Child
from families.scoping import FamilyRelatedField

from .models import SECTIONS, Report, Share, ShareVisit


class _RangeSerializer(serializers.Serializer):
    children = FamilyRelatedField(
        noun="child", queryset=Child.objects.all(), many=True, max_length=20
    )
    sections = serializers.ListField(
        child=serializers.ChoiceField(choices=SECTIONS),
        max_length=len(SECTIONS),
        default=list(SECTIONS),
    )
    include_notes = serializers.BooleanField(default=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = BoundedDateField(help_text="First family-local day.")
        fields["to"] = BoundedDateField(help_text="Last family-local day (inclusive).")
        return fields


class ReportCreateSerializer(_RangeSerializer):
    pass


class ReportSerializer(serializers.ModelSerializer):
    children = serializers.ListField(
        child=serializers.IntegerField(), source="child_ids", read_only=True
    )
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "status",
            "progress",
            "children",
            "sections",
            "include_notes",
            "created_at",
            "finished_at",
            "error",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, report: Report) -> str | None:
        if report.status != "done":
            return None
        return f"/api/v1/families/{report.family_id}/reports/{report.pk}/pdf/"

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(source="first", read_only=True)
        fields["to"] = serializers.DateField(source="last", read_only=True)
        return fields


class ShareCreateSerializer(_RangeSerializer):
    expires_at = serializers.DateTimeField(help_text="At most 90 days from now.")
    label = serializers.CharField(  # type: ignore[assignment]  # declared field, not Field.label
        max_length=80, required=False, allow_blank=True, default=""
    )


class ShareSerializer(serializers.ModelSerializer):
    children = serializers.ListField(
        child=serializers.IntegerField(), source="child_ids", read_only=True
    )
    status = serializers.ChoiceField(choices=["active", "expired", "revoked"], read_only=True)
    visits = serializers.IntegerField(source="visit_count", read_only=True, default=0)

    class Meta:
        model = Share
        fields = [
            "id",
            "label",
            "children",
            "sections",
            "include_notes",
            "created_at",
            "expires_at",
            "revoked_at",
            "status",
            "visits",
        ]
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(source="first", read_only=True)
        fields["to"] = serializers.DateField(source="last", read_only=True)
        return fields


class ShareCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    token = serializers.CharField(help_text="Shown only here; Tandem keeps only its hash.")
    url = serializers.CharField(help_text="The page to give the professional.")
    expires_at = serializers.DateTimeField()


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShareVisit
        fields = ["at", "user_agent", "what"]
        read_only_fields = fields


class SharedChildSerializer(serializers.Serializer):
    """One shared child's insights: only the sections the family chose are filled in."""

    child = CheckInChildSerializer()
    days = InsightDaySerializer(many=True, help_text="Feelings per day (when shared).")
    mood_meter = MoodMeterSerializer(required=False)
    hard_moments = HardMomentsSerializer(required=False)
    what_helps = WhatHelpsSerializer(many=True, required=False)
    routines_and_feelings = RoutinesAndFeelingsSerializer(required=False)
    coregulation = CoregulationSerializer(required=False)


class SharedDataSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # declared field, not Field.label
    sections = serializers.ListField(child=serializers.CharField())
    expires_at = serializers.DateTimeField()
    children = SharedChildSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields
