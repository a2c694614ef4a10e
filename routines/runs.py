"""Daily runs of a routine and their step completions: starting a run, ticking and
un-ticking steps (also by routine, child and day, as an offline phone replays them)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import DateTimeField, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api import validation_error
from core.timeutils import family_today
from families.models import Child, Family, User

from .board import board_changed
from .models import Routine, RoutineRun, RoutineStep, StepCompletion

# A run may be recorded for tomorrow at most: a phone near midnight in another zone.
_FUTURE_SLACK = timedelta(days=1)


def check_run_date(family: Family, day: date) -> None:
    """A run's date may be any past day, today or tomorrow (family-local), not later."""
    if day > family_today(family) + _FUTURE_SLACK:
        raise validation_error("date", _("That day has not come yet."))


def start_run(
    *, routine: Routine, child: Child, day: date, start: bool = True
) -> tuple[RoutineRun, bool]:
    """The run of ``routine`` for ``child`` on ``day``, created if missing.

    Idempotent: a repeated call returns the same run (``created`` is then False).
    ``start`` stamps ``started_at`` if it is not set yet.
    """
    # children.all(): the view prefetched them, so this costs no query of its own.
    if child.family_id != routine.family_id or child not in routine.children.all():
        raise validation_error("child", _("This routine is not for that child."))
    check_run_date(routine.family, day)
    now = timezone.now()
    run, created = RoutineRun.objects.get_or_create(
        routine=routine, child=child, date=day, defaults={"started_at": now if start else None}
    )
    if start and run.started_at is None:
        run.started_at = now
        run.save(update_fields=["started_at"])
    return run, created


# --- ticking steps ---------------------------------------------------------------------
# A step tick is a quarter of a caregiver's taps, so it reads values, not model instances,
# in as few queries as the rules allow, sends no signal (the board is marked once) and
# answers from what it read.


@dataclass(slots=True)
class RunState:
    """A run as ``RunSerializer`` shows it (``run_answer`` writes the same JSON)."""

    id: int
    routine_id: int
    child_id: int
    date: date
    started_at: datetime | None
    completed_at: datetime | None
    step_count: int
    # (step id, completed by (user id), their name, when), oldest first
    completions: list[tuple[int, int | None, str, datetime]]


@dataclass(frozen=True, slots=True)
class DayTick:
    """What the URL of a tick by day names, checked in one query: the step of the
    routine of the family, the step count, whether the child is the family's and whether
    the routine is for that child; and, read with them, that day's run as it stands
    (None before the first tick), which answers a replay."""

    step_id: int
    step_count: int
    child_found: bool
    for_child: bool
    run: RunState | None = None


def _day_tick_sql() -> str:
    # Written out once: the ORM took longer to build this query than the database to run
    # it. The day's run and its completions come along (left joins), so a replay, most of
    # what a phone's outbox sends, costs this one statement.
    q = connection.ops.quote_name
    step, routine = q(RoutineStep._meta.db_table), q(Routine._meta.db_table)
    child, links = q(Child._meta.db_table), q(Routine.children.through._meta.db_table)
    run, done = q(RoutineRun._meta.db_table), q(StepCompletion._meta.db_table)
    user = q(User._meta.db_table)
    return (
        f"SELECT s.id, (SELECT COUNT(*) FROM {step} a WHERE a.routine_id = s.routine_id),"  # noqa: S608 (table names from the models, values bound)
        f" EXISTS(SELECT 1 FROM {child} c WHERE c.id = %s AND c.family_id = r.family_id),"
        f" EXISTS(SELECT 1 FROM {links} l WHERE l.routine_id = s.routine_id"
        f" AND l.child_id = %s),"
        f" u.id, u.started_at, u.completed_at,"
        f" d.step_id, d.completed_by_id, b.display_name, d.completed_at"
        f" FROM {step} s INNER JOIN {routine} r ON r.id = s.routine_id"
        f" LEFT JOIN {run} u ON u.routine_id = s.routine_id AND u.child_id = %s"
        f" AND u.date = %s"
        f" LEFT JOIN {done} d ON d.run_id = u.id"
        f" LEFT JOIN {user} b ON b.id = d.completed_by_id"
        f" WHERE s.id = %s AND s.routine_id = %s AND r.family_id = %s"
        f" ORDER BY d.completed_at, d.id"
    )


# The column type the day tick's datetimes are converted as (the ORM's own converters).
_DATETIME = Value(None, output_field=DateTimeField())


def _maybe_instant(value: object) -> datetime | None:
    # A raw cursor gets SQLite's datetimes as text: the backend converts them as it does
    # for the ORM (PostgreSQL's arrive as aware datetimes and need nothing).
    for convert in connection.ops.get_db_converters(_DATETIME):
        value = convert(value, _DATETIME, connection)
    assert value is None or isinstance(value, datetime)
    return value


def _instant(value: object) -> datetime:
    instant = _maybe_instant(value)
    assert instant is not None
    return instant


def find_day_tick(
    family: Family, *, routine_id: int, step_id: int, child_id: int, day: date
) -> DayTick | None:
    """The step ``step_id`` of the family's routine ``routine_id`` (None if there is none),
    with the child's run of ``day`` as it stands."""
    params = [child_id, child_id, child_id, connection.ops.adapt_datefield_value(day)]
    with connection.cursor() as cursor:
        cursor.execute(_day_tick_sql(), [*params, step_id, routine_id, family.pk])
        rows = cursor.fetchall()
    if not rows:
        return None
    first = rows[0]
    run = None
    if first[4] is not None:
        run = RunState(
            first[4],
            routine_id,
            child_id,
            day,
            _maybe_instant(first[5]),
            _maybe_instant(first[6]),
            step_count=first[1],
            completions=[
                (r[7], r[8], r[9] or "", _instant(r[10])) for r in rows if r[7] is not None
            ],
        )
    return DayTick(first[0], first[1], bool(first[2]), bool(first[3]), run)


def _read_run(step_count: int, *, lock: bool, **lookup: object) -> RunState | None:
    """The run matching ``lookup`` with its completions, in one query (one snapshot).

    ``lock``: locked, so two caregivers ticking the last two steps at once each see the
    other's tick when deciding whether the run is complete (PostgreSQL; SQLite serialises
    writers anyway). The completions' side of the join is not locked.
    """
    runs = RoutineRun.objects.filter(**lookup)
    if lock:
        runs = runs.select_for_update(of=("self",))
    rows = list(
        runs.order_by("completions__completed_at", "completions__id").values_list(
            "pk",
            "routine_id",
            "child_id",
            "date",
            "started_at",
            "completed_at",
            "completions__step_id",
            "completions__completed_by_id",
            "completions__completed_by__display_name",
            "completions__completed_at",
        )
    )
    if not rows:
        return None
    first = rows[0]
    return RunState(
        *first[:6],
        step_count=step_count,
        completions=[(r[6], r[7], r[8] or "", r[9]) for r in rows if r[6] is not None],
    )


def run_state(run: RoutineRun) -> RunState:
    """What ``RunSerializer`` shows of ``run``, in two queries."""
    state = _read_run(
        RoutineStep.objects.filter(routine_id=run.routine_id).count(), lock=False, pk=run.pk
    )
    assert state is not None
    return state


def _tick(state: RunState, step_id: int, done: bool, user: User | None, *, write: bool) -> bool:
    """Tick or un-tick a step in the run ``state`` (updated); whether anything changed.

    ``write=False`` only says whether it would change anything. ``bulk_create`` and
    ``update`` send no signal: the caller marks the board.
    """
    mine = next((c for c in state.completions if c[0] == step_id), None)
    now = timezone.now()
    changed = False
    if done and mine is None:
        # The run's lock keeps a concurrent tick of the same step waiting until this
        # commits, so it then finds this row instead of hitting the unique constraint.
        if write:
            by = StepCompletion(run_id=state.id, step_id=step_id, completed_by=user)
            by.completed_at = now
            StepCompletion.objects.bulk_create([by])
        state.completions.append(
            (step_id, user.pk if user else None, user.display_name if user else "", now)
        )
        changed = True
    elif not done and mine is not None:
        if write:
            StepCompletion.objects.filter(run_id=state.id, step_id=step_id).delete()
        state.completions.remove(mine)
        changed = True
    before = (state.started_at, state.completed_at)
    if done and state.started_at is None:
        state.started_at = now
    done_count = len(state.completions)
    if write and changed:
        # Counted again after the write, in a statement of its own: two ticks of
        # different steps may each have read the completions before the other's commit
        # (SQLite has no row lock; on PostgreSQL the locked read's join comes from the
        # snapshot taken before its lock was granted).
        done_count = StepCompletion.objects.filter(run_id=state.id).count()
    if state.step_count > 0 and done_count >= state.step_count:
        state.completed_at = state.completed_at or now
    else:
        state.completed_at = None
    if (state.started_at, state.completed_at) != before:
        if write:
            RoutineRun.objects.filter(pk=state.id).update(
                started_at=state.started_at, completed_at=state.completed_at
            )
        changed = True
    return changed


def _settled(state: RunState | None, step_id: int, done: bool) -> bool:
    # A replay, or a tap on a step already in that state: nothing to write, so no write
    # transaction (on SQLite, no wait for the write lock) and no row lock.
    if state is None:
        return False
    trial = dataclasses.replace(state, completions=list(state.completions))
    return not _tick(trial, step_id, done, None, write=False)


def set_step_done(*, run: RoutineRun, step: RoutineStep, done: bool, user: User | None) -> RunState:
    """Mark ``step`` done in ``run`` (``done``) or undo it. Repeating it changes nothing.

    The first completion starts the run; completing the last step completes it, undoing
    one makes it incomplete again.
    """
    if step.routine_id != run.routine_id:
        raise validation_error("step", _("This step belongs to another routine."))
    step_count = RoutineStep.objects.filter(routine_id=run.routine_id).count()
    state = _read_run(step_count, lock=False, pk=run.pk)
    if _settled(state, step.pk, done):
        assert state is not None
        return state
    with transaction.atomic():
        state = _read_run(step_count, lock=True, pk=run.pk)
        assert state is not None  # runs are deleted only with their routine or child
        if _tick(state, step.pk, done, user, write=True):
            board_changed(pk=run.routine.family_id)
    return state


def set_step_done_on_day(
    *,
    family: Family,
    routine_id: int,
    child_id: int,
    day: date,
    target: DayTick,
    done: bool,
    user: User | None,
) -> RunState:
    """Complete or undo a step addressed by routine, child and day (no run id needed);
    ``target`` is what :func:`find_day_tick` found for them.

    This is what an offline phone replays: it never knew the run's id, and the unique
    (routine, child, date) run and (run, step) completion make a replay change nothing:
    it is answered from one read, without a write transaction. A change is one
    transaction: the run and the tick are written together (and on SQLite the write lock
    is taken once).
    """
    if not target.for_child:
        raise validation_error("child", _("This routine is not for that child."))
    check_run_date(family, day)
    lookup = {"routine_id": routine_id, "child_id": child_id, "date": day}
    state = target.run  # read with the target, unlocked
    if _settled(state, target.step_id, done):
        assert state is not None
        return state
    with transaction.atomic():
        state = _read_run(target.step_count, lock=True, **lookup)
        created = state is None
        if state is None:
            # Without a signal (the board is marked below) or a savepoint: a run created
            # meanwhile by another request is kept, then locked and read.
            started = timezone.now() if done else None
            RoutineRun.objects.bulk_create(
                [RoutineRun(**lookup, started_at=started)], ignore_conflicts=True
            )
            state = _read_run(target.step_count, lock=True, **lookup)
            assert state is not None
        if _tick(state, target.step_id, done, user, write=True) or created:
            board_changed(pk=family.pk)
    return state
