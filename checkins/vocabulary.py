"""The emotion vocabulary: a fixed, versioned list of feelings, body areas and sensations.

Plain Python data, so models, data migrations, serializers and the API can all share it.
Labels are English msgids marked for ``makemessages`` (``N_``; ``K_`` for the words a
child uses, which translators see marked as such); the API translates them
by key when it answers (``as_api``), so every key and stored row stays one value. Keys
are stable identifiers stored in the database: never rename or remove one. Add new entries
and bump ``VOCABULARY_VERSION`` instead.

Feelings are arranged on two axes, energy (high/low) and pleasantness
(pleasant/unpleasant), which gives four quadrants. The check-in grid shows them in the
order of ``QUADRANTS``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as K_
from django.utils.translation import gettext_noop as N_

VOCABULARY_VERSION = 1

Energy = Literal["high", "low"]
Pleasantness = Literal["pleasant", "unpleasant"]
Quadrant = Literal["high_unpleasant", "high_pleasant", "low_unpleasant", "low_pleasant"]

ENERGIES: tuple[Energy, ...] = ("high", "low")
PLEASANTNESSES: tuple[Pleasantness, ...] = ("pleasant", "unpleasant")

# Ordered as the grid is laid out: top row is high energy, left column is unpleasant.
QUADRANTS: tuple[tuple[Quadrant, str], ...] = (
    ("high_unpleasant", N_("Big & uncomfortable")),
    ("high_pleasant", N_("Big & good")),
    ("low_unpleasant", N_("Low & uncomfortable")),
    ("low_pleasant", N_("Low & good")),
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
        """The feeling as JSON-ready data, its labels in the active language."""
        data = asdict(self)
        data["label"] = _(self.label)
        data["kid_label"] = _(self.kid_label)
        data["quadrant"] = self.quadrant
        return data


def _e(
    key: str, label: str, kid_label: str, emoji: str, energy: Energy, pleasantness: Pleasantness
) -> Emotion:
    return Emotion(key, label, kid_label, emoji, energy, pleasantness)


EMOTIONS: tuple[Emotion, ...] = (
    # Big & uncomfortable (high energy, unpleasant)
    _e("angry", N_("Angry"), K_("mad"), "😠", "high", "unpleasant"),
    _e("furious", N_("Furious"), K_("really, really mad"), "😡", "high", "unpleasant"),
    _e("frustrated", N_("Frustrated"), K_("grrr, it won't work"), "😤", "high", "unpleasant"),
    _e("worried", N_("Worried"), K_("worried"), "😟", "high", "unpleasant"),
    _e("anxious", N_("Anxious"), K_("jittery inside"), "😰", "high", "unpleasant"),
    _e("scared", N_("Scared"), K_("scared"), "😨", "high", "unpleasant"),
    _e("overwhelmed", N_("Overwhelmed"), K_("too much"), "🤯", "high", "unpleasant"),
    _e("jealous", N_("Jealous"), K_("I want what they have"), "😒", "high", "unpleasant"),
    # Big & good (high energy, pleasant)
    _e("happy", N_("Happy"), K_("happy"), "😄", "high", "pleasant"),
    _e("excited", N_("Excited"), K_("can't wait"), "🤩", "high", "pleasant"),
    _e("proud", N_("Proud"), K_("I did it"), "🌟", "high", "pleasant"),
    _e("silly", N_("Silly"), K_("silly"), "🤪", "high", "pleasant"),
    _e("surprised", N_("Surprised"), K_("wow"), "😲", "high", "pleasant"),
    _e("curious", N_("Curious"), K_("I want to know"), "🧐", "high", "pleasant"),
    _e("energetic", N_("Energetic"), K_("wiggly"), "⚡", "high", "pleasant"),
    _e("brave", N_("Brave"), K_("brave"), "🦁", "high", "pleasant"),
    # Low & uncomfortable (low energy, unpleasant)
    _e("sad", N_("Sad"), K_("sad"), "😢", "low", "unpleasant"),
    _e("lonely", N_("Lonely"), K_("all alone"), "🥺", "low", "unpleasant"),
    _e("tired", N_("Tired"), K_("sleepy"), "😪", "low", "unpleasant"),
    _e("bored", N_("Bored"), K_("nothing to do"), "🥱", "low", "unpleasant"),
    _e("disappointed", N_("Disappointed"), K_("let down"), "😞", "low", "unpleasant"),
    _e("hurt", N_("Hurt"), K_("hurt inside"), "💔", "low", "unpleasant"),
    _e("embarrassed", N_("Embarrassed"), K_("red-face shy"), "😳", "low", "unpleasant"),
    _e("left_out", N_("Left out"), K_("nobody plays with me"), "😶", "low", "unpleasant"),
    # Low & good (low energy, pleasant)
    _e("calm", N_("Calm"), K_("calm"), "😌", "low", "pleasant"),
    _e("relaxed", N_("Relaxed"), K_("floppy and easy"), "🧘", "low", "pleasant"),
    _e("content", N_("Content"), K_("just right"), "🙂", "low", "pleasant"),
    _e("safe", N_("Safe"), K_("safe"), "🏠", "low", "pleasant"),
    _e("grateful", N_("Grateful"), K_("thankful"), "🙏", "low", "pleasant"),
    _e("loved", N_("Loved"), K_("loved"), "🥰", "low", "pleasant"),
    _e("peaceful", N_("Peaceful"), K_("quiet inside"), "🕊️", "low", "pleasant"),
    _e("cosy", N_("Cosy"), K_("snuggly"), "🧸", "low", "pleasant"),
)

EMOTIONS_BY_KEY: dict[str, Emotion] = {emotion.key: emotion for emotion in EMOTIONS}
EMOTION_KEYS: frozenset[str] = frozenset(EMOTIONS_BY_KEY)

BODY_AREAS: tuple[tuple[str, str], ...] = (
    ("head", N_("Head")),
    ("eyes", N_("Eyes")),
    ("throat", N_("Throat")),
    ("chest", N_("Chest")),
    ("tummy", N_("Tummy")),
    ("hands", N_("Hands")),
    ("legs", N_("Legs")),
    ("whole_body", N_("Whole body")),
)
SENSATIONS: tuple[tuple[str, str], ...] = (
    ("tight", N_("Tight")),
    ("hot", N_("Hot")),
    ("cold", N_("Cold")),
    ("shaky", N_("Shaky")),
    ("heavy", N_("Heavy")),
    ("fluttery", N_("Fluttery")),
    ("fast_heartbeat", N_("Heart beating fast")),
    ("tingly", N_("Tingly")),
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
        raise ValueError(_("Unknown emotion %(key)r.") % {"key": key}) from None


def validate_body_area(value: str) -> str:
    """Validate one body-area entry, ``"area"`` or ``"area:sensation"``.

    Surrounding whitespace and letter case are normalised; the canonical string is
    returned. Raises ``ValueError`` with a message fit to show a user.
    """
    if not isinstance(value, str):
        raise ValueError(
            _("A body area must be a string like 'chest' or 'chest:tight', not %(value)r.")
            % {"value": value}
        )
    text = value.strip().lower()
    if not text:
        raise ValueError(_("A body area cannot be empty."))
    area, sep, sensation = text.partition(":")
    area = area.strip()
    sensation = sensation.strip()
    if area not in BODY_AREA_KEYS:
        allowed = ", ".join(key for key, _ in BODY_AREAS)
        raise ValueError(
            _("Unknown body area %(area)r. Choose one of: %(allowed)s.")
            % {"area": area, "allowed": allowed}
        )
    if not sep:
        return area
    if sensation not in SENSATION_KEYS:
        allowed = ", ".join(key for key, _ in SENSATIONS)
        raise ValueError(
            _("Unknown sensation %(sensation)r in %(value)r. Choose one of: %(allowed)s.")
            % {"sensation": sensation, "value": value, "allowed": allowed}
        )
    return f"{area}:{sensation}"


def validate_body_areas(values: Iterable[str]) -> list[str]:
    """Validate a list of body-area entries; returns them canonical, de-duplicated, in order."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ValueError(_("Body areas must be a list of strings like 'chest' or 'chest:tight'."))
    result: list[str] = []
    for value in values:
        canonical = validate_body_area(value)
        if canonical not in result:
            result.append(canonical)
    if len(result) > MAX_BODY_AREAS:
        raise ValueError(_("Too many body areas (at most %(n)s).") % {"n": MAX_BODY_AREAS})
    return result


def emotion_label(key: str) -> str:
    """A feeling's adult label in the active language (the key if unknown)."""
    emotion = EMOTIONS_BY_KEY.get(key)
    return _(emotion.label) if emotion else key


def as_api() -> dict[str, Any]:
    """The whole vocabulary as JSON-ready data, served read-only by ``GET emotions/``,
    labels in the active language, keys as they are."""
    return {
        "version": VOCABULARY_VERSION,
        "emotions": [emotion.as_dict() for emotion in EMOTIONS],
        "quadrants": [{"key": key, "label": _(label)} for key, label in QUADRANTS],
        "body_areas": [{"key": key, "label": _(label)} for key, label in BODY_AREAS],
        "sensations": [{"key": key, "label": _(label)} for key, label in SENSATIONS],
    }
