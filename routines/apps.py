from django.apps import AppConfig


class RoutinesConfig(AppConfig):
    name = "routines"

    def ready(self) -> None:
        from core.contributions import (
            MediaUse,
            register_export_section,
            register_import_section,
            register_insight_part,
            register_media_use,
            register_routine_days,
            register_routines_kept,
        )

        from . import receivers  # noqa: F401  (the Today board cache's invalidation)
        from .export import SECTIONS
        from .history import INSIGHT_PARTS, routine_days, routines_kept
        from .imports import IMPORT_SECTIONS

        for section in SECTIONS:
            register_export_section(section)
        for part in INSIGHT_PARTS:
            register_insight_part(part)
        register_routine_days(routine_days)
        register_routines_kept(routines_kept)
        for imported in IMPORT_SECTIONS:
            register_import_section(imported)
        register_media_use(MediaUse("steps.photo", "step_photos", "step_photos__routine__children"))
        register_media_use(MediaUse("steps.voice", "step_voices", "step_voices__routine__children"))
