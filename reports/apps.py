from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """PDF reports and read-only links for professionals."""

    name = "reports"

    def ready(self) -> None:
        from core.contributions import register_export_section

        from .export import SECTIONS

        for section in SECTIONS:
            register_export_section(section)
