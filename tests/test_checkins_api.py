"""Check-ins: recording (idempotent by client id), coregulation pairs, filters, follow-ups."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from checkins import recording
from checkins.models import CheckIn, Strategy
from checkins.serializers import CheckInSerializer
from families.models import Membership
from reminders import dispatch
from reminders.models import ScheduledReminder

from .conftest import client_for
from .support.factories import CheckInFactory, ChildFactory, MembershipFactory, StrategyFactory

pytestmark = pytest.mark.django_db


def url(family, suffix=""):
    return f"/api/v1/families/{family.pk}/checkins/{suffix}"


def body(child, **extra):
    return {
        "id": str(uuid.uuid4()),
        "child": child.pk,
        "emotion": "worried",
        "intensity": 3,
        **extra,
    }


def my_membership(user, family):
    return Membership.objects.get(user=user, family=family)


# --- recording ---------------------------------------------------------------------------


def test_it_records_a_childs_checkin(owner_client, owner, family, child):
    data = body(child, body_areas=["Chest:tight", "tummy"], note="  Lost his toy  ")
    response = owner_client.post(url(family), data)
    assert response.status_code == 201, response.json()
    stored = CheckIn.objects.get(pk=data["id"])
    assert stored.family == family
    assert stored.child == child
    assert stored.created_by == owner
    assert stored.body_areas == ["chest:tight", "tummy"]
    assert stored.note == "Lost his toy"
    assert stored.follow_up_at is None  # no strategy, nothing to follow up
    assert response.json()["caregiver"] is None


def test_a_caregiver_checks_in_for_themself(caregiver_client, caregiver, family):
    me = my_membership(caregiver, family)
    data = {"id": str(uuid.uuid4()), "member": me.pk, "emotion": "tired", "intensity": 2}
    response = caregiver_client.post(url(family), data)
    assert response.status_code == 201, response.json()
    assert CheckIn.objects.get(pk=data["id"]).member == me


def test_nobody_checks_in_for_another_grown_up(caregiver_client, owner, family):
    data = {
        "id": str(uuid.uuid4()),
        "member": my_membership(owner, family).pk,
        "emotion": "tired",
        "intensity": 2,
    }
    response = caregiver_client.post(url(family), data)
    assert response.status_code == 400
    assert "member" in response.json()["errors"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"emotion": "hangry"}, "emotion"),
        ({"emotion": ""}, "emotion"),
        ({"intensity": 0}, "intensity"),
        ({"intensity": 6}, "intensity"),
        ({"intensity": "lots"}, "intensity"),
        ({"body_areas": ["elbow"]}, "body_areas"),
        ({"body_areas": ["chest:itchy"]}, "body_areas"),
        ({"body_areas": "chest"}, "body_areas"),
        ({"note": "x" * 1001}, "note"),
        ({"id": "not-a-uuid"}, "id"),
        ({"id": None}, "id"),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"strategy": 999999}, "strategy"),
        ({"child": None}, "child"),
        ({"child": "Sam"}, "child"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(owner_client, family, child, change, field):
    response = owner_client.post(url(family), {**body(child), **change})
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"], response.json()
    assert not CheckIn.objects.exists()


def test_unknown_feeling_message_points_to_the_vocabulary(owner_client, family, child):
    response = owner_client.post(url(family), body(child, emotion="hangry"))
    assert "emotions" in response.json()["errors"]["emotion"][0]


def test_another_familys_child_or_strategy_in_the_body_is_a_400(
    owner_client, family, child, other_family
):
    their_child = ChildFactory(family=other_family)
    response = owner_client.post(url(family), body(their_child))
    assert response.status_code == 400
    assert response.json()["errors"]["child"] == ["No such child in this family."]

    their_strategy = StrategyFactory(family=other_family)
    response = owner_client.post(url(family), body(child, strategy=their_strategy.pk))
    assert response.status_code == 400
    assert "strategy" in response.json()["errors"]
    assert not CheckIn.objects.exists()


def test_the_child_check_follows_children_added_and_deleted(owner_client, family, child):
    # The family's children are kept per process by board version: adding or deleting
    # a child must change the answer at once.
    assert owner_client.post(url(family), body(child)).status_code == 201
    made = owner_client.post(f"/api/v1/families/{family.pk}/children/", {"name": "Kim"})
    assert made.status_code == 201, made.json()
    new_child = made.json()["id"]
    response = owner_client.post(url(family), {**body(child), "child": new_child})
    assert response.status_code == 201, response.json()
    assert (
        owner_client.delete(f"/api/v1/families/{family.pk}/children/{new_child}/").status_code
        == 204
    )
    response = owner_client.post(url(family), {**body(child), "child": new_child})
    assert response.status_code == 400
    assert response.json()["errors"]["child"] == ["No such child in this family."]
    assert owner_client.post(url(family), body(child)).status_code == 201


def test_a_child_and_a_member_at_once_is_refused(owner_client, owner, family, child):
    data = body(child, member=my_membership(owner, family).pk)
    response = owner_client.post(url(family), data)
    assert response.status_code == 400
    assert "child" in response.json()["errors"]


# --- idempotency -------------------------------------------------------------------------


def test_a_retry_returns_the_stored_checkin_and_creates_nothing(owner_client, family, child):
    data = body(child, occurred_at="2026-03-01T10:00:00Z", body_areas=["chest"])
    first = owner_client.post(url(family), data)
    again = owner_client.post(url(family), data)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert CheckIn.objects.count() == 1


def test_a_retry_without_occurred_at_still_matches(owner_client, family, child):
    data = body(child)
    with time_machine.travel(datetime(2026, 3, 1, 10, 0, tzinfo=UTC)):
        assert owner_client.post(url(family), data).status_code == 201
    with time_machine.travel(datetime(2026, 3, 1, 10, 5, tzinfo=UTC)):
        again = owner_client.post(url(family), data)
    assert again.status_code == 200
    assert again.json()["occurred_at"].startswith("2026-03-01T10:00")


def test_the_same_id_with_other_content_is_a_conflict(owner_client, family, child):
    data = body(child)
    owner_client.post(url(family), data)
    response = owner_client.post(url(family), {**data, "emotion": "angry"})
    assert response.status_code == 409
    assert "id" in response.json()["errors"]
    assert CheckIn.objects.get().emotion == "worried"


def test_another_familys_id_is_a_conflict_not_a_leak(
    owner_client, family, child, outsider, other_family
):
    theirs = CheckInFactory(family=other_family, emotion="sad")
    response = owner_client.post(url(family), {**body(child), "id": str(theirs.pk)})
    assert response.status_code == 409
    assert "sad" not in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.family == other_family


def test_a_retry_is_settled_by_the_primary_key_inside_a_transaction(owner, family, child):
    """A new check-in is inserted without a look-up; a retry's insert fails on the primary
    key, which is rolled back alone: the caller's transaction goes on (PostgreSQL too)."""
    data = recording.CheckInData(id=uuid.uuid4(), emotion="worried", intensity=3, child=child)
    other = recording.CheckInData(id=data.id, emotion="angry", intensity=3, child=child)
    with transaction.atomic():
        winner, _, created = recording.record_checkin(family=family, user=owner, data=data)
        assert created
        stored, _, created = recording.record_checkin(family=family, user=owner, data=data)
        assert not created
        assert stored.pk == winner.pk
        with pytest.raises(recording.CheckInConflict):
            recording.record_checkin(family=family, user=owner, data=other)
        assert CheckIn.objects.get().emotion == "worried"  # the transaction still works


@pytest.mark.django_db(transaction=True)
def test_in_autocommit_a_lone_checkin_is_one_insert_and_retries_still_settle(
    owner, family, child, django_assert_num_queries
):
    """Without a caller's transaction, a check-in without a partner is one INSERT (no
    BEGIN/COMMIT), with a strategy too; a retry and a conflict are still told apart."""
    data = recording.CheckInData(id=uuid.uuid4(), emotion="worried", intensity=3, child=child)
    with django_assert_num_queries(1):
        _, _, created = recording.record_checkin(family=family, user=owner, data=data)
    assert created
    _, _, created = recording.record_checkin(family=family, user=owner, data=data)
    assert not created
    other = recording.CheckInData(id=data.id, emotion="angry", intensity=3, child=child)
    with pytest.raises(recording.CheckInConflict):
        recording.record_checkin(family=family, user=owner, data=other)
    assert CheckIn.objects.get().emotion == "worried"
    # With a strategy too: the follow-up's row is the next reminder tick's to make.
    strategy = Strategy.objects.filter(family__isnull=True).first()
    helped = recording.CheckInData(
        id=uuid.uuid4(), emotion="sad", intensity=2, child=child, strategy=strategy
    )
    with django_assert_num_queries(1):
        recording.record_checkin(family=family, user=owner, data=helped)
    assert CheckIn.objects.get(pk=helped.id).follow_up_at is not None
    dispatch.dispatch_due(enqueue=lambda ids: None)
    assert ScheduledReminder.objects.filter(checkin_id=helped.id).count() == 1


def test_other_integrity_errors_are_not_swallowed(owner, family, child):
    data = recording.CheckInData(id=uuid.uuid4(), emotion="worried", intensity=9, child=child)
    with pytest.raises(IntegrityError):  # the CheckConstraint, past the serializer
        recording.record_checkin(family=family, user=owner, data=data)


# --- coregulation ------------------------------------------------------------------------


def coregulation_body(child, **extra):
    return body(
        child,
        emotion="angry",
        intensity=4,
        caregiver={"id": str(uuid.uuid4()), "emotion": "frustrated", "intensity": 3},
        **extra,
    )


def test_a_coregulation_checkin_stores_both_linked(owner_client, owner, family, child):
    data = coregulation_body(child)
    response = owner_client.post(url(family), data)
    assert response.status_code == 201, response.json()
    childs = CheckIn.objects.get(pk=data["id"])
    mine = CheckIn.objects.get(pk=data["caregiver"]["id"])
    assert mine.member == my_membership(owner, family)
    assert mine.child is None
    assert childs.pair == mine.pair == childs.pk
    assert mine.occurred_at == childs.occurred_at
    answer = response.json()
    assert answer["caregiver"]["id"] == data["caregiver"]["id"]
    assert answer["caregiver"]["emotion"] == "frustrated"
    assert answer["pair"] == data["id"]


def test_a_coregulation_retry_creates_nothing(owner_client, family, child):
    data = coregulation_body(child)
    first = owner_client.post(url(family), data)
    again = owner_client.post(url(family), data)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert CheckIn.objects.count() == 2


def test_a_coregulation_retry_with_another_caregiver_id_is_a_conflict(owner_client, family, child):
    data = coregulation_body(child)
    owner_client.post(url(family), data)
    changed = {**data, "caregiver": {**data["caregiver"], "id": str(uuid.uuid4())}}
    response = owner_client.post(url(family), changed)
    assert response.status_code == 409
    assert "caregiver" in response.json()["errors"]
    assert CheckIn.objects.count() == 2


def test_a_reused_caregiver_id_is_a_conflict_and_stores_nothing(owner_client, family, child):
    taken = CheckInFactory(family=family, child=child)
    data = coregulation_body(child)
    data["caregiver"]["id"] = str(taken.pk)
    response = owner_client.post(url(family), data)
    assert response.status_code == 409
    assert "caregiver.id" in response.json()["errors"]
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"emotion": "meh"}, "caregiver.emotion"),
        ({"intensity": 6}, "caregiver.intensity"),
        ({"id": None}, "caregiver.id"),
    ],
)
def test_bad_caregiver_input_names_the_nested_field(owner_client, family, child, change, field):
    data = coregulation_body(child)
    data["caregiver"].update(change)
    response = owner_client.post(url(family), data)
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not CheckIn.objects.exists()


def test_coregulation_needs_a_child(owner_client, owner, family, child):
    data = coregulation_body(child)
    data.pop("child")
    data["member"] = my_membership(owner, family).pk
    response = owner_client.post(url(family), data)
    assert response.status_code == 400
    assert "caregiver" in response.json()["errors"]


# --- follow-up ---------------------------------------------------------------------------


def test_a_strategy_sets_the_follow_up_from_the_family_setting(owner_client, family, child):
    family.follow_up_minutes = 15
    family.save()
    box = Strategy.objects.get(key="box_breathing", family=None)
    data = body(child, strategy=box.pk, occurred_at="2026-03-01T10:00:00Z")
    response = owner_client.post(url(family), data)
    assert response.status_code == 201
    assert response.json()["strategy_title"] == "Box breathing"
    stored = CheckIn.objects.get(pk=data["id"])
    assert stored.follow_up_at == datetime(2026, 3, 1, 10, 15, tzinfo=UTC)


def test_a_familys_own_strategy_can_be_used(owner_client, family, child):
    ours = StrategyFactory(family=family)
    response = owner_client.post(url(family), body(child, strategy=ours.pk))
    assert response.status_code == 201
    assert CheckIn.objects.get().strategy == ours


def test_patch_records_the_outcome(caregiver_client, family, child):
    checkin = CheckInFactory(family=family, child=child)
    with time_machine.travel(datetime(2026, 3, 1, 10, 12, tzinfo=UTC), tick=False):
        response = caregiver_client.patch(
            url(family, f"{checkin.pk}/"), {"outcome": "better", "outcome_emotion": "calm"}
        )
    assert response.status_code == 200, response.json()
    checkin.refresh_from_db()
    assert checkin.outcome == "better"
    assert checkin.outcome_emotion == "calm"
    assert checkin.outcome_at == datetime(2026, 3, 1, 10, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"outcome": "fine"}, "outcome"),
        ({}, "outcome"),
        ({"outcome": "better", "outcome_emotion": "meh"}, "outcome_emotion"),
        ({"outcome": "better", "emotion": "happy"}, "emotion"),
        ({"outcome": "better", "child": 1}, "child"),
    ],
)
def test_only_a_valid_outcome_can_be_patched(owner_client, family, child, patch, field):
    checkin = CheckInFactory(family=family, child=child)
    response = owner_client.patch(url(family, f"{checkin.pk}/"), patch)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    checkin.refresh_from_db()
    assert checkin.outcome is None
    assert checkin.emotion == "worried"


def test_another_familys_checkin_in_the_url_is_404(owner_client, family, other_family):
    theirs = CheckInFactory(family=other_family)
    assert owner_client.get(url(family, f"{theirs.pk}/")).status_code == 404
    response = owner_client.patch(url(family, f"{theirs.pk}/"), {"outcome": "better"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.outcome is None


def test_a_malformed_id_in_the_url_is_404(owner_client, family):
    assert owner_client.get(url(family, "not-a-uuid/")).status_code == 404


def test_non_members_see_nothing(outsider_client, anon_client, family, child):
    CheckInFactory(family=family, child=child)
    assert outsider_client.get(url(family)).status_code == 404
    assert anon_client.get(url(family)).status_code in (401, 403)


# --- list and filters --------------------------------------------------------------------


def test_the_list_is_newest_first_with_the_caregiver_checkin(owner_client, family, child):
    data = coregulation_body(child, occurred_at="2026-03-02T09:00:00Z")
    owner_client.post(url(family), data)
    older = CheckInFactory(family=family, child=child, occurred_at=datetime(2026, 3, 1, tzinfo=UTC))
    results = owner_client.get(url(family)).json()["results"]
    assert [r["id"] for r in results] == [data["id"], data["caregiver"]["id"], str(older.pk)]
    assert results[0]["caregiver"]["id"] == data["caregiver"]["id"]
    assert results[2]["caregiver"] is None


def test_filters_by_child_and_member(owner_client, owner, family, child):
    sibling = ChildFactory(family=family, name="Lu")
    mine = MembershipFactory(family=family)  # someone else's own check-in
    CheckInFactory(family=family, child=child)
    CheckInFactory(family=family, child=sibling)
    CheckInFactory(family=family, child=None, member=mine)
    by_child = owner_client.get(url(family), {"child": sibling.pk}).json()["results"]
    assert [r["child"] for r in by_child] == [sibling.pk]
    by_member = owner_client.get(url(family), {"member": mine.pk}).json()["results"]
    assert [r["member"] for r in by_member] == [mine.pk]
    response = owner_client.get(url(family), {"child": "abc"})
    assert response.status_code == 400
    assert "child" in response.json()["errors"]


def test_date_filters_use_family_local_days(owner_client, family, child):
    """Madrid is UTC+1 in March: 23:30 UTC on 1 March is already 2 March there."""
    late = CheckInFactory(
        family=family, child=child, occurred_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    )
    early = CheckInFactory(
        family=family, child=child, occurred_at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC)
    )
    on_2nd = owner_client.get(url(family), {"from": "2026-03-02", "to": "2026-03-02"}).json()
    assert [r["id"] for r in on_2nd["results"]] == [str(late.pk)]
    on_1st = owner_client.get(url(family), {"to": "2026-03-01"}).json()
    assert [r["id"] for r in on_1st["results"]] == [str(early.pk)]
    response = owner_client.get(url(family), {"from": "yesterday"})
    assert response.status_code == 400
    assert "from" in response.json()["errors"]


def test_the_list_query_count_is_constant(
    owner_client, family, child, django_assert_max_num_queries
):
    owner_client.post(url(family), coregulation_body(child))

    def count_queries():
        with django_assert_max_num_queries(50) as ctx:
            assert owner_client.get(url(family)).status_code == 200
        return len(ctx.captured_queries)

    few = count_queries()
    box = Strategy.objects.get(key="box_breathing", family=None)
    for n in range(20):
        owner_client.post(url(family), coregulation_body(child, strategy=box.pk))
        CheckInFactory(
            family=family,
            child=child,
            occurred_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=n),
        )
    assert count_queries() == few


def test_a_caregiver_sees_the_familys_checkins(caregiver_client, owner, family, child):
    CheckInFactory(family=family, child=child, created_by=owner)
    assert client_for(owner).get(url(family)).json()["count"] == 1
    assert caregiver_client.get(url(family)).json()["count"] == 1


def test_serializers_made_at_once_never_share_fields_or_family(family, other_family, child):
    # core.api.FieldTemplateMixin copies one template of fields into each serializer:
    # each copy must be bound to its own serializer, or one request could validate
    # against another request's family.
    theirs = ChildFactory(family=other_family)
    data = {"id": str(uuid.uuid4()), "child": child.pk, "emotion": "sad", "intensity": 2}
    ours = CheckInSerializer(data=data, context={"family": family})
    other = CheckInSerializer(data={**data, "child": theirs.pk}, context={"family": family})
    wrong_family = CheckInSerializer(data=data, context={"family": other_family})
    serializers = (ours, other, wrong_family)
    fields = [s.fields for s in serializers]  # all bound before any validates

    for serializer, bound in zip(serializers, fields, strict=True):
        assert all(field.root is serializer for field in bound.values())
        assert bound["body_areas"].child.root is serializer
    template = CheckInSerializer._field_template
    assert all(field.parent is None for field in template.values())
    assert ours.is_valid(), ours.errors
    assert ours.validated_data["child"] == child
    assert not other.is_valid()
    assert other.errors["child"] == ["No such child in this family."]
    assert not wrong_family.is_valid()
    assert wrong_family.errors["child"] == ["No such child in this family."]


def _documented(checkin_id):
    """The check-in as CheckInSerializer documents it, loaded the plain ORM way."""
    checkin = CheckIn.objects.select_related("strategy").get(pk=checkin_id)
    checkin.caregiver_checkin = recording.partner_of(checkin)
    return json.loads(json.dumps(CheckInSerializer(checkin).data))


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_new_checkin_answers_exactly_what_the_checkin_serializer_documents(
    owner_client, family, child, language
):
    """The create answer is written directly (``checkin_answer``); every shape of it —
    plain, with a strategy (its title translated), coregulation, a retry — equals the
    serializer's JSON of the stored row, key for key."""
    box = Strategy.objects.get(key="box_breathing", family=None)
    owner_client.patch("/api/v1/auth/me/", {"language": language}, format="json")
    shapes = [
        body(child),
        body(child, strategy=box.pk, body_areas=["chest", "tummy:fluttery"], note=" Loud "),
        body(
            child,
            strategy=box.pk,
            occurred_at="2026-11-30T18:05:00Z",
            caregiver={"id": str(uuid.uuid4()), "emotion": "frustrated", "intensity": 2},
        ),
    ]
    for shape in shapes:
        for expected_status in (201, 200):  # the first time, then the outbox's retry
            response = owner_client.post(url(family), shape, format="json")
            assert response.status_code == expected_status, response.json()
            answer = response.json()
            assert answer == _documented(shape["id"])
            assert list(answer) == list(_documented(shape["id"]))
    assert answer["caregiver"]["emotion"] == "frustrated"
    assert answer["strategy_title"] == (
        "Box breathing" if language == "en" else "Respiración del cuadrado"
    )
