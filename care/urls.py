"""Routes of the care app, all under ``families/{family_id}/``."""

from django.urls import path

from core.ids import Router

from . import views

urlpatterns: list = []

family_router = Router()
family_router.register("handovers", views.HandoverViewSet, basename="handover")
family_urlpatterns = [
    *family_router.urls,
    path("duty/", views.DutyListView.as_view(), name="duty"),
    path("children/<id:child_id>/duty/", views.ChildDutyView.as_view(), name="child-duty"),
    path("children/<id:child_id>/log/", views.CareLogView.as_view(), name="child-log"),
]
