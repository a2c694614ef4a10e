"""``manage.py sync_strategies``: update the built-in strategies from the catalogue in code."""

from django.core.management.base import BaseCommand

from checkins.strategies import sync_builtin_strategies
from checkins.strategy_catalogue import validate_catalogue


class Command(BaseCommand):
    help = "Create or update the built-in calming strategies from checkins/strategy_catalogue.py."

    def handle(self, *args: object, **options: object) -> None:
        validate_catalogue()
        written = sync_builtin_strategies()
        self.stdout.write(f"{written} built-in strategies created or updated.")
