from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet

from .board import board_changed
from .models import Routine, RoutineRun, RoutineStep, StepCompletion


class BoardHistoryAdmin(admin.ModelAdmin):
    """Deleting runs or completions here changes Today boards, and these models have no
    deletion receiver (routines/receivers.py says why): mark the families' boards."""

    family_lookup: str

    def delete_model(self, request: Any, obj: Any) -> None:
        self.delete_queryset(request, type(obj).objects.filter(pk=obj.pk))

    def delete_queryset(self, request: Any, queryset: QuerySet) -> None:
        with transaction.atomic():
            families = set(queryset.values_list(self.family_lookup, flat=True))
            super().delete_queryset(request, queryset)
            board_changed(pk__in=families)


class RoutineStepInline(admin.TabularInline):
    model = RoutineStep
    extra = 0
    ordering = ["position"]


@admin.register(Routine)
class RoutineAdmin(admin.ModelAdmin):
    list_display = ["name", "family", "start_time", "days_of_week", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "family__name"]
    raw_id_fields = ["family"]
    filter_horizontal = ["children"]
    inlines = [RoutineStepInline]


class StepCompletionInline(admin.TabularInline):
    model = StepCompletion
    extra = 0
    raw_id_fields = ["step", "completed_by"]


@admin.register(RoutineRun)
class RoutineRunAdmin(BoardHistoryAdmin):
    family_lookup = "routine__family"
    list_display = ["routine", "child", "date", "started_at", "completed_at"]
    list_filter = ["date"]
    date_hierarchy = "date"
    raw_id_fields = ["routine", "child"]
    inlines = [StepCompletionInline]


@admin.register(StepCompletion)
class StepCompletionAdmin(BoardHistoryAdmin):
    family_lookup = "run__routine__family"
    list_display = ["run", "step", "completed_by", "completed_at"]
    raw_id_fields = ["run", "step", "completed_by"]
