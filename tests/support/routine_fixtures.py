"""Fixtures for routine tests: fixed clocks in Madrid, a routine and a routine's body."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

from routines.models import Routine

from .factories import RoutineFactory

DAY = "2026-06-01"  # a Monday
NOON = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # 12:00 in Madrid
EVENING = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)  # Wednesday 10 June, 18:00 in Madrid


def bedtime(child, **overrides) -> dict:
    """A daily four-step bedtime routine for ``child`` as the API takes it."""
    body = {
        "name": "Bedtime",
        "icon": "🌙",
        "children": [child.pk],
        "days_of_week": [1, 2, 3, 4, 5, 6, 7],
        "start_time": "19:30",
        "reminder_offsets": [10, 0],
        "steps": [
            {"title": "Bath", "icon": "🛁", "duration_minutes": 15},
            {"title": "Pyjamas", "icon": "👕"},
            {"title": "Teeth", "icon": "🪥", "duration_minutes": 3},
            {"title": "Story", "icon": "📖", "duration_minutes": 10},
        ],
    }
    return {**body, **overrides}


@pytest.fixture
def monday_noon() -> Iterator[None]:
    """The clock stands at ``NOON`` (use with ``pytest.mark.usefixtures``)."""
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def wednesday_evening() -> Iterator[None]:
    """The clock stands at ``EVENING`` (use with ``pytest.mark.usefixtures``)."""
    with time_machine.travel(EVENING, tick=False):
        yield


@pytest.fixture
def routine(family, child) -> Routine:
    """A daily three-step routine for ``child``."""
    return RoutineFactory(family=family, children=[child], steps=3)
