"""Check-in follow-ups ("How is Sam now?"): made by the tick after the check-in, cancelled
by the answer, sent to the caregiver who checked in, through the same table and tick."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from checkins.models import CheckIn, Strategy
from reminders import followups
from reminders.models import Delivery, ScheduledReminder

from .conftest import client_for
from .support.reminder_fixtures import add_device, send_all

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def checkin_body(child, **extra):
    box = Strategy.objects.get(key="box_breathing", family=None)
    return {"id": str(uuid.uuid4()), "child": child.pk, "emotion": "worried", "intensity": 3,
            "strategy": box.pk, **extra}  # fmt: skip


def post_checkin(client, family, body):
    response = client.post(f"/api/v1/families/{family.pk}/checkins/", body, format="json")
    assert response.status_code == 201, response.json()
    return CheckIn.objects.get(pk=body["id"])


def follow_ups():
    return list(ScheduledReminder.objects.filter(kind="follow_up").order_by("pk"))


def test_a_checkin_with_a_strategy_schedules_one_follow_up_for_its_author(
    owner_client, owner, family, child, clock, tick
):
    checkin = post_checkin(owner_client, family, checkin_body(child))
    assert follow_ups() == []  # recording it is one INSERT: the next tick makes the row
    assert tick().reminders == 0
    [row] = follow_ups()
    assert (row.state, row.user, row.family, row.checkin) == ("pending", owner, family, checkin)
    assert row.fire_at == NOW + timedelta(minutes=family.follow_up_minutes)

    # The offline outbox retries the same POST: still one follow-up, tick after tick.
    retry = owner_client.post(
        f"/api/v1/families/{family.pk}/checkins/",
        {**checkin_body(child), "id": str(checkin.pk)},
        format="json",
    )
    assert retry.status_code in (200, 201)
    tick()
    clock.shift(timedelta(seconds=15))
    tick()
    assert len(follow_ups()) == 1


def test_no_strategy_no_follow_up(owner_client, family, child, clock, tick):
    body = checkin_body(child)
    del body["strategy"]
    post_checkin(owner_client, family, body)
    tick()
    assert follow_ups() == []


def test_answering_cancels_the_follow_up(owner_client, family, child, clock, tick):
    checkin = post_checkin(owner_client, family, checkin_body(child))
    tick()
    assert len(follow_ups()) == 1
    response = owner_client.patch(
        f"/api/v1/families/{family.pk}/checkins/{checkin.pk}/", {"outcome": "better"}
    )
    assert response.status_code == 200
    assert follow_ups() == []


def test_an_answer_before_the_next_tick_leaves_nothing_to_ask(
    owner_client, family, child, clock, tick
):
    checkin = post_checkin(owner_client, family, checkin_body(child))
    owner_client.patch(
        f"/api/v1/families/{family.pk}/checkins/{checkin.pk}/", {"outcome": "better"}
    )
    clock.shift(timedelta(minutes=family.follow_up_minutes, seconds=3))
    assert tick().reminders == 0
    assert follow_ups() == []


def test_a_coregulation_checkin_is_followed_up_once(owner_client, family, child, clock, tick):
    body = checkin_body(
        child, caregiver={"id": str(uuid.uuid4()), "emotion": "frustrated", "intensity": 3}
    )
    checkin = post_checkin(owner_client, family, body)
    tick()
    [row] = follow_ups()
    assert row.checkin == checkin


def test_a_checkin_still_committing_when_a_tick_starts_is_found_by_the_next(
    owner_client, family, child, clock, tick
):
    tick()  # the watermark: this tick's start
    # Recorded a second before that tick began, committed after it had scanned.
    clock.shift(timedelta(seconds=-1))
    checkin = post_checkin(owner_client, family, checkin_body(child))
    clock.shift(timedelta(seconds=16))
    tick()
    [row] = follow_ups()
    assert row.checkin == checkin


def test_a_restarted_dispatcher_makes_the_follow_ups_it_can_still_send(
    owner, family, child, push, queued, tick, clock
):
    """Down for three hours: a check-in with a four-hour wait is still asked about on time;
    one whose follow-up passed more than the grace period ago is recorded as missed."""
    add_device(push, owner, "phone")
    family.follow_up_minutes = 240
    family.save()
    client = client_for(owner)
    tick()
    later = post_checkin(client, family, checkin_body(child))
    family.follow_up_minutes = 10
    family.save()
    past = post_checkin(client, family, checkin_body(child))
    clock.shift(timedelta(hours=3))
    followups.forget_watermark()  # a new dispatcher process
    report = tick()
    assert (report.reminders, report.missed, report.deliveries) == (1, 1, 0)
    rows = {row.checkin: row.state for row in follow_ups()}
    assert rows == {later: "pending", past: "missed"}
    clock.move_to(later.follow_up_at + timedelta(seconds=3))
    assert tick().deliveries == 1
    assert send_all(queued) == ["sent"]


def test_the_follow_up_reaches_only_the_caregiver_who_checked_in(
    owner, caregiver, family, child, push, queued, tick, clock
):
    add_device(push, owner, "alice-phone")
    add_device(push, caregiver, "bob-phone")
    checkin = post_checkin(client_for(caregiver), family, checkin_body(child))
    clock.move_to(NOW + timedelta(minutes=family.follow_up_minutes, seconds=3))

    assert tick().deliveries == 1
    assert send_all(queued) == ["sent"]
    [message] = push.wait_for(1)
    assert message.device_id == "bob-phone"
    assert message.payload["title"] == "How is Sam now?"
    assert message.payload["body"] == "You tried Box breathing. Did it help?"
    assert message.payload["url"] == f"/#/families/{family.pk}/checkins/{checkin.pk}/follow-up"
    assert message.payload["tag"] == f"checkin-{checkin.pk}"
    assert push.errors == []
    assert tick().reminders == 0  # asked once


def test_an_answer_that_slipped_past_the_signals_cancels_it_at_dispatch(
    owner, family, child, push, queued, tick, clock
):
    add_device(push, owner, "phone")
    checkin = post_checkin(client_for(owner), family, checkin_body(child))
    tick()
    CheckIn.objects.filter(pk=checkin.pk).update(outcome="same")  # bulk update: no signal
    clock.move_to(NOW + timedelta(minutes=30))
    report = tick()
    assert (report.cancelled, report.deliveries) == (1, 0)
    assert Delivery.objects.count() == 0


def test_quiet_hours_apply_to_follow_ups(owner, family, child, push, queued, tick, clock):
    add_device(push, owner, "phone")
    client = client_for(owner)
    client.patch(
        f"/api/v1/families/{family.pk}/reminder-settings/me/",
        {"quiet_start": "18:00", "quiet_end": "20:00"},  # Madrid: now is 18:00
    )
    post_checkin(client, family, checkin_body(child))
    clock.move_to(NOW + timedelta(minutes=family.follow_up_minutes, seconds=3))
    assert tick().skipped == 1
    assert Delivery.objects.get().state == "skipped"


def test_deleting_the_checkin_drops_its_follow_up(owner_client, family, child, clock, tick):
    checkin = post_checkin(owner_client, family, checkin_body(child))
    tick()
    assert len(follow_ups()) == 1
    checkin.delete()
    assert follow_ups() == []


def test_making_the_rows_costs_the_same_queries_for_one_checkin_or_many(
    owner_client, family, child, clock, django_assert_num_queries
):
    post_checkin(owner_client, family, checkin_body(child))
    with django_assert_num_queries(4):  # the scan, and the insert inside a savepoint
        assert followups.materialise(NOW) == 1
    for _ in range(6):
        post_checkin(owner_client, family, checkin_body(child))
    with django_assert_num_queries(4):
        assert followups.materialise(NOW + timedelta(seconds=15)) == 6
    with django_assert_num_queries(1):  # nothing new: the scan only
        assert followups.materialise(NOW + timedelta(seconds=30)) == 0
