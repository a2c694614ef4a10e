"""Routines, their ordered steps, daily runs per child and step completions.

Dates (``RoutineRun.date``) and times (``Routine.start_time``) are family-local; the
rules that read and write them live in ``routines.routines``, ``routines.runs`` and
``routines.history``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from families.models import Child, Family, Media

from .validation import (
    ISO_WEEKDAYS,
    MAX_OFFSET_MINUTES,
    MAX_OFFSETS,
    MAX_STEP_MINUTES,
    MAX_STEPS,
    clean_days_of_week,
    clean_reminder_offsets,
)

__all__ = ["ISO_WEEKDAYS", "MAX_OFFSETS", "MAX_OFFSET_MINUTES", "MAX_STEPS", "MAX_STEP_MINUTES"]


def is_scheduled(days_of_week: Sequence[int], day: date) -> bool:
    """Whether a routine with these ISO weekdays happens on ``day``."""
    return day.isoweekday() in days_of_week


class Routine(models.Model):
    """A family's recurring routine: which children, which weekdays, at what local time.

    ``days_of_week`` holds ISO weekdays (Monday = 1); ``start_time`` is the family's
    local wall-clock time; ``reminder_offsets`` are minutes before the start at which
    caregivers are reminded (e.g. ``[10, 0]``).
    """

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="routines")
    name = models.CharField(max_length=80)
    icon = models.CharField(max_length=16, blank=True, default="🗓️")
    children = models.ManyToManyField(Child, related_name="routines", blank=True)
    days_of_week = models.JSONField(default=list)
    start_time = models.TimeField()
    reminder_offsets = models.JSONField(default=list, blank=True)
    # Family-local time the routine should be over by; the Today board scales the
    # remaining steps to it (routines/pacing.py).
    finish_by = models.TimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_time", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="routine_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The admin and forms apply the API's rules for weekdays and reminder offsets."""
        self.days_of_week = clean_days_of_week(self.days_of_week or [])
        self.reminder_offsets = clean_reminder_offsets(self.reminder_offsets or [])

    def is_scheduled_on(self, day: date) -> bool:
        """Whether this routine happens on the family-local ``day``."""
        return is_scheduled(self.days_of_week, day)


class RoutineStep(models.Model):
    """One step of a routine. ``position`` orders steps from 0; ids stay stable on edits.
    ``photo`` and ``voice`` are the family's media shown and played on the step."""

    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=80)
    icon = models.CharField(max_length=16, blank=True, default="")
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    # Media of the routine's family (an image, a recording): checked by the serializer.
    photo = models.ForeignKey(
        Media, null=True, blank=True, on_delete=models.SET_NULL, related_name="step_photos"
    )
    voice = models.ForeignKey(
        Media, null=True, blank=True, on_delete=models.SET_NULL, related_name="step_voices"
    )

    class Meta:
        ordering = ["routine", "position"]
        constraints = [
            # Not deferrable (SQLite has no deferrable constraints): reordering rewrites
            # positions in two passes instead (see services.save_routine).
            models.UniqueConstraint(
                fields=["routine", "position"], name="routine_step_position_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__isnull=True)
                | models.Q(duration_minutes__gte=1, duration_minutes__lte=MAX_STEP_MINUTES),
                name="routine_step_duration_range",
            ),
            models.CheckConstraint(condition=~models.Q(title=""), name="routine_step_title_set"),
        ]

    def __str__(self) -> str:
        return f"{self.icon} {self.title}".strip()


class RoutineRun(models.Model):
    """One child doing one routine on one family-local date."""

    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="runs")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="routine_runs")
    date = models.DateField()
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "routine", "child"]
        constraints = [
            models.UniqueConstraint(
                fields=["routine", "child", "date"], name="routine_run_unique_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(completed_at__isnull=True) | models.Q(started_at__isnull=False),
                name="routine_run_completed_after_started",
            ),
        ]
        indexes = [models.Index(fields=["child", "date"], name="routine_run_child_date")]

    def __str__(self) -> str:
        return f"{self.routine} for {self.child} on {self.date}"


class StepCompletion(models.Model):
    """A step ticked off in a run: by whom and when. At most one per run and step."""

    run = models.ForeignKey(RoutineRun, on_delete=models.CASCADE, related_name="completions")
    step = models.ForeignKey(RoutineStep, on_delete=models.CASCADE, related_name="completions")
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["completed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "step"], name="step_completion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.step} done in {self.run}"
