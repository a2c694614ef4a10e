"""Runs, completions, the Today board and history: request parameters and answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework import serializers

from core.api import BoundedDateField, FieldTemplateMixin, WallClockTimeField, datetime_text
from families.models import Child
from families.scoping import FamilyRelatedField

from .models import Routine, RoutineRun, StepCompletion

if TYPE_CHECKING:
    from .runs import RunState

DATE: dict[str, Any] = {"format": "%Y-%m-%d", "input_formats": ["%Y-%m-%d"]}


class ChildSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Child
        fields = ["id", "name", "avatar", "colour"]


class RoutineSummarySerializer(serializers.ModelSerializer):
    start_time = WallClockTimeField(read_only=True)

    class Meta:
        model = Routine
        fields = ["id", "name", "icon", "start_time"]


class BoardRoutineSummarySerializer(RoutineSummarySerializer):
    finish_by = WallClockTimeField(read_only=True, allow_null=True)

    class Meta(RoutineSummarySerializer.Meta):
        fields = [*RoutineSummarySerializer.Meta.fields, "finish_by"]


# --- Runs ------------------------------------------------------------------------------


class StartRunSerializer(serializers.Serializer):
    """``{child, date}``; ``date`` defaults to the family's today."""

    child = FamilyRelatedField(noun="child", queryset=Child.objects.all())
    date = BoundedDateField(required=False)


class CompletionSerializer(FieldTemplateMixin, serializers.ModelSerializer):
    completed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = StepCompletion
        fields = ["step", "completed_by", "completed_by_name", "completed_at"]

    def get_completed_by_name(self, completion: StepCompletion) -> str:
        return completion.completed_by.display_name if completion.completed_by else ""


class RunSerializer(FieldTemplateMixin, serializers.ModelSerializer):
    """A run's state: which steps are done, by whom, and whether it is complete."""

    date = serializers.DateField(**DATE)
    done = serializers.SerializerMethodField()
    total = serializers.IntegerField(source="step_count", read_only=True)
    completed_steps = serializers.SerializerMethodField()
    completions = CompletionSerializer(many=True, read_only=True)

    class Meta:
        model = RoutineRun
        fields = [
            "id",
            "routine",
            "child",
            "date",
            "started_at",
            "completed_at",
            "done",
            "total",
            "completed_steps",
            "completions",
        ]

    def get_done(self, run: RoutineRun) -> int:
        return len(run.completions.all())

    def get_completed_steps(self, run: RoutineRun) -> list[int]:
        return [c.step_id for c in run.completions.all()]


def run_answer(state: RunState) -> dict[str, Any]:
    """``state`` in the shape ``RunSerializer`` documents, written directly: a step tick
    answers this (``tests/test_routine_runs_api.py`` holds the two to the same JSON)."""
    return {
        "id": state.id,
        "routine": state.routine_id,
        "child": state.child_id,
        "date": state.date.isoformat(),
        "started_at": datetime_text(state.started_at),
        "completed_at": datetime_text(state.completed_at),
        "done": len(state.completions),
        "total": state.step_count,
        "completed_steps": [step for step, _, _, _ in state.completions],
        "completions": [
            {
                "step": step,
                "completed_by": by,
                "completed_by_name": name,
                "completed_at": datetime_text(at),
            }
            for step, by, name, at in state.completions
        ],
    }


class RunRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoutineRun
        fields = ["id", "started_at", "completed_at"]


# --- Today board -----------------------------------------------------------------------


class TodayQuerySerializer(serializers.Serializer):
    date = BoundedDateField(required=False)


class BoardStepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    icon = serializers.CharField()
    duration_minutes = serializers.IntegerField(allow_null=True)
    done = serializers.BooleanField()
    planned_seconds = serializers.IntegerField(
        help_text="How long the step is planned to take: its own duration, or less so the "
        "routine ends by its finish_by (the remaining steps scaled alike, at least a minute "
        "each). Counted from now_since for the current step."
    )
    photo_url = serializers.CharField(allow_null=True, help_text="The step's photo.")
    photo_thumbnail_url = serializers.CharField(allow_null=True)
    voice_url = serializers.CharField(allow_null=True, help_text="The step's voice prompt.")


class BoardRoutineSerializer(serializers.Serializer):
    routine = BoardRoutineSummarySerializer()
    run = RunRefSerializer(allow_null=True)
    steps = BoardStepSerializer(many=True)
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    complete = serializers.BooleanField()
    now_step = BoardStepSerializer(allow_null=True)
    next_step = BoardStepSerializer(allow_null=True)
    now_since = serializers.DateTimeField(
        allow_null=True, help_text="When the current step began (for a gentle timer)."
    )


class BoardAwaySerializer(serializers.Serializer):
    until = serializers.DateField(**DATE, help_text="The last day away (family-local).")
    note = serializers.CharField(allow_blank=True)


class BoardChildInfoSerializer(ChildSummarySerializer):
    photo_url = serializers.CharField(allow_null=True, help_text="The child's photo.")
    photo_thumbnail_url = serializers.CharField(allow_null=True)

    class Meta(ChildSummarySerializer.Meta):
        fields = [*ChildSummarySerializer.Meta.fields, "photo_url", "photo_thumbnail_url"]


class BoardChildSerializer(serializers.Serializer):
    child = BoardChildInfoSerializer()
    away = BoardAwaySerializer(
        allow_null=True, help_text="Set when the child is away that day: then no routines."
    )
    routines = BoardRoutineSerializer(many=True)


class BoardSerializer(serializers.Serializer):
    date = serializers.DateField(**DATE)
    children = BoardChildSerializer(many=True)


# --- History ---------------------------------------------------------------------------


class HistoryQuerySerializer(serializers.Serializer):
    """``from``/``to`` (YYYY-MM-DD, default: the four weeks up to today) and ``child``."""

    child = FamilyRelatedField(noun="child", queryset=Child.objects.all(), required=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = BoundedDateField(required=False)
        fields["to"] = BoundedDateField(required=False)
        return fields


class DaySerializer(serializers.Serializer):
    date = serializers.DateField(**DATE)
    scheduled = serializers.BooleanField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    complete = serializers.BooleanField()
    away = serializers.BooleanField(help_text="Every child counted was away that day.")


class HistoryStatsSerializer(serializers.Serializer):
    days = DaySerializer(many=True)
    current_streak = serializers.IntegerField()
    best_streak = serializers.IntegerField()
    completion_rate = serializers.FloatField(allow_null=True)
    scheduled_days = serializers.IntegerField()
    completed_days = serializers.IntegerField()


class ChildHistorySerializer(HistoryStatsSerializer):
    child = ChildSummarySerializer()


class RoutineHistorySerializer(serializers.Serializer):
    """Overall (every child of the routine completed the day) and per child."""

    routine = RoutineSummarySerializer()
    children = ChildHistorySerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(source="first", **DATE)
        fields["to"] = serializers.DateField(source="last", **DATE)
        for name, field in HistoryStatsSerializer().get_fields().items():
            field.source = f"overall.{name}"
            fields[name] = field
        return fields
