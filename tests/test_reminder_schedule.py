"""Routine reminders materialised as ScheduledReminder rows and dispatched by the tick.

Times are family-local wall-clock times (docs/reminders.md): rows follow routine edits,
deletions and a family's time-zone change; the tick sends, skips in quiet hours, records
what is too late, and materialises the next occurrence.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection

from checkins.models import Strategy
from families.models import Role
from families.services import remove_membership
from reminders import dispatch, routine_reminders
from reminders.models import Delivery, ReminderSettings, ScheduledReminder
from routines.models import Routine
from routines.routines import delete_routine, save_routine

from .conftest import client_for
from .support.factories import FamilyFactory, MembershipFactory, RoutineFactory
from .support.reminder_fixtures import add_device, send_all
from .support.routine_fixtures import bedtime

pytestmark = pytest.mark.django_db


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def pending(routine) -> list[tuple[int, datetime, str]]:
    rows = ScheduledReminder.objects.filter(routine=routine, state="pending")
    return sorted((r.offset_minutes, r.fire_at, str(r.occurrence_date)) for r in rows)


@pytest.fixture
def madrid_evening():
    # Monday 2026-03-02 18:00 in Madrid (UTC+1).
    with time_machine.travel(utc(2026, 3, 2, 17, 0), tick=False) as traveller:
        yield traveller


def test_creating_a_routine_materialises_its_next_reminders(
    owner_client, family, child, madrid_evening
):
    body = bedtime(child, steps=[{"title": "Bath"}])
    response = owner_client.post(f"/api/v1/families/{family.pk}/routines/", body, format="json")
    assert response.status_code == 201
    routine = Routine.objects.get()
    assert pending(routine) == [
        (0, utc(2026, 3, 2, 18, 30), "2026-03-02"),
        (10, utc(2026, 3, 2, 18, 20), "2026-03-02"),
    ]


def test_edits_move_add_and_drop_reminders(family, madrid_evening):
    routine = RoutineFactory(family=family, start_time=time(19, 30), reminder_offsets=[10])
    save_routine(family=family, routine=routine, fields={"start_time": time(20, 0)})
    assert pending(routine) == [(10, utc(2026, 3, 2, 18, 50), "2026-03-02")]

    save_routine(family=family, routine=routine, fields={"reminder_offsets": [30, 5]})
    assert [o for o, *_ in pending(routine)] == [5, 30]

    save_routine(family=family, routine=routine, fields={"days_of_week": [3]})  # Wednesdays
    assert {d for *_, d in pending(routine)} == {"2026-03-04"}

    save_routine(family=family, routine=routine, fields={"is_active": False})
    assert pending(routine) == []
    save_routine(family=family, routine=routine, fields={"is_active": True})
    assert len(pending(routine)) == 2


def test_a_routine_without_reminder_times_has_no_rows(family, madrid_evening):
    routine = RoutineFactory(family=family, reminder_offsets=[])
    assert pending(routine) == []


def test_deleting_a_routine_drops_what_is_pending_but_keeps_history(
    family, owner, push, queued, tick, madrid_evening
):
    add_device(push, owner, "phone")
    routine = RoutineFactory(family=family, start_time=time(18, 5), reminder_offsets=[0])
    madrid_evening.move_to(utc(2026, 3, 2, 17, 5))
    tick()
    assert Delivery.objects.count() == 1
    delete_routine(routine)
    assert not ScheduledReminder.objects.filter(state="pending").exists()
    done = ScheduledReminder.objects.get()
    assert (done.state, done.routine) == ("done", None)
    assert Delivery.objects.count() == 1


def test_a_family_time_zone_change_keeps_the_wall_clock_time(owner_client, family, madrid_evening):
    routine = RoutineFactory(family=family, start_time=time(19, 30), reminder_offsets=[10])
    assert pending(routine) == [(10, utc(2026, 3, 2, 18, 20), "2026-03-02")]
    response = owner_client.patch(f"/api/v1/families/{family.pk}/", {"timezone": "Asia/Kolkata"})
    assert response.status_code == 200
    # 19:20 in Kolkata (UTC+5:30) on Monday has passed (it is 22:30 there): Tuesday's.
    assert pending(routine) == [(10, utc(2026, 3, 3, 13, 50), "2026-03-03")]


def test_an_offset_before_midnight_belongs_to_the_next_days_routine(family):
    with time_machine.travel(utc(2026, 3, 1, 12, 0), tick=False):  # Sunday
        routine = RoutineFactory(
            family=family, days_of_week=[1], start_time=time(0, 5), reminder_offsets=[10]
        )
    # Monday 00:05 Madrid = Sunday 23:05 UTC; ten minutes earlier is Sunday 22:55 UTC.
    assert pending(routine) == [(10, utc(2026, 3, 1, 22, 55), "2026-03-02")]


@pytest.mark.parametrize(
    ("zone", "day", "wall", "expected_fire", "next_fire"),
    [
        # London springs forward at 01:00 UTC on 2026-03-29: 01:30 does not exist and fires
        # at the first instant after the gap; the next day is back at 01:30 BST.
        ("Europe/London", (2026, 3, 29), time(1, 30), utc(2026, 3, 29, 1), utc(2026, 3, 30, 0, 30)),
        # ...and falls back on 2026-10-25: 01:30 happens twice, the reminder fires once.
        (
            "Europe/London",
            (2026, 10, 25),
            time(1, 30),
            utc(2026, 10, 25, 0, 30),
            utc(2026, 10, 26, 1, 30),
        ),
        # New York springs forward on 2026-03-08 at 02:00 local.
        (
            "America/New_York",
            (2026, 3, 8),
            time(2, 15),
            utc(2026, 3, 8, 7),
            utc(2026, 3, 9, 6, 15),
        ),
        # Lord Howe shifts by 30 minutes: 02:00 -> 02:30 on 2026-10-04.
        (
            "Australia/Lord_Howe",
            (2026, 10, 4),
            time(2, 10),
            utc(2026, 10, 3, 15, 30),
            utc(2026, 10, 4, 15, 10),
        ),
        # Kolkata has no DST: the same UTC time every day.
        (
            "Asia/Kolkata",
            (2026, 3, 29),
            time(7, 0),
            utc(2026, 3, 29, 1, 30),
            utc(2026, 3, 30, 1, 30),
        ),
    ],
)
def test_reminders_fire_once_at_the_right_instant_across_dst(
    owner, push, queued, tick, zone, day, wall, expected_fire, next_fire
):
    family = FamilyFactory(timezone=zone)
    MembershipFactory(family=family, user=owner, role=Role.OWNER)
    add_device(push, owner, "phone")
    with time_machine.travel(expected_fire - timedelta(hours=6), tick=False) as traveller:
        routine = RoutineFactory(family=family, start_time=wall, reminder_offsets=[0])
        [(_, fire_at, occurrence)] = pending(routine)
        assert (fire_at, occurrence) == (expected_fire, str(date(*day)))

        traveller.move_to(expected_fire - timedelta(seconds=1))
        assert tick().reminders == 0
        traveller.move_to(expected_fire + timedelta(seconds=5))
        assert tick().deliveries == 1
        [(_, following, _)] = pending(routine)
        assert following == next_fire
        traveller.move_to(expected_fire + timedelta(hours=1, seconds=5))  # the repeated hour
        assert tick().reminders == 0


def test_the_tick_reminds_every_member_who_wants_it(
    family, owner, caregiver, child, push, queued, tick, madrid_evening
):
    add_device(push, owner, "alice-phone")
    add_device(push, caregiver, "bob-phone")
    outsider_family = FamilyFactory()
    stranger = MembershipFactory(family=outsider_family).user
    add_device(push, stranger, "stranger-phone")
    routine = RoutineFactory(
        family=family, name="Bedtime", icon="🌙", children=[child], reminder_offsets=[10]
    )
    madrid_evening.move_to(utc(2026, 3, 2, 18, 20, 3))

    report = tick()

    assert report.deliveries == 2
    assert send_all(queued) == ["sent", "sent"]
    messages = push.wait_for(2)
    assert {m.device_id for m in messages} == {"alice-phone", "bob-phone"}
    payload = messages[0].payload
    assert payload["title"] == "Bedtime for Sam in 10 minutes"
    assert payload["body"] == "🌙 Starts at 19:30."
    assert payload["url"] == f"/#/families/{family.pk}/today?routine={routine.pk}"
    assert payload["tag"] == f"routine-{routine.pk}-2026-03-02"
    assert messages[0].urgency == "high"
    assert messages[0].topic == messages[1].topic
    assert len(messages[0].topic) <= 32
    # The next occurrence is waiting, and nothing fires twice.
    assert pending(routine) == [(10, utc(2026, 3, 3, 18, 20), "2026-03-03")]
    assert tick().reminders == 0


def test_reminders_off_opted_out_and_quiet_hours(
    family, owner, caregiver, push, queued, tick, madrid_evening
):
    grandma = MembershipFactory(family=family, user__display_name="Grandma").user
    for user, name in ((owner, "alice"), (caregiver, "bob"), (grandma, "grandma")):
        add_device(push, user, name)
    routine = RoutineFactory(family=family, start_time=time(21, 30), reminder_offsets=[0])
    client_for(owner).patch(
        f"/api/v1/families/{family.pk}/reminder-settings/me/", {"enabled": False}
    )
    client_for(caregiver).patch(
        f"/api/v1/families/{family.pk}/reminder-settings/me/",
        {"opted_out_routines": [routine.pk]},
        format="json",
    )
    client_for(grandma).patch(
        f"/api/v1/families/{family.pk}/reminder-settings/me/",
        {"quiet_start": "21:00", "quiet_end": "07:00"},
    )
    madrid_evening.move_to(utc(2026, 3, 2, 20, 30, 2))

    report = tick()

    assert (report.deliveries, report.skipped) == (0, 1)
    [skipped] = Delivery.objects.all()
    assert (skipped.user, skipped.state, skipped.error) == (grandma, "skipped", "Quiet hours.")
    assert queued == []


def test_a_reminder_found_too_late_is_missed_and_the_next_one_scheduled(
    family, owner, push, queued, tick, madrid_evening
):
    add_device(push, owner, "phone")
    routine = RoutineFactory(family=family, start_time=time(19, 30), reminder_offsets=[10])
    madrid_evening.move_to(utc(2026, 3, 2, 18, 36))  # 16 minutes late (server was down)
    report = tick()
    assert report.missed == 1
    assert Delivery.objects.get().state == "missed"
    assert queued == []
    assert pending(routine) == [(10, utc(2026, 3, 3, 18, 20), "2026-03-03")]


def test_an_edit_while_a_reminder_is_due_does_not_lose_it(
    family, owner, push, queued, tick, madrid_evening
):
    add_device(push, owner, "phone")
    routine = RoutineFactory(family=family, start_time=time(19, 30), reminder_offsets=[10])
    madrid_evening.move_to(utc(2026, 3, 2, 18, 20, 5))  # due, the tick has not run yet
    save_routine(family=family, routine=routine, fields={"name": "Bedtime stories"})
    assert tick().deliveries == 1
    assert (
        ScheduledReminder.objects.get(state="done").payload["title"].startswith("Bedtime stories")
    )


def test_a_row_out_of_step_with_its_routine_is_cancelled_not_sent(
    family, owner, push, queued, tick, madrid_evening
):
    add_device(push, owner, "phone")
    routine = RoutineFactory(family=family, start_time=time(19, 30), reminder_offsets=[10])
    # A change that bypassed the signals (a bulk update): the row still says 19:20.
    Routine.objects.filter(pk=routine.pk).update(start_time=time(21, 0))
    madrid_evening.move_to(utc(2026, 3, 2, 18, 20, 5))
    report = tick()
    assert (report.cancelled, report.deliveries) == (1, 0)
    assert pending(routine) == [(10, utc(2026, 3, 2, 19, 50), "2026-03-02")]


def test_rescheduling_twice_never_duplicates(family, madrid_evening):
    routine = RoutineFactory(family=family, reminder_offsets=[10, 0])
    routine_reminders.sync_routine(routine)
    routine_reminders.sync_routine(Routine.objects.get(pk=routine.pk))
    assert len(pending(routine)) == 2


def test_a_member_who_leaves_gets_nothing_more(
    family, owner, caregiver, push, queued, tick, madrid_evening
):
    add_device(push, caregiver, "bob-phone")
    RoutineFactory(family=family, start_time=time(19, 30), reminder_offsets=[10])
    madrid_evening.move_to(utc(2026, 3, 2, 18, 20, 5))
    tick()
    remove_membership(caregiver.memberships.get(family=family))
    assert send_all(queued) == ["not-pending"]
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.error) == ("failed", "No longer a member of the family.")
    assert push.messages == []
    assert not ReminderSettings.objects.filter(membership__user=caregiver).exists()


def test_several_routines_in_one_tick_use_a_constant_number_of_queries(
    family, owner, push, queued, tick, madrid_evening, django_assert_max_num_queries
):
    add_device(push, owner, "phone")
    for _ in range(3):
        RoutineFactory(family=family, start_time=time(19, 30), reminder_offsets=[10])
    madrid_evening.move_to(utc(2026, 3, 2, 18, 20, 5))
    # New check-ins' follow-ups, routines, steps, members with settings, opt-outs and
    # children, who is on duty, ...
    with django_assert_max_num_queries(19) as few:
        tick()
    send_all(queued)
    madrid_evening.move_to(utc(2026, 3, 2, 19, 0))
    for _ in range(30):
        RoutineFactory(family=family, start_time=time(20, 30), reminder_offsets=[10])
    madrid_evening.move_to(utc(2026, 3, 2, 19, 20, 5))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert tick().deliveries == 30


def test_a_push_tag_names_the_occurrences_day_even_when_the_start_moves_to_the_next(
    owner, push, queued, tick
):
    # Nuuk springs forward at Saturday 23:00 → Sunday 00:00: Saturday's 23:30 starts at
    # Sunday 00:00 local, and is still Saturday's routine.
    family = FamilyFactory(timezone="America/Nuuk")
    MembershipFactory(family=family, user=owner, role=Role.OWNER)
    add_device(push, owner, "phone")
    start = utc(2026, 3, 29, 1, 0)
    with time_machine.travel(start - timedelta(hours=6), tick=False) as traveller:
        routine = RoutineFactory(
            family=family, start_time=time(23, 30), days_of_week=[6], reminder_offsets=[0]
        )
        traveller.move_to(start + timedelta(seconds=5))
        assert tick().deliveries == 1
        assert send_all(queued) == ["sent"]
    [message] = push.wait_for(1)
    assert message.payload["tag"] == f"routine-{routine.pk}-2026-03-28"


def on_sqlite_only() -> None:
    """Skips where rows can be locked (PostgreSQL): it fans out, and plans the rows it
    has locked in the batch's transaction (tests/test_reminders_postgres.py)."""
    if dispatch.can_lock_rows():
        pytest.skip("PostgreSQL locks the rows it claims")


def test_on_sqlite_a_busy_tick_dispatches_alone(family, owner, push, tick, madrid_evening):
    """Fan-out needs SKIP LOCKED (PostgreSQL: tests/test_reminders_postgres.py); on SQLite,
    one writer at a time, a full first batch starts no helpers and the tick does it all."""
    on_sqlite_only()
    add_device(push, owner, "phone")
    for _ in range(5):
        RoutineFactory(family=family, start_time=time(19, 30), reminder_offsets=[10])
    madrid_evening.move_to(utc(2026, 3, 2, 18, 20, 5))
    asked: list[int] = []
    assert tick(batch_size=2, fan_out=asked.append).deliveries == 5
    assert asked == []


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_a_batch_is_planned_before_its_write_transaction(
    family, owner, push, tick, madrid_evening
):
    """SQLite's writers do not queue for its one write lock: the senders' claims and
    outcomes get in only where the tick leaves it free, so the batch's reads (the plans,
    most of its work) run before the transaction that writes it."""
    on_sqlite_only()
    add_device(push, owner, "phone")
    RoutineFactory(family=family, start_time=time(19, 30), reminder_offsets=[10])
    madrid_evening.move_to(utc(2026, 3, 2, 18, 20, 5))
    routine_reads: list[bool] = []

    def watch(execute, sql, params, many, context):
        if sql.startswith("SELECT") and 'FROM "routines_routine"' in sql:
            routine_reads.append(connection.in_atomic_block)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        assert tick().deliveries == 1
    # Planned outside; inside, only the next occurrence's materialisation reads it.
    assert routine_reads[0] is False
    assert routine_reads.count(False) == 1


def test_on_sqlite_an_idle_tick_takes_no_write_transaction(family, owner, push, tick):
    """Every tick of the embedded default would otherwise take SQLite's one write lock."""
    on_sqlite_only()
    add_device(push, owner, "phone")
    RoutineFactory(family=family, start_time=time(19, 30), reminder_offsets=[10])
    statements: list[str] = []

    def watch(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        assert tick() == dispatch.TickReport()  # nothing due yet
    assert statements
    assert not [s for s in statements if s.startswith(("SAVEPOINT", "BEGIN", "INSERT", "UPDATE"))]


def test_on_sqlite_a_routine_edited_between_the_plan_and_the_claim_is_not_sent_as_planned(
    family, owner, push, queued, tick, madrid_evening
):
    on_sqlite_only()
    add_device(push, owner, "phone")
    routine = RoutineFactory(family=family, start_time=time(19, 30), reminder_offsets=[10])
    madrid_evening.move_to(utc(2026, 3, 2, 18, 20, 5))  # the 19:20 warning is due
    claims: list[str] = []

    def edit_just_before_the_batch_claims(execute, sql, params, many, context):
        if sql.startswith("SELECT") and "LIMIT" in sql and "scheduledreminder" in sql:
            claims.append(sql)
            if len(claims) == 2:  # the first read planned the row; now the claim
                save_routine(family=family, routine=routine, fields={"start_time": time(21, 0)})
        return execute(sql, params, many, context)

    with connection.execute_wrapper(edit_just_before_the_batch_claims):
        report = tick()
    assert len(claims) >= 2
    assert (report.reminders, report.deliveries) == (0, 0)
    assert not Delivery.objects.exists()
    assert pending(routine) == [(10, utc(2026, 3, 2, 19, 50), "2026-03-02")]


def test_on_sqlite_a_second_dispatcher_stands_down_while_one_works(
    family, owner, push, tick, madrid_evening, tmp_path, monkeypatch
):
    on_sqlite_only()
    add_device(push, owner, "phone")
    RoutineFactory(family=family, start_time=time(19, 30), reminder_offsets=[10])
    madrid_evening.move_to(utc(2026, 3, 2, 18, 20, 5))
    lock = tmp_path / "tandem.sqlite3.dispatch-lock"
    monkeypatch.setattr(dispatch, "dispatcher_lock_path", lambda: lock)
    with dispatch.sole_dispatcher(lock) as first:
        assert first is True
        assert tick() == dispatch.TickReport()  # a second tick leaves it the rows
        assert not Delivery.objects.exists()
    assert tick().deliveries == 1


def test_a_dispatchers_lock_dies_with_its_process(tmp_path):
    lock = tmp_path / "db.dispatch-lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(lock)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with dispatch.sole_dispatcher(lock) as alone:
            assert alone is False
    finally:
        holder.kill()
        holder.wait(timeout=10)
    with dispatch.sole_dispatcher(lock) as alone:
        assert alone is True


@pytest.mark.parametrize(
    ("database", "lock"),
    [
        ("/srv/tandem/data/tandem.sqlite3", "/srv/tandem/data/tandem.sqlite3.dispatch-lock"),
        ("file:/srv/tandem/t.sqlite3?mode=rwc", "/srv/tandem/t.sqlite3.dispatch-lock"),
        (":memory:", None),
        ("file:memorydb_default?mode=memory&cache=shared", None),
    ],
)
def test_the_dispatchers_lock_lies_beside_an_sqlite_file(database, lock):
    found = dispatch.lock_path_beside(database)
    assert (str(found) if found else None) == lock


HOLD_LOCK = """
import fcntl, sys, time
handle = open(sys.argv[1], "a")
fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("held", flush=True)
time.sleep(60)
"""


def test_a_helping_dispatcher_leaves_follow_ups_and_the_sweep_to_its_tick(
    owner_client, family, child, tick, madrid_evening
):
    box = Strategy.objects.get(key="box_breathing", family=None)
    body = {"id": "9d0c3a58-8a41-4c38-9e0e-2f3c5f1d7a11", "child": child.pk,
            "emotion": "worried", "intensity": 3, "strategy": box.pk}  # fmt: skip
    assert owner_client.post(f"/api/v1/families/{family.pk}/checkins/", body).status_code == 201
    tick(helping=True)
    assert not ScheduledReminder.objects.filter(kind="follow_up").exists()
    tick()
    assert ScheduledReminder.objects.filter(kind="follow_up").count() == 1
