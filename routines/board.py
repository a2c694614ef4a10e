"""The Today board: each child's routines on a family-local date with now/next steps.

It is the PWA's most requested endpoint, so it is built from value rows (no model
instances, no prefetch machinery) in a fixed number of queries however many routines,
children or steps there are, and ``board_data`` writes the answer directly in the shape
``serializers_runs.BoardSerializer`` documents (a test holds the two to the same output).

``board_json`` keeps the rendered answer in the ``boards`` cache, keyed by the family's
``board_version``. Every write that changes what a board shows gives that version a new
value in its own transaction (``board_changed``; ``routines/receivers.py`` calls
it for model saves and deletions), so a board is never served stale: a caregiver sees
the other's tick on their next request. The version arrives with the caller's membership, so a
cached board costs no query of its own.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from django.core.cache import caches
from rest_framework.renderers import JSONRenderer

from families.away import away_days
from families.media import media_url
from families.models import Child, Family, new_board_version

from . import pacing
from .models import Routine, RoutineRun, RoutineStep, is_scheduled


def board_changed(**family_lookup: object) -> None:
    """Mark the Today board of the matching family as changed, e.g. ``board_changed(
    pk=family_id)`` or ``board_changed(routines=routine_id)``.

    Call it in the transaction that writes the change (after the write): a reader that
    sees the new version then also sees the new rows.
    """
    Family.objects.filter(**family_lookup).update(board_version=new_board_version())


@dataclass(frozen=True, slots=True)
class BoardStep:
    id: int
    title: str
    icon: str
    duration_minutes: int | None
    done: bool
    # How long the step is planned to take, scaled to the routine's finish_by (pacing.py).
    planned_seconds: int
    photo_url: str | None = None
    photo_thumbnail_url: str | None = None
    voice_url: str | None = None


@dataclass(frozen=True, slots=True)
class RoutineInfo:
    id: int
    name: str
    icon: str
    start_time: time
    days_of_week: list[int]
    is_active: bool
    finish_by: time | None


@dataclass(frozen=True, slots=True)
class ChildInfo:
    id: int
    name: str
    avatar: str
    colour: str
    photo_url: str | None = None
    photo_thumbnail_url: str | None = None


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    started_at: datetime | None
    completed_at: datetime | None


@dataclass(frozen=True)
class BoardRoutine:
    """A routine for one child on one day: progress and the now/next steps."""

    routine: RoutineInfo
    run: RunInfo | None
    steps: list[BoardStep]
    done: int
    total: int
    complete: bool
    now_step: BoardStep | None
    next_step: BoardStep | None
    # When the current step began: the latest tick, or the run's start (for a timer).
    now_since: datetime | None


@dataclass(frozen=True, slots=True)
class AwayInfo:
    """The child is away that day: the last day of the range and its note."""

    until: date
    note: str


@dataclass(frozen=True)
class BoardChild:
    child: ChildInfo
    routines: list[BoardRoutine]
    away: AwayInfo | None = None


@dataclass(frozen=True)
class Board:
    date: date
    children: list[BoardChild]


def _board_routine(
    family: Family,
    day: date,
    routine: RoutineInfo,
    steps: list[tuple[int, str, str, int | None, str | None, str | None, str | None]],
    run: RunInfo | None,
    completions: dict[int, datetime],
) -> BoardRoutine:
    since = [t for t in (*completions.values(), run.started_at if run else None) if t]
    began = max(since) if since else None
    left = pacing.finish_left(family, day, routine.finish_by, began, routine.start_time)
    plan = pacing.planned_seconds([(m, pk in completions) for pk, _, _, m, *_ in steps], left)
    board_steps = [
        BoardStep(
            id=pk,
            title=title,
            icon=icon,
            duration_minutes=minutes,
            done=pk in completions,
            planned_seconds=planned,
            photo_url=photo,
            photo_thumbnail_url=thumbnail,
            voice_url=voice,
        )
        for (pk, title, icon, minutes, photo, thumbnail, voice), planned in zip(
            steps, plan, strict=True
        )
    ]
    open_steps = [s for s in board_steps if not s.done]
    return BoardRoutine(
        routine=routine,
        run=run,
        steps=board_steps,
        done=len(board_steps) - len(open_steps),
        total=len(board_steps),
        complete=bool(board_steps) and not open_steps,
        now_step=open_steps[0] if open_steps else None,
        next_step=open_steps[1] if len(open_steps) > 1 else None,
        now_since=began if open_steps else None,
    )


def today_board(family: Family, day: date, child_ids: frozenset[int] | None = None) -> Board:
    """Every child of ``family`` with the routines they have on ``day``, in time order.

    A child has a routine that day when it is active, scheduled on that weekday and for
    that child, or when a run of it exists for them that day (done anyway, or the
    schedule changed since). A child away that day has none, only ``away``. Five
    queries, whatever the size of the family's history.
    """
    routines: dict[int, RoutineInfo] = {}
    planned_for: set[tuple[int, int]] = set()
    # One row per (routine, child it is for); a routine for no child comes once, child None.
    for *row, child_id in (
        Routine.objects.filter(family=family)
        .order_by()
        .values_list(
            "id",
            "name",
            "icon",
            "start_time",
            "days_of_week",
            "is_active",
            "finish_by",
            "children",
        )
    ):
        routines.setdefault(row[0], RoutineInfo(*row))
        if child_id is not None:
            planned_for.add((row[0], child_id))
    steps: dict[int, list] = defaultdict(list)
    for routine_id, *step, photo_id, photo, thumbnail, voice_id, voice in (
        RoutineStep.objects.filter(routine__family=family)
        .order_by("routine_id", "position")
        .values_list(
            "routine_id",
            "id",
            "title",
            "icon",
            "duration_minutes",
            "photo_id",
            "photo__file",
            "photo__thumbnail",
            "voice_id",
            "voice__file",
        )
    ):
        steps[routine_id].append(
            (
                *step,
                photo and media_url(family.pk, photo_id, photo),
                thumbnail and media_url(family.pk, photo_id, thumbnail),
                voice and media_url(family.pk, voice_id, voice),
            )
        )
    children = [
        ChildInfo(
            pk,
            name,
            avatar,
            colour,
            photo_url=photo and media_url(family.pk, photo_id, photo),
            photo_thumbnail_url=thumbnail and media_url(family.pk, photo_id, thumbnail),
        )
        for pk, name, avatar, colour, photo_id, photo, thumbnail in Child.objects.filter(
            family=family
        ).values_list(
            "id", "name", "avatar", "colour", "photo_id", "photo__file", "photo__thumbnail"
        )
        if child_ids is None or pk in child_ids
    ]
    # The day's runs, each with its completions (one row per completion, or one row of
    # nulls): the (child, date) index finds them directly.
    runs: dict[tuple[int, int], RunInfo] = {}
    completions: dict[int, dict[int, datetime]] = defaultdict(dict)
    for pk, routine_id, child_id, started, finished, step_id, completed_at in (
        RoutineRun.objects.filter(child_id__in=[c.id for c in children], date=day)
        .order_by()
        .values_list(
            "id",
            "routine_id",
            "child_id",
            "started_at",
            "completed_at",
            "completions__step_id",
            "completions__completed_at",
        )
    ):
        runs.setdefault((routine_id, child_id), RunInfo(pk, started, finished))
        if step_id is not None:
            completions[pk][step_id] = completed_at
    ordered = sorted(routines.values(), key=lambda r: (r.start_time, r.name, r.id))
    away = away_days([c.id for c in children], day, day)
    board_children = []
    for child in children:
        gone = away.on(child.id, day)
        if gone is not None:
            board_children.append(
                BoardChild(child=child, routines=[], away=AwayInfo(gone.ends_on, gone.note))
            )
            continue
        entries = []
        for routine in ordered:
            run = runs.get((routine.id, child.id))
            planned = (
                routine.is_active
                and is_scheduled(routine.days_of_week, day)
                and (routine.id, child.id) in planned_for
            )
            if planned or run is not None:
                done = completions.get(run.id, {}) if run else {}
                entries.append(_board_routine(family, day, routine, steps[routine.id], run, done))
        board_children.append(BoardChild(child=child, routines=entries))
    return Board(date=day, children=board_children)


# --- The answer, as BoardSerializer documents it -----------------------------------------


def _instant(value: datetime | None) -> str | None:
    """As DRF writes a datetime with ``USE_TZ`` and UTC: ISO 8601 ending in ``Z``."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _step(step: BoardStep | None) -> dict[str, Any] | None:
    if step is None:
        return None
    return {
        "id": step.id,
        "title": step.title,
        "icon": step.icon,
        "duration_minutes": step.duration_minutes,
        "done": step.done,
        "planned_seconds": step.planned_seconds,
        "photo_url": step.photo_url,
        "photo_thumbnail_url": step.photo_thumbnail_url,
        "voice_url": step.voice_url,
    }


def board_data(board: Board) -> dict[str, Any]:
    """``BoardSerializer(board).data``, written directly: a third of the cost per request."""
    return {
        "date": board.date.isoformat(),
        "children": [
            {
                "child": {
                    "id": entry.child.id,
                    "name": entry.child.name,
                    "avatar": entry.child.avatar,
                    "colour": entry.child.colour,
                    "photo_url": entry.child.photo_url,
                    "photo_thumbnail_url": entry.child.photo_thumbnail_url,
                },
                "away": entry.away
                and {"until": entry.away.until.isoformat(), "note": entry.away.note},
                "routines": [
                    {
                        "routine": {
                            "id": r.routine.id,
                            "name": r.routine.name,
                            "icon": r.routine.icon,
                            "start_time": r.routine.start_time.strftime("%H:%M"),
                            "finish_by": r.routine.finish_by
                            and r.routine.finish_by.strftime("%H:%M"),
                        },
                        "run": r.run
                        and {
                            "id": r.run.id,
                            "started_at": _instant(r.run.started_at),
                            "completed_at": _instant(r.run.completed_at),
                        },
                        "steps": [_step(s) for s in r.steps],
                        "done": r.done,
                        "total": r.total,
                        "complete": r.complete,
                        "now_step": _step(r.now_step),
                        "next_step": _step(r.next_step),
                        "now_since": _instant(r.now_since),
                    }
                    for r in entry.routines
                ],
            }
            for entry in board.children
        ],
    }


# --- The cached answer ------------------------------------------------------------------

BOARD_CACHE = "boards"


def board_json(
    family: Family, day: date, child_ids: frozenset[int] | None = None
) -> tuple[str, bytes]:
    """The Today board of ``family`` on ``day`` as ``(etag, json)``, built only when it
    changed. The ETag is a hash of the JSON, so a phone polling the board is answered
    ``304 Not Modified`` until something on it changes (and after a deploy that changes
    its shape)."""
    cache = caches[BOARD_CACHE]
    key = f"{family.pk}:{family.board_version}:{day.isoformat()}"
    if child_ids is not None:  # the board of some children only (a limited member's)
        key += ":" + ",".join(map(str, sorted(child_ids)))
    rendered = cache.get(key)
    if rendered is None:
        body = JSONRenderer().render(board_data(today_board(family, day, child_ids)))
        rendered = (f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"', body)
        cache.set(key, rendered)
    return rendered
