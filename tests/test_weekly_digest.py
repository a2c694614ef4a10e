"""The weekly digest: opt-in per member, Sunday 19:00 family-local, through the ledger.

The week of 2026-03-23 ends on the Sunday Europe changes to summer time (02:00 CET →
03:00 CEST), so its digest fires at 17:00 UTC where the week before fired at 18:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import IntegrityError

from families.models import Role
from reminders import digest
from reminders.messages import digest_line
from reminders.models import Delivery, ReminderSettings, ScheduledReminder

from .conftest import client_for
from .support.factories import (
    CheckInFactory,
    ChildFactory,
    MembershipFactory,
    RoutineFactory,
    RoutineRunFactory,
    StrategyFactory,
)
from .support.reminder_fixtures import add_device, send_all

pytestmark = pytest.mark.django_db

WEEK = date(2026, 3, 23)  # Monday; its Sunday 2026-03-29 is the spring-forward day
SUNDAY_EVENING = datetime(2026, 3, 29, 17, 0, tzinfo=UTC)  # 19:00 CEST
LINE = "Sam's week: 5 calm days, bedtime kept 6 of 7, box breathing helped 3 of 4"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def madrid(day: date, hour: int) -> datetime:
    """A time on ``day`` in Madrid during that week (CET, UTC+1, before Sunday 02:00)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=1)


def pending_digests() -> list[tuple[int | None, datetime, date | None]]:
    rows = ScheduledReminder.objects.filter(kind="digest", state="pending")
    return sorted((r.user_id, r.fire_at, r.occurrence_date) for r in rows)


def opt_in(user, family, **changes) -> None:
    response = client_for(user).patch(
        f"/api/v1/families/{family.pk}/reminder-settings/me/",
        {"weekly_digest": True, **changes},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["weekly_digest"] is True


def sams_week(family, child) -> None:
    """Six days with check-ins, one of them angry (5 calm days); bedtime kept every day
    but Saturday (6 of 7, Sunday's done before the digest); box breathing 3 of 4."""
    with time_machine.travel(utc(2026, 3, 1, 9), tick=False):
        bedtime = RoutineFactory(
            family=family, name="Bedtime", children=[child], reminder_offsets=[]
        )
    breathing = StrategyFactory(family=family, title="Box breathing")
    for n in range(6):
        day = WEEK + timedelta(days=n)
        CheckInFactory(family=family, child=child, emotion="calm", occurred_at=madrid(day, 8))
    CheckInFactory(family=family, child=child, emotion="angry", occurred_at=madrid(WEEK, 18))
    for n, outcome in enumerate(["better", "better", "same", "better"]):
        CheckInFactory(
            family=family,
            child=child,
            emotion="sad",
            strategy=breathing,
            outcome=outcome,
            occurred_at=madrid(WEEK + timedelta(days=n), 19),
        )
    for n in range(7):
        if n == 5:  # Saturday missed
            continue
        day = WEEK + timedelta(days=n)
        RoutineRunFactory(
            routine=bedtime,
            child=child,
            date=day,
            started_at=madrid(day, 12),
            completed_at=madrid(day, 12),
        )


@pytest.mark.parametrize(
    ("now", "expected_fire", "sunday"),
    [
        # A winter week: Sunday 19:00 CET is 18:00 UTC.
        (utc(2026, 3, 18, 12), utc(2026, 3, 22, 18), date(2026, 3, 22)),
        # The week ending on the spring-forward Sunday: 19:00 CEST is 17:00 UTC.
        (utc(2026, 3, 25, 12), SUNDAY_EVENING, date(2026, 3, 29)),
        # Sunday after 19:00: next Sunday; the autumn change (Oct 25) back to 18:00 UTC.
        (utc(2026, 10, 18, 17, 30), utc(2026, 10, 25, 18), date(2026, 10, 25)),
    ],
)
def test_opting_in_schedules_the_next_sunday_evening_in_the_familys_zone(
    family, owner, now, expected_fire, sunday
):
    with time_machine.travel(now, tick=False):
        opt_in(owner, family)
    assert pending_digests() == [(owner.pk, expected_fire, sunday)]


def test_opting_out_drops_it_and_the_default_is_off(family, owner, caregiver):
    response = client_for(caregiver).get(f"/api/v1/families/{family.pk}/reminder-settings/me/")
    assert response.json()["weekly_digest"] is False
    with time_machine.travel(utc(2026, 3, 25, 12), tick=False):
        opt_in(owner, family)
        opt_in(owner, family)  # twice: still one row
        assert len(pending_digests()) == 1
        response = client_for(owner).patch(
            f"/api/v1/families/{family.pk}/reminder-settings/me/",
            {"weekly_digest": False},
            format="json",
        )
    assert response.json()["weekly_digest"] is False
    assert pending_digests() == []


def test_a_time_zone_change_keeps_sunday_19_local(owner_client, family, owner):
    with time_machine.travel(utc(2026, 3, 25, 12), tick=False):
        opt_in(owner, family)
        response = owner_client.patch(
            f"/api/v1/families/{family.pk}/", {"timezone": "America/New_York"}
        )
    assert response.status_code == 200
    # New York is on summer time (EDT, UTC-4) since 8 March: 19:00 is 23:00 UTC.
    assert pending_digests() == [(owner.pk, utc(2026, 3, 29, 23), date(2026, 3, 29))]


def test_the_digest_arrives_at_the_family_local_sunday_time_for_opted_in_members_only(
    family, owner, caregiver, child, push, queued, tick
):
    add_device(push, owner, "alice-phone")
    add_device(push, caregiver, "bob-phone")  # Bob did not opt in
    sams_week(family, child)
    with time_machine.travel(utc(2026, 3, 25, 12), tick=False) as traveller:
        opt_in(owner, family)
        traveller.move_to(SUNDAY_EVENING - timedelta(seconds=5))
        assert tick().deliveries == 0  # not yet
        traveller.move_to(SUNDAY_EVENING + timedelta(seconds=5))
        assert tick().deliveries == 1
        assert send_all(queued) == ["sent"]
        [message] = push.wait_for(1)
        assert message.device_id == "alice-phone"
        assert message.payload["title"] == "Your week with Sam"
        assert message.payload["body"] == LINE
        assert message.payload["url"] == f"/#/families/{family.pk}/digest?week=2026-03-23"

        # Exactly once: next Sunday's row is materialised, and nothing fires again.
        assert pending_digests() == [(owner.pk, utc(2026, 4, 5, 17), date(2026, 4, 5))]
        traveller.move_to(SUNDAY_EVENING + timedelta(minutes=1))
        assert tick().reminders == 0
    assert Delivery.objects.filter(reminder__kind="digest").count() == 1
    assert push.messages_for("bob-phone") == []
    with pytest.raises(IntegrityError):  # the same week cannot be materialised again
        ScheduledReminder.objects.create(
            kind="digest",
            family=family,
            user=owner,
            fire_at=SUNDAY_EVENING,
            occurrence_at=SUNDAY_EVENING,
            occurrence_date=date(2026, 3, 29),
            state="done",
        )


def test_quiet_hours_skip_the_digest_and_the_next_one_is_scheduled(
    family, owner, child, push, queued, tick
):
    add_device(push, owner, "alice-phone")
    with time_machine.travel(utc(2026, 3, 25, 12), tick=False) as traveller:
        opt_in(owner, family, quiet_start="18:30", quiet_end="07:00")
        traveller.move_to(SUNDAY_EVENING + timedelta(seconds=5))
        report = tick()
    assert (report.reminders, report.deliveries, report.skipped) == (1, 0, 1)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.error) == ("skipped", "Quiet hours.")
    assert queued == []
    assert push.messages == []
    assert pending_digests() == [(owner.pk, utc(2026, 4, 5, 17), date(2026, 4, 5))]


def test_a_member_limited_to_some_children_hears_only_of_those(
    family, owner, child, push, queued, tick
):
    lea = ChildFactory(family=family, name="Lea")
    nanny = MembershipFactory(family=family, role=Role.CAREGIVER, limited=True)
    nanny.children.set([lea])
    add_device(push, owner, "alice-phone")
    add_device(push, nanny.user, "nanny-phone")
    CheckInFactory(family=family, child=lea, emotion="happy", occurred_at=madrid(WEEK, 9))
    with time_machine.travel(utc(2026, 3, 25, 12), tick=False) as traveller:
        opt_in(owner, family)
        opt_in(nanny.user, family)
        traveller.move_to(SUNDAY_EVENING + timedelta(seconds=5))
        assert tick().deliveries == 2
        assert send_all(queued) == ["sent", "sent"]
    by_device = {m.device_id: m.payload for m in push.wait_for(2)}
    assert by_device["nanny-phone"]["title"] == "Your week with Lea"
    assert by_device["nanny-phone"]["body"] == "Lea's week: 1 calm day"
    assert by_device["alice-phone"]["title"] == "Your week with Lea and Sam"
    assert (
        by_device["alice-phone"]["body"] == "Lea's week: 1 calm day\nSam's week: nothing recorded"
    )


def test_turning_reminders_off_or_the_digest_off_before_sunday_sends_nothing(
    family, owner, caregiver, child, push, queued, tick
):
    add_device(push, owner, "alice-phone")
    add_device(push, caregiver, "bob-phone")
    with time_machine.travel(utc(2026, 3, 25, 12), tick=False) as traveller:
        opt_in(owner, family, enabled=False)
        opt_in(caregiver, family)
        # Turned off behind the API's back: the tick re-checks and cancels.
        ReminderSettings.objects.filter(membership__user=caregiver).update(weekly_digest=False)
        traveller.move_to(SUNDAY_EVENING + timedelta(seconds=5))
        report = tick()
    assert (report.reminders, report.cancelled, report.deliveries) == (2, 1, 0)
    assert push.messages == []
    # Alice (reminders off, digest on) keeps her next Sunday; Bob's is gone.
    assert pending_digests() == [(owner.pk, utc(2026, 4, 5, 17), date(2026, 4, 5))]


def test_the_insights_api_gives_the_same_figures_for_the_digest_screen(owner_client, family, child):
    sams_week(family, child)
    with time_machine.travel(SUNDAY_EVENING + timedelta(minutes=5), tick=False):
        response = owner_client.get(
            f"/api/v1/families/{family.pk}/insights/",
            {"child": child.pk, "period": "week", "date": "2026-03-23"},
        )
    assert response.status_code == 200
    [summary] = response.json()["summary"]
    assert summary["child"] == {"id": child.pk, "name": "Sam"}
    assert (summary["checkin_days"], summary["calm_days"]) == (6, 5)
    assert summary["routine"]["name"] == "Bedtime"
    assert (summary["routine"]["kept"], summary["routine"]["scheduled"]) == (6, 7)
    assert summary["helped"]["title"] == "Box breathing"
    assert (summary["helped"]["helped"], summary["helped"]["tried"]) == (3, 4)


def test_planning_digests_costs_the_same_queries_for_one_child_as_for_three(
    family, owner, django_assert_max_num_queries
):
    def queries(children: int) -> int:
        for _ in range(children):
            kid = ChildFactory(family=family)
            RoutineFactory(family=family, name="Bedtime", children=[kid], reminder_offsets=[])
            CheckInFactory(family=family, child=kid, emotion="calm", occurred_at=madrid(WEEK, 9))
        row = ScheduledReminder(
            pk=1,
            kind="digest",
            family=family,
            user=owner,
            fire_at=SUNDAY_EVENING,
            occurrence_at=SUNDAY_EVENING,
            occurrence_date=date(2026, 3, 29),
        )
        with django_assert_max_num_queries(100) as counted:
            [plan] = digest.plan([row], SUNDAY_EVENING).values()
        assert plan.recipients
        assert not plan.cancel
        return len(counted.captured_queries)

    with time_machine.travel(SUNDAY_EVENING, tick=False):
        ReminderSettings.objects.create(membership=owner.memberships.get(), weekly_digest=True)
        assert queries(1) == queries(2)  # 1 child, then 3


def test_digest_lines_leave_out_what_has_no_data():
    assert digest_line(
        child_name="Max", checkin_days=3, calm_days=0, helped=None, routine=None
    ) == ("Max's week: 0 calm days")
    assert (
        digest_line(
            child_name="Max",
            checkin_days=0,
            calm_days=0,
            helped={"title": "TV time", "helped": 1, "tried": 1},
            routine={"name": "Morning", "kept": 2, "scheduled": 5},
        )
        == "Max's week: morning kept 2 of 5, TV time helped 1 of 1"
    )
    assert digest.week_of(date(2026, 3, 29)) == (date(2026, 3, 23), date(2026, 3, 29))
    assert digest.digest_time() == time(19, 0)
