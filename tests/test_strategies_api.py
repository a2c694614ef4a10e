"""The feelings vocabulary endpoint and the strategy catalogue: built-ins and a family's own."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from checkins import strategies
from checkins.models import Strategy
from checkins.strategy_catalogue import BUILTIN_STRATEGIES, NOT_MEDICAL_ADVICE

from .support.factories import StrategyFactory

pytestmark = pytest.mark.django_db


def url(family, suffix=""):
    return f"/api/v1/families/{family.pk}/strategies/{suffix}"


def test_emotions_are_served_to_any_signed_in_user(outsider_client, anon_client):
    response = outsider_client.get("/api/v1/emotions/")
    assert response.status_code == 200
    data = response.json()
    assert len(data["emotions"]) >= 24
    worried = next(e for e in data["emotions"] if e["key"] == "worried")
    assert worried["quadrant"] == "high_unpleasant"
    assert {"key": "tummy", "label": "Tummy"} in data["body_areas"]
    assert "max-age" in response["Cache-Control"]
    assert anon_client.get("/api/v1/emotions/").status_code in (401, 403)


def test_the_builtins_are_loaded_and_in_sync_with_the_catalogue():
    builtins = Strategy.objects.filter(family=None)
    assert builtins.count() == len(BUILTIN_STRATEGIES)
    box = builtins.get(key="box_breathing")
    assert box.guided == "box-4-4-4-4"
    box.title = "Edited by someone"
    box.save()
    Strategy.objects.filter(family=None, key="belly_breathing").delete()
    assert strategies.sync_builtin_strategies() == 2
    assert builtins.get(key="box_breathing").title == "Box breathing"
    assert builtins.filter(key="belly_breathing").exists()
    assert strategies.sync_builtin_strategies() == 0  # nothing to do the second time


def test_the_sync_command_reports(capsys):
    call_command("sync_strategies")
    assert "0 built-in strategies" in capsys.readouterr().out


def test_the_list_has_builtins_first_and_our_own_but_not_others(
    caregiver_client, family, other_family
):
    ours = StrategyFactory(family=family, title="Bounce on the trampoline")
    StrategyFactory(family=other_family, title="Their secret")
    response = caregiver_client.get(url(family), {"page_size": 200})
    assert response.status_code == 200
    results = response.json()["results"]
    titles = [r["title"] for r in results]
    assert "Their secret" not in titles
    assert titles[-1] == ours.title
    assert results[0]["key"] == BUILTIN_STRATEGIES[0]["key"]
    assert all(r["builtin"] for r in results[:-1])
    assert all(r["not_medical_advice"] == NOT_MEDICAL_ADVICE for r in results)


def test_a_member_adds_a_strategy_of_their_own(caregiver_client, caregiver, family):
    data = {
        "title": "Sing the dinosaur song",
        "kind": "comfort",
        "steps": ["Start slow", "  Get louder  "],
        "fits": ["sad", "bored", "sad"],
    }
    response = caregiver_client.post(url(family), data)
    assert response.status_code == 201, response.json()
    created = Strategy.objects.get(pk=response.json()["id"])
    assert created.family == family
    assert created.created_by == caregiver
    assert created.key == "sing-the-dinosaur-song"
    assert created.steps == ["Start slow", "Get louder"]
    assert created.fits == ["sad", "bored"]
    assert created.energy_fit == ["low_unpleasant"]  # derived from the feelings it fits
    again = caregiver_client.post(url(family), data)
    assert again.json()["key"] == "sing-the-dinosaur-song-2"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "magic"}, "kind"),
        ({"fits": ["hangry"]}, "fits.0"),
        ({"fits": []}, "fits"),
        ({"steps": []}, "steps"),
        ({"steps": ["  "]}, "steps.0"),
        ({"title": "  "}, "title"),
        ({"guided": "square-9"}, "guided"),
        ({"energy_fit": ["sideways"]}, "energy_fit"),
    ],
)
def test_bad_strategy_input_names_the_field(owner_client, family, change, field):
    data = {"title": "Ours", "kind": "comfort", "steps": ["Do it"], "fits": ["sad"], **change}
    response = owner_client.post(url(family), data)
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"], response.json()


def test_our_own_strategy_can_be_edited_and_deleted(owner_client, family):
    ours = StrategyFactory(family=family)
    response = owner_client.patch(url(family, f"{ours.pk}/"), {"title": "Renamed"})
    assert response.status_code == 200
    ours.refresh_from_db()
    assert ours.title == "Renamed"
    assert owner_client.delete(url(family, f"{ours.pk}/")).status_code == 204
    assert not Strategy.objects.filter(pk=ours.pk).exists()


def test_builtins_cannot_be_edited_or_deleted(owner_client, family):
    box = Strategy.objects.get(family=None, key="box_breathing")
    response = owner_client.patch(url(family, f"{box.pk}/"), {"title": "Mine now"})
    assert response.status_code == 403
    assert "Built-in" in response.json()["detail"]
    assert owner_client.delete(url(family, f"{box.pk}/")).status_code == 403
    box.refresh_from_db()
    assert box.title == "Box breathing"
    assert owner_client.get(url(family, f"{box.pk}/")).status_code == 200


def test_another_familys_strategy_is_404(owner_client, family, other_family):
    theirs = StrategyFactory(family=other_family)
    assert owner_client.get(url(family, f"{theirs.pk}/")).status_code == 404
    assert owner_client.delete(url(family, f"{theirs.pk}/")).status_code == 404
    assert Strategy.objects.filter(pk=theirs.pk).exists()


def test_two_strategies_with_one_title_get_numbered_keys_even_in_a_race(family, monkeypatch):
    first = strategies.create_strategy(
        family=family, title="Our song", kind="comfort", steps=["Sing."]
    )
    assert first.key == "our-song"
    # A racing request looked before the first one was stored: its first choice is taken.
    real_filter = Strategy.objects.filter
    looks = []

    def blind_first_look(*args, **kwargs):
        looks.append(kwargs)
        found = real_filter(*args, **kwargs)
        return found.none() if len(looks) == 1 else found

    monkeypatch.setattr(Strategy.objects, "filter", blind_first_look)
    second = strategies.create_strategy(
        family=family, title="Our song", kind="comfort", steps=["Sing softly."]
    )
    assert second.key == "our-song-2"
    assert Strategy.objects.filter(family=family).count() == 2
