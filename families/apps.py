from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "families"
    verbose_name = "Families and accounts"

    def ready(self) -> None:
        from core.contributions import register_export_section

        from .export import SECTIONS

        for section in SECTIONS:
            register_export_section(section)
