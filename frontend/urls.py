from django.urls import path

from . import views

urlpatterns = [
    path("", views.app_shell, name="app"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("i18n/<str:language>.<str:version>.json", views.catalog, name="i18n-catalog"),
]
