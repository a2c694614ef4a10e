"""Routes of the routines app, all under ``families/{family_id}/``."""

from datetime import date

from django.urls import path, register_converter
from rest_framework.routers import SimpleRouter

from . import views, views_runs


class IsoDateConverter:
    """``YYYY-MM-DD`` in a path; an impossible date (2026-02-30) is simply not found."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)  # ValueError → no match → 404

    def to_url(self, value: date | str) -> str:
        return value.isoformat() if isinstance(value, date) else value


register_converter(IsoDateConverter, "isodate")

urlpatterns: list = []

router = SimpleRouter()
router.register("routines", views.RoutineViewSet, basename="routine")

family_urlpatterns = [
    *router.urls,
    path("today/", views_runs.TodayView.as_view(), name="routine-today"),
    path(
        "runs/<int:run>/steps/<int:step>/completion/",
        views_runs.RunStepCompletionView.as_view(),
        name="run-step-completion",
    ),
    path(
        "routines/<int:routine>/children/<int:child>/days/<isodate:date>/steps/<int:step>/completion/",
        views_runs.DayStepCompletionView.as_view(),
        name="day-step-completion",
    ),
]
