"""The endpoints a phone calls all day cost the same SQL queries for a family of one day,
one routine and one child as for one with months of history, many routines and three
children (the same measurement as ``bench/queries.py``, on smaller data)."""

from datetime import date, timedelta

import pytest

from demo.seed import Shape
from testing.query_sample import build_sample, count_queries, measure
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


# The queries each costs (as measured: a repeated request, the board built), including the
# signed-in user and the membership (the session comes from the session cache). Lower a
# figure when it drops; a rise fails here first.
BUDGETS = {
    ("GET", "today/"): 7,  # the days away with the children
    ("PUT", "days/<date>/steps/<step>/completion/"): 3,  # a replay: one read, no transaction
    ("PUT", "runs/<run>/steps/<step>/completion/"): 6,
    ("POST", "routines/<pk>/runs/"): 8,
    ("GET", "routines/"): 6,
    ("GET", "routines/<pk>/history/"): 8,  # the days away read with them
    ("GET", "checkins/"): 5,
    ("POST", "checkins/"): 6,
    ("PATCH", "checkins/<pk>/"): 7,
    ("GET", "insights/"): 20,  # kept routines leave the days away out
    ("GET", "suggestions/"): 5,
    ("GET", "away/"): 4,
    ("GET", "calendar-feeds/"): 4,
    ("GET", "media/<pk>/"): 3,
    ("GET", "children/"): 4,
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

        [budget] = [
            n
            for (m, end), n in BUDGETS.items()
            if m == row["method"] and row["route"].endswith(end)
        ]
        assert small_queries <= budget, row


def test_a_step_tick_that_changes_the_run_costs_a_fixed_number_of_queries():
    sample = build_sample("ticks", Shape((1, 1), (1, 1), (4, 4), (1, 1), days=1))
    k = sample.kwargs
    url = (
        f"/api/v1/families/{k['family_id']}/routines/{k['routine']}/children/{k['child']}"
        f"/days/{k['date']}/steps/{k['step']}/completion/"
    )
    # user, membership, the step with the day's run; then in the transaction (savepoint
    # and release here, inside the test's transaction) the run locked and read again, the
    # completion written or deleted, the completions counted again, the run's state only
    # when it changes (not here: the run is started and stays incomplete), the board's
    # version.
    assert count_queries(sample, "PUT", url, None) == (200, 9)
    assert count_queries(sample, "DELETE", url, None) == (200, 9)


def test_the_lists_of_days_away_and_feeds_are_measured_with_rows_in_them():
    """A budget over empty pages would hold whatever the code did per row."""
    sample = build_sample("rows", Shape((3, 3), (2, 2), (2, 2), (1, 1), days=2))
    family = f"/api/v1/families/{sample.kwargs['family_id']}/"
    first = date.fromisoformat(sample.day) - timedelta(days=90)
    away = sample.client.get(f"{family}away/?from={first}").json()
    assert away["count"] == 3
    assert sample.client.get(f"{family}calendar-feeds/").json()["count"] == 3
