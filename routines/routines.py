"""Editing routines: creating and updating a routine with its children and ordered steps,
re-deriving today's completion after the steps changed, and deleting it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api import validation_error
from core.timeutils import family_today
from families.media import release
from families.models import Child, Family

from .board import board_changed
from .models import Routine, RoutineRun, RoutineStep

# Positions are rewritten in two passes: first out of the way (above this), then into
# place, so the (routine, position) unique constraint holds after every single UPDATE.
_POSITION_PARKING = 10_000


@transaction.atomic
def save_routine(
    *,
    family: Family,
    fields: dict[str, Any],
    children: Sequence[Child] | None = None,
    steps: Sequence[dict[str, Any]] | None = None,
    routine: Routine | None = None,
) -> Routine:
    """Create (``routine=None``) or update a routine with its children and ordered steps.

    ``steps`` is the complete new list in order: items with an ``id`` keep that step
    (renamed/moved as given, so its completions survive), items without one are new,
    and steps left out are removed (ids are ignored when creating). ``None`` leaves
    steps (or children) unchanged.
    """
    if any(child.family_id != family.pk for child in children or ()):
        raise validation_error("children", _("Choose children from this family."))
    created = routine is None
    if (created and not children) or (children is not None and not children):
        # A routine for nobody would show on no Today board and remind nobody.
        raise validation_error("children", _("Choose at least one child for this routine."))
    if routine is None:
        if not steps:
            raise validation_error("steps", _("Add at least one step."))
        routine = Routine(family=family)
    for name, value in fields.items():
        setattr(routine, name, value)
    routine.save()
    if children is not None:
        routine.children.set(children)
    if steps is not None:
        _write_steps(routine, steps, created=created)
        refresh_completion(routine)
    return routine


def _write_steps(routine: Routine, steps: Sequence[dict[str, Any]], *, created: bool) -> None:
    existing = {} if created else {s.pk: s for s in routine.steps.all()}
    seen: set[int] = set()
    for index, item in enumerate(steps):
        step_id = None if created else item.get("id")
        if step_id is None:
            continue
        if step_id not in existing:
            raise validation_error(f"steps.{index}.id", _("This step is not part of this routine."))
        if step_id in seen:
            raise validation_error(f"steps.{index}.id", _("This step is listed twice."))
        seen.add(step_id)

    removed = [pk for pk in existing if pk not in seen]
    if removed:
        RoutineStep.objects.filter(pk__in=removed).delete()
    if seen:
        RoutineStep.objects.filter(pk__in=seen).update(position=F("position") + _POSITION_PARKING)

    kept: list[RoutineStep] = []
    new: list[RoutineStep] = []
    replaced: list[int] = []  # media a kept step no longer shows
    for position, item in enumerate(steps):
        values = {
            "title": item["title"],
            "icon": item.get("icon", ""),
            "duration_minutes": item.get("duration_minutes"),
        }
        step_id = None if created else item.get("id")
        if step_id is None:
            media = {"photo": item.get("photo"), "voice": item.get("voice")}
            new.append(RoutineStep(routine=routine, position=position, **values, **media))
        else:
            step = existing[step_id]
            replaced += _media_changes(step, item, values)
            step.position = position
            for name, value in values.items():
                setattr(step, name, value)
            kept.append(step)
    if kept:
        RoutineStep.objects.bulk_update(
            kept,
            ["position", "title", "icon", "duration_minutes", "photo", "voice"],
            batch_size=100,
        )
    if new:
        RoutineStep.objects.bulk_create(new)
    release(replaced)
    board_changed(pk=routine.family_id)  # bulk writes send no signals


def _media_changes(step: RoutineStep, item: dict[str, Any], values: dict[str, Any]) -> list[int]:
    """Put the item's ``photo`` and ``voice`` in ``values`` (a kept step sent without
    them keeps its own) and answer the ids of the media the step no longer shows."""
    replaced = []
    for name in ("photo", "voice"):
        if name in item:
            old = getattr(step, f"{name}_id")
            if old is not None and old != getattr(item[name], "pk", None):
                replaced.append(old)
            values[name] = item[name]
    return replaced


def refresh_completion(routine: Routine) -> None:
    """Re-derive ``completed_at`` of the routine's runs from today on after steps changed.

    A run is complete when every current step is done. Past days keep what they were:
    adding a step today does not rewrite last week's history.
    """
    since = family_today(routine.family)
    total = RoutineStep.objects.filter(routine=routine).count()  # not a stale prefetch
    runs = list(
        RoutineRun.objects.filter(routine=routine, date__gte=since)
        .annotate(done=Count("completions"))
        .values_list("pk", "done", "completed_at")
    )
    # A routine without steps has no complete runs (nothing was done).
    reopen = [pk for pk, done, at in runs if at is not None and (not total or done < total)]
    close = [pk for pk, done, at in runs if at is None and total and done >= total]
    if reopen:
        RoutineRun.objects.filter(pk__in=reopen).update(completed_at=None)
    if close:
        now = timezone.now()
        RoutineRun.objects.filter(pk__in=close).update(
            completed_at=now, started_at=Coalesce("started_at", now)
        )
    if reopen or close:
        board_changed(pk=routine.family_id)  # QuerySet.update() sends no signals


def delete_routine(routine: Routine) -> None:
    """Delete a routine with its steps, runs and completions."""
    routine.delete()
