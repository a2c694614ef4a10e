"""The family PIN that lets a grown-up leave the child view: owners set and clear it,
it is stored hashed, any member checks it, and wrong tries slow down."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from families.models import Family

from .conftest import client_for
from .support.family_data import fill_family

pytestmark = pytest.mark.django_db


def pin_url(family, check=False):
    return f"/api/v1/families/{family.pk}/pin/" + ("check/" if check else "")


def has_pin(client, family):
    return client.get(f"/api/v1/families/{family.pk}/").json()["has_pin"]


def test_an_owner_sets_a_pin_stored_hashed_and_members_check_it(
    family, owner_client, caregiver_client
):
    assert has_pin(owner_client, family) is False
    assert owner_client.put(pin_url(family), {"pin": "0427"}, format="json").status_code == 204
    stored = Family.objects.get(pk=family.pk).pin_hash
    assert "0427" not in stored
    assert stored.startswith("md5$")  # the test settings' hasher: a hash, not the digits
    assert has_pin(owner_client, family) is True
    assert has_pin(caregiver_client, family) is True
    right = caregiver_client.post(pin_url(family, check=True), {"pin": "0427"}, format="json")
    assert right.status_code == 204
    wrong = caregiver_client.post(pin_url(family, check=True), {"pin": "4270"}, format="json")
    assert wrong.status_code == 400
    assert "pin" in wrong.json()["errors"]
    # Leading zeros count: "427" is not "0427" (and too short anyway).
    short = caregiver_client.post(pin_url(family, check=True), {"pin": "427"}, format="json")
    assert short.status_code == 400


def test_only_owners_set_or_clear_the_pin(family, owner_client, caregiver_client):
    assert caregiver_client.put(pin_url(family), {"pin": "1234"}, format="json").status_code == 403
    assert has_pin(owner_client, family) is False
    owner_client.put(pin_url(family), {"pin": "1234"}, format="json")
    assert caregiver_client.delete(pin_url(family)).status_code == 403
    assert has_pin(owner_client, family) is True
    assert owner_client.delete(pin_url(family)).status_code == 204
    assert has_pin(owner_client, family) is False


def test_another_familys_pin_is_404(family, owner_client, outsider):
    owner_client.put(pin_url(family), {"pin": "1234"}, format="json")
    stranger = client_for(outsider)
    assert stranger.post(
        pin_url(family, check=True), {"pin": "1234"}, format="json"
    ).status_code == (404)
    assert stranger.put(pin_url(family), {"pin": "9999"}, format="json").status_code == 404


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", " 1234", "", "１２３４", None, 1234.5])
def test_a_pin_is_4_to_8_digits(family, owner_client, pin):
    response = owner_client.put(pin_url(family), {"pin": pin}, format="json")
    assert response.status_code == 400
    assert "pin" in response.json()["errors"]
    assert has_pin(owner_client, family) is False


@pytest.mark.parametrize("pin", ["1234", "12345678"])
def test_four_and_eight_digits_are_fine(family, owner_client, pin):
    assert owner_client.put(pin_url(family), {"pin": pin}, format="json").status_code == 204
    assert owner_client.post(
        pin_url(family, check=True), {"pin": pin}, format="json"
    ).status_code == (204)


def test_without_a_pin_any_check_passes(family, caregiver_client):
    response = caregiver_client.post(pin_url(family, check=True), {"pin": "0000"}, format="json")
    assert response.status_code == 204


def test_a_new_pin_replaces_the_old_one(family, owner_client):
    owner_client.put(pin_url(family), {"pin": "1111"}, format="json")
    owner_client.put(pin_url(family), {"pin": "2222"}, format="json")
    assert owner_client.post(
        pin_url(family, check=True), {"pin": "1111"}, format="json"
    ).status_code == (400)
    assert owner_client.post(
        pin_url(family, check=True), {"pin": "2222"}, format="json"
    ).status_code == (204)


def test_a_family_rename_keeps_the_pin(family, owner_client):
    owner_client.put(pin_url(family), {"pin": "1111"}, format="json")
    stale = Family.objects.get(pk=family.pk)
    Family.objects.filter(pk=family.pk).update(pin_hash="")  # as if cleared meanwhile
    stale.name = "Renamed"
    stale.save()  # a full save of an old copy must not bring the old PIN back
    assert Family.objects.get(pk=family.pk).pin_hash == ""


def test_wrong_tries_in_a_row_slow_down_and_the_right_pin_resets_them(
    family, owner_client, caregiver_client, settings
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "pin": "5/hour",
        },
    }
    owner_client.put(pin_url(family), {"pin": "2468"}, format="json")
    start = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:

        def check(pin):
            return caregiver_client.post(pin_url(family, check=True), {"pin": pin}, format="json")

        for guess in ("0000", "1111", "2222", "3333", "4444"):  # the fifth starts the waiting
            assert check(guess).status_code == 400
        refused = check("2468")  # even the right one waits: no free guesses
        assert refused.status_code == 429
        assert 1 <= int(refused["Retry-After"]) <= 2
        clock.shift(timedelta(seconds=3))
        assert check("6666").status_code == 400
        longer = check("2468")
        assert longer.status_code == 429
        assert 3 <= int(longer["Retry-After"]) <= 4  # 2 s, then 4 s, …
        # The owner's own device is not slowed by the caregiver's wrong tries.
        assert (
            owner_client.post(
                pin_url(family, check=True), {"pin": "2468"}, format="json"
            ).status_code
            == 204
        )
        clock.shift(timedelta(seconds=5))
        assert check("2468").status_code == 204
        # The right PIN forgot the failures: a slip afterwards is just a 400.
        assert check("0000").status_code == 400
        assert check("2468").status_code == 204


def test_a_check_costs_a_fixed_few_queries_whatever_the_family_holds(
    family, owner, caregiver, owner_client, caregiver_client, django_assert_num_queries
):
    owner_client.put(pin_url(family), {"pin": "2468"}, format="json")
    body = {"pin": "2468"}
    # User, membership with its family (the session comes from the session cache): the
    # PIN is on the family row.
    with django_assert_num_queries(2):
        assert (
            caregiver_client.post(pin_url(family, check=True), body, format="json").status_code
            == 204
        )
    fill_family(family, [owner, caregiver], days=10)
    with django_assert_num_queries(2):
        assert (
            caregiver_client.post(pin_url(family, check=True), body, format="json").status_code
            == 204
        )
