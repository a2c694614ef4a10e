"""Pure time arithmetic for reminders (docs/reminders.md).

Everything here is free of Django and of the database so it can be tested
exhaustively. All returned instants are timezone-aware and in UTC.

Rules:

* Routine times are family-local wall-clock times resolved with ``zoneinfo``:
  a routine at 07:00 stays at 07:00 local across DST changes.
* A wall time that does not exist (spring-forward gap) resolves to the first
  instant after the gap (the instant the clocks jump).
* An ambiguous wall time (fall-back overlap) resolves once, to its first
  occurrence (``fold=0``).
* A reminder ``offset_minutes`` before a routine fires that many *real*
  minutes before the resolved start instant; it may therefore fall on the
  previous local day. Its *occurrence date* is always the local date of the
  routine start it is about.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "in_quiet_hours",
    "is_too_late",
    "local_date",
    "next_routine_fire",
    "occurrence_start",
    "resolve_local",
]

# Days scanned by ``next_routine_fire``: one day of slack before the first
# candidate plus a full week and DST/offset slack after it.
_SCAN_DAYS = 10


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")


def _naive_wall(day: date, wall: time) -> datetime:
    """Combine a date and a wall time into a naive datetime (tzinfo/fold dropped)."""
    return datetime.combine(day, wall.replace(tzinfo=None, fold=0))


def resolve_local(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """Resolve the local wall-clock time ``wall`` on ``day`` in ``tz`` to a UTC instant.

    * Normal times map to their single instant.
    * Ambiguous times (clocks go back) map to the FIRST occurrence (``fold=0``).
    * Non-existent times (clocks go forward) map to the first instant after the
      gap, i.e. the UTC instant at which the local clock jumps. Example:
      ``Europe/London`` 2026-03-29 01:30 → 01:00 UTC (= 02:00 BST).

    Gap detection is done by round-tripping local → UTC → local and comparing
    with the requested wall time.

    Returns an aware ``datetime`` in UTC.
    """
    naive = _naive_wall(day, wall)
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first  # exists (if ambiguous, fold=0 is the first occurrence)

    # In a gap. Per PEP 495, fold=0 applies the offset from before the
    # transition and fold=1 the offset from after it, so the transition
    # instant T satisfies  later < T <= first.  Binary search (in seconds) for
    # the first instant that already uses the post-transition offset.
    later = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo, hi = later, first
    if not lo < hi:  # pragma: no cover - defensive; cannot happen for real gaps
        return min(lo, hi)
    before = naive.replace(tzinfo=tz, fold=0).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) // 2
        mid = mid.replace(microsecond=0)
        if mid <= lo:
            mid = lo + timedelta(seconds=1)
        if mid.astimezone(tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi


def occurrence_start(*, tz: ZoneInfo, day: date, start_time: time) -> datetime:
    """UTC instant at which a routine starting at local ``start_time`` on ``day`` starts.

    Same resolution rules as :func:`resolve_local`.
    """
    return resolve_local(day, start_time, tz)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    """The calendar date in ``tz`` of the aware ``instant``."""
    _require_aware(instant, "instant")
    return instant.astimezone(tz).date()


def next_routine_fire(
    *,
    tz: ZoneInfo,
    weekdays: Collection[int],
    start_time: time,
    offset_minutes: int,
    after: datetime,
) -> tuple[datetime, date] | None:
    """Earliest fire instant strictly after ``after`` for a routine reminder.

    :param tz: the family's time zone.
    :param weekdays: ISO weekdays (1 = Monday … 7 = Sunday) on which the routine
        *starts* (the weekday of the start's local date).
    :param start_time: local wall-clock start time of the routine.
    :param offset_minutes: how many real minutes before the resolved start the
        reminder fires (may be 0; may push the fire into the previous day;
        negative values fire after the start).
    :param after: aware instant; the result is strictly later than this.
    :returns: ``(fire_at_utc, occurrence_date)`` where ``occurrence_date`` is the
        local date of the routine start the reminder is about, or ``None`` if
        ``weekdays`` is empty.

    Looks at most ``_SCAN_DAYS`` (10) consecutive local dates.
    """
    _require_aware(after, "after")
    days = {int(d) for d in weekdays}
    bad = days - set(range(1, 8))
    if bad:
        raise ValueError(f"weekdays must be ISO weekdays 1..7, got {sorted(bad)}")
    if not days:
        return None

    offset = timedelta(minutes=offset_minutes)
    # fire > after  <=>  start > after + offset. The start's local date is at
    # least the local date of (after + offset), minus one day of slack for
    # zones whose clocks go back across midnight.
    first_day = local_date(after + offset, tz) - timedelta(days=1)
    for i in range(_SCAN_DAYS):
        day = first_day + timedelta(days=i)
        if day.isoweekday() not in days:
            continue
        fire_at = resolve_local(day, start_time, tz) - offset
        if fire_at > after:
            return fire_at.astimezone(UTC), day
    raise AssertionError("unreachable: a weekday occurs within any 7 days")  # pragma: no cover


def in_quiet_hours(
    instant: datetime,
    tz: ZoneInfo,
    quiet_start: time | None,
    quiet_end: time | None,
) -> bool:
    """Whether ``instant`` falls within local quiet hours ``[quiet_start, quiet_end)``.

    The interval may wrap midnight (e.g. 21:00-07:00). ``None`` for either bound,
    or ``quiet_start == quiet_end``, means there are no quiet hours.
    """
    _require_aware(instant, "instant")
    if quiet_start is None or quiet_end is None:
        return False
    start = quiet_start.replace(tzinfo=None, fold=0)
    end = quiet_end.replace(tzinfo=None, fold=0)
    if start == end:
        return False
    wall = instant.astimezone(tz).time().replace(tzinfo=None, fold=0)
    if start < end:
        return start <= wall < end
    return wall >= start or wall < end


def is_too_late(fire_at: datetime, now: datetime, grace: timedelta) -> bool:
    """True if ``now`` is more than ``grace`` after ``fire_at`` (record as missed, do not send)."""
    _require_aware(fire_at, "fire_at")
    _require_aware(now, "now")
    return now - fire_at > grace
