"""The benchmark's bare views (bench/views.py): absent from the product's URLs, and the
write floor writes what a check-in create writes, for members only."""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory

from bench import views as bench_views
from checkins.models import CheckIn
from families.models import Child, Family, Membership, Role, User

pytestmark = pytest.mark.django_db


def member_of(family: Family, email: str) -> User:
    user = User.objects.create_user(email=email, password=None, display_name=email)
    Membership.objects.create(user=user, family=family, role=Role.OWNER)
    return user


@pytest.fixture
def family():
    return Family.objects.create(name="Bench", timezone="Europe/Madrid")


@pytest.fixture
def owner(family):
    return member_of(family, "owner@example.com")


@pytest.fixture
def outsider():
    return member_of(Family.objects.create(name="Others", timezone="UTC"), "out@example.com")


@pytest.fixture
def child(family):
    return Child.objects.create(family=family, name="Sam")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_benchmark_views_are_not_mounted_in_the_product(owner, family):
    client = signed_in(owner)
    assert client.get("/bench/baseline").status_code == 404
    assert client.get("/bench/bare").status_code == 404
    assert client.post(f"/bench/write-floor/{family.pk}", {}).status_code == 404


@pytest.mark.urls("bench.urls")
def test_the_benchmark_urls_put_the_baseline_in_front_of_the_product(owner):
    client = signed_in(owner)
    assert client.get("/bench/baseline?bytes=10").status_code == 200
    assert client.get("/api/v1/families/").status_code == 200


@pytest.mark.urls("bench.urls")
def test_the_bare_view_answers_anyone_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/bench/bare?bytes=100")
    assert response.status_code == 200
    assert len(response.content) == 100


def post_floor(user, family_id, body):
    request = RequestFactory().post(
        f"/bench/write-floor/{family_id}", json.dumps(body), content_type="application/json"
    )
    request.user = user
    return bench_views.write_floor(request, family_id=family_id)


def checkin_body(child):
    return {"id": str(uuid.uuid4()), "child": child.pk, "emotion": "sad", "intensity": 2}


def test_the_write_floor_stores_one_checkin_for_a_member(owner, family, child):
    body = checkin_body(child)
    response = post_floor(owner, family.pk, body)
    assert response.status_code == 201
    assert json.loads(response.content) == {"id": body["id"]}
    stored = CheckIn.objects.get(pk=body["id"])
    assert (stored.family, stored.child, stored.emotion, stored.intensity) == (
        family,
        child,
        "sad",
        2,
    )


def test_the_write_floor_refuses_others_and_bad_bodies(owner, outsider, family, child):
    assert post_floor(outsider, family.pk, checkin_body(child)).status_code == 404
    assert post_floor(AnonymousUser(), family.pk, checkin_body(child)).status_code == 403
    assert post_floor(owner, family.pk, {"id": "not-a-uuid"}).status_code == 400
    assert not CheckIn.objects.exists()
