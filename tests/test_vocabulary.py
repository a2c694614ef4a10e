"""Emotion vocabulary and built-in strategy catalogue: plain data checks, no database."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from checkins import strategy_catalogue as catalogue
from checkins import vocabulary as vocab

BANNED_WORDS = ("vagus", "cortisol", "nervous system", "cure", "treat", "therapy", "diagnos")


def test_version_is_an_int():
    assert isinstance(vocab.VOCABULARY_VERSION, int)
    assert vocab.VOCABULARY_VERSION >= 1


def test_emotion_counts():
    assert len(vocab.EMOTIONS) >= 28
    per_quadrant = Counter(e.quadrant for e in vocab.EMOTIONS)
    assert set(per_quadrant) == {key for key, _ in vocab.QUADRANTS}
    for quadrant, count in per_quadrant.items():
        assert count >= 6, quadrant


def test_emotion_keys_and_emojis_unique():
    keys = [e.key for e in vocab.EMOTIONS]
    emojis = [e.emoji for e in vocab.EMOTIONS]
    assert len(set(keys)) == len(keys)
    assert len(set(emojis)) == len(emojis)
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", key) for key in keys)
    assert set(vocab.EMOTIONS_BY_KEY) == set(keys)
    assert set(keys) == vocab.EMOTION_KEYS


def test_emotion_fields_filled_in():
    for e in vocab.EMOTIONS:
        assert e.label.strip(), e.key
        assert e.kid_label.strip(), e.key
        assert e.emoji.strip(), e.key
        assert e.energy in ("high", "low")
        assert e.pleasantness in ("pleasant", "unpleasant")


def test_quadrant_property():
    assert vocab.EMOTIONS_BY_KEY["angry"].quadrant == "high_unpleasant"
    assert vocab.EMOTIONS_BY_KEY["happy"].quadrant == "high_pleasant"
    assert vocab.EMOTIONS_BY_KEY["sad"].quadrant == "low_unpleasant"
    assert vocab.EMOTIONS_BY_KEY["calm"].quadrant == "low_pleasant"
    assert [key for key, _ in vocab.QUADRANTS] == [
        "high_unpleasant",
        "high_pleasant",
        "low_unpleasant",
        "low_pleasant",
    ]


def test_emotion_is_frozen():
    with pytest.raises(AttributeError):
        vocab.EMOTIONS[0].key = "changed"


def test_get_emotion():
    assert vocab.get_emotion("scared").kid_label
    with pytest.raises(ValueError, match="sparkly"):
        vocab.get_emotion("sparkly")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("chest", "chest"),
        ("chest:tight", "chest:tight"),
        ("whole_body", "whole_body"),
        ("tummy:fluttery", "tummy:fluttery"),
        (" Chest:Tight ", "chest:tight"),
    ],
)
def test_validate_body_area_accepts(value, expected):
    assert vocab.validate_body_area(value) == expected


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("elbow", "elbow"),
        ("chest:sparkly", "sparkly"),
        ("", "empty"),
        ("chest:", "sensation"),
        ("chest:tight:hot", "sensation"),
        (":tight", "body area"),
        (42, "string"),
        (None, "string"),
    ],
)
def test_validate_body_area_rejects(value, needle):
    with pytest.raises(ValueError, match=needle):
        vocab.validate_body_area(value)


def test_validate_body_areas_list():
    assert vocab.validate_body_areas(["chest", "chest:tight", "CHEST"]) == ["chest", "chest:tight"]
    assert vocab.validate_body_areas([]) == []
    with pytest.raises(ValueError, match="Body areas must be a list of strings"):
        vocab.validate_body_areas("chest")
    with pytest.raises(ValueError, match="Unknown body area 'elbow'"):
        vocab.validate_body_areas(["chest", "elbow"])


def test_body_area_and_sensation_keys():
    assert {"head", "eyes", "throat", "chest", "tummy", "hands", "legs", "whole_body"} <= (
        vocab.BODY_AREA_KEYS
    )
    assert {"tight", "hot", "shaky", "heavy", "fluttery", "fast_heartbeat"} <= vocab.SENSATION_KEYS


def test_as_api_shape_is_json_ready():
    data = vocab.as_api()
    json.dumps(data)
    assert data["version"] == vocab.VOCABULARY_VERSION
    assert len(data["emotions"]) == len(vocab.EMOTIONS)
    first = data["emotions"][0]
    assert set(first) == {
        "key",
        "label",
        "kid_label",
        "emoji",
        "energy",
        "pleasantness",
        "quadrant",
    }
    assert [q["key"] for q in data["quadrants"]] == [key for key, _ in vocab.QUADRANTS]
    assert all(set(q) == {"key", "label"} for q in data["quadrants"])
    assert {a["key"] for a in data["body_areas"]} == vocab.BODY_AREA_KEYS
    assert {s["key"] for s in data["sensations"]} == vocab.SENSATION_KEYS


def test_validate_catalogue_passes():
    catalogue.validate_catalogue()


def test_catalogue_size_and_required_strategies():
    keys = {s["key"] for s in catalogue.BUILTIN_STRATEGIES}
    assert 16 <= len(catalogue.BUILTIN_STRATEGIES) <= 24
    assert "caregiver_three_breaths" in keys
    kinds = {s["kind"] for s in catalogue.BUILTIN_STRATEGIES}
    assert {"presence", "routine", "modelling", "comfort", "grounding", "mindfulness"} <= kinds
    assert {"breathing", "movement", "environment"} <= kinds
    guided = {s["guided"] for s in catalogue.BUILTIN_STRATEGIES}
    assert {"box-4-4-4-4", "belly-4-6"} <= guided


def test_only_caregiver_breaths_is_caregiver_first():
    first = [s["key"] for s in catalogue.BUILTIN_STRATEGIES if s["caregiver_first"]]
    assert first == ["caregiver_three_breaths"]


def test_every_emotion_is_fitted_by_a_strategy():
    fitted = {key for s in catalogue.BUILTIN_STRATEGIES for key in s["fits"]}
    missing = vocab.EMOTION_KEYS - fitted
    assert not missing, f"no strategy fits {sorted(missing)}"


def _all_text(strategy: dict) -> str:
    parts = [strategy["title"], strategy["summary"], strategy["age_note"], *strategy["steps"]]
    return " ".join(parts).lower()


def test_no_medical_words_in_strategies():
    for strategy in catalogue.BUILTIN_STRATEGIES:
        text = _all_text(strategy)
        for word in BANNED_WORDS:
            assert word not in text, f"{strategy['key']} mentions {word!r}"
    assert "not medical advice" in catalogue.NOT_MEDICAL_ADVICE


def test_validate_catalogue_reports_problems(monkeypatch):
    broken = (
        *catalogue.BUILTIN_STRATEGIES,
        {**catalogue.BUILTIN_STRATEGIES[1], "fits": ["sparkly"], "kind": "magic"},
    )
    monkeypatch.setattr(catalogue, "BUILTIN_STRATEGIES", broken)
    with pytest.raises(ValueError, match="Invalid strategy catalogue") as excinfo:
        catalogue.validate_catalogue()
    message = str(excinfo.value)
    assert "duplicate key" in message
    assert "sparkly" in message
    assert "magic" in message


def test_strategies_for_emotion():
    found = catalogue.strategies_for_emotion("angry")
    assert found[0]["key"] == "caregiver_three_breaths"
    assert any(s["key"] == "box_breathing" for s in found)
    found[0]["title"] = "mutated"
    assert catalogue.BUILTIN_STRATEGIES_BY_KEY["caregiver_three_breaths"]["title"] != "mutated"
    assert catalogue.strategies_for_emotion("sparkly") == []
