from django.apps import AppConfig


class RoutinesConfig(AppConfig):
    name = "routines"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (the Today board cache's invalidation)
