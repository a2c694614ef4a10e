"""The routines app's part of the family export: routines with their steps, and runs with
their step completions (registered in ``RoutinesConfig.ready()``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch
from rest_framework import serializers

from core.api import NULLABLE, WallClockTimeField
from core.contributions import ExportSection
from families.export import columns, stream
from families.models import Child, Family

from .models import Routine, RoutineRun, StepCompletion


class ExportStepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    title = serializers.CharField()
    icon = serializers.CharField(allow_blank=True)
    duration_minutes = serializers.IntegerField(**NULLABLE)
    photo = serializers.IntegerField(help_text="A media id.", **NULLABLE)
    voice = serializers.IntegerField(help_text="A media id.", **NULLABLE)


class ExportRoutineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    icon = serializers.CharField(allow_blank=True)
    children = serializers.ListField(child=serializers.IntegerField())
    days_of_week = serializers.ListField(
        child=serializers.IntegerField(), help_text="ISO weekdays, Monday = 1."
    )
    start_time = WallClockTimeField(help_text="Family-local wall-clock time.")
    finish_by = WallClockTimeField(
        allow_null=True, help_text="Family-local time the routine should be over by."
    )
    reminder_offsets = serializers.ListField(child=serializers.IntegerField())
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    steps = ExportStepSerializer(many=True)


class ExportCompletionSerializer(serializers.Serializer):
    step = serializers.IntegerField(source="step_id")
    completed_by = serializers.IntegerField(source="completed_by_id", **NULLABLE)
    completed_at = serializers.DateTimeField()


class ExportRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    routine = serializers.IntegerField(source="routine_id")
    child = serializers.IntegerField(source="child_id")
    date = serializers.DateField(help_text="Family-local date.")
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    completions = ExportCompletionSerializer(many=True)


def _routines(family: Family, user: Any) -> Iterator[dict]:
    # A family has a handful of routines: one query each for routines, steps and children.
    routines = Routine.objects.filter(family=family).order_by("id")
    routines = routines.prefetch_related(
        "steps", Prefetch("children", queryset=Child.objects.only("id"))
    )
    for routine in routines:
        yield {
            **{
                name: getattr(routine, name)
                for name in (
                    "id",
                    "name",
                    "icon",
                    "days_of_week",
                    "start_time",
                    "finish_by",
                    "reminder_offsets",
                    "is_active",
                    "created_at",
                    "updated_at",
                )
            },
            "children": sorted(child.pk for child in routine.children.all()),
            "steps": [
                {
                    "id": step.pk,
                    "position": step.position,
                    "title": step.title,
                    "icon": step.icon,
                    "duration_minutes": step.duration_minutes,
                    "photo": step.photo_id,
                    "voice": step.voice_id,
                }
                for step in routine.steps.all()
            ],
        }


def _runs(family: Family, user: Any) -> Iterator[dict]:
    """Runs with their completions: two cursors in run order, merged (no query per run)."""
    runs = stream(
        RoutineRun.objects.filter(routine__family=family)
        .order_by("id")
        .values(*columns(ExportRunSerializer, derived=["completions"]))
    )
    completions = stream(
        StepCompletion.objects.filter(run__routine__family=family)
        .order_by("run_id", "id")
        .values("run_id", *columns(ExportCompletionSerializer))
    )
    pending = next(completions, None)
    for run in runs:
        run["completions"] = []
        while pending is not None and pending["run_id"] <= run["id"]:
            if pending["run_id"] == run["id"]:
                run["completions"].append(pending)
            pending = next(completions, None)
        yield run


SECTIONS = (
    ExportSection("routines", 30, _routines, ExportRoutineSerializer()),
    ExportSection("runs", 40, _runs, ExportRunSerializer()),
)
