"""The endpoints a phone calls all day cost the same SQL queries for a family of one day,
one routine and one child as for one with months of history, many routines and three
children (the same measurement as ``bench/queries.py``, on smaller data)."""

from datetime import date, timedelta

import pytest

from demo.seed import Shape
from testing.query_sample import build_sample, measure
from testing.urlmap import api_endpoints

pytestmark = pytest.mark.django_db

MAIN = {
    ("GET", "today/"),
    ("PUT", "days/<date>/steps/<step>/completion/"),
    ("PUT", "runs/<run>/steps/<step>/completion/"),
    ("POST", "routines/<pk>/runs/"),
    ("GET", "routines/"),
    ("GET", "routines/<pk>/history/"),
    ("GET", "checkins/"),
    ("POST", "checkins/"),
    ("PATCH", "checkins/<pk>/"),
    ("GET", "insights/"),
    ("GET", "suggestions/"),
    ("GET", "away/"),
    ("GET", "calendar-feeds/"),
    ("GET", "media/<pk>/"),
    ("GET", "children/"),
}


def test_the_main_endpoints_cost_the_same_queries_for_a_small_and_a_large_family():
    small = build_sample("small", Shape((1, 1), (1, 1), (4, 4), (1, 1), days=1))
    large = build_sample("large", Shape((3, 3), (8, 8), (10, 10), (4, 4), days=60))
    family_routes = [e for e in api_endpoints() if "<family_id>" in e.route]
    rows = [
        row
        for row in measure(small, large, family_routes)
        if any(row["method"] == m and row["route"].endswith(end) for m, end in MAIN)
    ]
    assert len(rows) == len(MAIN)
    for row in rows:
        (small_status, small_queries), (large_status, large_queries) = row["small"], row["large"]
        assert small_status < 400, row
        assert large_status < 400, row
        assert large_queries == small_queries, row


def test_the_lists_of_days_away_and_feeds_are_measured_with_rows_in_them():
    """A budget over empty pages would hold whatever the code did per row."""
    sample = build_sample("rows", Shape((3, 3), (2, 2), (2, 2), (1, 1), days=2))
    family = f"/api/v1/families/{sample.kwargs['family_id']}/"
    first = date.fromisoformat(sample.day) - timedelta(days=90)
    away = sample.client.get(f"{family}away/?from={first}").json()
    assert away["count"] == 3
    assert sample.client.get(f"{family}calendar-feeds/").json()["count"] == 3
