"""Root URL configuration.

Each app's ``urls.py`` offers ``urlpatterns`` (mounted under ``/api/v1/``) and
``family_urlpatterns`` (mounted under ``/api/v1/families/<family_id>/``, where
``families.scoping.FamilyScopedMixin`` guards every view). The admin is mounted at
``ADMIN_URL`` (``admin/`` in development; in production only where configured).
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from calendars import urls as calendars_urls
from care import urls as care_urls
from checkins import urls as checkins_urls
from core import health
from core import ids as _ids  # noqa: F401  (registers the <id:…> path converter)
from families import urls as families_urls
from reminders import urls as reminders_urls
from reports import urls as reports_urls
from routines import urls as routines_urls

APPS = (
    families_urls,
    routines_urls,
    checkins_urls,
    care_urls,
    reminders_urls,
    calendars_urls,
    reports_urls,
)

api_v1 = [
    path("auth/", include(families_urls.auth_urlpatterns)),
    *(pattern for app in APPS for pattern in app.urlpatterns),
    path(
        "families/<id:family_id>/",
        include([pattern for app in APPS for pattern in app.family_urlpatterns]),
    ),
]

# Django's own 404 and 400 (no URL matched; a request refused before any view, e.g. over
# DATA_UPLOAD_MAX_MEMORY_SIZE: 413) answer /api/ paths in the API's error shape.
handler404 = "core.errors.not_found"
handler400 = "core.errors.bad_request"

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from our own static files, its init script a file of its own: the CSP
    # allows neither a CDN nor inline scripts.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="frontend/api_docs.html"
        ),
        name="api-docs",
    ),
    path("healthz", health.healthz, name="healthz"),
    *reports_urls.page_urlpatterns,  # /share/<token>/: the page a professional opens
    *([path(settings.ADMIN_URL, admin.site.urls)] if settings.ADMIN_URL else []),
    path("", include("frontend.urls")),
]
