"""The care team: members limited to some children, sitter passes, duty, handovers and
the care log. Sam and Lu are the Riveras' children; Gran sees only Sam."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from care.handover import close_ended_passes, start_duty
from care.models import Duty, Handover
from checkins.models import CheckIn
from families.models import Membership, PassUse, Role, SitterPass, hash_token
from families.services import set_member_children
from routines.models import RoutineRun, StepCompletion

from .conftest import client_for
from .support.factories import CheckInFactory, ChildFactory, MembershipFactory, RoutineFactory
from .support.reminder_fixtures import add_device, send_all

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)  # Wednesday, 18:00 in Madrid


@pytest.fixture(autouse=True)
def _evening(request):
    if "push" in request.fixturenames:
        # The local push service's certificate is made for the real clock: before freezing.
        request.getfixturevalue("push")
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sam(family):
    return ChildFactory(family=family, name="Sam")


@pytest.fixture
def lu(family):
    return ChildFactory(family=family, name="Lu")


@pytest.fixture
def shared_routine(family, sam, lu):
    return RoutineFactory(family=family, name="Bedtime", children=[sam, lu], steps=3)


@pytest.fixture
def gran(family, sam, lu):
    membership = MembershipFactory(family=family, role=Role.CAREGIVER, user__display_name="Gran")
    set_member_children(membership, [sam])
    return membership.user


@pytest.fixture
def gran_client(gran):
    return client_for(gran)


def api(family, path=""):
    return f"/api/v1/families/{family.pk}/{path}"


def tick_url(family, routine, child, step, day="2026-06-10"):
    return api(
        family, f"routines/{routine.pk}/children/{child.pk}/days/{day}/steps/{step.pk}/completion/"
    )


def my_membership(user, family):
    return Membership.objects.get(user=user, family=family)


# --- access per child -------------------------------------------------------------------


def test_a_member_limited_to_sam_sees_only_sam(gran_client, family, sam, lu, shared_routine):
    children = gran_client.get(api(family, "children/")).json()["results"]
    assert [c["name"] for c in children] == ["Sam"]
    assert gran_client.get(api(family, f"children/{lu.pk}/")).status_code == 404
    # The shared routine shows only Sam's side.
    routine = gran_client.get(api(family, f"routines/{shared_routine.pk}/")).json()
    assert routine["children"] == [sam.pk]
    board = gran_client.get(api(family, "today/")).json()
    assert [c["child"]["name"] for c in board["children"]] == ["Sam"]


def test_lus_checkins_are_404_and_absent_for_a_member_who_sees_only_sam(
    gran_client, gran, family, sam, lu
):
    lus = CheckInFactory(family=family, child=lu)
    sams = CheckInFactory(family=family, child=sam)
    mine = CheckInFactory(family=family, child=None, member=my_membership(gran, family))
    listed = {c["id"] for c in gran_client.get(api(family, "checkins/")).json()["results"]}
    assert listed == {str(sams.pk), str(mine.pk)}
    assert gran_client.get(api(family, f"checkins/{lus.pk}/")).status_code == 404
    # Filtering by Lu finds nothing, as filtering by another family's child does.
    assert gran_client.get(api(family, f"checkins/?child={lu.pk}")).json()["count"] == 0


def test_lus_id_in_a_body_is_refused_as_another_familys_is(gran_client, family, lu):
    body = {"id": str(uuid.uuid4()), "child": lu.pk, "emotion": "sad", "intensity": 2}
    response = gran_client.post(api(family, "checkins/"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["child"]
    assert not CheckIn.objects.exists()


def test_a_limited_member_cannot_rewrite_a_routine_shared_with_a_hidden_child(
    gran_client, family, shared_routine, sam, lu
):
    url = api(family, f"routines/{shared_routine.pk}/")
    assert gran_client.patch(url, {"name": "Nap"}, format="json").status_code == 403
    assert gran_client.delete(url).status_code == 403
    assert set(shared_routine.children.all()) == {sam, lu}


def test_a_limited_member_cannot_export_and_insights_are_sams(gran_client, family, sam, lu):
    assert gran_client.get(api(family, "export/")).status_code == 403
    assert gran_client.get(api(family, "export/checkins.csv")).status_code == 403
    CheckInFactory(family=family, child=lu, occurred_at=NOW - timedelta(hours=1))
    CheckInFactory(family=family, child=sam, occurred_at=NOW - timedelta(hours=1))
    insights = gran_client.get(api(family, "insights/")).json()
    assert insights["child"]["id"] == sam.pk
    assert insights["total"] == 1


def test_owners_set_who_sees_which_child(owner_client, caregiver_client, caregiver, family, sam):
    membership = my_membership(caregiver, family)
    url = api(family, f"members/{membership.pk}/")
    assert caregiver_client.patch(url, {"children": [sam.pk]}, format="json").status_code == 403
    response = owner_client.patch(url, {"children": [sam.pk]}, format="json")
    assert response.status_code == 200
    assert response.json()["children"] == [sam.pk]
    assert caregiver_client.get(api(family, "children/")).json()["count"] == 1
    response = owner_client.patch(url, {"children": []}, format="json")
    assert response.json()["children"] == []
    membership.refresh_from_db()
    assert not membership.limited


def test_an_owner_always_sees_every_child(owner_client, owner, family, sam):
    url = api(family, f"members/{my_membership(owner, family).pk}/")
    response = owner_client.patch(url, {"children": [sam.pk]}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["children"]


# --- sitter passes ----------------------------------------------------------------------


def tonight(**extra):
    return {
        "name": "Tonight",
        "starts_at": "2026-06-10T18:00:00+02:00",
        "ends_at": "2026-06-10T23:30:00+02:00",
        **extra,
    }


def create_pass(owner_client, family, children):
    response = owner_client.post(
        api(family, "sitter-passes/"),
        tonight(children=[c.pk for c in children]),
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_an_owner_creates_a_pass_shown_once_and_stored_hashed(owner_client, family, sam, lu):
    issued = create_pass(owner_client, family, [sam, lu])
    assert len(issued["token"]) >= 22  # ≥ 128 bits
    assert issued["url"].endswith(f"/#/pass/{issued['token']}")
    assert issued["qr_svg"].lstrip().startswith("<svg")
    assert issued["status"] == "active"
    stored = SitterPass.objects.get()
    assert stored.token_hash == hash_token(issued["token"])
    listed = owner_client.get(api(family, "sitter-passes/")).json()["results"]
    assert "token" not in listed[0]
    assert set(listed[0]["children"]) == {sam.pk, lu.pk}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"starts_at": "2026-06-08T18:00:00+02:00", "ends_at": "2026-06-08T23:00:00+02:00"},
            "starts_at",
        ),
        ({"ends_at": "2026-06-10T17:00:00+02:00"}, "ends_at"),
        ({"ends_at": "2026-06-20T17:00:00+02:00"}, "ends_at"),
        ({"children": []}, "children"),
    ],
)
def test_bad_passes_are_refused_naming_the_field(owner_client, family, sam, change, field):
    body = {**tonight(children=[sam.pk]), **change}
    response = owner_client.post(api(family, "sitter-passes/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not SitterPass.objects.exists()


def test_another_familys_child_in_a_pass_is_refused(owner_client, family, other_family):
    stranger = ChildFactory(family=other_family)
    body = tonight(children=[stranger.pk])
    response = owner_client.post(api(family, "sitter-passes/"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["children"]


def test_caregivers_cannot_make_passes(caregiver_client, family, sam):
    body = tonight(children=[sam.pk])
    assert (
        caregiver_client.post(api(family, "sitter-passes/"), body, format="json").status_code == 403
    )


def redeem(client, token, name="Maya"):
    return client.post(
        "/api/v1/sitter-passes/redeem/",
        {"token": token, "name": name},
        format="json",
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Safari",
    )


def test_a_sitter_opens_the_pass_and_sees_only_its_children(
    owner_client, family, sam, lu, shared_routine
):
    issued = create_pass(owner_client, family, [sam])
    earlier = CheckInFactory(family=family, child=sam, occurred_at=NOW - timedelta(hours=3))
    browser = client_for(None)

    response = redeem(browser, issued["token"])

    assert response.status_code == 200, response.json()
    answer = response.json()
    assert answer["role"] == "sitter"
    assert answer["children"] == [{"id": sam.pk, "name": "Sam"}]
    (mine,) = browser.get("/api/v1/auth/me/").json()["families"]
    assert mine["role"] == "sitter"
    assert mine["member"] == Membership.objects.get(role=Role.SITTER).pk
    board = browser.get(api(family, "today/")).json()
    assert [c["child"]["name"] for c in board["children"]] == ["Sam"]
    # Nothing from before the pass, and nothing a sitter has no business with.
    checkins = browser.get(api(family, "checkins/")).json()["results"]
    assert str(earlier.pk) not in {c["id"] for c in checkins}
    for path in ("members/", "insights/", "export/", "invitations/", "sitter-passes/"):
        assert browser.get(api(family, path)).status_code == 403, path
    assert browser.get(api(family, f"routines/{shared_routine.pk}/history/")).status_code == 403
    patched = browser.patch(api(family, f"routines/{shared_routine.pk}/"), {"name": "x"})
    assert patched.status_code == 403
    assert browser.get(api(family, f"children/{lu.pk}/")).status_code == 404
    # The owner sees the use.
    (listed,) = owner_client.get(api(family, "sitter-passes/")).json()["results"]
    assert listed["uses"] == 1
    visit = PassUse.objects.get()
    assert (visit.name, visit.user_agent) == ("Maya", "Mozilla/5.0 (iPhone) Safari")


def test_a_sitter_ticks_steps_and_checks_in(owner_client, family, sam):
    routine = RoutineFactory(family=family, children=[sam], steps=2)
    issued = create_pass(owner_client, family, [sam])
    browser = client_for(None)
    redeem(browser, issued["token"])
    step = routine.steps.first()
    url = api(
        family,
        f"routines/{routine.pk}/children/{sam.pk}/days/2026-06-10/steps/{step.pk}/completion/",
    )
    assert browser.put(url).status_code == 200
    body = {"id": str(uuid.uuid4()), "child": sam.pk, "emotion": "tired", "intensity": 2}
    assert browser.post(api(family, "checkins/"), body, format="json").status_code == 201
    assert StepCompletion.objects.filter(run__child=sam).count() == 1


def test_outside_its_window_a_pass_says_when(owner_client, family, sam):
    issued = create_pass(owner_client, family, [sam])
    with time_machine.travel(datetime(2026, 6, 10, 14, 0, tzinfo=UTC), tick=False):
        early = redeem(client_for(None), issued["token"])
    assert early.status_code == 403
    assert early.json()["detail"] == "This pass starts at 18:00."
    with time_machine.travel(datetime(2026, 6, 10, 21, 31, tzinfo=UTC), tick=False):
        late = redeem(client_for(None), issued["token"])
    assert late.status_code == 403
    assert late.json()["detail"] == "This pass ended at 23:30."


def test_a_sitter_is_let_out_when_the_window_ends(owner_client, family, sam):
    issued = create_pass(owner_client, family, [sam])
    browser = client_for(None)
    redeem(browser, issued["token"])
    with time_machine.travel(datetime(2026, 6, 10, 21, 31, tzinfo=UTC), tick=False):
        response = browser.get(api(family, "today/"))
    assert response.status_code == 403
    assert response.json()["detail"] == "This pass ended at 23:30."


def test_revoking_ends_every_session_of_the_pass_at_once(owner_client, family, sam):
    issued = create_pass(owner_client, family, [sam])
    phones = [client_for(None), client_for(None)]
    for phone in phones:
        assert redeem(phone, issued["token"]).status_code == 200
        assert phone.get(api(family, "today/")).status_code == 200  # the board is cached now

    assert owner_client.delete(api(family, f"sitter-passes/{issued['id']}/")).status_code == 204

    for phone in phones:
        response = phone.get(api(family, "today/"))
        assert response.status_code == 403
        assert response.json()["code"] == "pass_refused"
        assert "cancelled" in response.json()["detail"]
    assert redeem(client_for(None), issued["token"]).status_code == 403  # no replay


def test_a_bad_token_or_missing_name_is_a_400(owner_client, family, sam):
    issued = create_pass(owner_client, family, [sam])
    assert redeem(client_for(None), "nonsense").status_code == 400
    response = redeem(client_for(None), issued["token"], name="  ")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["name"]


# --- duty ---------------------------------------------------------------------------------


def test_i_have_sam_now_and_everyone_sees_it(
    caregiver_client, owner_client, caregiver, family, sam
):
    response = caregiver_client.put(api(family, f"children/{sam.pk}/duty/"))
    assert response.status_code == 200
    assert response.json()["child"] == sam.pk
    duty = {d["child"]: d["members"] for d in owner_client.get(api(family, "duty/")).json()}
    assert [m["id"] for m in duty[sam.pk]] == [my_membership(caregiver, family).pk]
    assert caregiver_client.delete(api(family, f"children/{sam.pk}/duty/")).status_code == 204
    assert not Duty.objects.exists()


def test_a_sitter_is_on_duty_for_the_pass_children_until_it_ends(owner_client, family, sam, lu):
    issued = create_pass(owner_client, family, [sam])
    redeem(client_for(None), issued["token"])
    duty = {d["child"]: d["members"] for d in owner_client.get(api(family, "duty/")).json()}
    assert [m["name"] for m in duty[sam.pk]] == ["Maya"]
    assert duty[lu.pk] == []
    with time_machine.travel(datetime(2026, 6, 10, 21, 31, tzinfo=UTC), tick=False):
        duty = {d["child"]: d["members"] for d in owner_client.get(api(family, "duty/")).json()}
    assert duty[sam.pk] == []


def test_routine_reminders_go_to_whoever_is_on_duty_else_to_everyone(
    family, owner, caregiver, sam, push, queued, tick
):
    add_device(push, owner, "alice-phone")
    add_device(push, caregiver, "bob-phone")
    RoutineFactory(family=family, children=[sam], start_time=time(19, 30), reminder_offsets=[0])
    start_duty(my_membership(caregiver, family), sam)
    with time_machine.travel(datetime(2026, 6, 10, 17, 30, 5, tzinfo=UTC), tick=False):
        assert tick().deliveries == 1
        assert send_all(queued) == ["sent"]
    assert [m.device_id for m in push.wait_for(1)] == ["bob-phone"]

    Duty.objects.all().delete()
    with time_machine.travel(datetime(2026, 6, 11, 17, 30, 5, tzinfo=UTC), tick=False):
        assert tick().deliveries == 2


def test_a_member_who_sees_only_sam_gets_no_reminder_naming_lu(
    family, gran, sam, lu, push, queued, tick
):
    add_device(push, gran, "gran-phone")
    RoutineFactory(family=family, children=[sam, lu], start_time=time(19, 30), reminder_offsets=[0])
    RoutineFactory(family=family, children=[sam], start_time=time(19, 45), reminder_offsets=[0])
    with time_machine.travel(datetime(2026, 6, 10, 17, 45, 5, tzinfo=UTC), tick=False):
        tick()
        send_all(queued)
    titles = [m.payload["title"] for m in push.wait_for(1)]
    assert all("Lu" not in title for title in titles)
    assert len(titles) == 1


# --- handover -----------------------------------------------------------------------------


def test_handing_over_summarises_and_tells_the_next_adult(
    caregiver_client, caregiver, owner, family, sam, push, queued, tick
):
    add_device(push, owner, "alice-phone")
    routine = RoutineFactory(family=family, children=[sam], name="Bedtime", steps=2)
    caregiver_client.put(api(family, f"children/{sam.pk}/duty/"))
    for step in routine.steps.all():
        caregiver_client.put(
            api(
                family,
                f"routines/{routine.pk}/children/{sam.pk}/days/2026-06-10/steps/{step.pk}/completion/",
            )
        )
    body = {"id": str(uuid.uuid4()), "child": sam.pk, "emotion": "angry", "intensity": 4}
    caregiver_client.post(api(family, "checkins/"), body, format="json")
    owner_membership = my_membership(owner, family)

    response = caregiver_client.post(
        api(family, "handovers/"),
        {"children": [sam.pk], "note": "Tired, skipped the bath.", "to": owner_membership.pk},
        format="json",
    )

    assert response.status_code == 201, response.json()
    answer = response.json()
    (summary,) = answer["summary"]["children"]
    assert summary["name"] == "Sam"
    assert summary["routines_done"] == ["Bedtime"]
    assert len(summary["steps_done"]) == 2
    assert [c["label"] for c in summary["checkins"]] == ["Angry"]
    assert answer["from"]["name"] == "Bob"
    assert answer["to"]["id"] == owner_membership.pk
    # The next adult is on duty now, and told by push.
    assert Duty.objects.get().membership == owner_membership
    with time_machine.travel(NOW + timedelta(seconds=20), tick=False):
        tick()
        send_all(queued)
    (message,) = push.wait_for(1)
    assert message.payload["title"] == "Handover from Bob: Sam"
    assert message.payload["body"] == "Tired, skipped the bath."
    listed = caregiver_client.get(api(family, f"handovers/?child={sam.pk}")).json()["results"]
    assert [h["id"] for h in listed] == [answer["id"]]


def test_a_handover_to_myself_or_for_no_child_is_refused(caregiver_client, caregiver, family, sam):
    me = my_membership(caregiver, family).pk
    response = caregiver_client.post(
        api(family, "handovers/"), {"children": [sam.pk], "to": me}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["to"]
    response = caregiver_client.post(api(family, "handovers/"), {"children": []}, format="json")
    assert response.status_code == 400


def test_when_a_pass_ends_the_owners_get_the_summary_unasked(owner_client, owner, family, sam):
    issued = create_pass(owner_client, family, [sam])
    browser = client_for(None)
    redeem(browser, issued["token"])
    body = {"id": str(uuid.uuid4()), "child": sam.pk, "emotion": "calm", "intensity": 1}
    browser.post(api(family, "checkins/"), body, format="json")
    assert close_ended_passes() == 0  # still on

    with time_machine.travel(datetime(2026, 6, 10, 21, 31, tzinfo=UTC), tick=False):
        assert close_ended_passes() == 1
        assert close_ended_passes() == 0  # once

    handover = Handover.objects.get()
    assert handover.automatic
    assert handover.from_name == "Maya"
    assert [c["label"] for c in handover.summary["children"][0]["checkins"]] == ["Calm"]
    assert not Duty.objects.exists()


# --- care log -----------------------------------------------------------------------------


def test_the_care_log_tells_a_childs_day_in_order(caregiver_client, owner_client, family, sam):
    routine = RoutineFactory(family=family, children=[sam], steps=1)
    caregiver_client.put(api(family, f"children/{sam.pk}/duty/"))
    step = routine.steps.first()
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        caregiver_client.put(tick_url(family, routine, sam, step))
    response = owner_client.get(api(family, f"children/{sam.pk}/log/?date=2026-06-10"))
    assert response.status_code == 200
    kinds = [e["kind"] for e in response.json()]
    assert kinds == ["duty_start", "tick"]
    assert all(e["actor"] == "Bob" for e in response.json())


def test_the_care_log_is_not_for_sitters_nor_for_hidden_children(
    owner_client, gran_client, family, sam, lu
):
    assert gran_client.get(api(family, f"children/{lu.pk}/log/")).status_code == 404
    issued = create_pass(owner_client, family, [sam])
    browser = client_for(None)
    redeem(browser, issued["token"])
    assert browser.get(api(family, f"children/{sam.pk}/log/")).status_code == 403
    assert RoutineRun.objects.count() == 0


def test_a_sitter_may_turn_on_reminders_but_not_the_weekly_digest(owner_client, family, sam):
    issued = create_pass(owner_client, family, [sam])
    browser = client_for(None)
    redeem(browser, issued["token"])
    url = api(family, "reminder-settings/me/")
    assert browser.patch(url, {"enabled": True}, format="json").status_code == 200
    response = browser.patch(url, {"weekly_digest": True}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["weekly_digest"]
