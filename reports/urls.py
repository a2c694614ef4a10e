"""Routes of the reports app: under ``families/{family_id}/`` (reports, shares), the share
link's JSON and PDF under ``/api/v1/share/{token}/``, and its page at ``/share/{token}/``."""

from django.urls import path

from core.ids import Router

from . import views

urlpatterns = [
    path("share/<str:token>/", views.ShareDataView.as_view(), name="share-data"),
    path("share/<str:token>/report.pdf", views.SharePdfView.as_view(), name="share-api-pdf"),
]

family_router = Router()
family_router.register("reports", views.ReportViewSet, basename="report")
family_router.register("shares", views.ShareViewSet, basename="share")
family_urlpatterns = [*family_router.urls]

# Mounted at the site's root by config/urls.py: the link a professional opens.
page_urlpatterns = [
    path("share/<str:token>/", views.SharePageView.as_view(), name="share-page"),
    path("share/<str:token>/report.pdf", views.SharePagePdfView.as_view(), name="share-pdf"),
]
