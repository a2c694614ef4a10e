from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_builtin_strategies(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    # After every migrate (and after test databases are flushed) the built-in strategies
    # match the catalogue in code; the data migration did the first load.
    from django.db import connections

    from .models import Strategy
    from .strategies import sync_builtin_strategies

    if Strategy._meta.db_table in connections[using].introspection.table_names():
        sync_builtin_strategies()


class CheckinsConfig(AppConfig):
    name = "checkins"
    verbose_name = "Check-ins"

    def ready(self) -> None:
        from core.contributions import register_export_section, register_import_section

        from .export import SECTIONS
        from .imports import IMPORT_SECTIONS

        post_migrate.connect(_sync_builtin_strategies, sender=self)
        for section in SECTIONS:
            register_export_section(section)
        for part in IMPORT_SECTIONS:
            register_import_section(part)
