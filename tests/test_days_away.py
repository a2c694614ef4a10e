"""Days away: Sam is at Dad's from Friday to Sunday. His routines leave Today, their
reminders are recorded as skipped (through the real dispatch tick), his streaks hold,
history and insights show the days as away, and the ranges travel in the export."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from families import away
from families.models import ChildAway, Family, Role
from families.services import set_member_children
from reminders.models import Delivery, DeliveryState, ReminderState, ScheduledReminder
from routines.history import routine_days, routine_history, routines_kept
from routines.models import RoutineRun

from .conftest import client_for
from .support.factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory
from .support.reminder_fixtures import add_device

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 1, 13, 16, 0, tzinfo=UTC)  # Wednesday, 17:00 in Madrid
WED = date(2027, 1, 13)
FRI, SUN = date(2027, 1, 15), date(2027, 1, 17)


@pytest.fixture(autouse=True)
def _wednesday(request):
    if "push" in request.fixturenames:
        request.getfixturevalue("push")  # its certificate is made for the real clock
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sam(family):
    return ChildFactory(family=family, name="Sam")


@pytest.fixture
def lu(family):
    return ChildFactory(family=family, name="Lu")


def api(family, path=""):
    return f"/api/v1/families/{family.pk}/{path}"


def mark_away(client, family, child, first, last, note="at Dad's"):
    return client.post(
        api(family, f"children/{child.pk}/away/"),
        {"from": str(first), "to": str(last), "note": note},
        format="json",
    )


# --- the API and its rules ----------------------------------------------------------------


def test_a_caregiver_marks_sam_away_lists_and_deletes_the_range(caregiver_client, family, sam):
    made = mark_away(caregiver_client, family, sam, FRI, SUN)
    assert made.status_code == 201, made.content
    body = made.json()
    assert {k: body[k] for k in ("from", "to", "note", "child")} == {
        "from": "2027-01-15",
        "to": "2027-01-17",
        "note": "at Dad's",
        "child": sam.pk,
    }
    listed = caregiver_client.get(api(family, "away/"), {"from": "2027-01-01", "to": "2027-01-31"})
    assert [r["id"] for r in listed.json()["results"]] == [body["id"]]
    # Outside the asked days it is not listed; by default from today on.
    later = caregiver_client.get(api(family, "away/"), {"from": "2027-01-18"})
    assert later.json()["results"] == []
    assert len(caregiver_client.get(api(family, "away/")).json()["results"]) == 1
    backwards = caregiver_client.get(
        api(family, "away/"), {"from": "2027-02-01", "to": "2027-01-01"}
    )
    assert backwards.status_code == 400
    assert "to" in backwards.json()["errors"]
    assert caregiver_client.delete(api(family, f"away/{body['id']}/")).status_code == 204
    assert not ChildAway.objects.exists()


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (SUN, FRI, "to"),  # the end before the start
        (WED, WED + timedelta(days=366), "to"),  # over a year
        ("friday", SUN, "from"),
        (FRI, "", "to"),
    ],
)
def test_bad_ranges_are_400s_naming_the_field(owner_client, family, sam, first, last, field):
    response = mark_away(owner_client, family, sam, first, last)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ChildAway.objects.exists()


def test_a_year_exactly_and_a_past_range_are_allowed(owner_client, family, sam):
    assert mark_away(owner_client, family, sam, WED, WED + timedelta(days=365)).status_code == 201
    past = mark_away(owner_client, family, sam, date(2026, 12, 1), date(2026, 12, 3), "holiday")
    assert past.status_code == 201


def test_overlapping_ranges_are_refused_naming_from_adjacent_ones_are_not(
    owner_client, family, sam, lu
):
    assert mark_away(owner_client, family, sam, FRI, SUN).status_code == 201
    clash = mark_away(owner_client, family, sam, SUN, SUN + timedelta(days=2), "with Grandma")
    assert clash.status_code == 400
    assert clash.json()["errors"]["from"] == ["Sam is already away from 2027-01-15 to 2027-01-17."]
    inside = mark_away(owner_client, family, sam, FRI + timedelta(days=1), FRI + timedelta(days=1))
    assert inside.status_code == 400
    assert mark_away(owner_client, family, sam, SUN + timedelta(days=1), SUN + timedelta(days=3))
    assert ChildAway.objects.filter(child=sam).count() == 2
    # Another child's days are their own.
    assert mark_away(owner_client, family, lu, FRI, SUN).status_code == 201


def test_a_note_is_short_and_optional(owner_client, family, sam):
    long = mark_away(owner_client, family, sam, FRI, SUN, "x" * 81)
    assert long.status_code == 400
    assert "note" in long.json()["errors"]
    bare = owner_client.post(
        api(family, f"children/{sam.pk}/away/"), {"from": str(FRI), "to": str(SUN)}, format="json"
    )
    assert bare.status_code == 201
    assert bare.json()["note"] == ""


def test_another_familys_or_a_hidden_childs_days_away_are_404(
    owner_client, outsider_client, family, sam, lu
):
    made = mark_away(owner_client, family, lu, FRI, SUN).json()
    gran = MembershipFactory(family=family, role=Role.CAREGIVER)
    set_member_children(gran, [sam])
    gran_client = client_for(gran.user)
    assert mark_away(gran_client, family, lu, FRI, SUN).status_code == 404
    assert gran_client.delete(api(family, f"away/{made['id']}/")).status_code == 404
    assert gran_client.get(api(family, "away/")).json()["results"] == []
    assert mark_away(outsider_client, family, sam, FRI, SUN).status_code == 404
    assert outsider_client.delete(api(family, f"away/{made['id']}/")).status_code == 404
    assert ChildAway.objects.count() == 1


# --- Today ---------------------------------------------------------------------------------


def test_today_shows_sam_away_with_no_routines_and_lu_as_usual(owner_client, family, sam, lu):
    RoutineFactory(family=family, name="Bedtime", children=[sam, lu])
    before = owner_client.get(api(family, "today/"), {"date": str(FRI)})
    mark_away(owner_client, family, sam, FRI, SUN)
    for day in (FRI, SUN):
        board = owner_client.get(api(family, "today/"), {"date": str(day)}).json()
        entries = {c["child"]["name"]: c for c in board["children"]}
        assert entries["Sam"]["away"] == {"until": "2027-01-17", "note": "at Dad's"}
        assert entries["Sam"]["routines"] == []
        assert entries["Lu"]["away"] is None
        assert [r["routine"]["name"] for r in entries["Lu"]["routines"]] == ["Bedtime"]
    # The cached board of that day changed with it (a new ETag, not a stale 304).
    again = owner_client.get(
        api(family, "today/"), {"date": str(FRI)}, HTTP_IF_NONE_MATCH=before["ETag"]
    )
    assert again.status_code == 200
    monday = owner_client.get(api(family, "today/"), {"date": str(SUN + timedelta(days=1))})
    sam_monday = next(c for c in monday.json()["children"] if c["child"]["name"] == "Sam")
    assert sam_monday["away"] is None
    assert len(sam_monday["routines"]) == 1


def test_today_is_the_familys_local_day_not_the_servers(db):
    # 16:00 UTC on Wednesday is already Thursday 06:00 in Kiritimati (UTC+14).
    family = FamilyFactory(timezone="Pacific/Kiritimati")
    owner = MembershipFactory(family=family, role=Role.OWNER).user
    sam = ChildFactory(family=family, name="Sam")
    RoutineFactory(family=family, children=[sam])
    thursday = WED + timedelta(days=1)
    away.add_away(child=sam, first=thursday, last=thursday, note="holiday")
    board = client_for(owner).get(api(family, "today/")).json()
    assert board["date"] == str(thursday)
    assert board["children"][0]["away"] == {"until": str(thursday), "note": "holiday"}


# --- reminders -----------------------------------------------------------------------------


def test_reminders_for_a_child_away_are_recorded_as_skipped(
    family, owner, sam, lu, push, queued, tick
):
    add_device(push, owner, "alice-phone")
    sam_only = RoutineFactory(
        family=family, name="Bath", children=[sam], start_time=time(19, 30), reminder_offsets=[0]
    )
    both = RoutineFactory(
        family=family, name="Bedtime", children=[sam, lu], start_time=time(20, 0),
        reminder_offsets=[0],
    )  # fmt: skip
    away.add_away(child=sam, first=WED, last=WED, note="at Dad's")
    with time_machine.travel(datetime(2027, 1, 13, 18, 30, 5, tzinfo=UTC), tick=False):
        report = tick()
    assert report.deliveries == 0
    assert report.skipped == 1
    done = ScheduledReminder.objects.get(routine=sam_only, occurrence_date=WED)
    assert done.state == ReminderState.DONE
    assert done.payload["skipped"] == "away"
    [delivery] = Delivery.objects.filter(reminder=done)
    assert delivery.state == DeliveryState.SKIPPED
    assert delivery.error == "Away that day: Sam."
    assert queued == []
    # Tomorrow's occurrence is materialised as usual.
    assert ScheduledReminder.objects.filter(
        routine=sam_only, state=ReminderState.PENDING, occurrence_date=WED + timedelta(days=1)
    ).exists()
    # A routine of Sam and Lu still reminds, of Lu only.
    with time_machine.travel(datetime(2027, 1, 13, 19, 0, 5, tzinfo=UTC), tick=False):
        assert tick().deliveries == 1
    sent = ScheduledReminder.objects.get(routine=both, occurrence_date=WED)
    assert sent.payload["title"] == "Bedtime for Lu: time to start"
    assert "skipped" not in sent.payload
    # The next day Sam is back.
    with time_machine.travel(datetime(2027, 1, 14, 18, 30, 5, tzinfo=UTC), tick=False):
        assert tick().deliveries == 1


# --- history, streaks, insights -----------------------------------------------------------


def _complete(routine, child, day):
    RoutineRun.objects.create(
        routine=routine,
        child=child,
        date=day,
        started_at=NOW,
        completed_at=NOW,
    )


def test_days_away_neither_count_nor_break_a_streak(family, sam, lu):
    routine = RoutineFactory(
        family=family, children=[sam, lu], created_at=datetime(2027, 1, 1, tzinfo=UTC)
    )
    first = date(2027, 1, 1)
    away.add_away(child=sam, first=date(2027, 1, 5), last=date(2027, 1, 7), note="at Dad's")
    for n in range(13):  # 1 … 13 January, today included
        day = first + timedelta(days=n)
        if not date(2027, 1, 5) <= day <= date(2027, 1, 7):
            _complete(routine, sam, day)
        _complete(routine, lu, day)
    history = routine_history(routine, first, WED, child=sam)
    sam_days = {d.date: d for d in history.children[0].days}
    assert sam_days[date(2027, 1, 6)].away
    assert not sam_days[date(2027, 1, 6)].scheduled
    assert sam_days[date(2027, 1, 8)].complete
    sam_history = history.children[0]
    assert sam_history.current_streak == 10
    assert sam_history.best_streak == 10
    assert sam_history.completion_rate == 1.0
    assert sam_history.scheduled_days == 10
    # For both children, the days Sam was away count Lu's runs alone.
    overall = routine_history(routine, first, WED)
    assert overall.overall.current_streak == 13
    assert not any(d.away for d in overall.overall.days)


def test_history_api_shows_away_days(owner_client, family, sam):
    routine = RoutineFactory(family=family, children=[sam])
    away.add_away(child=sam, first=WED, last=WED)
    days = owner_client.get(
        api(family, f"routines/{routine.pk}/history/"), {"from": str(WED), "to": str(WED)}
    ).json()["days"]
    assert days == [
        {"date": str(WED), "scheduled": False, "done": 0, "total": 0, "complete": False,
         "away": True},
    ]  # fmt: skip


def test_kept_routine_figures_do_not_count_away_days_as_not_kept(family, sam):
    routine = RoutineFactory(
        family=family, name="Bedtime", children=[sam], created_at=datetime(2027, 1, 1, tzinfo=UTC)
    )
    first, last = date(2027, 1, 1), date(2027, 1, 12)
    away.add_away(child=sam, first=date(2027, 1, 10), last=date(2027, 1, 12))
    for n in range(9):
        _complete(routine, sam, first + timedelta(days=n))
    assert routines_kept(family, [sam.pk], first, last)[sam.pk]["kept"] == 9
    assert routines_kept(family, [sam.pk], first, last)[sam.pk]["scheduled"] == 9
    days = routine_days(family, sam, first, last, None)
    assert len(days.kept) == 9
    assert days.not_kept == frozenset()


# --- export and import ---------------------------------------------------------------------


def test_days_away_are_exported_and_imported(owner, owner_client, family, sam):
    away.add_away(child=sam, first=FRI, last=SUN, note="at Dad's", user=owner)
    away.add_away(child=sam, first=date(2026, 12, 24), last=date(2026, 12, 26), note="holiday")
    exported = b"".join(owner_client.get(api(family, "export/")).streaming_content)
    doc = json.loads(exported)
    assert [(r["from"], r["to"], r["note"], r["child"]) for r in doc["away"]] == [
        ("2027-01-15", "2027-01-17", "at Dad's", sam.pk),
        ("2026-12-24", "2026-12-26", "holiday", sam.pk),
    ]
    response = owner_client.post(
        "/api/v1/families/import/",
        {"file": SimpleUploadedFile("export.json", exported)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    new = Family.objects.exclude(pk=family.pk).get()
    imported = ChildAway.objects.filter(child__family=new).order_by("starts_on")
    assert [(a.starts_on, a.ends_on, a.note, a.child.name) for a in imported] == [
        (date(2026, 12, 24), date(2026, 12, 26), "holiday", "Sam"),
        (FRI, SUN, "at Dad's", "Sam"),
    ]

    doc["away"][1]["from"] = "2027-01-16"  # now inside the other range
    doc["away"][1]["to"] = "2027-01-20"
    bad = owner_client.post(
        "/api/v1/families/import/",
        {"file": SimpleUploadedFile("export.json", json.dumps(doc).encode())},
        format="multipart",
    )
    assert bad.status_code == 400
    assert "away.1.from" in bad.json()["errors"]
