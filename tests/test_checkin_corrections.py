"""A check-in's time has a sane range, a mistaken one can be corrected or deleted by who
recorded it (or an owner), and whatever is already stored never breaks the export."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from checkins.models import CheckIn
from reminders.models import ScheduledReminder

from .conftest import client_for
from .support.factories import CheckInFactory, StrategyFactory

pytestmark = pytest.mark.django_db


def url(family, checkin=None):
    base = f"/api/v1/families/{family.pk}/checkins/"
    return f"{base}{checkin.pk}/" if checkin else base


@pytest.mark.parametrize(
    "occurred_at", ["0001-01-01T00:00:00Z", "1899-12-31T23:59:00Z", "2100-01-01T00:00:00Z"]
)
def test_a_checkin_outside_1900_to_2100_is_a_400_naming_occurred_at(
    owner_client, family, child, occurred_at
):
    body = {
        "id": str(uuid.uuid4()),
        "child": child.pk,
        "emotion": "sad",
        "intensity": 2,
        "occurred_at": occurred_at,
    }
    response = owner_client.post(url(family), body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["occurred_at"]
    assert not CheckIn.objects.exists()


@pytest.fixture
def ancient(family, child, owner):
    """A check-in stored before the range existed (imported, or an old server's)."""
    family.timezone = "America/New_York"  # west of UTC: year 1 would become year 0
    family.save()
    return CheckInFactory(
        family=family,
        child=child,
        created_by=owner,
        occurred_at=datetime(1, 1, 1, tzinfo=UTC),
        note="typo",
    )


def test_the_export_survives_a_stored_checkin_from_year_one(owner_client, family, ancient):
    response = owner_client.get(f"/api/v1/families/{family.pk}/export/")
    assert response.status_code == 200
    data = json.loads(b"".join(response.streaming_content))
    (row,) = data["checkins"]
    assert row["id"] == str(ancient.pk)
    assert row["occurred_at"].startswith("0001-01-01")


def test_the_csv_survives_a_stored_checkin_from_year_one(owner_client, family, ancient):
    response = owner_client.get(f"/api/v1/families/{family.pk}/export/checkins.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["id"] == str(ancient.pk)
    assert row["note"] == "typo"


def test_the_author_corrects_the_time_and_the_follow_up_moves_with_it(
    caregiver, family, child, time_machine
):
    time_machine.move_to(datetime(2026, 11, 20, 18, 0, tzinfo=UTC), tick=False)
    client = client_for(caregiver)
    strategy = StrategyFactory(family=family)
    body = {
        "id": str(uuid.uuid4()),
        "child": child.pk,
        "emotion": "angry",
        "intensity": 4,
        "strategy": strategy.pk,
    }
    assert client.post(url(family), body, format="json").status_code == 201
    checkin = CheckIn.objects.get(pk=body["id"])
    earlier = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)

    response = client.patch(url(family, checkin), {"occurred_at": earlier.isoformat()})

    assert response.status_code == 200, response.json()
    checkin.refresh_from_db()
    assert checkin.occurred_at == earlier
    assert checkin.follow_up_at == earlier + timedelta(minutes=family.follow_up_minutes)
    follow_up = ScheduledReminder.objects.get(checkin=checkin)
    assert follow_up.fire_at == checkin.follow_up_at


def test_a_correction_outside_the_range_is_a_400(owner_client, family, child, owner):
    checkin = CheckInFactory(family=family, child=child, created_by=owner)
    response = owner_client.patch(url(family, checkin), {"occurred_at": "0001-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["occurred_at"]


def test_only_the_author_or_an_owner_may_correct_or_delete(
    caregiver_client, owner_client, family, child, owner
):
    checkin = CheckInFactory(family=family, child=child, created_by=owner)
    moved = caregiver_client.patch(url(family, checkin), {"occurred_at": "2026-01-01T10:00:00Z"})
    assert moved.status_code == 403
    assert caregiver_client.delete(url(family, checkin)).status_code == 403
    assert CheckIn.objects.filter(pk=checkin.pk).exists()
    # Anyone may still answer the follow-up.
    assert caregiver_client.patch(url(family, checkin), {"outcome": "better"}).status_code == 200
    assert owner_client.delete(url(family, checkin)).status_code == 204
    assert not CheckIn.objects.filter(pk=checkin.pk).exists()


def test_deleting_a_coregulation_checkin_takes_its_partner_and_follow_up(
    caregiver_client, caregiver, family, child, tick
):
    strategy = StrategyFactory(family=family)
    body = {
        "id": str(uuid.uuid4()),
        "child": child.pk,
        "emotion": "angry",
        "intensity": 4,
        "strategy": strategy.pk,
        "caregiver": {"id": str(uuid.uuid4()), "emotion": "frustrated", "intensity": 3},
    }
    assert caregiver_client.post(url(family), body, format="json").status_code == 201
    checkin = CheckIn.objects.get(pk=body["id"])
    tick()  # makes the follow-up's row
    assert ScheduledReminder.objects.filter(checkin=checkin).exists()

    assert caregiver_client.delete(url(family, checkin)).status_code == 204

    assert not CheckIn.objects.filter(pk__in=[body["id"], body["caregiver"]["id"]]).exists()
    assert not ScheduledReminder.objects.filter(kind="follow_up").exists()


def test_another_familys_checkin_is_404_to_delete(outsider_client, family, child, owner):
    checkin = CheckInFactory(family=family, child=child, created_by=owner)
    assert outsider_client.delete(url(family, checkin)).status_code == 404
    assert CheckIn.objects.filter(pk=checkin.pk).exists()
