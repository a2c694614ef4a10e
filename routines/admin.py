from django.contrib import admin

from .models import Routine, RoutineRun, RoutineStep, StepCompletion


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
class RoutineRunAdmin(admin.ModelAdmin):
    list_display = ["routine", "child", "date", "started_at", "completed_at"]
    list_filter = ["date"]
    date_hierarchy = "date"
    raw_id_fields = ["routine", "child"]
    inlines = [StepCompletionInline]


@admin.register(StepCompletion)
class StepCompletionAdmin(admin.ModelAdmin):
    list_display = ["run", "step", "completed_by", "completed_at"]
    raw_id_fields = ["run", "step", "completed_by"]
