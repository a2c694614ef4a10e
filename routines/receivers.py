"""Keep the Today board cache honest: bump the family's ``board_version`` on every write
that changes what a board shows, in the writing transaction (see ``routines/board.py``).

Saves and deletions of routines, children and days away, saves of steps, runs and completions, and
changes to who a routine is for arrive here. Steps, runs and completions get no deletion
receiver on purpose: one would stop Django from deleting a routine's year of history in
bulk; their deletions and the bulk writes that bypass signals happen only in
``routines/routines.py``, ``routines/runs.py`` and ``routines/admin.py``, which call
``board_changed`` themselves. A step's deletion releases its photo and voice
(``families.media.release``): a routine has few steps, and their completions are still
deleted in bulk.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from families.media import release
from families.models import Child, ChildAway

from .board import board_changed
from .models import Routine, RoutineRun, RoutineStep, StepCompletion


@receiver(post_save, sender=Routine)
@receiver(post_delete, sender=Routine)
@receiver(post_save, sender=Child)
@receiver(post_delete, sender=Child)
def routine_or_child_changed(sender: type, instance: Routine | Child, **kwargs: Any) -> None:
    board_changed(pk=instance.family_id)


@receiver(post_save, sender=RoutineStep)
@receiver(post_save, sender=RoutineRun)
def step_or_run_saved(sender: type, instance: RoutineStep | RoutineRun, **kwargs: Any) -> None:
    board_changed(routines=instance.routine_id)


@receiver(post_delete, sender=RoutineStep)
def step_deleted(sender: type, instance: RoutineStep, **kwargs: Any) -> None:
    release([instance.photo_id, instance.voice_id])


@receiver(post_save, sender=StepCompletion)
def completion_saved(sender: type, instance: StepCompletion, **kwargs: Any) -> None:
    board_changed(routines__runs=instance.run_id)


@receiver(post_save, sender=ChildAway)
@receiver(post_delete, sender=ChildAway)
def away_changed(sender: type, instance: ChildAway, **kwargs: Any) -> None:
    # A child away has no routines on Today those days.
    board_changed(children=instance.child_id)


@receiver(m2m_changed, sender=Routine.children.through)
def routine_children_changed(
    sender: type, instance: Routine | Child, action: str, **kwargs: Any
) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        board_changed(pk=instance.family_id)
