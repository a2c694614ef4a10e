"""The benchmark's bare views (config/bench_views.py): absent in normal runs, and the
write floor writes what a check-in create writes, for members only."""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from checkins.models import CheckIn
from config import bench_views

pytestmark = pytest.mark.django_db


def test_the_benchmark_views_are_not_mounted_in_normal_runs(owner_client, family):
    # Mounted only when BENCH_BASELINE=true (bench/api_load.py sets it).
    assert owner_client.get("/bench/baseline").status_code == 404
    assert owner_client.post(f"/bench/write-floor/{family.pk}", {}).status_code == 404


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
