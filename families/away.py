"""Days away: a child marked away for a range of family-local days ("at Dad's").

On those days the child's routines are not on Today, their reminders are skipped, runs
are not expected and streaks are not broken (``routines.board``, ``routines.history``,
``reminders.routine_reminders`` read :func:`away_days`). Ranges of one child never
overlap: an overlapping range is refused (a 400 naming ``from``) rather than merged, so
two different notes are never silently joined.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from core.api import validation_error

from .models import Child, ChildAway, User

# A range covers at most this many days, both ends included (a leap year).
MAX_AWAY_DAYS = 366


@dataclass(frozen=True, slots=True)
class AwayRange:
    """One range of days away, as the readers need it (no model instance)."""

    id: int
    child_id: int
    starts_on: date
    ends_on: date
    note: str

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class AwayDays:
    """The ranges of some children over some days, read in one query (:func:`away_days`)."""

    def __init__(self, ranges: Iterable[AwayRange]) -> None:
        self._by_child: dict[int, list[AwayRange]] = {}
        for item in ranges:
            self._by_child.setdefault(item.child_id, []).append(item)

    def on(self, child_id: int, day: date) -> AwayRange | None:
        """The range ``child_id`` is away in on ``day``, if any."""
        for item in self._by_child.get(child_id, ()):
            if item.covers(day):
                return item
        return None

    def is_away(self, child_id: int, day: date) -> bool:
        return self.on(child_id, day) is not None

    def of(self, child_id: int) -> list[AwayRange]:
        return list(self._by_child.get(child_id, ()))


def _ranges(child_ids: Iterable[int], first: date, last: date) -> Iterable[AwayRange]:
    rows = (
        ChildAway.objects.filter(
            child_id__in=set(child_ids), starts_on__lte=last, ends_on__gte=first
        )
        .order_by("child_id", "starts_on")
        .values_list("id", "child_id", "starts_on", "ends_on", "note")
    )
    return (AwayRange(*row) for row in rows)


def away_days(child_ids: Iterable[int], first: date, last: date) -> AwayDays:
    """The days away of ``child_ids`` that touch ``first`` … ``last`` (one query)."""
    ids = set(child_ids)
    return AwayDays(_ranges(ids, first, last) if ids else ())


def away_on(child: Child, day: date) -> AwayRange | None:
    """The range ``child`` is away in on ``day`` (family-local), or None."""
    return away_days([child.pk], day, day).on(child.pk, day)


def check_range(first: date, last: date) -> None:
    """``to`` not before ``from`` and at most :data:`MAX_AWAY_DAYS` days (400 naming ``to``)."""
    if last < first:
        raise validation_error("to", _("The last day away is before the first."))
    if (last - first).days + 1 > MAX_AWAY_DAYS:
        raise validation_error(
            "to", _("A time away lasts at most %(days)s days.") % {"days": MAX_AWAY_DAYS}
        )


@transaction.atomic
def add_away(
    *, child: Child, first: date, last: date, note: str = "", user: User | None = None
) -> ChildAway:
    """Mark ``child`` away from ``first`` to ``last`` (inclusive, family-local days).

    Past ranges are allowed (to correct history). An overlap with one of the child's
    ranges is refused with a 400 naming ``from``; the child's row is locked first, so two
    concurrent requests cannot both pass the check.
    """
    check_range(first, last)
    Child.objects.select_for_update().filter(pk=child.pk).first()
    clash = (
        ChildAway.objects.filter(child=child, starts_on__lte=last, ends_on__gte=first)
        .order_by("starts_on")
        .first()
    )
    if clash is not None:
        raise validation_error(
            "from",
            _("%(name)s is already away from %(first)s to %(last)s.")
            % {
                "name": child.name,
                "first": clash.starts_on.isoformat(),
                "last": clash.ends_on.isoformat(),
            },
        )
    return ChildAway.objects.create(
        child=child, starts_on=first, ends_on=last, note=note.strip(), created_by=user
    )


def remove_away(away: ChildAway) -> None:
    """Delete a range of days away (the board's version is renewed by its receiver)."""
    away.delete()
