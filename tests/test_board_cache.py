"""The Today board is cached, and never stale: every write that changes it shows at once.

Each case reads the board (so it is cached), makes one change through the API, and reads
it again: the answer must show the change and equal a board built afresh from the
database, without the cache.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from families.models import ChildAway, Family, User
from routines.board import board_data, today_board
from routines.models import RoutineRun, StepCompletion

from .conftest import client_for
from .support.factories import ChildFactory, MembershipFactory
from .support.routine_fixtures import DAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("monday_noon")]


def base(family) -> str:
    return f"/api/v1/families/{family.pk}"


def board(client, family) -> dict:
    response = client.get(f"{base(family)}/today/")
    assert response.status_code == 200
    return response.json()


def fresh_board(family) -> dict:
    """The board built from the database now, past any cache."""
    family = Family.objects.get(pk=family.pk)
    return json.loads(json.dumps(board_data(today_board(family, date.fromisoformat(DAY)))))


def tick(client, family, routine, child, step, done: bool = True):
    path = (
        f"{base(family)}/routines/{routine.pk}/children/{child.pk}/days/{DAY}"
        f"/steps/{step.pk}/completion/"
    )
    response = client.put(path) if done else client.delete(path)
    assert response.status_code == 200, response.content


def steps_of(routine) -> list[dict]:
    return [{"id": s.pk, "title": s.title} for s in routine.steps.order_by("position")]


def patch_routine(client, family, routine, **changes):
    response = client.patch(f"{base(family)}/routines/{routine.pk}/", changes)
    assert response.status_code == 200, response.content


def _tick(c, f, r, ch):
    tick(c, f, r, ch, r.steps.first())


def _untick(c, f, r, ch):
    tick(c, f, r, ch, r.steps.first(), done=False)


def _finish_then_add_a_step(c, f, r, ch):
    # Completing every step closes the run; a new step reopens it (a bulk update).
    patch_routine(c, f, r, steps=[*steps_of(r), {"title": "Hug"}])


def _start_a_run(c, f, r, ch):
    response = c.post(f"{base(f)}/routines/{r.pk}/runs/", {"child": ch.pk, "date": DAY})
    assert response.status_code == 201, response.content


CHANGES: dict[str, Callable] = {
    "tick a step": _tick,
    "untick a step": _untick,
    "start a run": _start_a_run,
    "rename the routine": lambda c, f, r, ch: patch_routine(c, f, r, name="Lights out"),
    "move its start": lambda c, f, r, ch: patch_routine(c, f, r, start_time="06:45"),
    "reorder and rename steps": lambda c, f, r, ch: patch_routine(
        c, f, r, steps=[{**s, "title": f"New {s['title']}"} for s in reversed(steps_of(r))]
    ),
    "remove a step": lambda c, f, r, ch: patch_routine(c, f, r, steps=steps_of(r)[1:]),
    "finish, then add a step": _finish_then_add_a_step,
    "not for this child any more": lambda c, f, r, ch: patch_routine(
        c, f, r, children=[ChildFactory(family=f, name="Lu").pk]
    ),
    "pause the routine": lambda c, f, r, ch: patch_routine(c, f, r, is_active=False),
    "not on Mondays any more": lambda c, f, r, ch: patch_routine(c, f, r, days_of_week=[6, 7]),
    "delete the routine": lambda c, f, r, ch: c.delete(f"{base(f)}/routines/{r.pk}/"),
    "add a routine": lambda c, f, r, ch: c.post(
        f"{base(f)}/routines/",
        {
            "name": "Morning",
            "children": [ch.pk],
            "days_of_week": [1],
            "start_time": "07:00",
            "steps": [{"title": "Teeth"}],
        },
    ),
    "add a child": lambda c, f, r, ch: c.post(f"{base(f)}/children/", {"name": "Noa"}),
    "rename the child": lambda c, f, r, ch: c.patch(
        f"{base(f)}/children/{ch.pk}/", {"name": "Samuel"}
    ),
    "remove the child": lambda c, f, r, ch: c.delete(f"{base(f)}/children/{ch.pk}/"),
    "the child is away today": lambda c, f, r, ch: c.post(
        f"{base(f)}/children/{ch.pk}/away/", {"from": DAY, "to": DAY, "note": "at Dad's"}
    ),
    "the child is back": lambda c, f, r, ch: c.delete(
        f"{base(f)}/away/{ChildAway.objects.get(child=ch).pk}/"
    ),
}
# Set-ups that must happen (and be cached) before the change is made.
BEFORE: dict[str, Callable] = {
    "untick a step": _tick,
    "the child is back": lambda c, f, r, ch: c.post(
        f"{base(f)}/children/{ch.pk}/away/", {"from": DAY, "to": DAY}
    ),
    "finish, then add a step": lambda c, f, r, ch: [tick(c, f, r, ch, s) for s in r.steps.all()],
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_shows_on_the_next_read(
    change, owner_client, caregiver_client, family, routine, child
):
    if change in BEFORE:
        BEFORE[change](owner_client, family, routine, child)
    cached = board(caregiver_client, family)
    assert "routines_" not in sql_of_a_read(caregiver_client, family)  # cached now

    response = CHANGES[change](owner_client, family, routine, child)
    assert response is None or response.status_code < 300, response.content

    after = board(caregiver_client, family)
    assert after != cached, "the change does not show"
    assert after == fresh_board(family)


def sql_of_a_read(client, family) -> str:
    """The SQL one read of the board ran."""
    with CaptureQueriesContext(connection) as queries:
        board(client, family)
    return " ".join(q["sql"] for q in queries.captured_queries)


def test_a_cached_board_reads_nothing_but_the_membership(owner_client, family, routine):
    board(owner_client, family)
    sql = sql_of_a_read(owner_client, family)
    assert "routines_" not in sql
    assert not re.search(
        r"\"families_child\"[ .]", sql
    )  # the child table itself, not a device join
    assert "families_membership" in sql  # still checked on every request


def test_another_day_or_family_is_never_served_from_the_cache(owner_client, family, routine):
    today = board(owner_client, family)
    tomorrow = owner_client.get(f"{base(family)}/today/?date=2026-06-02").json()
    assert (today["date"], tomorrow["date"]) == (DAY, "2026-06-02")

    twin = Family.objects.create(name="Twins", timezone=family.timezone)
    family.refresh_from_db()  # even with the same version number
    Family.objects.filter(pk=twin.pk).update(board_version=family.board_version)
    twin_owner = MembershipFactory(family=twin, role="owner").user
    assert board(client_for(twin_owner), twin)["children"] == []


def test_saving_a_stale_family_does_not_bring_an_old_board_back(
    owner_client, family, routine, child
):
    stale = Family.objects.get(pk=family.pk)  # loaded before the tick
    board(owner_client, family)
    tick(owner_client, family, routine, child, routine.steps.first())
    ticked = board(owner_client, family)
    stale.name = "The Rivera-Lópezes"
    stale.save()  # a full save must not write the old board_version back
    assert board(owner_client, family) == ticked == fresh_board(family)


def test_a_rolled_back_change_keeps_the_cached_board(owner_client, family, routine, child):
    before = board(owner_client, family)

    def add_a_child_then_fail():
        with transaction.atomic():
            ChildFactory(family=family, name="Ghost")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        add_a_child_then_fail()
    assert not family.children.filter(name="Ghost").exists()
    assert "routines_" not in sql_of_a_read(owner_client, family)  # still the cached one
    assert board(owner_client, family) == before == fresh_board(family)


def test_a_polling_phone_gets_304_until_the_board_changes(
    owner_client, outsider_client, family, routine, child
):
    first = owner_client.get(f"{base(family)}/today/")
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache"

    again = owner_client.get(f"{base(family)}/today/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag

    # Knowing the validator reveals nothing to a non-member.
    stranger = outsider_client.get(f"{base(family)}/today/", HTTP_IF_NONE_MATCH=etag)
    assert stranger.status_code == 404

    tick(owner_client, family, routine, child, routine.steps.first())
    changed = owner_client.get(f"{base(family)}/today/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json() == fresh_board(family)


@pytest.mark.parametrize("model", ["routinerun", "stepcompletion"])
def test_deleting_history_in_the_admin_shows_on_the_board(
    model, owner_client, family, routine, child
):
    tick(owner_client, family, routine, child, routine.steps.first())
    cached = board(owner_client, family)
    admin = client_for(User.objects.create_superuser("admin@example.com", "pw-admin-123"))
    ids = [
        pk
        for pk in (RoutineRun if model == "routinerun" else StepCompletion).objects.values_list(
            "pk", flat=True
        )
    ]
    response = admin.post(
        f"/admin/routines/{model}/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
        format="multipart",
    )
    assert response.status_code == 302
    assert board(owner_client, family) != cached
    assert board(owner_client, family) == fresh_board(family)
