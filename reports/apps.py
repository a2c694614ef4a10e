from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """PDF reports and read-only links for professionals."""

    name = "reports"
