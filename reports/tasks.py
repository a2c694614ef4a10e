"""Celery tasks of the reports app: a few lines each around ``reports.services``."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="reports.render_report")
def render_report(report_id: int) -> None:
    services.run_report(report_id)
