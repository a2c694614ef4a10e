from django.contrib import admin

from .models import Delivery, PushSubscription, ReminderSettings, ScheduledReminder


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "device_label", "created_at", "last_success_at", "failures"]
    raw_id_fields = ["user"]
    search_fields = ["user__email", "endpoint"]


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    list_display = ["membership", "enabled", "quiet_start", "quiet_end"]
    raw_id_fields = ["membership"]


@admin.register(ScheduledReminder)
class ScheduledReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "family", "fire_at", "offset_minutes", "occurrence_date", "state"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["family", "user"]
    date_hierarchy = "fire_at"


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["reminder", "user", "device", "state", "attempts", "sent_at", "status_code"]
    list_filter = ["state"]
    raw_id_fields = ["reminder", "subscription", "user"]
