"""Celery task: hand over what sitters still had when their passes ended."""

from __future__ import annotations

from celery import shared_task

from . import handover


@shared_task(name="care.close_ended_passes", ignore_result=True)
def close_ended_passes() -> None:
    """Every minute from beat: a pass that ended leaves its children's summary with the
    owners, even when the sitter wrote nothing."""
    handover.close_ended_passes()
