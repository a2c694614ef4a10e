from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "care"
    verbose_name = "Care team: duty and handovers"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (a sitter opening a pass goes on duty)
