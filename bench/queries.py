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
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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

    from demo.seed import Shape
    from testing.query_sample import build_sample, measure
    from testing.urlmap import api_endpoints

    call_command("migrate", verbosity=0)
    small = build_sample("small", Shape((1, 1), (1, 1), (4, 4), (1, 1), days=1))
    large = build_sample("large", Shape((3, 3), (args.routines,) * 2, (10, 10), (4, 4), args.days))

    # Routes the sample can fill in (not the token URLs: share pages, calendar feeds).
    def fillable(endpoint) -> bool:
        model = getattr(getattr(endpoint.view_class, "queryset", None), "model", None)
        return all(
            k in small.kwargs or (k == "pk" and model in small.kwargs) for k in endpoint.kwargs
        )

    rows = measure(small, large, [e for e in api_endpoints() if fillable(e)])

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
