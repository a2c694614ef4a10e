"""Calendar feeds: the body of a new feed, the list's rows and the answer with its URL."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import NULLABLE
from families.models import Child
from families.scoping import FamilyRelatedField

from .models import CalendarFeed, FeedScope


class FeedCreateSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=FeedScope.choices)
    child = FamilyRelatedField(
        noun="child",
        queryset=Child.objects.all(),
        help_text=_("The child of a ``child`` feed."),
        **NULLABLE,
    )


class FeedSerializer(serializers.ModelSerializer):
    """A feed as listed: never its URL (only its hash is stored)."""

    child = serializers.IntegerField(source="child_id", **NULLABLE, read_only=True)

    class Meta:
        model = CalendarFeed
        fields = ["id", "scope", "child", "created_at"]
        read_only_fields = fields


class IssuedFeedSerializer(FeedSerializer):
    """A feed just made or regenerated, with its secret URL (shown only now)."""

    url = serializers.URLField(help_text=_("The ``https://`` address to subscribe to."))
    webcal_url = serializers.CharField(
        help_text=_("The same address as ``webcal://``: opens the calendar app.")
    )

    class Meta(FeedSerializer.Meta):
        fields = ["id", "scope", "child", "created_at", "url", "webcal_url"]
        read_only_fields = fields
