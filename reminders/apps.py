from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Reminders and Web Push"

    def ready(self) -> None:
        # Routines, check-ins, families and memberships tell us about changes through
        # Django signals: nothing imports reminders (DESIGN.md §2).
        from . import receivers  # noqa: F401
