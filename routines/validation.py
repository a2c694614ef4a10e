"""The rules for a routine's weekdays and reminder offsets, shared by the API, the admin
and the model's ``clean()``. They raise Django's ``ValidationError`` naming the field,
which the API's one error handler answers as a 400."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_STEPS = 50
MAX_STEP_MINUTES = 240
MAX_OFFSET_MINUTES = 120
MAX_OFFSETS = 5
ISO_WEEKDAYS = range(1, 8)  # Monday = 1 … Sunday = 7


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def clean_days_of_week(days: Iterable[int]) -> list[int]:
    """ISO weekdays (Monday = 1 … Sunday = 7), at least one, no duplicates; sorted."""
    days = list(days)
    if not days:
        raise _invalid("days_of_week", _("Choose at least one day of the week."))
    if any(isinstance(d, bool) or not isinstance(d, int) or d not in ISO_WEEKDAYS for d in days):
        raise _invalid("days_of_week", _("Days are numbers from 1 (Monday) to 7 (Sunday)."))
    if len(set(days)) != len(days):
        raise _invalid("days_of_week", _("Each day may appear only once."))
    return sorted(days)


def clean_reminder_offsets(offsets: Iterable[int]) -> list[int]:
    """Minutes before the start (0 to 120), duplicates dropped, at most five; latest first."""
    unique = sorted(set(offsets), reverse=True)
    if any(not 0 <= m <= MAX_OFFSET_MINUTES for m in unique):
        raise _invalid(
            "reminder_offsets",
            _("Reminders are 0 to %(MAX_OFFSET_MINUTES)s minutes before the start.")
            % {"MAX_OFFSET_MINUTES": MAX_OFFSET_MINUTES},
        )
    if len(unique) > MAX_OFFSETS:
        raise _invalid(
            "reminder_offsets",
            _("Use at most %(MAX_OFFSETS)s reminders.") % {"MAX_OFFSETS": MAX_OFFSETS},
        )
    return unique
