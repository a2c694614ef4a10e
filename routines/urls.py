"""Routes of the routines app, all under ``families/{family_id}/``."""

from datetime import date

from django.urls import path, register_converter

from core.api import date_in_bounds
from core.ids import Router  # also registers <id:…>

from . import views, views_runs


class IsoDateConverter:
    """``YYYY-MM-DD`` in a path; an impossible date (2026-02-30), or one years away from
    today (``core.api.date_in_bounds``), is simply not found."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        day = date.fromisoformat(value)  # ValueError → no match → 404
        if not date_in_bounds(day):
            raise ValueError("day out of range")
        return day

    def to_url(self, value: date | str) -> str:
        return value.isoformat() if isinstance(value, date) else value


register_converter(IsoDateConverter, "isodate")

urlpatterns: list = []

router = Router()
router.register("routines", views.RoutineViewSet, basename="routine")

family_urlpatterns = [
    *router.urls,
    path("today/", views_runs.TodayView.as_view(), name="routine-today"),
    path(
        "runs/<id:run>/steps/<id:step>/completion/",
        views_runs.RunStepCompletionView.as_view(),
        name="run-step-completion",
    ),
    path(
        "routines/<id:routine>/children/<id:child>/days/<isodate:date>/steps/<id:step>/completion/",
        views_runs.DayStepCompletionView.as_view(),
        name="day-step-completion",
    ),
]
