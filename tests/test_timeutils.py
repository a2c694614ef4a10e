"""Family-local dates around midnight UTC and across DST."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from core.timeutils import family_day_bounds, family_local_date, family_today, family_wall_clock

from .support.factories import FamilyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("zone", "instant", "expected"),
    [
        # 23:30 UTC on 1 June is already 2 June in Auckland (UTC+12)...
        ("Pacific/Auckland", datetime(2026, 6, 1, 23, 30, tzinfo=UTC), date(2026, 6, 2)),
        # ...and still 1 June in Los Angeles (UTC-7).
        ("America/Los_Angeles", datetime(2026, 6, 1, 23, 30, tzinfo=UTC), date(2026, 6, 1)),
        ("America/Los_Angeles", datetime(2026, 6, 2, 6, 59, tzinfo=UTC), date(2026, 6, 1)),
        ("America/Los_Angeles", datetime(2026, 6, 2, 7, 0, tzinfo=UTC), date(2026, 6, 2)),
        ("Pacific/Auckland", datetime(2026, 6, 1, 11, 59, tzinfo=UTC), date(2026, 6, 1)),
        ("Pacific/Auckland", datetime(2026, 6, 1, 12, 0, tzinfo=UTC), date(2026, 6, 2)),
    ],
)
def test_family_local_date_around_midnight_utc(zone, instant, expected):
    assert family_local_date(FamilyFactory(timezone=zone), instant) == expected


def test_family_today_follows_the_family_not_the_server():
    auckland = FamilyFactory(timezone="Pacific/Auckland")
    la = FamilyFactory(timezone="America/Los_Angeles")
    with time_machine.travel(datetime(2026, 6, 1, 23, 30, tzinfo=UTC), tick=False):
        assert family_today(auckland) == date(2026, 6, 2)
        assert family_today(la) == date(2026, 6, 1)


def test_day_bounds_are_23_and_25_hours_across_dst():
    la = FamilyFactory(timezone="America/Los_Angeles")
    start, end = family_day_bounds(la, date(2026, 3, 8))  # spring forward
    assert end - start == timedelta(hours=23)
    assert start == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)
    start, end = family_day_bounds(la, date(2026, 11, 1))  # fall back
    assert end - start == timedelta(hours=25)


def test_day_bounds_when_midnight_does_not_exist():
    # Santiago springs forward at 24:00 → 01:00 (2026-09-06 has no 00:00).
    chile = FamilyFactory(timezone="America/Santiago")
    start, _ = family_day_bounds(chile, date(2026, 9, 6))
    assert family_local_date(chile, start) == date(2026, 9, 6)
    assert family_local_date(chile, start - timedelta(seconds=1)) == date(2026, 9, 5)


@pytest.mark.parametrize(
    ("day", "at", "expected"),
    [
        (date(2026, 3, 28), time(7, 30), datetime(2026, 3, 28, 6, 30, tzinfo=UTC)),  # UTC+1
        (date(2026, 3, 30), time(7, 30), datetime(2026, 3, 30, 5, 30, tzinfo=UTC)),  # UTC+2
        # 02:30 does not exist on 29 March in Madrid: it lands half an hour after the gap.
        (date(2026, 3, 29), time(2, 30), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        # 02:30 happens twice on 25 October: the first time (still UTC+2).
        (date(2026, 10, 25), time(2, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    ],
)
def test_a_wall_clock_time_is_the_family_local_instant(day, at, expected):
    family = FamilyFactory.build(timezone="Europe/Madrid")
    assert family_wall_clock(family, day, at) == expected
