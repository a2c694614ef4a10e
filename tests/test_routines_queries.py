"""The Today board, the routine list and history cost the same queries as data grows."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from routines.models import RoutineRun, StepCompletion

from .support.factories import ChildFactory, MembershipFactory, RoutineFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wednesday_evening")]

TODAY = date(2026, 6, 10)


def build_routines(family, children, count):
    routines = []
    for i in range(count):
        routine = RoutineFactory(family=family, children=children, steps=4, name=f"R{i}")
        for child in children:
            run = RoutineRun.objects.create(
                routine=routine, child=child, date=TODAY, started_at=datetime.now(UTC)
            )
            StepCompletion.objects.create(run=run, step=routine.steps.first())
        routines.append(routine)
    return routines


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_today_board_costs_the_same_for_1_or_20_routines(
    family, owner, owner_client, child, django_assert_num_queries
):
    small = MembershipFactory(user=owner).family
    build_routines(small, [ChildFactory(family=small)], 1)
    baseline = queries(owner_client, f"/api/v1/families/{small.pk}/today/")

    build_routines(family, [child, ChildFactory(family=family)], 20)
    with django_assert_num_queries(baseline):
        data = owner_client.get(f"/api/v1/families/{family.pk}/today/").json()
    assert sum(len(c["routines"]) for c in data["children"]) == 40


def test_the_routine_list_costs_the_same_for_1_or_20_routines(
    family, owner_client, child, django_assert_num_queries
):
    build_routines(family, [child], 1)
    baseline = queries(owner_client, f"/api/v1/families/{family.pk}/routines/")
    build_routines(family, [child, ChildFactory(family=family)], 19)
    with django_assert_num_queries(baseline):
        data = owner_client.get(f"/api/v1/families/{family.pk}/routines/").json()
    assert data["count"] == 20


def test_history_costs_the_same_for_1_or_365_days(
    family, owner_client, child, django_assert_max_num_queries
):
    routine = RoutineFactory(
        family=family,
        children=[child, ChildFactory(family=family)],
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    for offset in range(365):
        RoutineRun.objects.create(
            routine=routine,
            child=child,
            date=TODAY - timedelta(days=offset),
            started_at=datetime(2026, 1, 1, tzinfo=UTC),
            completed_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    url = f"/api/v1/families/{family.pk}/routines/{routine.pk}/history/"
    one_day = queries(owner_client, f"{url}?from={TODAY}&to={TODAY}")
    with django_assert_max_num_queries(one_day):
        data = owner_client.get(f"{url}?from={TODAY - timedelta(days=364)}&to={TODAY}").json()
    assert len(data["days"]) == 365
    streaks = {c["child"]["id"]: c["current_streak"] for c in data["children"]}
    assert streaks[child.pk] == 365
