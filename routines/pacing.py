"""Pacing: how long each remaining step of a routine may take so it ends by ``finish_by``.

The rule (Brili's idea, never a "you are late"):

* A step plans its own duration (``duration_minutes``; ``DEFAULT_STEP_MINUTES`` when it
  has none).
* Without a ``finish_by``, or when the open steps fit in the time left, they keep it.
* When they do not fit, each open step gets the same share of the time left as it has
  of their total (proportional scaling), never less than ``MIN_STEP_SECONDS``.
* A ``finish_by`` at or before the routine's start time is on the next day.
* When the finish time has already passed (or too little is left for the minimum), each
  open step gets the minimum: the child still sees a calm bar for every step, and the
  routine ends as soon as it reasonably can. Nothing says "late".

"Time left" is measured from the moment the current step began (the latest tick or the
run's start; before the run starts, the routine's start time), not from the reading: a
board then stays the same between two writes (and cacheable), and every tick re-plans
what remains. Times are family-local and DST-correct through ``core.timeutils``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from core.timeutils import Family, family_wall_clock

DEFAULT_STEP_MINUTES = 2
MIN_STEP_SECONDS = 60


def own_seconds(duration_minutes: int | None) -> int:
    """A step's own planned length in seconds."""
    return (duration_minutes or DEFAULT_STEP_MINUTES) * 60


def scale_to_fit(open_seconds: Sequence[int], left_seconds: float | None) -> list[int]:
    """The planned seconds of the open steps (own lengths ``open_seconds``, in order)
    when ``left_seconds`` remain until the finish time (None: no finish time)."""
    own = list(open_seconds)
    total = sum(own)
    if left_seconds is None or total <= left_seconds:
        return own
    if left_seconds <= MIN_STEP_SECONDS * len(own):
        return [min(MIN_STEP_SECONDS, s) for s in own]
    share = left_seconds / total
    return [max(min(MIN_STEP_SECONDS, s), int(s * share)) for s in own]


def finish_left(
    family: Family,
    day: date,
    finish_by: time | None,
    since: datetime | None,
    start_time: time,
) -> float | None:
    """Seconds from when the current step began (``since``; the routine's start on
    ``day`` when the run has not begun) to ``finish_by`` on ``day``; None without one."""
    if finish_by is None:
        return None
    anchor = since or family_wall_clock(family, day, start_time)
    # A finish time at or before the start is on the next day (a bedtime past midnight).
    finish_day = day + timedelta(days=1) if finish_by <= start_time else day
    return (family_wall_clock(family, finish_day, finish_by) - anchor).total_seconds()


def planned_seconds(
    steps: Sequence[tuple[int | None, bool]], left_seconds: float | None
) -> list[int]:
    """Planned seconds of every step (``(duration_minutes, done)`` in order): done steps
    keep their own length, open steps are scaled to fit ``left_seconds``."""
    open_plan = iter(scale_to_fit([own_seconds(m) for m, done in steps if not done], left_seconds))
    return [own_seconds(m) if done else next(open_plan) for m, done in steps]
