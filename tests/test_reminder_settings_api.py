"""Each member's reminder settings in a family: on/off and quiet hours (family-local)."""

from __future__ import annotations

import pytest

from families.models import Membership, Role
from families.services import remove_membership
from reminders.models import ReminderSettings

from .conftest import client_for
from .support.factories import RoutineFactory

pytestmark = pytest.mark.django_db


def url(family) -> str:
    return f"/api/v1/families/{family.pk}/reminder-settings/me/"


def test_a_member_starts_with_reminders_on_and_no_quiet_hours(owner_client, family):
    response = owner_client.get(url(family))
    assert response.status_code == 200
    assert response.json() == {
        "enabled": True,
        "quiet_start": None,
        "quiet_end": None,
        "opted_out_routines": [],
        "weekly_digest": False,
        "timezone": "Europe/Madrid",
    }
    assert not ReminderSettings.objects.exists()  # reading writes nothing


def test_quiet_hours_may_wrap_midnight(owner_client, family, owner):
    response = owner_client.patch(url(family), {"quiet_start": "21:30", "quiet_end": "07:00"})
    assert response.status_code == 200, response.json()
    assert response.json()["quiet_start"] == "21:30"
    stored = ReminderSettings.objects.get(membership__user=owner)
    assert (stored.quiet_start.hour, stored.quiet_end.hour) == (21, 7)
    assert owner_client.get(url(family)).json()["quiet_end"] == "07:00"


def test_turning_reminders_off_keeps_the_quiet_hours(owner_client, family):
    owner_client.patch(url(family), {"quiet_start": "22:00", "quiet_end": "06:30"})
    response = owner_client.patch(url(family), {"enabled": False})
    assert response.json()["enabled"] is False
    assert response.json()["quiet_start"] == "22:00"


def test_quiet_hours_are_both_or_neither(owner_client, family):
    response = owner_client.patch(url(family), {"quiet_start": "22:00"})
    assert response.status_code == 400
    assert "quiet_end" in response.json()["errors"]

    owner_client.patch(url(family), {"quiet_start": "22:00", "quiet_end": "06:00"})
    response = owner_client.patch(url(family), {"quiet_start": None})
    assert response.status_code == 400
    assert "quiet_start" in response.json()["errors"]
    cleared = owner_client.patch(url(family), {"quiet_start": None, "quiet_end": None})
    assert cleared.json()["quiet_start"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start"),
        ({"quiet_start": "22:00", "quiet_end": "soon"}, "quiet_end"),
        ({"enabled": "perhaps"}, "enabled"),
    ],
)
def test_bad_settings_name_the_field(owner_client, family, body, field):
    response = owner_client.patch(url(family), body)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_each_member_has_their_own_settings(owner_client, caregiver_client, family):
    assert owner_client.patch(url(family), {"enabled": False}).json()["enabled"] is False
    caregiver_view = caregiver_client.get(url(family)).json()
    assert caregiver_view["enabled"] is True


def test_settings_are_per_family(owner, family, other_family):
    Membership.objects.create(user=owner, family=other_family, role=Role.CAREGIVER)
    client = client_for(owner)
    assert client.patch(url(family), {"enabled": False}).json()["enabled"] is False
    assert client.get(url(other_family)).json()["enabled"] is True


def test_settings_of_a_member_who_leaves_go_with_them(caregiver_client, caregiver, owner, family):
    quiet = {"quiet_start": "20:00", "quiet_end": "08:00"}
    assert caregiver_client.patch(url(family), quiet).status_code == 200
    assert ReminderSettings.objects.filter(membership__user=caregiver).exists()
    remove_membership(caregiver.memberships.get(family=family))
    assert not ReminderSettings.objects.filter(membership__user=caregiver).exists()


def test_outsiders_cannot_see_our_settings(outsider_client, family):
    assert outsider_client.get(url(family)).status_code == 404
    assert outsider_client.patch(url(family), {"enabled": False}).status_code == 404


def test_a_member_can_opt_out_of_single_routines(owner_client, family, owner):
    bedtime, morning = RoutineFactory(family=family), RoutineFactory(family=family)
    response = owner_client.patch(url(family), {"opted_out_routines": [bedtime.pk]})
    assert response.status_code == 200, response.json()
    assert response.json()["opted_out_routines"] == [bedtime.pk]
    stored = ReminderSettings.objects.get(membership__user=owner)
    assert list(stored.opted_out_routines.all()) == [bedtime]
    back_in = owner_client.patch(url(family), {"opted_out_routines": []})
    assert back_in.json()["opted_out_routines"] == []
    assert morning.pk not in response.json()["opted_out_routines"]


def test_another_familys_routine_cannot_be_opted_out_of(owner_client, family, other_family):
    theirs = RoutineFactory(family=other_family)
    response = owner_client.patch(url(family), {"opted_out_routines": [theirs.pk]})
    assert response.status_code == 400
    assert "opted_out_routines" in response.json()["errors"]
    bad = owner_client.patch(url(family), {"opted_out_routines": ["nope"]})
    assert "opted_out_routines" in bad.json()["errors"]
