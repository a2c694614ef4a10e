from __future__ import annotations

import math
from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Child, Family, Invitation, Membership, User
from .throttling import LoginAttempt


class LockedOutAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in, under the API login's lock-out (``families/throttling.py``):
    the same counts, so failures here and there add up."""

    def clean(self) -> dict[str, Any]:
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not (email and password and self.request is not None):
            return super().clean()
        attempt = LoginAttempt.of(self.request, email)
        wait = attempt.wait()
        if wait is not None:
            when = f"{math.ceil(wait)} seconds" if wait < 90 else f"{round(wait / 60)} minutes"
            raise ValidationError(
                _("Too many failed sign-ins. Try again in %(when)s."),
                code="throttled",
                params={"when": when},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            if self.user_cache is None:  # a wrong password (not a valid non-staff account)
                attempt.record_failure()
            raise
        attempt.record_success()
        return cleaned


admin.site.login_form = LockedOutAdminAuthenticationForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_staff", "date_joined"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "display_name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]})
    ]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Family)
class FamilyAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Child)
class ChildAdmin(admin.ModelAdmin):
    list_display = ["name", "family", "birth_year"]
    raw_id_fields = ["family"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["family", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    raw_id_fields = ["family", "created_by", "accepted_by"]
    exclude = ["token_hash"]
