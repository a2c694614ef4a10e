"""Hostile input is refused cheaply, in the one JSON error shape, and never a 500.

Ids (in paths, query strings and bodies) are integers in SQLite's range before they reach
the database; dates are within a few years of today; every list in a body is capped and
its ids checked in one query, duplicates refused; bodies are bounded in size (413) and in
JSON nesting depth (400) before they are parsed. The path-id cases walk the URL
configuration, so a route added later is covered too.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from testing.urlmap import api_endpoints

from .conftest import client_for
from .support.factories import PASSWORD, ChildFactory, RoutineFactory, UserFactory
from .support.routine_fixtures import bedtime
from .support.victims import build_kwargs

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # above 2^64
JUST_OVER = str(2**63)  # SQLite's INTEGER ends at 2^63 - 1
BAD_PATH_IDS = [HUGE, JUST_OVER, "0x1", "abc", "0", "1e20"]
BAD_DATES = ["9999-12-31", "0001-01-01"]


def assert_error_shape(response, *statuses: int) -> dict:
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    assert response.content, (
        response.request,
        dict(response.headers),
        getattr(response, "data", "-"),
    )
    data = response.json()
    assert set(data) == {"detail", "code", "errors"}, data
    assert isinstance(data["detail"], str)
    assert data["detail"]
    assert isinstance(data["errors"], dict)
    return data


# --- ids in paths ------------------------------------------------------------------------

ID_CASES = [
    (endpoint, key)
    for endpoint in api_endpoints()
    for key in endpoint.kwargs
    if key != "date"  # a day, not an id: see test_a_day_in_a_path_out_of_bounds_is_not_found
    and key != "token"  # a share link's secret, not an id: any unknown one is a 410
]


@pytest.mark.parametrize("bad", BAD_PATH_IDS)
@pytest.mark.parametrize(
    ("endpoint", "key"),
    ID_CASES,
    ids=[f"{e.route.removeprefix('api/v1/')}:{k}" for e, k in ID_CASES],
)
def test_an_impossible_id_in_any_path_is_a_json_404(endpoint, key, bad, family, owner):
    kwargs = build_kwargs(endpoint, family, owner)
    kwargs[key] = bad
    client = client_for(owner)
    # (Not HEAD: a viewset serves it once it has served a GET, without a body to check.)
    for method in (m for m in endpoint.methods if m != "HEAD"):
        response = client.generic(
            method, endpoint.url(kwargs), "{}", content_type="application/json"
        )
        assert_error_shape(response, 404)


@pytest.mark.parametrize("bad", ["9999-12-31", "0001-01-01"])
def test_a_day_in_a_path_out_of_bounds_is_not_found(bad, family, owner_client, child):
    routine = RoutineFactory(family=family, children=[child])
    step = routine.steps.first()
    url = (
        f"/api/v1/families/{family.pk}/routines/{routine.pk}/children/{child.pk}"
        f"/days/{bad}/steps/{step.pk}/completion/"
    )
    assert_error_shape(owner_client.put(url), 404)
    assert not routine.runs.exists()


def test_an_unknown_api_path_is_a_json_404(owner_client):
    data = assert_error_shape(owner_client.get("/api/v1/no-such-thing/"), 404)
    assert data["code"] == "not_found"


def test_other_unknown_paths_keep_the_html_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


# --- ids and dates in query strings ------------------------------------------------------


def _query_cases(family, routine):
    f = f"/api/v1/families/{family.pk}/"
    return [
        (f + "checkins/", {"child": "1e20"}, "child"),
        (f + "checkins/", {"child": HUGE}, "child"),
        (f + "checkins/", {"member": JUST_OVER}, "member"),
        (f + "checkins/", {"child": "0x1"}, "child"),
        (f + "checkins/", {"to": "9999-12-31"}, "to"),
        (f + "checkins/", {"from": "0001-01-01"}, "from"),
        (f + "checkins/", {"to": "0001-01-01"}, "to"),
        (f + "today/", {"date": "9999-12-31"}, "date"),
        (f + "today/", {"date": "0001-01-01"}, "date"),
        (f + f"routines/{routine.pk}/history/", {"to": "0001-01-01"}, "to"),
        (f + f"routines/{routine.pk}/history/", {"to": "9999-12-31"}, "to"),
        (f + f"routines/{routine.pk}/history/", {"from": "0001-01-01"}, "from"),
        (f + f"routines/{routine.pk}/history/", {"child": HUGE}, "child"),
        (f + "insights/", {"date": "9999-12-31"}, "date"),
        (f + "insights/", {"date": "0001-01-01"}, "date"),
        (f + "insights/", {"child": "1e20"}, "child"),
        (f + "insights/", {"child": JUST_OVER}, "child"),
        (f + "suggestions/", {"emotion": "worried", "child": HUGE}, "child"),
    ]


def test_impossible_ids_and_dates_in_query_strings_are_400s_naming_them(
    family, owner_client, child
):
    routine = RoutineFactory(family=family, children=[child])
    for url, params, field in _query_cases(family, routine):
        data = assert_error_shape(owner_client.get(url, params), 400)
        assert field in data["errors"], (url, params, data)


def test_dates_near_today_are_still_served(family, owner_client, child):
    routine = RoutineFactory(family=family, children=[child])
    f = f"/api/v1/families/{family.pk}/"
    for url, params in [
        (f + "checkins/", {"from": "2025-01-01", "to": "2027-12-31"}),
        (f + "today/", {"date": "2026-06-01"}),
        (f + f"routines/{routine.pk}/history/", {"from": "2026-01-01", "to": "2026-03-01"}),
        (f + "insights/", {"date": "2026-06-01", "period": "month"}),
    ]:
        response = owner_client.get(url, params)
        assert response.status_code == 200, (url, response.content[:300])


# --- ids and dates in bodies -------------------------------------------------------------


def test_impossible_ids_in_bodies_are_400s_naming_the_field(family, owner, owner_client, child):
    routine = RoutineFactory(family=family, children=[child])
    f = f"/api/v1/families/{family.pk}/"
    checkin = {"id": str(uuid.uuid4()), "emotion": "worried", "intensity": 3}
    cases = [
        ("post", f + "routines/", bedtime(child, children=[int(HUGE)]), "children"),
        ("post", f + "routines/", bedtime(child, children=[2**63]), "children"),
        ("post", f + "checkins/", {**checkin, "child": int(HUGE)}, "child"),
        ("post", f + "checkins/", {**checkin, "member": 2**63}, "member"),
        (
            "post",
            f + "checkins/",
            {**checkin, "child": child.pk, "strategy": int(HUGE)},
            "strategy",
        ),
        ("post", f + f"routines/{routine.pk}/runs/", {"child": int(HUGE)}, "child"),
        (
            "patch",
            f + "reminder-settings/me/",
            {"opted_out_routines": [int(HUGE)]},
            "opted_out_routines",
        ),
        ("post", "/api/v1/push/test/", {"family": int(HUGE)}, "family"),
    ]
    for method, url, body, field in cases:
        response = getattr(owner_client, method)(url, body, format="json")
        data = assert_error_shape(response, 400)
        assert field in data["errors"], (url, body, data)


@pytest.mark.parametrize("bad", BAD_DATES)
def test_impossible_dates_in_bodies_are_400s(bad, family, owner_client, child):
    routine = RoutineFactory(family=family, children=[child])
    url = f"/api/v1/families/{family.pk}/routines/{routine.pk}/runs/"
    data = assert_error_shape(owner_client.post(url, {"child": child.pk, "date": bad}), 400)
    assert "date" in data["errors"]
    assert not routine.runs.exists()


@pytest.mark.parametrize("bad", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+05:00"])
def test_impossible_instants_in_bodies_are_400s(bad, family, owner_client, child):
    body = {"id": str(uuid.uuid4()), "child": child.pk, "emotion": "worried", "intensity": 3}
    url = f"/api/v1/families/{family.pk}/checkins/"
    data = assert_error_shape(owner_client.post(url, {**body, "occurred_at": bad}), 400)
    assert "occurred_at" in data["errors"]


# --- lists: capped, one query for all their ids, duplicates refused -----------------------


def test_thirty_thousand_repeated_ids_are_refused_cheaply(
    family, owner_client, child, django_assert_max_num_queries
):
    url = f"/api/v1/families/{family.pk}/routines/"
    body = json.dumps(bedtime(child, children=[child.pk] * 30_000))
    with django_assert_max_num_queries(8):
        response = owner_client.generic("POST", url, body, content_type="application/json")
    data = assert_error_shape(response, 400)
    assert "children" in data["errors"]


def test_repeated_ids_are_refused_naming_the_field(family, owner_client, child):
    url = f"/api/v1/families/{family.pk}/routines/"
    data = assert_error_shape(
        owner_client.post(url, bedtime(child, children=[child.pk, child.pk]), format="json"), 400
    )
    assert list(data["errors"]) == ["children"]
    routine = RoutineFactory(family=family, children=[child])
    data = assert_error_shape(
        owner_client.patch(
            f"/api/v1/families/{family.pk}/reminder-settings/me/",
            {"opted_out_routines": [routine.pk, routine.pk]},
            format="json",
        ),
        400,
    )
    assert list(data["errors"]) == ["opted_out_routines"]


def test_a_list_of_ids_costs_one_query_however_long(
    family, owner_client, django_assert_max_num_queries
):
    children = [ChildFactory(family=family) for _ in range(12)]
    url = f"/api/v1/families/{family.pk}/routines/"
    few = bedtime(children[0], children=[children[0].pk])
    many = {**few, "children": [c.pk for c in children]}
    # Validation alone (an invalid step keeps it from saving): the ids' cost is the same.
    few["steps"] = many["steps"] = [{"title": ""}]
    with django_assert_max_num_queries(100) as few_queries:
        assert owner_client.post(url, few, format="json").status_code == 400
    with django_assert_max_num_queries(100) as many_queries:
        assert owner_client.post(url, many, format="json").status_code == 400
    assert len(many_queries) == len(few_queries)


def test_the_ids_of_a_list_still_work(family, owner_client, child):
    other = owner_client.post(f"/api/v1/families/{family.pk}/children/", {"name": "Alex"}).json()
    url = f"/api/v1/families/{family.pk}/routines/"
    response = owner_client.post(
        url, bedtime(child, children=[other["id"], child.pk]), format="json"
    )
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["children"]) == sorted([other["id"], child.pk])
    data = assert_error_shape(
        owner_client.post(url, bedtime(child, children=[child.pk, 123456789]), format="json"), 400
    )
    assert data["errors"] == {"children": ["No such child in this family."]}
    data = assert_error_shape(
        owner_client.post(url, bedtime(child, children=[child.pk, "x"]), format="json"), 400
    )
    assert data["errors"] == {"children": ["Give the child's id (a number)."]}


def test_every_list_in_a_body_is_capped(family, owner_client, child):
    f = f"/api/v1/families/{family.pk}/"
    routine = RoutineFactory(family=family, children=[child])
    checkin = {"id": str(uuid.uuid4()), "child": child.pk, "emotion": "worried", "intensity": 3}
    cases = [
        ("post", f + "routines/", bedtime(child, children=list(range(1, 1002))), "children"),
        ("post", f + "routines/", bedtime(child, days_of_week=[1] * 1000), "days_of_week"),
        ("post", f + "routines/", bedtime(child, reminder_offsets=[10] * 1000), "reminder_offsets"),
        ("post", f + "checkins/", {**checkin, "body_areas": ["chest"] * 1000}, "body_areas"),
        (
            "post",
            f + "checkins/",
            {
                **checkin,
                "caregiver": {
                    "id": str(uuid.uuid4()),
                    "emotion": "worried",
                    "intensity": 3,
                    "body_areas": ["chest"] * 1000,
                },
            },
            "caregiver.body_areas",
        ),
        (
            "patch",
            f + "reminder-settings/me/",
            {"opted_out_routines": [routine.pk, *list(range(10**6, 10**6 + 1000))]},
            "opted_out_routines",
        ),
    ]
    for method, url, body, field in cases:
        data = assert_error_shape(getattr(owner_client, method)(url, body, format="json"), 400)
        assert field in data["errors"], (url, field, data)


# --- bodies: size and nesting depth, before parsing ----------------------------------------


def deep(levels: int, open_: str = "[", close: str = "]") -> str:
    return open_ * levels + close * levels


@pytest.mark.parametrize("body", [deep(1000), deep(100_000), '{"a":' * 1000 + "1" + "}" * 1000])
def test_deeply_nested_json_is_a_400_even_on_login(body, anon_client):
    response = anon_client.generic(
        "POST", "/api/v1/auth/login/", body, content_type="application/json"
    )
    data = assert_error_shape(response, 400)
    assert "body" in data["detail"]


def test_deeply_nested_json_is_a_400_when_signed_in(family, owner_client):
    url = f"/api/v1/families/{family.pk}/children/"
    body = '{"name": "Sam", "x": ' + deep(40) + "}"
    data = assert_error_shape(
        owner_client.generic("POST", url, body, content_type="application/json"), 400
    )
    assert "body" in data["detail"]
    assert not family.children.exists()


def test_brackets_inside_strings_do_not_count_as_nesting(family, owner_client):
    url = f"/api/v1/families/{family.pk}/children/"
    name = "[{" * 30 + '"\\' + "}]" * 30
    body = json.dumps({"name": name[:50], "note": deep(500), "x": {"y": [[1]]}})
    response = owner_client.generic("POST", url, body, content_type="application/json")
    assert response.status_code == 201, response.content[:300]


def test_an_unterminated_string_full_of_quotes_is_parsed_quickly(anon_client):
    body = '{"email": "' + '\\"' * 100_000
    response = anon_client.generic(
        "POST", "/api/v1/auth/login/", body, content_type="application/json"
    )
    assert_error_shape(response, 400)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_body_over_the_limit_is_a_json_413(family, owner_client, anon_client):
    big = {"name": "Sam", "padding": "x" * 5000}
    url = f"/api/v1/families/{family.pk}/children/"
    data = assert_error_shape(owner_client.post(url, big, format="json"), 413)
    assert data["code"] == "payload_too_large"
    assert not family.children.exists()
    login = {"email": "a@example.com", "password": "x" * 5000}
    assert_error_shape(anon_client.post("/api/v1/auth/login/", login, format="json"), 413)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_form_body_over_the_limit_is_a_json_413_too(db):
    """Django reads a form body itself (for its CSRF token), before any view runs."""
    client = APIClient(enforce_csrf_checks=True)
    token = client.get("/api/v1/auth/csrf/").cookies["csrftoken"].value
    response = client.post(
        "/api/v1/auth/login/",
        "email=a%40example.com&password=" + "x" * 5000,
        content_type="application/x-www-form-urlencoded",
        headers={"X-CSRFToken": token},
    )
    assert_error_shape(response, 413)


# --- CSRF failures on login and signup ---------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/auth/login/", "/api/v1/auth/signup/"])
def test_a_csrf_failure_on_login_or_signup_is_a_json_403(path, db):
    UserFactory(email="a@example.com")
    client = APIClient(enforce_csrf_checks=True)
    body = {"email": "a@example.com", "password": PASSWORD, "display_name": "A"}
    data = assert_error_shape(client.post(path, body, format="json"), 403)
    assert data["code"] == "permission_denied"
    assert "CSRF" in data["detail"]
