"""Routes of the calendars app: the feed at ``/api/v1/cal/{token}.ics`` and a member's
feeds under ``families/{family_id}/calendar-feeds/``."""

from django.urls import path

from core.ids import Router

from . import views

urlpatterns = [
    path("cal/<str:token>.ics", views.CalendarFileView.as_view(), name="calendar-file"),
]

family_router = Router()
family_router.register("calendar-feeds", views.CalendarFeedViewSet, basename="calendar-feed")
family_urlpatterns = [*family_router.urls]
