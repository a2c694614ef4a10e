"""Fixtures for routine tests: fixed clocks in Madrid and a routine."""

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
