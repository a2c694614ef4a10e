"""``manage.py seed_demo``: try Tandem with demo data (the generator is ``demo/seed.py``;
the benchmarks seed with it too)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from demo.seed import DEMO_PASSWORD, Shape, seed


def _range(value: str) -> tuple[int, int]:
    low, _, high = value.partition("-")
    return int(low), int(high or low)


class Command(BaseCommand):
    help = (
        "Seed demo families: children, routines, a year of runs and completions, and "
        "check-ins with strategies and outcomes. Deterministic for a given --seed and --end."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--families", type=int, default=1000)
        parser.add_argument("--days", type=int, default=365, help="Days of history per family.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--end", type=date.fromisoformat, help="Last day (default: each family's today)."
        )
        parser.add_argument("--children", type=_range, default=(1, 3), help="e.g. 1-3")
        parser.add_argument("--routines", type=_range, default=(3, 6), help="e.g. 3-6")
        parser.add_argument("--steps", type=_range, default=(4, 10), help="e.g. 4-10")
        parser.add_argument("--checkins", type=_range, default=(2, 4), help="Per child per day.")
        parser.add_argument("--password", help="Password of every seeded account.")
        parser.add_argument(
            "--credentials",
            type=Path,
            help="JSON file for the owners' logins (default: DATA_DIR/seed-credentials.json).",
        )
        parser.add_argument("--batch-size", type=int, default=50_000)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        seed(
            families=options["families"],
            seed=options["seed"],
            shape=Shape(
                children=options["children"],
                routines=options["routines"],
                steps=options["steps"],
                checkins_per_day=options["checkins"],
                days=options["days"],
            ),
            end=options["end"],
            password=options["password"] or DEMO_PASSWORD,
            credentials=options["credentials"] or settings.DATA_DIR / "seed-credentials.json",
            batch_size=options["batch_size"],
            progress=not options["no_progress"],
            log=self.stdout.write,
        )
