"""The .ics of a calendar feed (RFC 5545), built with the ``icalendar`` library.

Each routine becomes one recurring event per child it is for: ``DTSTART;TZID=`` the
family's zone at the routine's local start time, a weekly ``RRULE`` by weekday, a
``VTIMEZONE`` for that zone, the steps in the description, one ``VALARM`` per reminder
offset, and an ``EXDATE`` for every day the child is away. UIDs name the routine and the
child, so they stay the same across requests and edits.

Where a start time falls in a spring-forward gap, RFC 5545 reads it with the offset from
before the gap, while Tandem starts the routine the moment the clocks jump
(``reminders.scheduling.resolve_local``). Those days get an ``EXDATE`` for the wall time
and an ``RDATE`` in UTC at Tandem's instant, so a calendar shows what Tandem reminds of.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Alarm, Calendar, Event, Timezone

from families.away import AwayDays, AwayRange
from reminders.scheduling import resolve_local

PRODID = "-//Tandem//Routines//EN"
ICAL_DAYS = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
# An event with no step durations still needs a length.
DEFAULT_MINUTES = 15
# Calendar apps re-read a subscription about this often (a hint; each app decides).
REFRESH = timedelta(hours=1)
# Gap days are corrected this far ahead of today (and the VTIMEZONE covers it).
HORIZON_DAYS = 3 * 366


@dataclass(frozen=True)
class FeedStep:
    title: str
    icon: str
    duration_minutes: int | None


@dataclass(frozen=True)
class FeedRoutine:
    id: int
    name: str
    icon: str
    days_of_week: Sequence[int]
    start_time: time
    reminder_offsets: Sequence[int]
    since: date  # the family-local day it was created
    updated_at: datetime
    steps: Sequence[FeedStep]
    child_ids: Sequence[int]


@dataclass(frozen=True)
class FeedChild:
    id: int
    name: str


def first_day(routine: FeedRoutine) -> date:
    """The routine's first scheduled day on or after the day it was created."""
    for n in range(7):
        day = routine.since + timedelta(days=n)
        if day.isoweekday() in routine.days_of_week:
            return day
    return routine.since  # no weekdays: never reached (such routines are left out)


def gap_days(zone: ZoneInfo, first: date, last: date) -> list[date]:
    """The local days in ``first`` … ``last`` on which the clocks jump forward."""
    days = []
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        before = datetime.combine(day, time.min, tzinfo=zone).utcoffset()
        after = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).utcoffset()
        if before is not None and after is not None and after > before:
            days.append(day)
    return days


def _wall(day: date, start: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, start.replace(tzinfo=None, fold=0), tzinfo=zone)


def _description(routine: FeedRoutine) -> str:
    lines = []
    for n, step in enumerate(routine.steps, 1):
        title = f"{step.icon} {step.title}".strip()
        if step.duration_minutes:
            lines.append(
                ngettext(
                    "%(n)s. %(step)s (%(minutes)s minute)",
                    "%(n)s. %(step)s (%(minutes)s minutes)",
                    step.duration_minutes,
                )
                % {"n": n, "step": title, "minutes": step.duration_minutes}
            )
        else:
            lines.append(_("%(n)s. %(step)s") % {"n": n, "step": title})
    return "\n".join(lines)


def _duration(routine: FeedRoutine) -> timedelta:
    minutes = sum(step.duration_minutes or 0 for step in routine.steps)
    return timedelta(minutes=minutes or DEFAULT_MINUTES)


def _alarm(routine: FeedRoutine, child: FeedChild, offset: int) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    # Minutes before the start; a negative offset reminds after it.
    alarm.add("trigger", timedelta(minutes=-offset))
    alarm.add(
        "description",
        _("%(routine)s for %(child)s") % {"routine": routine.name, "child": child.name},
    )
    return alarm


def routine_event(
    *,
    routine: FeedRoutine,
    child: FeedChild,
    zone: ZoneInfo,
    away: AwayDays,
    gaps: Sequence[date],
    uid_domain: str,
) -> Event:
    """The recurring event of ``routine`` for ``child``."""
    start = first_day(routine)
    event = Event()
    event.add("uid", f"routine-{routine.id}-child-{child.id}@{uid_domain}")
    event.add("dtstamp", routine.updated_at.astimezone(UTC))
    event.add("last-modified", routine.updated_at.astimezone(UTC))
    title = _("%(routine)s for %(child)s") % {"routine": routine.name, "child": child.name}
    event.add("summary", f"{routine.icon} {title}".strip())
    description = _description(routine)
    if description:
        event.add("description", description)
    event.add("dtstart", _wall(start, routine.start_time, zone))
    event.add("duration", _duration(routine))
    event.add(
        "rrule",
        {"freq": "weekly", "byday": [ICAL_DAYS[d] for d in sorted(set(routine.days_of_week))]},
    )
    skipped = [
        day
        for item in away.of(child.id)
        for day in (
            item.starts_on + timedelta(days=n)
            for n in range((item.ends_on - item.starts_on).days + 1)
        )
        if day >= start and day.isoweekday() in routine.days_of_week
    ]
    moved = []
    for day in gaps:
        if day < start or day.isoweekday() not in routine.days_of_week:
            continue
        wall = _wall(day, routine.start_time, zone)
        if wall.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None):
            continue  # this start time exists that day
        if day not in skipped:
            skipped.append(day)
            moved.append(resolve_local(day, routine.start_time, zone))
    if skipped:
        event.add("exdate", [_wall(day, routine.start_time, zone) for day in sorted(skipped)])
    if moved:
        event.add("rdate", moved)
    event.add("transp", "OPAQUE")
    for offset in sorted(set(routine.reminder_offsets)):
        event.add_component(_alarm(routine, child, offset))
    return event


def away_event(*, item: AwayRange, child: FeedChild, stamp: datetime, uid_domain: str) -> Event:
    """An all-day event for a child's days away ("Sam: at Dad's")."""
    note, first, last = item.note, item.starts_on, item.ends_on
    event = Event()
    event.add("uid", f"away-{item.id}@{uid_domain}")
    event.add("dtstamp", stamp.astimezone(UTC))
    summary = (
        _("%(child)s: %(note)s") % {"child": child.name, "note": note}
        if note
        else _("%(child)s is away") % {"child": child.name}
    )
    event.add("summary", summary)
    event.add("dtstart", first)
    event.add("dtend", last + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    return event


def build_calendar(
    *,
    name: str,
    zone_name: str,
    today: date,
    children: Sequence[FeedChild],
    routines: Sequence[FeedRoutine],
    away: AwayDays,
    away_stamps: dict[int, datetime],
    uid_domain: str,
) -> bytes:
    """The feed's calendar as bytes (CRLF lines, folded as RFC 5545 says)."""
    zone = ZoneInfo(zone_name)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone_name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    starts = [first_day(r) for r in routines]
    earliest = min([*starts, today])
    last = today + timedelta(days=HORIZON_DAYS)
    calendar.add_component(
        Timezone.from_tzid(zone_name, first_date=earliest - timedelta(days=366), last_date=last)
    )
    gaps = gap_days(zone, earliest, last)
    by_id = {c.id: c for c in children}
    for routine in routines:
        for child_id in routine.child_ids:
            child = by_id.get(child_id)
            if child is not None:
                calendar.add_component(
                    routine_event(
                        routine=routine,
                        child=child,
                        zone=zone,
                        away=away,
                        gaps=gaps,
                        uid_domain=uid_domain,
                    )
                )
    for child in children:
        for item in away.of(child.id):
            calendar.add_component(
                away_event(
                    item=item,
                    child=child,
                    stamp=away_stamps.get(item.id, datetime(2000, 1, 1, tzinfo=UTC)),
                    uid_domain=uid_domain,
                )
            )
    body: bytes = calendar.to_ical()
    return body
