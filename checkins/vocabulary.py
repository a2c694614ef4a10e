"""The emotion vocabulary: a fixed, versioned list of feelings, body areas and sensations.

Plain Python data with no Django imports, so models, data migrations, serializers and
the API can all share it. Keys are stable identifiers stored in the database: never
rename or remove one. Add new entries and bump ``VOCABULARY_VERSION`` instead.

Feelings are arranged on two axes, energy (high/low) and pleasantness
(pleasant/unpleasant), which gives four quadrants. The check-in grid shows them in the
order of ``QUADRANTS``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

VOCABULARY_VERSION = 1

Energy = Literal["high", "low"]
Pleasantness = Literal["pleasant", "unpleasant"]
Quadrant = Literal["high_unpleasant", "high_pleasant", "low_unpleasant", "low_pleasant"]

ENERGIES: tuple[Energy, ...] = ("high", "low")
PLEASANTNESSES: tuple[Pleasantness, ...] = ("pleasant", "unpleasant")

# Ordered as the grid is laid out: top row is high energy, left column is unpleasant.
QUADRANTS: tuple[tuple[Quadrant, str], ...] = (
    ("high_unpleasant", "Big & uncomfortable"),
    ("high_pleasant", "Big & good"),
    ("low_unpleasant", "Low & uncomfortable"),
    ("low_pleasant", "Low & good"),
)
QUADRANT_KEYS: frozenset[str] = frozenset(key for key, _ in QUADRANTS)
QUADRANT_LABELS: dict[str, str] = dict(QUADRANTS)


@dataclass(frozen=True, slots=True)
class Emotion:
    """One feeling in the vocabulary.

    ``label`` is for adults; ``kid_label`` uses words a four-year-old understands.
    """

    key: str
    label: str
    kid_label: str
    emoji: str
    energy: Energy
    pleasantness: Pleasantness

    @property
    def quadrant(self) -> Quadrant:
        if self.energy == "high":
            return "high_pleasant" if self.pleasantness == "pleasant" else "high_unpleasant"
        return "low_pleasant" if self.pleasantness == "pleasant" else "low_unpleasant"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["quadrant"] = self.quadrant
        return data


def _e(
    key: str, label: str, kid_label: str, emoji: str, energy: Energy, pleasantness: Pleasantness
) -> Emotion:
    return Emotion(key, label, kid_label, emoji, energy, pleasantness)


EMOTIONS: tuple[Emotion, ...] = (
    # Big & uncomfortable (high energy, unpleasant)
    _e("angry", "Angry", "mad", "😠", "high", "unpleasant"),
    _e("furious", "Furious", "really, really mad", "😡", "high", "unpleasant"),
    _e("frustrated", "Frustrated", "grrr, it won't work", "😤", "high", "unpleasant"),
    _e("worried", "Worried", "worried", "😟", "high", "unpleasant"),
    _e("anxious", "Anxious", "jittery inside", "😰", "high", "unpleasant"),
    _e("scared", "Scared", "scared", "😨", "high", "unpleasant"),
    _e("overwhelmed", "Overwhelmed", "too much", "🤯", "high", "unpleasant"),
    _e("jealous", "Jealous", "I want what they have", "😒", "high", "unpleasant"),
    # Big & good (high energy, pleasant)
    _e("happy", "Happy", "happy", "😄", "high", "pleasant"),
    _e("excited", "Excited", "can't wait", "🤩", "high", "pleasant"),
    _e("proud", "Proud", "I did it", "🌟", "high", "pleasant"),
    _e("silly", "Silly", "silly", "🤪", "high", "pleasant"),
    _e("surprised", "Surprised", "wow", "😲", "high", "pleasant"),
    _e("curious", "Curious", "I want to know", "🧐", "high", "pleasant"),
    _e("energetic", "Energetic", "wiggly", "⚡", "high", "pleasant"),
    _e("brave", "Brave", "brave", "🦁", "high", "pleasant"),
    # Low & uncomfortable (low energy, unpleasant)
    _e("sad", "Sad", "sad", "😢", "low", "unpleasant"),
    _e("lonely", "Lonely", "all alone", "🥺", "low", "unpleasant"),
    _e("tired", "Tired", "sleepy", "😪", "low", "unpleasant"),
    _e("bored", "Bored", "nothing to do", "🥱", "low", "unpleasant"),
    _e("disappointed", "Disappointed", "let down", "😞", "low", "unpleasant"),
    _e("hurt", "Hurt", "hurt inside", "💔", "low", "unpleasant"),
    _e("embarrassed", "Embarrassed", "red-face shy", "😳", "low", "unpleasant"),
    _e("left_out", "Left out", "nobody plays with me", "😶", "low", "unpleasant"),
    # Low & good (low energy, pleasant)
    _e("calm", "Calm", "calm", "😌", "low", "pleasant"),
    _e("relaxed", "Relaxed", "floppy and easy", "🧘", "low", "pleasant"),
    _e("content", "Content", "just right", "🙂", "low", "pleasant"),
    _e("safe", "Safe", "safe", "🏠", "low", "pleasant"),
    _e("grateful", "Grateful", "thankful", "🙏", "low", "pleasant"),
    _e("loved", "Loved", "loved", "🥰", "low", "pleasant"),
    _e("peaceful", "Peaceful", "quiet inside", "🕊️", "low", "pleasant"),
    _e("cosy", "Cosy", "snuggly", "🧸", "low", "pleasant"),
)

EMOTIONS_BY_KEY: dict[str, Emotion] = {emotion.key: emotion for emotion in EMOTIONS}
EMOTION_KEYS: frozenset[str] = frozenset(EMOTIONS_BY_KEY)

BODY_AREAS: tuple[tuple[str, str], ...] = (
    ("head", "Head"),
    ("eyes", "Eyes"),
    ("throat", "Throat"),
    ("chest", "Chest"),
    ("tummy", "Tummy"),
    ("hands", "Hands"),
    ("legs", "Legs"),
    ("whole_body", "Whole body"),
)
SENSATIONS: tuple[tuple[str, str], ...] = (
    ("tight", "Tight"),
    ("hot", "Hot"),
    ("cold", "Cold"),
    ("shaky", "Shaky"),
    ("heavy", "Heavy"),
    ("fluttery", "Fluttery"),
    ("fast_heartbeat", "Heart beating fast"),
    ("tingly", "Tingly"),
)
BODY_AREA_KEYS: frozenset[str] = frozenset(key for key, _ in BODY_AREAS)
SENSATION_KEYS: frozenset[str] = frozenset(key for key, _ in SENSATIONS)

# A check-in stores at most this many body-area entries.
MAX_BODY_AREAS = len(BODY_AREAS) * (len(SENSATIONS) + 1)


def get_emotion(key: str) -> Emotion:
    """Return the emotion for ``key`` or raise ``ValueError`` naming the unknown key."""
    try:
        return EMOTIONS_BY_KEY[key]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown emotion {key!r}.") from None


def validate_body_area(value: str) -> str:
    """Validate one body-area entry, ``"area"`` or ``"area:sensation"``.

    Surrounding whitespace and letter case are normalised; the canonical string is
    returned. Raises ``ValueError`` with a message fit to show a user.
    """
    if not isinstance(value, str):
        raise ValueError(
            f"A body area must be a string like 'chest' or 'chest:tight', not {value!r}."
        )
    text = value.strip().lower()
    if not text:
        raise ValueError("A body area cannot be empty.")
    area, sep, sensation = text.partition(":")
    area = area.strip()
    sensation = sensation.strip()
    if area not in BODY_AREA_KEYS:
        allowed = ", ".join(key for key, _ in BODY_AREAS)
        raise ValueError(f"Unknown body area {area!r}. Choose one of: {allowed}.")
    if not sep:
        return area
    if sensation not in SENSATION_KEYS:
        allowed = ", ".join(key for key, _ in SENSATIONS)
        raise ValueError(f"Unknown sensation {sensation!r} in {value!r}. Choose one of: {allowed}.")
    return f"{area}:{sensation}"


def validate_body_areas(values: Iterable[str]) -> list[str]:
    """Validate a list of body-area entries; returns them canonical, de-duplicated, in order."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ValueError("Body areas must be a list of strings like 'chest' or 'chest:tight'.")
    result: list[str] = []
    for value in values:
        canonical = validate_body_area(value)
        if canonical not in result:
            result.append(canonical)
    if len(result) > MAX_BODY_AREAS:
        raise ValueError(f"Too many body areas (at most {MAX_BODY_AREAS}).")
    return result


def as_api() -> dict[str, Any]:
    """The whole vocabulary as JSON-ready data, served read-only by ``GET emotions/``."""
    return {
        "version": VOCABULARY_VERSION,
        "emotions": [emotion.as_dict() for emotion in EMOTIONS],
        "quadrants": [{"key": key, "label": label} for key, label in QUADRANTS],
        "body_areas": [{"key": key, "label": label} for key, label in BODY_AREAS],
        "sensations": [{"key": key, "label": label} for key, label in SENSATIONS],
    }
