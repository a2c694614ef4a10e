"""Root URL configuration.

Each app's ``urls.py`` offers ``urlpatterns`` (mounted under ``/api/v1/``) and
``family_urlpatterns`` (mounted under ``/api/v1/families/<family_id>/``, where
``families.scoping.FamilyScopedMixin`` guards every view).
"""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from checkins import urls as checkins_urls
from core import health
from families import urls as families_urls
from reminders import urls as reminders_urls
from routines import urls as routines_urls

APPS = (families_urls, routines_urls, checkins_urls, reminders_urls)

api_v1 = [
    path("auth/", include(families_urls.auth_urlpatterns)),
    *(pattern for app in APPS for pattern in app.urlpatterns),
    path(
        "families/<int:family_id>/",
        include([pattern for app in APPS for pattern in app.family_urlpatterns]),
    ),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("frontend.urls")),
]
