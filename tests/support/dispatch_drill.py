"""Several dispatchers side by side on PostgreSQL (run by test_reminders_postgres.py).

    DATABASE_URL=postgres://… python -m tests.support.dispatch_drill --dispatchers 3

Seeds due reminders (test notifications and routine warnings), starts the dispatchers at
the same moment in separate processes, and prints a JSON summary of what each did and
what the database holds afterwards. Sends are not enqueued (there is no broker here).
``--stage seed`` only seeds (a real worker then dispatches), ``--stage summary`` only
prints what the database holds.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import traceback
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import django
from django.db import connection, connections
from django.utils import timezone

from reminders.scheduling import occurrence_start


def setup() -> SimpleNamespace:
    """Configure Django, then import the app code the drill uses.

    App modules define models, which need the registry that django.setup() fills, so they
    cannot be imported at the top; each spawned dispatcher is a fresh interpreter and calls
    this before it touches the database.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from families.models import Family, Membership, Role, User  # noqa: PLC0415 - see above
    from reminders import dispatch  # noqa: PLC0415 - see above
    from reminders.models import (  # noqa: PLC0415 - see above
        Delivery,
        PushSubscription,
        ScheduledReminder,
    )
    from routines.models import Routine  # noqa: PLC0415 - see above

    return SimpleNamespace(
        Family=Family,
        Membership=Membership,
        Role=Role,
        User=User,
        dispatch=dispatch,
        Delivery=Delivery,
        PushSubscription=PushSubscription,
        ScheduledReminder=ScheduledReminder,
        Routine=Routine,
    )


def seed(app: SimpleNamespace, test_reminders: int, routines: int) -> None:
    Family, Membership, Role, User = app.Family, app.Membership, app.Role, app.User
    PushSubscription, ScheduledReminder, Routine = (
        app.PushSubscription,
        app.ScheduledReminder,
        app.Routine,
    )
    user = User.objects.create(email="drill@example.com", display_name="Drill")
    family = Family.objects.create(name="Drill", timezone="Europe/Madrid")
    Membership.objects.create(user=user, family=family, role=Role.OWNER)
    for i in range(2):
        PushSubscription.objects.create(
            user=user,
            endpoint=f"https://fcm.googleapis.com/fcm/send/drill-{i}",
            p256dh="x",
            auth="y",
        )
    now = timezone.now()
    ScheduledReminder.objects.bulk_create(
        ScheduledReminder(
            kind="test", user=user, state="pending", fire_at=now - timedelta(seconds=1),
            payload={"title": "Drill", "tag": f"t{i}", "topic": f"t{i}"},
        )
        for i in range(test_reminders)
    )  # fmt: skip
    local = now.astimezone(family.zone)
    start = local.time().replace(second=0, microsecond=0)  # started this minute
    for i in range(routines):
        routine = Routine.objects.create(
            family=family, name=f"Routine {i}", days_of_week=[1, 2, 3, 4, 5, 6, 7],
            start_time=start, reminder_offsets=[0],
        )  # fmt: skip
        # Its row was materialised for tomorrow; make it today's, due a moment ago.
        today = local.date()
        at = occurrence_start(tz=family.zone, day=today, start_time=start)
        ScheduledReminder.objects.filter(routine=routine, state="pending").update(
            fire_at=at, occurrence_at=at, occurrence_date=today
        )


def dispatcher(index: int, barrier, results) -> None:
    try:
        app = setup()
        barrier.wait(timeout=60)
        report = app.dispatch.dispatch_due(enqueue=lambda ids: None, batch_size=10)
        results.put((index, report.reminders, report.deliveries, ""))
    except Exception:
        results.put((index, 0, 0, traceback.format_exc()))


def summary(app: SimpleNamespace) -> dict:
    Delivery, ScheduledReminder = app.Delivery, app.ScheduledReminder
    routine_rows = Counter(
        ScheduledReminder.objects.filter(kind="routine").values_list("routine_id", "state")
    )
    return {
        "states": {
            f"{kind}:{state}": n
            for (kind, state), n in Counter(
                ScheduledReminder.objects.values_list("kind", "state")
            ).items()
        },
        "deliveries": Delivery.objects.count(),
        "pairs": len(set(Delivery.objects.values_list("reminder_id", "subscription_id"))),
        "routine_rows_per_state": sorted(set(routine_rows.values())),
        "vendor": connection.vendor,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dispatchers", type=int, default=3)
    parser.add_argument("--test-reminders", type=int, default=300)
    parser.add_argument("--routines", type=int, default=60)
    parser.add_argument(
        "--stage",
        choices=["drill", "seed", "summary"],
        default="drill",
        help="seed only (for a real worker to dispatch), or only print the summary",
    )
    args = parser.parse_args()
    app = setup()
    if args.stage == "summary":
        print(json.dumps(summary(app), default=str))
        return
    seed(app, args.test_reminders, args.routines)
    if args.stage == "seed":
        return
    connections.close_all()
    context = mp.get_context("spawn")
    barrier = context.Barrier(args.dispatchers)
    results = context.Queue()
    processes = [
        context.Process(target=dispatcher, args=(i, barrier, results))
        for i in range(args.dispatchers)
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    print(json.dumps({"dispatchers": sorted(reports), **summary(app)}, default=str))


if __name__ == "__main__":
    main()
