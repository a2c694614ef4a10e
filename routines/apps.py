from django.apps import AppConfig


class RoutinesConfig(AppConfig):
    name = "routines"

    def ready(self) -> None:
        from core.contributions import register_export_section, register_insight_part

        from . import receivers  # noqa: F401  (the Today board cache's invalidation)
        from .export import SECTIONS
        from .history import INSIGHT_PARTS

        for section in SECTIONS:
            register_export_section(section)
        for part in INSIGHT_PARTS:
            register_insight_part(part)
