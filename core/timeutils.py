"""The one place that turns instants into a family's local dates and back.

"Today" and every ``date`` in the API are the family's local date, never the server's.
Wall-clock times of reminders across DST are resolved in ``reminders.scheduling``; this
module covers whole local days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from django.utils import timezone


class Family(Protocol):
    """Anything with the family's IANA zone (``families.models.Family``)."""

    @property
    def zone(self) -> ZoneInfo: ...


def family_local(family: Family, instant: datetime) -> datetime:
    """``instant`` (an aware datetime) as the family's wall-clock time.

    An instant at the very edge of the calendar (0001-01-01, stored before the API bounded
    dates) has no local time west of UTC; it stays in UTC, so reading it never fails.
    """
    try:
        return instant.astimezone(family.zone)
    except OverflowError:
        return instant.astimezone(UTC)


def family_local_date(family: Family, instant: datetime) -> date:
    """The family's local calendar date at ``instant`` (an aware datetime)."""
    return family_local(family, instant).date()


def family_today(family: Family) -> date:
    """Today in the family's time zone."""
    return family_local_date(family, timezone.now())


def family_day_bounds(family: Family, day: date) -> tuple[datetime, datetime]:
    """The UTC instants where the family's local ``day`` starts and the next one starts.

    Days are 23 or 25 hours long across DST changes; midnight that does not exist
    (a few zones change at 00:00) resolves to the first instant of the day.
    """
    zone = family.zone

    def start_of(d: date) -> datetime:
        # fold=0 on a non-existent midnight uses the offset before the gap, which lands
        # exactly on the transition: the first instant of the day.
        return datetime.combine(d, time.min, tzinfo=zone).astimezone(UTC)

    return start_of(day), start_of(day + timedelta(days=1))


def family_days_bounds(family: Family, first: date, last: date) -> tuple[datetime, datetime]:
    """UTC bounds covering the local days ``first`` … ``last`` inclusive."""
    return family_day_bounds(family, first)[0], family_day_bounds(family, last)[1]


def family_wall_clock(family: Family, day: date, at: time) -> datetime:
    """The UTC instant of the family's wall-clock ``at`` on the local ``day``.

    A time skipped by a DST change (02:30 on a spring-forward night in Europe/Madrid)
    lands as far after the gap as it was inside it; a time that happens twice (autumn)
    is its first occurrence.
    """
    return datetime.combine(day, at, tzinfo=family.zone).astimezone(UTC)
