"""Suggestion ranking: fit first, then what helped this child, then variety."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from checkins.models import Strategy
from checkins.strategy_catalogue import NOT_MEDICAL_ADVICE
from checkins.suggestions import StrategyHistory, rank_strategies

from .support.factories import CheckInFactory, ChildFactory, StrategyFactory

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def strategy(pk, *, fits=(), energy_fit=(), kind="comfort", caregiver_first=False, title=None):
    return Strategy(
        pk=pk,
        key=f"s{pk}",
        title=title or f"Strategy {pk}",
        kind=kind,
        fits=list(fits),
        energy_fit=list(energy_fit),
        caregiver_first=caregiver_first,
        position=pk,
    )


def keys(suggestions):
    return [s.strategy.key for s in suggestions]


# --- pure ranking ------------------------------------------------------------------------


def test_naming_the_feeling_beats_fitting_its_quadrant_and_misfits_are_left_out():
    strategies = [
        strategy(1, energy_fit=["high_unpleasant"]),
        strategy(2, fits=["worried"]),
        strategy(3, fits=["sad"], energy_fit=["low_unpleasant"]),
    ]
    ranked = rank_strategies(strategies, emotion="worried")
    assert keys(ranked) == ["s2", "s1"]
    assert ranked[0].reason == "fits feeling worried"
    assert ranked[1].reason == "fits big & uncomfortable feelings"


def test_what_helped_this_child_comes_next():
    strategies = [strategy(n, fits=["angry"]) for n in (1, 2, 3)]
    history = {
        1: StrategyHistory(used=3, tried=3, helped=0, last_used_at=T0),
        2: StrategyHistory(used=5, tried=5, helped=4, last_used_at=T0),
        # 3: never tried
    }
    ranked = rank_strategies(strategies, emotion="angry", history=history, child_name="Sam")
    assert keys(ranked) == ["s2", "s3", "s1"]
    assert ranked[0].reason == "helped Sam 4 of 5 times · fits feeling angry"
    assert ranked[2].reason.startswith("helped Sam 0 of 3 times")
    assert (ranked[0].helped, ranked[0].tried) == (4, 5)


def test_one_try_reads_in_the_singular():
    ranked = rank_strategies(
        [strategy(1, fits=["sad"])],
        emotion="sad",
        history={1: StrategyHistory(used=1, tried=1, helped=1, last_used_at=T0)},
        child_name="Lu",
    )
    assert ranked[0].reason.startswith("helped Lu 1 of 1 time ·")


def test_fit_still_outranks_a_good_history():
    strategies = [strategy(1, energy_fit=["high_unpleasant"]), strategy(2, fits=["scared"])]
    history = {1: StrategyHistory(used=5, tried=5, helped=5, last_used_at=T0)}
    assert keys(rank_strategies(strategies, emotion="scared", history=history)) == ["s2", "s1"]


def test_variety_puts_the_least_recently_used_first():
    strategies = [strategy(n, fits=["bored"]) for n in (1, 2, 3)]
    history = {  # used, but no follow-up answered: equal on helped
        1: StrategyHistory(used=2, last_used_at=T0 + timedelta(days=2)),
        2: StrategyHistory(used=2, last_used_at=T0),
    }
    assert keys(rank_strategies(strategies, emotion="bored", history=history)) == [
        "s3",
        "s2",
        "s1",
    ]


def test_strong_feelings_prefer_strategies_that_ask_little_thinking():
    strategies = [
        strategy(1, fits=["furious"], kind="grounding"),
        strategy(2, fits=["furious"], kind="presence"),
    ]
    assert keys(rank_strategies(strategies, emotion="furious", intensity=5)) == ["s2", "s1"]
    assert keys(rank_strategies(strategies, emotion="furious", intensity=1)) == ["s1", "s2"]


def test_a_caregiver_first_step_goes_on_top_only_when_the_caregiver_is_upset():
    strategies = [
        strategy(1, fits=["angry"]),
        strategy(2, fits=["angry"], kind="breathing", caregiver_first=True),
    ]
    upset = rank_strategies(
        strategies, emotion="angry", caregiver_emotion="frustrated", caregiver_intensity=4
    )
    assert keys(upset) == ["s2", "s1"]
    assert upset[0].pinned
    assert upset[0].reason == "you're feeling really frustrated: steady yourself first"
    calm = rank_strategies(strategies, emotion="angry", caregiver_emotion="calm")
    assert keys(calm) == ["s1"]
    assert keys(rank_strategies(strategies, emotion="angry")) == ["s1"]


def test_the_limit_counts_the_pinned_step():
    strategies = [strategy(n, fits=["angry"]) for n in range(1, 9)]
    strategies.append(strategy(99, fits=["angry"], caregiver_first=True))
    ranked = rank_strategies(strategies, emotion="angry", caregiver_emotion="angry", limit=5)
    assert len(ranked) == 5
    assert ranked[0].strategy.key == "s99"


def test_an_unknown_feeling_is_refused():
    with pytest.raises(ValueError, match="hangry"):
        rank_strategies([], emotion="hangry")


# --- the endpoint ------------------------------------------------------------------------


def url(family):
    return f"/api/v1/families/{family.pk}/suggestions/"


@pytest.mark.django_db
def test_suggestions_rank_by_this_childs_follow_ups(owner_client, family, child):
    belly = Strategy.objects.get(family=None, key="belly_breathing")
    box = Strategy.objects.get(family=None, key="box_breathing")
    for n, outcome in enumerate(["better", "better", "better", "better", "same", None]):
        CheckInFactory(
            family=family,
            child=child,
            strategy=belly,
            outcome=outcome,
            occurred_at=T0 + timedelta(hours=n),
        )
    for outcome in ["worse", "same"]:
        CheckInFactory(family=family, child=child, strategy=box, outcome=outcome, occurred_at=T0)
    sibling = ChildFactory(family=family, name="Lu")  # Lu's history is not Sam's
    for _ in range(5):
        CheckInFactory(family=family, child=sibling, strategy=box, outcome="better")

    response = owner_client.get(
        url(family), {"emotion": "angry", "intensity": 4, "child": child.pk}
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["not_medical_advice"] == NOT_MEDICAL_ADVICE
    assert data["child"] == {"id": child.pk, "name": "Sam"}
    suggestions = data["suggestions"]
    assert len(suggestions) == 5
    assert suggestions[0]["strategy"]["key"] == "belly_breathing"
    assert suggestions[0]["reason"].startswith("helped Sam 4 of 5 times")
    assert suggestions[0]["strategy"]["steps"]
    ranked_keys = [s["strategy"]["key"] for s in suggestions]
    assert "box_breathing" not in ranked_keys  # it never helped Sam: below untried ones
    assert all(s["fit"] == 2 for s in suggestions)


@pytest.mark.django_db
def test_an_upset_caregiver_gets_the_caregiver_step_first(caregiver_client, family, child):
    response = caregiver_client.get(
        url(family),
        {
            "emotion": "angry",
            "child": child.pk,
            "caregiver_emotion": "angry",
            "caregiver_intensity": 5,
        },
    )
    first = response.json()["suggestions"][0]
    assert first["strategy"]["key"] == "caregiver_three_breaths"
    assert first["pinned"] is True


@pytest.mark.django_db
def test_a_familys_own_strategy_is_suggested(owner_client, family):
    ours = StrategyFactory(family=family, title="Trampoline", fits=["energetic"], kind="movement")
    response = owner_client.get(url(family), {"emotion": "energetic", "limit": 20})
    assert "Trampoline" in [s["strategy"]["title"] for s in response.json()["suggestions"]]
    assert ours.pk in [s["strategy"]["id"] for s in response.json()["suggestions"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"emotion": "hangry"}, "emotion"),
        ({}, "emotion"),
        ({"emotion": "sad", "intensity": 0}, "intensity"),
        ({"emotion": "sad", "intensity": 6}, "intensity"),
        ({"emotion": "sad", "caregiver_emotion": "meh"}, "caregiver_emotion"),
        ({"emotion": "sad", "child": 999999}, "child"),
    ],
)
def test_bad_suggestion_queries_name_the_field(owner_client, family, params, field):
    response = owner_client.get(url(family), params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.django_db
def test_another_familys_child_is_a_400(owner_client, family, other_family):
    theirs = ChildFactory(family=other_family)
    response = owner_client.get(url(family), {"emotion": "sad", "child": theirs.pk})
    assert response.status_code == 400
    assert "child" in response.json()["errors"]


@pytest.mark.django_db
def test_suggestion_queries_do_not_grow_with_history(
    owner_client, family, child, django_assert_max_num_queries
):
    def count():
        with django_assert_max_num_queries(20) as ctx:
            owner_client.get(url(family), {"emotion": "sad", "child": child.pk})
        return len(ctx.captured_queries)

    few = count()
    for built_in in Strategy.objects.filter(family=None)[:10]:
        for outcome in ("better", "worse", None):
            CheckInFactory(family=family, child=child, strategy=built_in, outcome=outcome)
    assert count() == few
