"""Settings of the benchmark runs: the product's, with the benchmark's URLconf
(``DJANGO_SETTINGS_MODULE=bench.settings``)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
