"""Routines with their nested ordered steps (read and written in one request)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings

from core.api import WallClockTimeField
from families.media import media_url
from families.models import Child, MediaKind
from families.scoping import FamilyMediaField, FamilyRelatedField

from . import routines, validation
from .models import MAX_OFFSET_MINUTES, MAX_STEP_MINUTES, MAX_STEPS, Routine, RoutineStep


def steps_with_media() -> QuerySet[RoutineStep]:
    """Steps in order, with the media they show (for ``photo_url`` and ``voice_url``)."""
    return RoutineStep.objects.order_by("position").select_related("photo", "voice")


class StepListSerializer(serializers.ListSerializer):
    """The ordered steps; list-level errors are reported as ``steps``, not nested deeper."""

    default_error_messages = {
        "empty": gettext_lazy("Add at least one step."),
        "max_length": gettext_lazy("A routine has at most {max_length} steps."),
    }

    def run_validation(self, data: Any = empty) -> Any:
        try:
            return super().run_validation(data)
        except serializers.ValidationError as exc:
            key = api_settings.NON_FIELD_ERRORS_KEY
            if isinstance(exc.detail, dict) and set(exc.detail) == {key}:
                raise serializers.ValidationError(exc.detail[key]) from exc
            raise


class StepSerializer(serializers.ModelSerializer):
    """A step. Send ``id`` to keep an existing step (and its completions) when editing."""

    id = serializers.IntegerField(required=False, help_text="Omit for a new step.")
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_STEP_MINUTES
    )
    photo = FamilyMediaField(kind=MediaKind.IMAGE, help_text="A photo's media id, or null.")
    voice = FamilyMediaField(kind=MediaKind.AUDIO, help_text="A recording's media id, or null.")
    photo_url = serializers.SerializerMethodField()
    photo_thumbnail_url = serializers.SerializerMethodField()
    voice_url = serializers.SerializerMethodField()

    class Meta:
        model = RoutineStep
        fields = [
            "id",
            "position",
            "title",
            "icon",
            "duration_minutes",
            "photo",
            "voice",
            "photo_url",
            "photo_thumbnail_url",
            "voice_url",
        ]
        read_only_fields = ["position"]
        extra_kwargs = {"icon": {"required": False}}
        validators: list = []
        list_serializer_class = StepListSerializer

    def validate_title(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Give the step a title."))
        return value.strip()

    def get_photo_url(self, step: RoutineStep) -> str | None:
        photo = step.photo
        return media_url(photo.family_id, photo.pk, photo.file) if photo else None

    def get_photo_thumbnail_url(self, step: RoutineStep) -> str | None:
        photo = step.photo
        return media_url(photo.family_id, photo.pk, photo.thumbnail) if photo else None

    def get_voice_url(self, step: RoutineStep) -> str | None:
        voice = step.voice
        return media_url(voice.family_id, voice.pk, voice.file) if voice else None


class RoutineSerializer(serializers.ModelSerializer):
    """A routine; ``steps`` is the whole ordered list (steps left out are removed)."""

    children = FamilyRelatedField(
        noun="child", queryset=Child.objects.all(), many=True, required=False
    )
    days_of_week = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7),
        max_length=7,
        help_text="ISO weekdays: Monday = 1 … Sunday = 7.",
    )
    start_time = WallClockTimeField(help_text="Family-local time, HH:MM.")
    finish_by = WallClockTimeField(
        required=False,
        allow_null=True,
        help_text="Family-local time, HH:MM, the routine should be over by; null for none. "
        "Today scales the remaining steps to it.",
    )
    reminder_offsets = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_OFFSET_MINUTES),
        required=False,
        max_length=MAX_OFFSET_MINUTES + 1,  # each possible offset once (repeats collapse)
        help_text="Minutes before the start at which to remind caregivers, e.g. [10, 0].",
    )
    steps = StepSerializer(many=True, allow_empty=False, max_length=MAX_STEPS)  # type: ignore[call-arg]  # many=True takes max_length (DRF 3.15); the stubs lack it

    class Meta:
        model = Routine
        fields = [
            "id",
            "name",
            "icon",
            "children",
            "days_of_week",
            "start_time",
            "reminder_offsets",
            "finish_by",
            "is_active",
            "steps",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"icon": {"required": False}}

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Give the routine a name."))
        return value.strip()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "days_of_week" in attrs:
            attrs["days_of_week"] = validation.clean_days_of_week(attrs["days_of_week"])
        if "reminder_offsets" in attrs:
            attrs["reminder_offsets"] = validation.clean_reminder_offsets(attrs["reminder_offsets"])
        return attrs

    def to_representation(self, instance: Routine) -> dict[str, Any]:
        # After a write the steps are read again: with their media, in one query.
        if "steps" not in getattr(instance, "_prefetched_objects_cache", {}):
            prefetch_related_objects([instance], Prefetch("steps", queryset=steps_with_media()))
        return super().to_representation(instance)

    def _save(self, validated: dict[str, Any], routine: Routine | None) -> Routine:
        validated.pop("family", None)
        children = validated.pop("children", None)
        steps = validated.pop("steps", None)
        return routines.save_routine(
            family=self.context["family"],
            routine=routine,
            fields=validated,
            children=children,
            steps=steps,
        )

    def create(self, validated_data: dict[str, Any]) -> Routine:
        return self._save(validated_data, None)

    def update(self, instance: Routine, validated_data: dict[str, Any]) -> Routine:
        return self._save(validated_data, instance)
