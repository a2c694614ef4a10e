"""The family's recent deliveries: what was sent, skipped, missed or failed, newest first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from .conftest import client_for
from .support.factories import DeliveryFactory, PushSubscriptionFactory, ScheduledReminderFactory

pytestmark = pytest.mark.django_db


def url(family) -> str:
    return f"/api/v1/families/{family.pk}/deliveries/"


def test_members_see_the_familys_deliveries_newest_first(
    owner_client, caregiver, owner, family, other_family
):
    old = DeliveryFactory(
        reminder__family=family, subscription__user=owner, state="skipped", error="Quiet hours."
    )
    old.created_at = timezone.now() - timedelta(hours=1)
    old.save()
    new = DeliveryFactory(reminder__family=family, subscription__user=caregiver, state="sent")
    DeliveryFactory(reminder__family=other_family)  # not ours

    response = owner_client.get(url(family))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [d["id"] for d in results] == [new.pk, old.pk]
    first = results[0]
    assert first["title"] == "Bedtime for Sam in 10 minutes"
    assert first["recipient"] == "Bob"
    assert first["state"] == "sent"
    assert results[1]["error"] == "Quiet hours."
    assert client_for(caregiver).get(url(family)).json()["count"] == 2


def test_a_pruned_device_keeps_its_history(owner_client, owner, family):
    delivery = DeliveryFactory(reminder__family=family, subscription__user=owner, state="failed")
    delivery.subscription.delete()
    [row] = owner_client.get(url(family)).json()["results"]
    assert row["state"] == "failed"
    assert row["recipient"] == "Alice"


def test_the_list_is_paginated_with_constant_queries(
    owner_client, owner, family, django_assert_max_num_queries
):
    device = PushSubscriptionFactory(user=owner)
    for _ in range(3):
        DeliveryFactory(reminder__family=family, subscription=device)
    with django_assert_max_num_queries(6):
        small = owner_client.get(url(family))
    for _ in range(30):
        reminder = ScheduledReminderFactory(family=family)
        DeliveryFactory(reminder=reminder, subscription=device)
    with django_assert_max_num_queries(6):
        large = owner_client.get(url(family) + "?page_size=20")
    assert small.json()["count"] == 3
    assert len(large.json()["results"]) == 20
    assert large.json()["next"]


def test_outsiders_get_404(outsider_client, family):
    assert outsider_client.get(url(family)).status_code == 404
