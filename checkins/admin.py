from django.contrib import admin

from .models import CheckIn, Strategy


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "kind", "family", "guided", "caregiver_first"]
    list_filter = ["kind", ("family", admin.EmptyFieldListFilter)]
    search_fields = ["title", "key"]
    raw_id_fields = ["family", "created_by"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "family", "child", "member", "emotion", "intensity", "outcome"]
    list_filter = ["outcome", "intensity"]
    search_fields = ["emotion", "note"]
    raw_id_fields = ["family", "child", "member", "strategy", "created_by"]
    readonly_fields = ["id", "created_at", "pair"]
    date_hierarchy = "occurred_at"
