"""Query budgets: SQL queries per endpoint for a small and a large family.

    .venv/bin/python bench/queries.py [--days 365] [--routines 20]

Seeds two families with ``bench/seed.py`` into a scratch SQLite database (or the
database ``DATABASE_URL`` names; it must be a throw-away one): a small one (one child,
one routine of 4 steps, one day, one check-in a day) and a large one (3 children, 20
routines of 10 steps, a year of runs and completions, 4 check-ins per child per day).
Then it calls every endpoint of the URL configuration (the same enumeration as
``tests/urlmap.py``) as the family's owner, reads with ``GET`` and the writes a phone
makes every day with a body, and prints the number of queries for each family. An
endpoint whose count grows with the data is flagged and the script exits 1.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Sample:
    """One family to measure: the owner's client and an object for every URL keyword."""

    client: Any
    kwargs: dict[str, Any]
    day: str
    first_day: str
    child: int
    strategy: int


def build_sample(label: str, shape: Any) -> Sample:
    """Seed one family of ``shape`` and pick the objects its URLs will name."""
    from django.contrib.auth.hashers import make_password
    from django.test import Client

    from bench.seed import FamilySeeder, Writer
    from checkins.models import CheckIn, Strategy
    from families.models import Child, Family, Invitation, Membership, User
    from families.services import create_invitation
    from families.timeutils import family_today
    from routines.models import Routine, RoutineRun
    from routines.services import complete_step

    writer = Writer()
    builtins = list(Strategy.objects.filter(family__isnull=True))
    seeder = FamilySeeder(writer, make_password(None), builtins)
    account = seeder.family(random.Random(label), shape)
    writer.close()
    family = Family.objects.get(pk=account["family"])
    owner = User.objects.get(email=account["email"])
    membership = Membership.objects.get(family=family, user=owner)
    custom = Strategy.objects.create(
        family=family, key=f"ours-{label}", title="Our song", kind="comfort", steps=["Sing."]
    )
    create_invitation(membership=membership)
    routine = Routine.objects.filter(family=family).order_by("id").first()
    last = family_today(family)
    # A run today with one step done, whatever the dice gave this family.
    run, _ = RoutineRun.objects.get_or_create(
        routine=routine, child=routine.children.first(), date=last
    )
    complete_step(run=run, step=routine.steps.last(), user=owner)
    client = Client()
    client.force_login(owner)
    return Sample(
        client=client,
        kwargs={
            "family_id": family.pk,
            Child: Child.objects.filter(family=family).first().pk,
            Membership: membership.pk,
            Invitation: Invitation.objects.filter(family=family).first().pk,
            Routine: routine.pk,
            Strategy: custom.pk,
            CheckIn: CheckIn.objects.filter(family=family, child__isnull=False).first().pk,
            "routine": run.routine_id,
            "child": run.child_id,
            "run": run.pk,
            "step": run.routine.steps.first().pk,
            "date": last.isoformat(),
        },
        day=last.isoformat(),
        first_day=(last - timedelta(days=shape.days - 1)).isoformat(),
        child=run.child_id,
        strategy=builtins[3].pk,
    )


def url_for(endpoint: Any, sample: Sample) -> str:
    values = {}
    for key in endpoint.kwargs:
        if key == "pk":
            values[key] = sample.kwargs[endpoint.view_class.queryset.model]
        else:
            values[key] = sample.kwargs[key]
    return endpoint.url(values)


def requests_for(endpoint: Any, sample: Sample) -> list[tuple[str, str, Any]]:
    """(method, url, body) to measure for an endpoint: every GET, and the daily writes."""
    url = url_for(endpoint, sample)
    route = endpoint.route
    calls: list[tuple[str, str, Any]] = []
    if "GET" in endpoint.methods:
        query = {
            "today/": f"?date={sample.day}",
            "history/": f"?from={sample.first_day}&to={sample.day}",
            "insights/": f"?child={sample.child}&period=month&date={sample.day}",
            "suggestions/": f"?emotion=worried&intensity=4&child={sample.child}",
        }
        suffix = next((q for end, q in query.items() if route.endswith(end)), "")
        calls.append(("GET", url + suffix, None))
    if route.endswith("/checkins/"):
        body = {
            "id": str(uuid.uuid4()),
            "child": sample.child,
            "emotion": "worried",
            "intensity": 3,
            "body_areas": ["chest"],
            "strategy": sample.strategy,
        }
        calls.append(("POST", url, body))
    if route.endswith("/checkins/<pk>/"):
        calls.append(("PATCH", url, {"outcome": "better"}))
    if route.endswith("/completion/"):
        calls.append(("PUT", url, None))
    if route.endswith("/runs/"):
        calls.append(("POST", url, {"child": sample.child, "date": sample.day}))
    return calls


def count_queries(sample: Sample, method: str, url: str, body: Any) -> tuple[int, int]:
    """(status, number of SQL statements) of one request as the family's owner."""
    from django.db import connection

    count = 0

    def counter(execute: Callable, *args: Any) -> Any:
        nonlocal count
        count += 1
        return execute(*args)

    call = getattr(sample.client, method.lower())
    with connection.execute_wrapper(counter):
        response = call(url, body, content_type="application/json") if body else call(url)
    return response.status_code, count


def measure(small: Sample, large: Sample, endpoints: list) -> list[dict[str, Any]]:
    """Queries per endpoint and method for both families (each request made twice, so
    first-time work such as creating a run does not count)."""
    from django.core.cache import caches

    rows = []
    for endpoint in endpoints:
        pairs = zip(requests_for(endpoint, small), requests_for(endpoint, large), strict=True)
        for (method, small_url, body), (_, large_url, large_body) in pairs:
            counts = []
            for sample, url, payload in ((small, small_url, body), (large, large_url, large_body)):
                count_queries(sample, method, url, payload)
                if payload and "id" in payload:  # a new check-in each time
                    payload = {**payload, "id": str(uuid.uuid4())}
                caches["boards"].clear()  # count the Today board built, not cached
                counts.append(count_queries(sample, method, url, payload))
            rows.append(
                {
                    "route": "/" + endpoint.route,
                    "method": method,
                    "small": counts[0],
                    "large": counts[1],
                    "grows": counts[1][1] > counts[0][1],
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--routines", type=int, default=20)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="tandem-queries-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bench.seed import Shape
    from tests.urlmap import api_endpoints

    call_command("migrate", verbosity=0)
    small = build_sample("small", Shape((1, 1), (1, 1), (4, 4), (1, 1), days=1))
    large = build_sample("large", Shape((3, 3), (args.routines,) * 2, (10, 10), (4, 4), args.days))
    rows = measure(small, large, api_endpoints())

    print(
        "SQL queries per request: a small family (1 day, 1 routine, 1 child) and a large one "
        f"({args.days} days, {args.routines} routines, 3 children, 4 check-ins a day each)\n"
    )
    print(f"{'method':<7}{'endpoint':<88}{'small':>6}{'large':>6}")
    for row in rows:
        (s_status, s_count), (l_status, l_count) = row["small"], row["large"]
        flag = "  GROWS" if row["grows"] else ""
        status = "" if s_status < 400 and l_status < 400 else f"  (HTTP {s_status}/{l_status})"
        route = row["route"].replace("/api/v1/families/<family_id>", "…/<family>")
        print(f"{row['method']:<7}{route:<88}{s_count:>6}{l_count:>6}{flag}{status}")
    grown = [r for r in rows if r["grows"]]
    failed = [r for r in rows if r["small"][0] >= 400 or r["large"][0] >= 400]
    print(
        f"\n{len(rows)} requests measured; {len(grown)} grow with the data; {len(failed)} failed."
    )
    if grown or failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
