from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Reminders and Web Push"

    def ready(self) -> None:
        from core.contributions import register_export_section

        # Routines, check-ins, families and memberships tell us about changes through
        # Django signals: nothing below imports reminders (docs/architecture.md).
        from . import receivers  # noqa: F401
        from .export import SECTIONS

        for section in SECTIONS:
            register_export_section(section)
