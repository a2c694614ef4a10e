"""Days away: the body of ``POST children/{cid}/away/``, the list's query and the answer."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import BoundedDateField

from .models import ChildAway


class AwaySerializer(serializers.ModelSerializer):
    """A range of days away: ``from`` … ``to`` inclusive, family-local dates."""

    child = serializers.IntegerField(source="child_id", read_only=True)
    note = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("A short note shown on Today, e.g. “at Dad's”."),
    )

    class Meta:
        model = ChildAway
        fields = ["id", "child", "note", "created_at"]
        read_only_fields = ["id", "created_at"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # "from" is a Python keyword: declared here rather than as class attributes.
        fields["from"] = BoundedDateField(source="starts_on")
        fields["to"] = BoundedDateField(source="ends_on")
        return fields


class AwayQuerySerializer(serializers.Serializer):
    """``from``/``to``: ranges touching these days (default: from today on)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = BoundedDateField(required=False)
        fields["to"] = BoundedDateField(required=False)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first, last = attrs.get("from"), attrs.get("to")
        if first and last and last < first:
            raise serializers.ValidationError({"to": [_("The end is before the start.")]})
        return attrs
