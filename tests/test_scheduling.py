"""Tests for reminders.scheduling (pure time arithmetic, no database).

Expected UTC values are computed by hand from the 2026 rules:

* Europe/London: BST starts Sun 2026-03-29 01:00 UTC (01:00 GMT -> 02:00 BST),
  ends Sun 2026-10-25 01:00 UTC (02:00 BST -> 01:00 GMT).
* America/New_York: EDT starts Sun 2026-03-08 07:00 UTC (02:00 EST -> 03:00 EDT),
  ends Sun 2026-11-01 06:00 UTC (02:00 EDT -> 01:00 EST).
* Australia/Lord_Howe: standard +10:30, DST +11:00 (a 30 minute shift).
  DST starts Sun 2026-10-04 02:00 -> 02:30 local (= 2026-10-03 15:30 UTC),
  ends Sun 2026-04-05 02:00 -> 01:30 local (= 2026-04-04 15:00 UTC).
* Asia/Kolkata: +05:30 all year.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.scheduling import (
    in_quiet_hours,
    is_too_late,
    local_date,
    next_routine_fire,
    occurrence_start,
    resolve_local,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KOLKATA = ZoneInfo("Asia/Kolkata")

ALL_DAYS = range(1, 8)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --------------------------------------------------------------------------
# resolve_local
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "wall", "expected"),
    [
        # Ordinary times.
        (LONDON, date(2026, 1, 15), time(7, 0), utc(2026, 1, 15, 7, 0)),
        (LONDON, date(2026, 7, 15), time(7, 0), utc(2026, 7, 15, 6, 0)),
        (NEW_YORK, date(2026, 1, 15), time(7, 0), utc(2026, 1, 15, 12, 0)),
        (NEW_YORK, date(2026, 7, 15), time(7, 0), utc(2026, 7, 15, 11, 0)),
        (KOLKATA, date(2026, 3, 29), time(7, 0), utc(2026, 3, 29, 1, 30)),
        (KOLKATA, date(2026, 3, 29), time(2, 0), utc(2026, 3, 28, 20, 30)),
        (LORD_HOWE, date(2026, 7, 1), time(7, 0), utc(2026, 6, 30, 20, 30)),
        (LORD_HOWE, date(2026, 12, 1), time(7, 0), utc(2026, 11, 30, 20, 0)),
        # Gaps -> first instant after the gap.
        (LONDON, date(2026, 3, 29), time(1, 0), utc(2026, 3, 29, 1, 0)),
        (LONDON, date(2026, 3, 29), time(1, 30), utc(2026, 3, 29, 1, 0)),
        (LONDON, date(2026, 3, 29), time(1, 59), utc(2026, 3, 29, 1, 0)),
        (LONDON, date(2026, 3, 29), time(2, 0), utc(2026, 3, 29, 1, 0)),  # 02:00 BST exists
        (LONDON, date(2026, 3, 29), time(0, 59), utc(2026, 3, 29, 0, 59)),
        (NEW_YORK, date(2026, 3, 8), time(2, 0), utc(2026, 3, 8, 7, 0)),
        (NEW_YORK, date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 0)),
        (NEW_YORK, date(2026, 3, 8), time(3, 0), utc(2026, 3, 8, 7, 0)),
        (LORD_HOWE, date(2026, 10, 4), time(2, 0), utc(2026, 10, 3, 15, 30)),
        (LORD_HOWE, date(2026, 10, 4), time(2, 15), utc(2026, 10, 3, 15, 30)),
        (LORD_HOWE, date(2026, 10, 4), time(2, 29, 59), utc(2026, 10, 3, 15, 30)),
        (LORD_HOWE, date(2026, 10, 4), time(2, 30), utc(2026, 10, 3, 15, 30)),
        (LORD_HOWE, date(2026, 10, 4), time(1, 59), utc(2026, 10, 3, 15, 29)),
        # Overlaps -> first occurrence.
        (LONDON, date(2026, 10, 25), time(1, 0), utc(2026, 10, 25, 0, 0)),
        (LONDON, date(2026, 10, 25), time(1, 30), utc(2026, 10, 25, 0, 30)),
        (LONDON, date(2026, 10, 25), time(2, 0), utc(2026, 10, 25, 2, 0)),  # after overlap
        (NEW_YORK, date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),
        (LORD_HOWE, date(2026, 4, 5), time(1, 30), utc(2026, 4, 4, 14, 30)),
        (LORD_HOWE, date(2026, 4, 5), time(1, 45), utc(2026, 4, 4, 14, 45)),
        (LORD_HOWE, date(2026, 4, 5), time(2, 0), utc(2026, 4, 4, 15, 30)),  # +10:30 again
    ],
)
def test_resolve_local(tz: ZoneInfo, day: date, wall: time, expected: datetime) -> None:
    got = resolve_local(day, wall, tz)
    assert got == expected
    assert got.tzinfo is UTC
    assert occurrence_start(tz=tz, day=day, start_time=wall) == expected


def test_resolve_local_ignores_fold_on_input() -> None:
    # fold=1 on the wall time must not select the second occurrence.
    assert resolve_local(date(2026, 10, 25), time(1, 30, fold=1), LONDON) == utc(
        2026, 10, 25, 0, 30
    )


def test_gap_result_is_the_wall_clock_right_after_the_jump() -> None:
    got = resolve_local(date(2026, 10, 4), time(2, 10), LORD_HOWE)
    local = got.astimezone(LORD_HOWE)
    assert (local.hour, local.minute) == (2, 30)
    assert local.utcoffset() == timedelta(hours=11)
    # One second earlier is still standard time (+10:30) at 01:59:59.
    earlier = (got - timedelta(seconds=1)).astimezone(LORD_HOWE)
    assert earlier.time() == time(1, 59, 59)
    assert earlier.utcoffset() == timedelta(hours=10, minutes=30)


# --------------------------------------------------------------------------
# next_routine_fire
# --------------------------------------------------------------------------


def test_empty_weekdays_returns_none() -> None:
    assert (
        next_routine_fire(
            tz=LONDON, weekdays=[], start_time=time(7), offset_minutes=0, after=utc(2026, 1, 1)
        )
        is None
    )


def test_naive_after_rejected() -> None:
    naive = datetime(2026, 1, 1)  # noqa: DTZ001 - a naive datetime is what must be refused
    with pytest.raises(ValueError, match="after must be timezone-aware"):
        next_routine_fire(
            tz=LONDON, weekdays=[1], start_time=time(7), offset_minutes=0, after=naive
        )


def test_invalid_weekday_rejected() -> None:
    with pytest.raises(ValueError, match=r"weekdays must be ISO weekdays 1\.\.7, got \[0\]"):
        next_routine_fire(
            tz=LONDON, weekdays=[0], start_time=time(7), offset_minutes=0, after=utc(2026, 1, 1)
        )


def test_0700_stays_0700_local_across_spring_forward() -> None:
    # Sat 2026-03-28 07:00 GMT = 07:00 UTC; Sun 2026-03-29 07:00 BST = 06:00 UTC.
    kw = dict(tz=LONDON, weekdays=ALL_DAYS, start_time=time(7, 0), offset_minutes=0)
    sat = next_routine_fire(after=utc(2026, 3, 28, 0, 0), **kw)
    assert sat == (utc(2026, 3, 28, 7, 0), date(2026, 3, 28))
    sun = next_routine_fire(after=sat[0], **kw)
    assert sun == (utc(2026, 3, 29, 6, 0), date(2026, 3, 29))
    assert sun[0] - sat[0] == timedelta(hours=23)
    for fire, _ in (sat, sun):
        assert fire.astimezone(LONDON).time() == time(7, 0)


def test_0700_stays_0700_local_across_fall_back_new_york() -> None:
    # Sat 2026-10-31 07:00 EDT = 11:00 UTC; Sun 2026-11-01 07:00 EST = 12:00 UTC.
    kw = dict(tz=NEW_YORK, weekdays=ALL_DAYS, start_time=time(7, 0), offset_minutes=10)
    sat = next_routine_fire(after=utc(2026, 10, 31, 0, 0), **kw)
    assert sat == (utc(2026, 10, 31, 10, 50), date(2026, 10, 31))
    sun = next_routine_fire(after=sat[0], **kw)
    assert sun == (utc(2026, 11, 1, 11, 50), date(2026, 11, 1))
    assert sun[0] - sat[0] == timedelta(hours=25)


def test_weekday_selection() -> None:
    # 2026-03-02 is a Monday. Mon/Wed/Fri at 18:30 in Kolkata (= 13:00 UTC).
    kw = dict(tz=KOLKATA, weekdays={1, 3, 5}, start_time=time(18, 30), offset_minutes=0)
    after = utc(2026, 3, 2, 13, 0)  # exactly Monday's start: not strictly after
    results = []
    for _ in range(5):
        fire, day = next_routine_fire(after=after, **kw)
        results.append((fire, day))
        after = fire
    assert results == [
        (utc(2026, 3, 4, 13, 0), date(2026, 3, 4)),  # Wed
        (utc(2026, 3, 6, 13, 0), date(2026, 3, 6)),  # Fri
        (utc(2026, 3, 9, 13, 0), date(2026, 3, 9)),  # Mon
        (utc(2026, 3, 11, 13, 0), date(2026, 3, 11)),  # Wed
        (utc(2026, 3, 13, 13, 0), date(2026, 3, 13)),  # Fri
    ]


def test_single_weekday_one_week_ahead() -> None:
    # Only Sundays; asked just after this Sunday's fire -> next Sunday.
    got = next_routine_fire(
        tz=LONDON,
        weekdays=[7],
        start_time=time(9, 0),
        offset_minutes=0,
        after=utc(2026, 3, 1, 9, 0, 1),
    )
    assert got == (utc(2026, 3, 8, 9, 0), date(2026, 3, 8))


def test_offset_crosses_midnight_previous_day_not_a_routine_day() -> None:
    # Routine Mondays 00:05 London; 10 minutes before = Sunday 23:55 GMT.
    # Sunday (ISO 7) is not a routine day but the fire is on Sunday.
    got = next_routine_fire(
        tz=LONDON,
        weekdays=[1],
        start_time=time(0, 5),
        offset_minutes=10,
        after=utc(2026, 3, 1, 12, 0),  # Sunday noon
    )
    assert got == (utc(2026, 3, 1, 23, 55), date(2026, 3, 2))
    fire, occ = got
    assert local_date(fire, LONDON) == date(2026, 3, 1)
    assert occ.isoweekday() == 1


def test_offset_crosses_midnight_new_york_and_kolkata() -> None:
    # Mon 2026-03-02 00:05 EST = 05:05 UTC; fire 04:55 UTC = Sun 23:55 EST.
    got = next_routine_fire(
        tz=NEW_YORK,
        weekdays=[1],
        start_time=time(0, 5),
        offset_minutes=10,
        after=utc(2026, 3, 1, 0, 0),
    )
    assert got == (utc(2026, 3, 2, 4, 55), date(2026, 3, 2))
    local = got[0].astimezone(NEW_YORK)  # the wall clock in New York: Sunday 23:55
    assert (local.date(), local.time()) == (date(2026, 3, 1), time(23, 55))
    # Mon 2026-03-02 00:05 IST = Sun 18:35 UTC; fire 18:25 UTC.
    got = next_routine_fire(
        tz=KOLKATA,
        weekdays=[1],
        start_time=time(0, 5),
        offset_minutes=10,
        after=utc(2026, 3, 1, 0, 0),
    )
    assert got == (utc(2026, 3, 1, 18, 25), date(2026, 3, 2))


def test_offset_crossing_midnight_when_after_is_already_on_the_previous_local_day() -> None:
    # after is Sunday 23:50 local; the Monday 00:05 reminder fires at 23:55 Sunday.
    got = next_routine_fire(
        tz=LONDON,
        weekdays=[1],
        start_time=time(0, 5),
        offset_minutes=10,
        after=utc(2026, 3, 1, 23, 50),
    )
    assert got == (utc(2026, 3, 1, 23, 55), date(2026, 3, 2))
    # ...and right after it fired the next one is a week later.
    got = next_routine_fire(
        tz=LONDON,
        weekdays=[1],
        start_time=time(0, 5),
        offset_minutes=10,
        after=utc(2026, 3, 1, 23, 55),
    )
    assert got == (utc(2026, 3, 8, 23, 55), date(2026, 3, 9))


def test_large_offset_spanning_more_than_a_day() -> None:
    # 30 hours before Wednesday 2026-03-04 08:00 GMT = Monday 2026-03-02 02:00 UTC.
    got = next_routine_fire(
        tz=LONDON,
        weekdays=[3],
        start_time=time(8, 0),
        offset_minutes=30 * 60,
        after=utc(2026, 3, 2, 0, 0),
    )
    assert got == (utc(2026, 3, 3, 2, 0), date(2026, 3, 4))


def test_offset_is_real_minutes_before_resolved_start_across_gap() -> None:
    # NY 2026-03-08 03:10 EDT (=07:10 UTC) with a 30 minute offset fires at
    # 06:40 UTC = 01:40 EST: 30 real minutes, though the wall clock says 90.
    got = next_routine_fire(
        tz=NEW_YORK,
        weekdays=[7],
        start_time=time(3, 10),
        offset_minutes=30,
        after=utc(2026, 3, 7, 0, 0),
    )
    assert got == (utc(2026, 3, 8, 6, 40), date(2026, 3, 8))
    assert got[0].astimezone(NEW_YORK).time() == time(1, 40)


@pytest.mark.parametrize(
    ("tz", "day", "wall", "expected_start"),
    [
        (LONDON, date(2026, 3, 29), time(1, 30), utc(2026, 3, 29, 1, 0)),
        (NEW_YORK, date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 0)),
        (LORD_HOWE, date(2026, 10, 4), time(2, 15), utc(2026, 10, 3, 15, 30)),
    ],
)
def test_gap_time_fires_at_end_of_gap(
    tz: ZoneInfo, day: date, wall: time, expected_start: datetime
) -> None:
    after = resolve_local(day - timedelta(days=1), wall, tz)  # previous day's start
    got = next_routine_fire(
        tz=tz, weekdays=[day.isoweekday()], start_time=wall, offset_minutes=5, after=after
    )
    assert got == (expected_start - timedelta(minutes=5), day)


@pytest.mark.parametrize(
    ("tz", "day", "wall", "first", "second", "next_day_fire"),
    [
        # London 01:30 on 2026-10-25: 00:30 UTC (BST) and 01:30 UTC (GMT).
        (
            LONDON,
            date(2026, 10, 25),
            time(1, 30),
            utc(2026, 10, 25, 0, 30),
            utc(2026, 10, 25, 1, 30),
            utc(2026, 10, 26, 1, 30),
        ),
        # New York 01:30 on 2026-11-01: 05:30 UTC (EDT) and 06:30 UTC (EST).
        (
            NEW_YORK,
            date(2026, 11, 1),
            time(1, 30),
            utc(2026, 11, 1, 5, 30),
            utc(2026, 11, 1, 6, 30),
            utc(2026, 11, 2, 6, 30),
        ),
        # Lord Howe 01:45 on 2026-04-05: 14:45 UTC (+11) and 15:15 UTC (+10:30).
        (
            LORD_HOWE,
            date(2026, 4, 5),
            time(1, 45),
            utc(2026, 4, 4, 14, 45),
            utc(2026, 4, 4, 15, 15),
            utc(2026, 4, 5, 15, 15),
        ),
    ],
)
def test_ambiguous_time_fires_once(
    tz: ZoneInfo,
    day: date,
    wall: time,
    first: datetime,
    second: datetime,
    next_day_fire: datetime,
) -> None:
    # Sanity: the wall time really happens twice.
    assert first.astimezone(tz).replace(tzinfo=None) == datetime.combine(day, wall)
    assert second.astimezone(tz).replace(tzinfo=None) == datetime.combine(day, wall)
    assert second.astimezone(tz).fold == 1

    kw = dict(tz=tz, weekdays=ALL_DAYS, start_time=wall, offset_minutes=0)
    assert next_routine_fire(after=first - timedelta(seconds=1), **kw) == (first, day)
    # After the first occurrence fired, the next fire is the next day, not the repeat.
    got = next_routine_fire(after=first, **kw)
    assert got == (next_day_fire, day + timedelta(days=1))
    assert got[0] > second
    # Also when asked from inside the overlap (between the two occurrences).
    assert next_routine_fire(after=second - timedelta(minutes=1), **kw) == got


def test_lord_howe_routine_across_half_hour_shift() -> None:
    # 07:00 daily across the 2026-10-04 start of DST: +10:30 -> +11:00.
    kw = dict(tz=LORD_HOWE, weekdays=ALL_DAYS, start_time=time(7, 0), offset_minutes=0)
    sat = next_routine_fire(after=utc(2026, 10, 2, 12, 0), **kw)
    assert sat == (utc(2026, 10, 2, 20, 30), date(2026, 10, 3))
    sun = next_routine_fire(after=sat[0], **kw)
    assert sun == (utc(2026, 10, 3, 20, 0), date(2026, 10, 4))
    assert sun[0] - sat[0] == timedelta(hours=23, minutes=30)


def test_time_zone_change_gives_different_utc_instant() -> None:
    kw = dict(weekdays=[1], start_time=time(7, 0), offset_minutes=0, after=utc(2026, 3, 1))
    london = next_routine_fire(tz=LONDON, **kw)
    new_york = next_routine_fire(tz=NEW_YORK, **kw)
    kolkata = next_routine_fire(tz=KOLKATA, **kw)
    assert london == (utc(2026, 3, 2, 7, 0), date(2026, 3, 2))
    assert new_york == (utc(2026, 3, 2, 12, 0), date(2026, 3, 2))
    assert kolkata == (utc(2026, 3, 2, 1, 30), date(2026, 3, 2))
    assert len({london[0], new_york[0], kolkata[0]}) == 3


def test_result_is_utc() -> None:
    fire, _ = next_routine_fire(
        tz=KOLKATA,
        weekdays=[1],
        start_time=time(7),
        offset_minutes=0,
        after=datetime(2026, 3, 1, tzinfo=KOLKATA),
    )
    assert fire.tzinfo is UTC


# --------------------------------------------------------------------------
# local_date, quiet hours, follow-ups, lateness
# --------------------------------------------------------------------------


def test_local_date() -> None:
    assert local_date(utc(2026, 3, 1, 23, 55), LONDON) == date(2026, 3, 1)
    assert local_date(utc(2026, 3, 1, 23, 55), KOLKATA) == date(2026, 3, 2)
    assert local_date(utc(2026, 3, 1, 3, 0), NEW_YORK) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (utc(2026, 1, 15, 20, 59), False),
        (utc(2026, 1, 15, 21, 0), True),  # start inclusive
        (utc(2026, 1, 15, 23, 59), True),
        (utc(2026, 1, 16, 0, 0), True),
        (utc(2026, 1, 16, 6, 59), True),
        (utc(2026, 1, 16, 7, 0), False),  # end exclusive
        (utc(2026, 1, 16, 12, 0), False),
        # Summer: 06:30 UTC is 07:30 BST -> not quiet; 20:30 UTC = 21:30 BST -> quiet.
        (utc(2026, 7, 16, 6, 30), False),
        (utc(2026, 7, 16, 20, 30), True),
        (utc(2026, 7, 16, 5, 59), True),  # 06:59 BST
    ],
)
def test_quiet_hours_wrapping_midnight(instant: datetime, expected: bool) -> None:
    assert in_quiet_hours(instant, LONDON, time(21, 0), time(7, 0)) is expected


def test_quiet_hours_same_day_interval_and_disabled() -> None:
    noon_ist = utc(2026, 1, 15, 6, 30)  # 12:00 IST
    assert in_quiet_hours(noon_ist, KOLKATA, time(12, 0), time(14, 0))
    assert not in_quiet_hours(noon_ist, KOLKATA, time(12, 30), time(14, 0))
    assert not in_quiet_hours(noon_ist, KOLKATA, time(10, 0), time(12, 0))
    assert not in_quiet_hours(noon_ist, KOLKATA, None, time(14, 0))
    assert not in_quiet_hours(noon_ist, KOLKATA, time(12, 0), None)
    assert not in_quiet_hours(noon_ist, KOLKATA, None, None)
    assert not in_quiet_hours(noon_ist, KOLKATA, time(12, 0), time(12, 0))


def test_quiet_hours_use_family_zone() -> None:
    instant = utc(2026, 1, 15, 22, 0)  # 22:00 London, 17:00 New York, 03:30 Kolkata
    quiet = (time(21, 0), time(7, 0))
    assert in_quiet_hours(instant, LONDON, *quiet)
    assert not in_quiet_hours(instant, NEW_YORK, *quiet)
    assert in_quiet_hours(instant, KOLKATA, *quiet)


def test_is_too_late() -> None:
    fire = utc(2026, 1, 1, 7, 0)
    grace = timedelta(minutes=15)
    assert not is_too_late(fire, fire, grace)
    assert not is_too_late(fire, fire + grace, grace)
    assert is_too_late(fire, fire + grace + timedelta(seconds=1), grace)
    assert not is_too_late(fire, fire - timedelta(hours=1), grace)  # early is fine


# --------------------------------------------------------------------------
# Property test
# --------------------------------------------------------------------------

ZONES = [
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Europe/Berlin",
    "America/Sao_Paulo",
    "Pacific/Chatham",
    "America/Santiago",
    "Asia/Tehran",
    "UTC",
]


def _in_gap(day: date, wall: time, tz: ZoneInfo) -> bool:
    naive = datetime.combine(day, wall)
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive


@settings(max_examples=400, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    weekdays=st.sets(st.integers(1, 7), min_size=1),
    start_time=st.times().map(lambda t: t.replace(microsecond=0, fold=0)),
    offset=st.integers(0, 24 * 60),
    after=st.datetimes(
        # Hypothesis takes naive bounds and attaches the zones from `timezones`.
        min_value=datetime(2024, 1, 1),  # noqa: DTZ001 - naive bound required by st.datetimes
        max_value=datetime(2030, 12, 31),  # noqa: DTZ001 - naive bound required by st.datetimes
        timezones=st.just(UTC),
    ),
)
def test_next_routine_fire_properties(
    zone: str, weekdays: set[int], start_time: time, offset: int, after: datetime
) -> None:
    tz = ZoneInfo(zone)
    result = next_routine_fire(
        tz=tz, weekdays=weekdays, start_time=start_time, offset_minutes=offset, after=after
    )
    assert result is not None
    fire, occ = result
    assert fire.tzinfo is UTC
    assert fire > after
    assert fire - after <= timedelta(days=9)
    assert occ.isoweekday() in weekdays

    start = (fire + timedelta(minutes=offset)).astimezone(tz)
    assert start.fold == 0  # never the second occurrence of an ambiguous time
    if _in_gap(occ, start_time, tz):
        # The first instant after the gap: later wall time on the same day,
        # and one second earlier the wall clock was before the requested time.
        assert start.date() == occ
        assert start.time() > start_time
        before = (start - timedelta(seconds=1)).astimezone(tz).replace(tzinfo=None)
        assert before < datetime.combine(occ, start_time)
    else:
        assert start.date() == occ
        assert start.time().replace(tzinfo=None) == start_time

    # Minimality: every earlier routine day's reminder fired at or before `after`.
    for back in range(1, 10):
        day = occ - timedelta(days=back)
        if day.isoweekday() in weekdays:
            assert resolve_local(day, start_time, tz) - timedelta(minutes=offset) <= after
