"""The routines app's part of the family import: routines with their steps, runs with their
step completions (registered in ``RoutinesConfig.ready()``; see ``families.imports``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.contributions import ImportSection
from families.imports import (
    BATCH,
    ImportContext,
    choice,
    day,
    fail,
    instant,
    integer,
    list_of,
    mapped_user,
    media_reference,
    reference,
    text,
    unique_id,
)
from families.models import MediaKind

from .models import MAX_STEP_MINUTES, MAX_STEPS, Routine, RoutineRun, RoutineStep, StepCompletion
from .validation import clean_days_of_week, clean_reminder_offsets

ROUTINE_FIELDS = (
    "name",
    "icon",
    "days_of_week",
    "start_time",
    "finish_by",
    "reminder_offsets",
    "is_active",
)


def _wall_clock(row: dict[str, Any], where: str, key: str = "start_time") -> str:
    value = text(row, key, where, 8, blank=False)
    hours, _colon, minutes = value.partition(":")
    if not (
        hours.isdigit() and minutes[:2].isdigit() and int(hours) < 24 and int(minutes[:2]) < 60
    ):
        fail(f"{where}.{key}", _("Must be a time of day (HH:MM)."))
    return f"{int(hours):02d}:{int(minutes[:2]):02d}"


def _check_routines(rows: list[Any], refs: dict[str, set[Any]]) -> list[dict[str, Any]]:
    seen: set[Any] = set()
    steps_seen: set[Any] = set()
    step_routine: dict[int, int] = {}
    out = []
    for index, row in enumerate(rows):
        where = f"routines.{index}"
        routine_id = unique_id(row, where, seen, integer)
        try:
            days = clean_days_of_week(list_of(row, "days_of_week", where, int, 7))
            offsets = clean_reminder_offsets(list_of(row, "reminder_offsets", where, int, 10))
        except ValidationError as error:
            fail(f"{where}.{next(iter(error.message_dict))}", error.messages[0])
        children = list_of(row, "children", where, int)
        for n, child in enumerate(children):
            reference(
                {"c": child}, "c", f"{where}.children.{n}", refs.get("children", set()), "child"
            )
        steps_in = row.get("steps", [])
        if not isinstance(steps_in, list) or len(steps_in) > MAX_STEPS:
            fail(
                f"{where}.steps",
                _("Must be a list of at most %(MAX_STEPS)s steps.") % {"MAX_STEPS": MAX_STEPS},
            )
        steps = []
        for n, step in enumerate(steps_in):
            swhere = f"{where}.steps.{n}"
            if not isinstance(step, dict):
                fail(swhere, _("Must be an object."))
            minutes = integer(step, "duration_minutes", swhere, null=True)
            if minutes is not None and not 1 <= minutes <= MAX_STEP_MINUTES:
                fail(
                    f"{swhere}.duration_minutes",
                    _("Must be 1 to %(MAX_STEP_MINUTES)s.")
                    % {"MAX_STEP_MINUTES": MAX_STEP_MINUTES},
                )
            step_id = unique_id(step, swhere, steps_seen, integer)
            step_routine[step_id] = routine_id
            steps.append(
                {
                    "id": step_id,
                    "title": text(step, "title", swhere, 80, blank=False),
                    "icon": text(step, "icon", swhere, 16),
                    "duration_minutes": minutes,
                    "photo": media_reference(step, "photo", swhere, refs, MediaKind.IMAGE),
                    "voice": media_reference(step, "voice", swhere, refs, MediaKind.AUDIO),
                }
            )
        out.append(
            {
                "id": routine_id,
                "name": text(row, "name", where, 80, blank=False),
                "icon": text(row, "icon", where, 16),
                "days_of_week": days,
                "start_time": _wall_clock(row, where),
                # Exports made before routines had a finish time have none.
                "finish_by": (
                    None if row.get("finish_by") is None else _wall_clock(row, where, "finish_by")
                ),
                "reminder_offsets": offsets,
                "is_active": choice(row, "is_active", where, [True, False]),
                "created_at": instant(row, "created_at", where),
                "updated_at": instant(row, "updated_at", where),
                "children": children,
                "steps": steps,
            }
        )
    refs["routines"] = seen
    refs["steps"] = steps_seen
    refs["_step_routine"] = {(s, r) for s, r in step_routine.items()}
    return out


def _load_routines(rows: list[dict[str, Any]], context: ImportContext) -> int:
    """Routines are saved one by one (a family has a handful), so the reminders app's
    receivers schedule their reminders as for any new routine; steps in bulk."""
    ids, step_ids = context.map("routines"), context.map("steps")
    children, media = context.map("children"), context.map("media")
    steps: list[tuple[int, RoutineStep]] = []
    routines: list[tuple[dict[str, Any], Routine]] = []
    for row in rows:
        routine = Routine(
            family=context.family,
            created_at=row["created_at"],
            **{name: row[name] for name in ROUTINE_FIELDS},
        )
        routine.save()
        routine.children.set([children[c] for c in row["children"]])
        ids[row["id"]] = routine.pk
        routines.append((row, routine))
        for position, step in enumerate(row["steps"]):
            steps.append(
                (
                    step["id"],
                    RoutineStep(
                        routine=routine,
                        position=position,
                        title=step["title"],
                        icon=step["icon"],
                        duration_minutes=step["duration_minutes"],
                        photo_id=media.get(step["photo"]),
                        voice_id=media.get(step["voice"]),
                    ),
                )
            )
    made = RoutineStep.objects.bulk_create([s for _, s in steps], batch_size=BATCH)
    step_ids.update({old: new.pk for (old, _), new in zip(steps, made, strict=True)})
    for row, routine in routines:
        routine.updated_at = row["updated_at"]  # auto_now wrote the import's instant
    Routine.objects.bulk_update([r for _, r in routines], ["updated_at"])
    return len(rows)


def _check_runs(rows: list[Any], refs: dict[str, set[Any]]) -> list[dict[str, Any]]:
    seen: set[Any] = set()
    once: set[tuple[Any, Any, Any]] = set()
    routines, children = refs.get("routines", set()), refs.get("children", set())
    step_routine = refs.get("_step_routine", set())
    out = []
    for index, row in enumerate(rows):
        where = f"runs.{index}"
        run_id = unique_id(row, where, seen, integer)
        routine = reference(row, "routine", where, routines, "routine", null=False)
        child = reference(row, "child", where, children, "child", null=False)
        run_day = day(row, "date", where)
        if (routine, child, run_day) in once:
            fail(f"{where}.date", _("A second run of this routine for this child on this day."))
        once.add((routine, child, run_day))
        started = instant(row, "started_at", where, null=True)
        completed = instant(row, "completed_at", where, null=True)
        if completed is not None and started is None:
            fail(f"{where}.started_at", _("A completed run must have started."))
        completions_in = row.get("completions", [])
        if not isinstance(completions_in, list):
            fail(f"{where}.completions", _("Must be a list."))
        completions = []
        steps_done: set[Any] = set()
        for n, done in enumerate(completions_in):
            cwhere = f"{where}.completions.{n}"
            if not isinstance(done, dict):
                fail(cwhere, _("Must be an object."))
            step = done.get("step")
            if (step, routine) not in step_routine:
                fail(
                    f"{cwhere}.step",
                    _("No step %(step)r of routine %(routine)r in this file.")
                    % {"step": step, "routine": routine},
                )
            if step in steps_done:
                fail(f"{cwhere}.step", _("This step is ticked twice in the run."))
            steps_done.add(step)
            completions.append(
                {
                    "step": step,
                    "completed_by": integer(done, "completed_by", cwhere, null=True),
                    "completed_at": instant(done, "completed_at", cwhere),
                }
            )
        out.append(
            {
                "id": run_id,
                "routine": routine,
                "child": child,
                "date": run_day,
                "started_at": started,
                "completed_at": completed,
                "completions": completions,
            }
        )
    refs["runs"] = seen
    return out


def _load_runs(rows: list[dict[str, Any]], context: ImportContext) -> int:
    routines, children, steps = (
        context.map("routines"),
        context.map("children"),
        context.map("steps"),
    )
    runs = RoutineRun.objects.bulk_create(
        [
            RoutineRun(
                routine_id=routines[row["routine"]],
                child_id=children[row["child"]],
                date=row["date"],
                started_at=row["started_at"],
                completed_at=row["completed_at"],
            )
            for row in rows
        ],
        batch_size=BATCH,
    )
    context.map("runs").update({row["id"]: run.pk for row, run in zip(rows, runs, strict=True)})
    StepCompletion.objects.bulk_create(
        (
            StepCompletion(
                run_id=run.pk,
                step_id=steps[done["step"]],
                completed_by_id=mapped_user(context, done["completed_by"]),
                completed_at=done["completed_at"],
            )
            for row, run in zip(rows, runs, strict=True)
            for done in row["completions"]
        ),
        batch_size=BATCH,
    )
    return len(runs)


IMPORT_SECTIONS = (
    ImportSection("routines", 30, _check_routines, _load_routines),
    ImportSection("runs", 40, _check_runs, _load_runs),
)
