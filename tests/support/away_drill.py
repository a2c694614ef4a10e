"""Several requests marking one child away at once, on PostgreSQL (run by
test_days_away_postgres.py).

    DATABASE_URL=postgres://… python -m tests.support.away_drill --writers 6

Seeds a family with one child, then starts the writers at the same moment in separate
processes, each marking the child away for overlapping days (each its own note), and
prints a JSON summary: how many ranges were stored and what each writer was told.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
from datetime import date, timedelta

import django


def setup():
    """Configure Django before the app code is imported (each writer is a fresh process)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def writer(index: int, child_id: int, start: mp.Event, out: mp.Queue) -> None:
    setup()
    from django.core.exceptions import ValidationError  # noqa: PLC0415 - after setup()

    from families import away  # noqa: PLC0415 - after setup()
    from families.models import Child  # noqa: PLC0415 - after setup()

    child = Child.objects.get(pk=child_id)
    first = date(2027, 3, 1) + timedelta(days=index)
    start.wait()
    try:
        away.add_away(child=child, first=first, last=first + timedelta(days=7), note=f"w{index}")
        out.put((index, "stored"))
    except ValidationError as error:
        out.put((index, "refused: " + " ".join(error.message_dict.get("from", []))))
    except Exception as error:
        out.put((index, f"error: {type(error).__name__}: {error}"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=6)
    args = parser.parse_args()
    setup()
    from django.db import connection  # noqa: PLC0415 - after setup()

    from families.models import Child, ChildAway, Family  # noqa: PLC0415 - after setup()

    family = Family.objects.create(name="Drill", timezone="Europe/Madrid")
    child = Child.objects.create(family=family, name="Sam")
    connection.close()  # the writers open their own
    context = mp.get_context("spawn")
    start, out = context.Event(), context.Queue()
    procs = [
        context.Process(target=writer, args=(n, child.pk, start, out)) for n in range(args.writers)
    ]
    for proc in procs:
        proc.start()
    # Every writer is connected and waiting before any goes.
    import time  # noqa: PLC0415

    time.sleep(3)
    start.set()
    answers = sorted(out.get(timeout=120) for _ in procs)
    for proc in procs:
        proc.join(timeout=60)
    stored = list(ChildAway.objects.filter(child=child).values_list("starts_on", "ends_on"))
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "answers": answers,
                "stored": [[str(a), str(b)] for a, b in stored],
            }
        )
    )


if __name__ == "__main__":
    main()
