"""The benchmark's URLconf: the product's, with the bare baseline views in front."""

from django.urls import path

from config.urls import handler400, handler404  # noqa: F401  (the product's error answers)
from config.urls import urlpatterns as product_urlpatterns

from . import views

urlpatterns = [
    path("bench/bare", views.bare),
    path("bench/baseline", views.baseline),
    path("bench/write-floor/<id:family_id>", views.write_floor),
    *product_urlpatterns,
]
