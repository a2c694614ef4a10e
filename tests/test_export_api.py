"""Export: a member downloads all of the family's data as JSON, and check-ins as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import ScopedRateThrottle

from checkins import export
from checkins.models import CheckIn
from families.models import Invitation
from reports.models import Report, Share
from routines.models import StepCompletion

from .conftest import client_for
from .support.factories import CheckInFactory, ChildFactory
from .support.family_data import fill_family

pytestmark = pytest.mark.django_db

JSON_URL = "/api/v1/families/{}/export/"
CSV_URL = "/api/v1/families/{}/export/checkins.csv"


def download(client, url: str) -> tuple[object, bytes]:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def export_json(client, family) -> dict:
    response, body = download(client, JSON_URL.format(family.pk))
    assert response.status_code == 200, body[:300]
    return json.loads(body)


def csv_rows(client, family) -> list[dict]:
    response, body = download(client, CSV_URL.format(family.pk))
    assert response.status_code == 200, body[:300]
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.fixture
def filled(family, owner, caregiver):
    return fill_family(family, [owner, caregiver], days=3)


@pytest.fixture
def others(other_family, outsider):
    """Another family with data of its own, which must never show up in ours."""
    return fill_family(other_family, [outsider], days=2)


def test_a_caregiver_downloads_everything_as_one_json_file(
    caregiver_client, family, owner, caregiver, filled, others, time_machine
):
    time_machine.move_to(dt.datetime(2026, 6, 1, 22, 30, tzinfo=dt.UTC))  # 2 June in Madrid
    response, body = download(caregiver_client, JSON_URL.format(family.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        'attachment; filename="tandem-the-riveras-2026-06-02.json"'
    )
    assert response["Cache-Control"] == "no-store"
    data = json.loads(body)

    assert data["format"] == "tandem-export/1"
    assert data["exported_by"] == caregiver.pk
    assert data["family"] == {
        "id": family.pk,
        "name": "The Riveras",
        "timezone": "Europe/Madrid",
        "follow_up_minutes": 10,
        "created_at": data["family"]["created_at"],
    }
    assert sorted((m["display_name"], m["email"], m["role"]) for m in data["members"]) == [
        ("Alice", owner.email, "owner"),
        ("Bob", caregiver.email, "caregiver"),
    ]
    assert all(m["joined_at"] for m in data["members"])
    assert sorted(c["name"] for c in data["children"]) == ["Ana", "Sam"]
    sam = next(c for c in data["children"] if c["name"] == "Sam")
    assert sam["birth_year"] == 2019

    [routine] = data["routines"]
    assert routine["name"] == "Bedtime"
    assert routine["start_time"] == "19:30"
    assert [s["title"] for s in routine["steps"]] == ["Step 1", "Step 2", "Step 3", "Step 4"]
    assert routine["children"] == sorted(c.pk for c in filled.children)

    assert len(data["runs"]) == 6
    stored = {
        (c.run_id, c.step_id, c.completed_by_id)
        for c in StepCompletion.objects.filter(run__routine__family=family)
    }
    exported = {
        (run["id"], done["step"], done["completed_by"])
        for run in data["runs"]
        for done in run["completions"]
    }
    assert exported == stored
    assert len(stored) == 15

    assert [s["id"] for s in data["strategies"]] == [filled.strategy.pk]  # no built-ins

    assert len(data["checkins"]) == 6
    first_child = next(c for c in data["checkins"] if c["child"] is not None)
    assert first_child["note"] == "Day 0: lost the game"
    assert first_child["body_areas"] == ["chest"]
    assert first_child["strategy"] == filled.strategy.pk
    assert first_child["local_date"] == "2026-03-01"
    partner = next(c for c in data["checkins"] if c["member"] and c["pair"] == first_child["pair"])
    assert partner["emotion"] == "frustrated"
    assert partner["pair"] == first_child["id"]

    assert {i["status"] for i in data["invitations"]} == {"accepted", "pending"}
    assert all("token_hash" not in i and "token" not in i for i in data["invitations"])
    for invitation in Invitation.objects.all():
        assert invitation.token_hash.encode() not in body

    # Nothing of the other family, not even a name.
    assert b"The Others" not in body
    assert b"Charlie" not in body
    other_checkins = {str(c.pk) for c in others.checkins}
    assert not other_checkins & {c["id"] for c in data["checkins"]}


def test_the_export_has_my_devices_without_their_secrets_and_the_familys_deliveries(
    owner_client, family, owner, filled
):
    _, body = download(owner_client, JSON_URL.format(family.pk))
    data = json.loads(body)
    [device] = data["push_subscriptions"]  # mine only, not Bob's
    assert device["endpoint_host"] == "fcm.googleapis.com"
    assert "endpoint" not in device
    assert "p256dh" not in device
    assert "auth" not in device
    assert b"secret-path" not in body
    assert len(data["deliveries"]) == 2


def test_the_export_has_the_reports_and_share_links_without_any_secret(
    owner_client, family, owner, caregiver, filled, others
):
    _, body = download(owner_client, JSON_URL.format(family.pk))
    data = json.loads(body)
    [report] = data["reports"]
    assert report["children"] == sorted(c.pk for c in filled.children)
    assert (report["first"], report["last"], report["sections"]) == (
        "2026-03-01",
        "2026-03-02",
        ["checkins"],
    )
    assert report["created_by"] == owner.pk
    assert "pdf" not in report
    assert b"%PDF" not in body
    [share] = data["shares"]
    assert share["label"] == "Dr Lee"
    assert share["status"] == "active"
    assert share["children"] == [filled.children[0].pk]
    assert [v["what"] for v in share["visits"]] == ["page"]
    assert "token" not in share
    assert "token_hash" not in share
    for stored in Share.objects.all():
        assert stored.token_hash.encode() not in body
    assert Share.objects.count() == 2  # the other family's, left out
    assert Report.objects.count() == 2


def test_the_checkins_csv_has_one_row_per_checkin_in_family_local_time(
    owner_client, family, owner, child
):
    late = dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC)  # 29 March 00:30 in Madrid
    CheckInFactory(
        family=family, child=child, occurred_at=late, note="Ñandú, ça va 💛", created_by=owner
    )
    CheckInFactory(family=family, child=child, occurred_at=late - dt.timedelta(days=1))
    rows = csv_rows(owner_client, family)
    assert list(rows[0]) == export.CSV_COLUMNS
    assert len(rows) == 2 == CheckIn.objects.filter(family=family).count()
    last = rows[-1]
    assert (last["date"], last["time"], last["occurred_at_utc"]) == (
        "2026-03-29",
        "00:30",
        "2026-03-28T23:30:00Z",
    )
    assert (last["subject"], last["child"], last["feeling"]) == ("child", "Sam", "Worried")
    assert last["note"] == "Ñandú, ça va 💛"
    assert last["recorded_by"] == "Alice"


@pytest.mark.parametrize(
    "dangerous", ['=HYPERLINK("http://evil")', "+1+2", "-2+3", "@SUM(A1)", "\tcmd"]
)
def test_csv_cells_that_look_like_formulas_are_neutralised(owner_client, family, child, dangerous):
    child.name = dangerous[:60]
    child.save()
    CheckInFactory(family=family, child=child, note=dangerous)
    [row] = csv_rows(owner_client, family)
    assert row["note"] == "'" + dangerous
    assert row["child"] == "'" + dangerous[:60]


def test_the_csv_download_is_an_attachment(owner_client, family, time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC))
    response, _ = download(owner_client, CSV_URL.format(family.pk))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="tandem-the-riveras-checkins-2026-06-01.csv"'
    )


@pytest.mark.parametrize("url", [JSON_URL, CSV_URL])
def test_another_family_gets_404_and_anonymous_403(url, family, outsider_client, anon_client):
    assert outsider_client.get(url.format(family.pk)).status_code == 404
    assert anon_client.get(url.format(family.pk)).status_code == 403


@pytest.mark.parametrize("url", [JSON_URL, CSV_URL])
def test_errors_are_json_even_when_csv_is_asked_for(url, family, outsider_client):
    response = outsider_client.get(url.format(family.pk), HTTP_ACCEPT="text/csv")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response, _ = download(client, url)
        assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [JSON_URL, CSV_URL])
def test_export_query_count_does_not_grow_with_history(url, family, owner, caregiver):
    filled = fill_family(family, [owner, caregiver], days=2)
    client = client_for(owner)
    small = count_queries(client, url.format(family.pk))
    fill_family(family, [owner, caregiver], days=40)  # a second routine, 40 more days
    ChildFactory.create_batch(5, family=family)
    big = count_queries(client, url.format(family.pk))
    assert big == small, (small, big)
    assert CheckIn.objects.filter(family=family).count() > 20 * len(filled.checkins)


def test_runs_keep_their_own_completions_when_streamed_in_small_chunks(
    owner_client, family, owner, caregiver, monkeypatch
):
    fill_family(family, [owner, caregiver], days=9)
    monkeypatch.setattr(export, "CHUNK_ROWS", 4)
    data = export_json(owner_client, family)
    assert len(data["runs"]) == 18
    assert len(data["checkins"]) == 18
    for run in data["runs"]:
        expected = set(
            StepCompletion.objects.filter(run_id=run["id"]).values_list("step_id", flat=True)
        )
        assert {c["step"] for c in run["completions"]} == expected


def test_exports_are_throttled_per_user(owner_client, caregiver_client, family, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "export", "2/hour")
    assert owner_client.get(JSON_URL.format(family.pk)).status_code == 200
    assert owner_client.get(CSV_URL.format(family.pk)).status_code == 200
    third = owner_client.get(JSON_URL.format(family.pk))
    assert third.status_code == 429
    assert third.json()["code"] == "throttled"
    assert caregiver_client.get(JSON_URL.format(family.pk)).status_code == 200
