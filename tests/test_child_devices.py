"""Child devices: pairing codes, what a paired tablet may do (and nothing else),
revocation, and the child's own check-in pushed once to the grown-ups on duty."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from care.handover import start_duty
from checkins.models import CheckIn
from families import devices
from families.models import ChildDevice, Membership, Role, User
from reminders.models import Delivery, ReminderSettings, ScheduledReminder
from testing.urlmap import api_endpoints

from .conftest import client_for
from .support.factories import ChildFactory, MembershipFactory, RoutineFactory, RoutineRunFactory
from .support.reminder_fixtures import add_device, send_all
from .support.victims import build_kwargs

pytestmark = pytest.mark.django_db


@pytest.fixture
def lea(family):
    return ChildFactory(family=family, name="Lea")


def _membership(family, user):
    return Membership.objects.get(family=family, user=user)


def _issue(family, owner, children, name="Sam's tablet"):
    return devices.create_device(
        membership=_membership(family, owner), name=name, children=children
    )


def _paired_client(code: str) -> APIClient:
    client = APIClient()
    r = client.post("/api/v1/child-devices/pair/", {"code": code}, format="json")
    assert r.status_code == 200, r.content
    return client


@pytest.fixture
def tablet(family, owner, child):
    """A browser paired as Sam's tablet (through the API, so its session is real)."""
    return _paired_client(_issue(family, owner, [child]).code)


# --- setting one up ------------------------------------------------------------------------


def test_an_owner_gets_a_code_its_qr_and_link_and_only_the_hash_is_stored(
    owner_client, family, child
):
    r = owner_client.post(
        f"/api/v1/families/{family.pk}/child-devices/",
        {"name": "Sam's tablet", "children": [child.pk]},
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    code = body["pairing_code"]
    assert len(code) == 8
    assert set(code) <= set(devices.CODE_ALPHABET)
    assert not set(code) & set("0O1I")
    assert body["pair_url"].endswith(f"/#/pair-device/{code}")
    assert body["qr_svg"].startswith("<svg")
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert timedelta(minutes=9) < expires - timezone.now() <= timedelta(minutes=10)
    device = ChildDevice.objects.get(pk=body["id"])
    assert device.code_hash == devices.hash_code(code) != code
    listed = owner_client.get(f"/api/v1/families/{family.pk}/child-devices/").json()
    assert [(d["name"], d["children"], d["status"]) for d in listed] == [
        ("Sam's tablet", [child.pk], "waiting")
    ]
    assert "pairing_code" not in listed[0]


def test_only_owners_set_up_devices(caregiver_client, family, child):
    r = caregiver_client.post(
        f"/api/v1/families/{family.pk}/child-devices/",
        {"name": "Tablet", "children": [child.pk]},
        format="json",
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "children": "SAM"}, "name"),
        ({"name": "   ", "children": "SAM"}, "name"),
        ({"name": "Tablet", "children": []}, "children"),
        ({"name": "Tablet", "children": "OTHER"}, "children"),
        ({"name": "Tablet"}, "children"),
        ({"name": "x" * 61, "children": "SAM"}, "name"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    owner_client, family, child, other_family, body, field
):
    other = ChildFactory(family=other_family)
    ids = {"SAM": [child.pk], "OTHER": [other.pk]}
    if "children" in body:
        chosen = body["children"]
        body = {**body, "children": ids[chosen] if isinstance(chosen, str) else chosen}
    r = owner_client.post(f"/api/v1/families/{family.pk}/child-devices/", body, format="json")
    assert r.status_code == 400, r.content
    assert field in r.json()["errors"]
    assert not ChildDevice.objects.exists()


# --- pairing -------------------------------------------------------------------------------


def test_a_code_pairs_once_and_the_tablet_knows_what_it_is(family, owner, child, lea):
    issued = _issue(family, owner, [child])
    client = APIClient()
    r = client.post("/api/v1/child-devices/pair/", {"code": issued.code}, format="json")
    assert r.status_code == 200
    assert r.json()["family"] == {"id": family.pk, "name": family.name}
    assert [c["name"] for c in r.json()["children"]] == ["Sam"]
    me = client.get("/api/v1/auth/me/").json()
    assert me["device"]["id"] == issued.device.pk
    assert me["device"]["family"]["id"] == family.pk
    assert [c["id"] for c in me["device"]["children"]] == [child.pk]
    user = User.objects.get(pk=me["id"])
    assert user.is_device
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Role.DEVICE

    again = APIClient().post("/api/v1/child-devices/pair/", {"code": issued.code}, format="json")
    assert again.status_code == 400
    assert list(again.json()["errors"]) == ["code"]


def test_a_person_is_not_a_device(owner_client):
    assert owner_client.get("/api/v1/auth/me/").json()["device"] is None


def test_a_code_is_typed_in_any_case_with_dashes(family, owner, child):
    code = _issue(family, owner, [child]).code
    _paired_client(f" {code[:4].lower()}-{code[4:]} ")


def test_a_code_lasts_ten_minutes(family, owner, child):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        early, late = _issue(family, owner, [child]), _issue(family, owner, [child], "B")
    with time_machine.travel(start + timedelta(minutes=9, seconds=59), tick=False):
        _paired_client(early.code)
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        r = APIClient().post("/api/v1/child-devices/pair/", {"code": late.code}, format="json")
    assert r.status_code == 400
    assert "expired" in r.json()["errors"]["code"][0]


@pytest.mark.parametrize("code", ["WRONGCOD", "", "x" * 33])
def test_a_wrong_code_is_a_400_naming_code(db, code):
    r = APIClient().post("/api/v1/child-devices/pair/", {"code": code}, format="json")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["code"]


def test_pairing_attempts_are_throttled_per_address(monkeypatch, family, owner, child):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "device_pair", "3/hour")
    good = _issue(family, owner, [child]).code
    client = APIClient()
    for _ in range(3):
        assert client.post("/api/v1/child-devices/pair/", {"code": "WRONGCOD"}).status_code == 400
    r = APIClient().post("/api/v1/child-devices/pair/", {"code": good}, format="json")
    assert r.status_code == 429
    assert r.json()["code"] == "throttled"


# --- what a tablet may do ------------------------------------------------------------------

# Everything else answers 403 (or 404 for another child's objects).
DEVICE_MAY = {
    ("api/v1/auth/me/", "GET"),
    ("api/v1/emotions/", "GET"),
    ("api/v1/families/<family_id>/today/", "GET"),
    ("api/v1/families/<family_id>/checkins/", "POST"),
    ("api/v1/families/<family_id>/pin/check/", "POST"),  # the grown-up leaving the child view
}
TICKS = {
    "api/v1/families/<family_id>/runs/<run>/steps/<step>/completion/",
    "api/v1/families/<family_id>/routines/<routine>/children/<child>/days/<date>/steps/<step>/completion/",
}
PUBLIC = {"POST api/v1/auth/logout/"}  # anyone may; it would end the walk's session


def test_a_tablet_gets_403_or_404_everywhere_but_its_own_actions(family, owner, child):
    tablet_user = devices.pair(code=_issue(family, owner, [child]).code).user
    client = client_for(tablet_user)
    anonymous = APIClient()
    let_through = []
    for endpoint in api_endpoints():
        kwargs = build_kwargs(endpoint, family, owner) if "family_id" in endpoint.kwargs else {}
        for method in endpoint.methods:
            if f"{method} {endpoint.route}" in PUBLIC:
                continue
            url = endpoint.url(kwargs)
            response = client.generic(method, url, "{}", content_type="application/json")
            if (endpoint.route, method) in DEVICE_MAY:
                assert response.status_code in (200, 400), (method, endpoint.route)
                let_through.append((endpoint.route, method))
            elif endpoint.route in TICKS:  # its objects are another child's here
                assert response.status_code == 404, (method, endpoint.route)
            elif (
                anonymous.generic(method, url, "{}", content_type="application/json").status_code
                != 403
            ):
                continue  # public (sign-up, the share link…): the same for a tablet as anyone
            else:
                assert response.status_code in (403, 404), (
                    method,
                    endpoint.route,
                    response.status_code,
                )
    assert sorted(let_through) == sorted(DEVICE_MAY)


def test_a_tablet_sees_and_ticks_only_its_children(family, owner, child, lea):
    sams = RoutineFactory(family=family, children=[child], name="Sam's bedtime")
    RoutineFactory(family=family, children=[lea], name="Lea's bedtime")
    client = client_for(devices.pair(code=_issue(family, owner, [child]).code).user)
    board = client.get(f"/api/v1/families/{family.pk}/today/").json()
    names = {r["routine"]["name"] for c in board["children"] for r in c["routines"]}
    assert names == {"Sam's bedtime"}
    assert [c["child"]["id"] for c in board["children"]] == [child.pk]

    sam_run = RoutineRunFactory(routine=sams, child=child)
    step = sams.steps.first()
    r = client.put(f"/api/v1/families/{family.pk}/runs/{sam_run.pk}/steps/{step.pk}/completion/")
    assert r.status_code == 200
    leas = RoutineFactory(family=family, children=[lea])
    lea_run = RoutineRunFactory(routine=leas, child=lea)
    r = client.put(
        f"/api/v1/families/{family.pk}/runs/{lea_run.pk}/steps/{leas.steps.first().pk}/completion/"
    )
    assert r.status_code == 404
    r = client.post(
        f"/api/v1/families/{family.pk}/checkins/",
        {"id": str(uuid.uuid4()), "child": lea.pk, "emotion": "angry", "intensity": 5,
         "by_child": True},
        format="json",
    )  # fmt: skip
    assert r.status_code == 400
    assert "child" in r.json()["errors"]


def test_a_tablet_is_not_a_member_anyone_lists(owner_client, family, owner, child, tablet):
    members = owner_client.get(f"/api/v1/families/{family.pk}/members/").json()
    rows = members["results"] if isinstance(members, dict) else members
    assert all(m["role"] != "device" for m in rows)


def test_last_seen_moves_at_most_once_a_minute(family, owner, child):
    issued = _issue(family, owner, [child])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = _paired_client(issued.code)
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        client.get(f"/api/v1/families/{family.pk}/today/")
        issued.device.refresh_from_db()
        assert issued.device.last_seen_at == start + timedelta(minutes=5)
    with time_machine.travel(start + timedelta(minutes=5, seconds=30), tick=False):
        client.get(f"/api/v1/families/{family.pk}/today/")
        issued.device.refresh_from_db()
        assert issued.device.last_seen_at == start + timedelta(minutes=5)


# --- revoking ------------------------------------------------------------------------------


def test_a_revoked_tablet_is_out_at_its_next_request(owner_client, family, owner, child):
    issued = _issue(family, owner, [child])
    tablet = _paired_client(issued.code)
    assert tablet.get(f"/api/v1/families/{family.pk}/today/").status_code == 200

    r = owner_client.delete(f"/api/v1/families/{family.pk}/child-devices/{issued.device.pk}/")
    assert r.status_code == 204
    assert tablet.get(f"/api/v1/families/{family.pk}/today/").status_code == 403
    me = tablet.get("/api/v1/auth/me/")
    assert me.status_code == 403
    assert me.json()["code"] == "not_authenticated"
    assert owner_client.get(f"/api/v1/families/{family.pk}/child-devices/").json() == []
    again = APIClient().post("/api/v1/child-devices/pair/", {"code": issued.code}, format="json")
    assert again.status_code == 400
    assert "code" in again.json()["errors"]
    # Removing it again is the same answer, not an error.
    r = owner_client.delete(f"/api/v1/families/{family.pk}/child-devices/{issued.device.pk}/")
    assert r.status_code == 404


def test_another_familys_device_is_404(outsider_client, family, owner, child):
    issued = _issue(family, owner, [child])
    r = outsider_client.delete(f"/api/v1/families/{family.pk}/child-devices/{issued.device.pk}/")
    assert r.status_code == 404
    assert ChildDevice.objects.get(pk=issued.device.pk).revoked_at is None


# --- the child's own check-in --------------------------------------------------------------


def _feel(client, family, child, checkin_id=None, **extra):
    body = {
        "id": str(checkin_id or uuid.uuid4()),
        "child": child.pk,
        "emotion": "angry",
        "intensity": 5,
        "by_child": True,
        **extra,
    }
    return client.post(f"/api/v1/families/{family.pk}/checkins/", body, format="json")


def test_the_childs_check_in_reaches_the_grown_up_on_duty_once(
    tick, push, queued, family, owner, caregiver, child, tablet
):
    add_device(push, owner, "alice-phone")
    add_device(push, caregiver, "bob-phone")
    add_device(push, caregiver, "bob-tablet")
    start_duty(_membership(family, caregiver), child)
    checkin_id = uuid.uuid4()

    first = _feel(tablet, family, child, checkin_id)
    retry = _feel(tablet, family, child, checkin_id)

    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json()["by_child"] is True
    assert CheckIn.objects.filter(pk=checkin_id).count() == 1
    stored = CheckIn.objects.get(pk=checkin_id)
    assert stored.by_child
    assert stored.pair is None
    assert stored.member_id is None
    assert ScheduledReminder.objects.filter(kind="child_checkin").count() == 1
    tick()
    assert sorted(send_all(queued)) == ["sent", "sent"]
    messages = push.wait_for(2)
    assert {m.device_id for m in messages} == {"bob-phone", "bob-tablet"}
    payload = messages[0].payload
    assert payload["title"] == "Sam says: mad, big"
    url = urlsplit(payload["url"].removeprefix("/#"))
    assert url.path == f"/families/{family.pk}/checkin"
    query = parse_qs(url.query)
    assert (query["child"], query["emotion"], query["intensity"]) == (
        [str(child.pk)],
        ["angry"],
        ["5"],
    )
    assert push.errors == []
    tick()  # nothing more, ever
    assert queued == []
    assert Delivery.objects.count() == 2


def test_with_nobody_on_duty_every_grown_up_hears_even_in_quiet_hours(
    tick, push, queued, family, owner, caregiver, child, tablet
):
    add_device(push, owner, "alice-phone")
    add_device(push, caregiver, "bob-phone")
    now_local = timezone.now().astimezone(family.zone)
    ReminderSettings.objects.create(
        membership=_membership(family, owner),
        quiet_start=(now_local - timedelta(hours=1)).time(),
        quiet_end=(now_local + timedelta(hours=1)).time(),
    )
    assert _feel(tablet, family, child, intensity=1, emotion="scared").status_code == 201
    tick()
    assert send_all(queued) == ["sent", "sent"]
    titles = {m.device_id: m.payload["title"] for m in push.wait_for(2)}
    assert titles == {
        "alice-phone": "Sam says: scared, small",
        "bob-phone": "Sam says: scared, small",
    }


def test_a_grown_up_who_cannot_see_the_child_is_not_told(
    tick, push, queued, family, owner, child, lea, tablet
):
    only_lea = MembershipFactory(family=family, role=Role.CAREGIVER, limited=True)
    only_lea.children.set([lea])
    add_device(push, only_lea.user, "lea-only")
    add_device(push, owner, "alice-phone")
    _feel(tablet, family, child, intensity=3)
    tick()
    send_all(queued)
    assert [m.device_id for m in push.wait_for(1)] == ["alice-phone"]
    assert push.wait_for(1)[0].payload["title"] == "Sam says: mad, medium"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"by_child": False}, "by_child"),
        ({"by_child": None}, "by_child"),
        ({"note": "typed"}, "note"),
        ({"body_areas": ["chest"]}, "body_areas"),
        ({"intensity": 6}, "intensity"),
        ({"emotion": "sunny"}, "emotion"),
        ({"caregiver": {"id": str(uuid.uuid4()), "emotion": "calm", "intensity": 2}}, "caregiver"),
    ],
)
def test_a_tablet_records_only_the_childs_feeling_and_size(family, child, tablet, extra, field):
    r = _feel(tablet, family, child, **extra)
    assert r.status_code == 400, r.content
    assert field in r.json()["errors"]
    assert not CheckIn.objects.exists()


def test_a_grown_up_cannot_record_a_check_in_by_the_child(owner_client, family, child):
    r = _feel(owner_client, family, child)
    assert r.status_code == 400
    assert "by_child" in r.json()["errors"]


def test_a_tablet_reads_no_check_ins(family, child, tablet):
    assert _feel(tablet, family, child).status_code == 201
    assert tablet.get(f"/api/v1/families/{family.pk}/checkins/").status_code == 403
    checkin = CheckIn.objects.get()
    r = tablet.get(f"/api/v1/families/{family.pk}/checkins/{checkin.pk}/")
    assert r.status_code == 403


def test_the_childs_check_in_shows_in_history_as_by_the_child(owner_client, family, child, tablet):
    _feel(tablet, family, child)
    rows = owner_client.get(f"/api/v1/families/{family.pk}/checkins/").json()["results"]
    assert [(r["by_child"], r["caregiver"], r["emotion"]) for r in rows] == [(True, None, "angry")]


def test_the_childs_check_ins_go_through_export_and_import_but_the_tablet_does_not(
    owner, owner_client, family, child, tablet
):
    _feel(tablet, family, child)
    exported = b"".join(owner_client.get(f"/api/v1/families/{family.pk}/export/").streaming_content)
    data = json.loads(exported)
    assert all(m["role"] != "device" for m in data["members"])
    assert [c["by_child"] for c in data["checkins"]] == [True]

    r = owner_client.post(
        "/api/v1/families/import/",
        {"file": SimpleUploadedFile("tandem.json", exported)},
        format="multipart",
    )
    assert r.status_code == 201, r.content
    imported = CheckIn.objects.exclude(family=family).get()
    assert imported.by_child
    assert imported.emotion == "angry"


def test_an_export_with_a_wrong_by_child_is_refused_naming_it(owner_client, family, child, tablet):
    _feel(tablet, family, child)
    data = json.loads(
        b"".join(owner_client.get(f"/api/v1/families/{family.pk}/export/").streaming_content)
    )
    data["checkins"][0]["by_child"] = "yes"
    r = owner_client.post(
        "/api/v1/families/import/",
        {"file": SimpleUploadedFile("tandem.json", json.dumps(data).encode())},
        format="multipart",
    )
    assert r.status_code == 400
    assert "checkins.0.by_child" in r.json()["errors"]


def test_a_deleted_family_takes_its_tablets_users_with_it(family, owner, child):
    tablet_user = devices.pair(code=_issue(family, owner, [child]).code).user
    family.delete()
    assert not User.objects.filter(pk=tablet_user.pk).exists()
    assert User.objects.filter(pk=owner.pk).exists()


def test_a_tablets_board_costs_what_a_limited_members_does(family, owner, child, lea, tablet):
    RoutineFactory(family=family, children=[child])
    limited = MembershipFactory(family=family, role=Role.CAREGIVER, limited=True)
    limited.children.set([child])
    member = client_for(limited.user)
    url = f"/api/v1/families/{family.pk}/today/"
    counts = []
    for client in (member, tablet):
        client.get(url)  # the board cached, last_seen written
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- the family's language -----------------------------------------------------------------


def test_a_tablet_speaks_the_familys_language_and_follows_a_change(
    owner_client, family, owner, child
):
    family.language = "es"
    family.save(update_fields=["language"])
    tablet = _paired_client(_issue(family, owner, [child]).code)
    assert tablet.get("/api/v1/auth/me/").json()["language"] == "es"
    angry = {e["key"]: e for e in tablet.get("/api/v1/emotions/").json()["emotions"]}["angry"]
    assert angry["label"] != "Angry"  # in Spanish, like everything the tablet shows

    r = owner_client.patch(f"/api/v1/families/{family.pk}/", {"language": "de"}, format="json")
    assert r.status_code == 200, r.content
    assert tablet.get("/api/v1/auth/me/").json()["language"] == "de"
    assert owner_client.get("/api/v1/auth/me/").json()["language"] == "en"  # people choose
