"""Check-in follow-ups ("How is Sam now?"): scheduled with the check-in, cancelled by the
answer, sent to the caregiver who checked in, through the same table and tick."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from checkins.models import CheckIn, Strategy
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
    owner_client, owner, family, child, clock
):
    checkin = post_checkin(owner_client, family, checkin_body(child))
    [row] = follow_ups()
    assert (row.state, row.user, row.family, row.checkin) == ("pending", owner, family, checkin)
    assert row.fire_at == NOW + timedelta(minutes=family.follow_up_minutes)

    # The offline outbox retries the same POST: still one follow-up.
    retry = owner_client.post(
        f"/api/v1/families/{family.pk}/checkins/",
        {**checkin_body(child), "id": str(checkin.pk)},
        format="json",
    )
    assert retry.status_code in (200, 201)
    assert len(follow_ups()) == 1


def test_no_strategy_no_follow_up(owner_client, family, child, clock):
    body = checkin_body(child)
    del body["strategy"]
    post_checkin(owner_client, family, body)
    assert follow_ups() == []


def test_answering_cancels_the_follow_up(owner_client, family, child, clock):
    checkin = post_checkin(owner_client, family, checkin_body(child))
    response = owner_client.patch(
        f"/api/v1/families/{family.pk}/checkins/{checkin.pk}/", {"outcome": "better"}
    )
    assert response.status_code == 200
    assert follow_ups() == []


def test_a_coregulation_checkin_is_followed_up_once(owner_client, family, child, clock):
    body = checkin_body(
        child, caregiver={"id": str(uuid.uuid4()), "emotion": "frustrated", "intensity": 3}
    )
    checkin = post_checkin(owner_client, family, body)
    [row] = follow_ups()
    assert row.checkin == checkin


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


def test_deleting_the_checkin_drops_its_follow_up(owner_client, family, child, clock):
    checkin = post_checkin(owner_client, family, checkin_body(child))
    checkin.delete()
    assert follow_ups() == []
