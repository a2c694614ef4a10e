"""Suggestions: built-in and family strategies ranked by how they fit a feeling and how
they went for this child."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from families.models import Child, Family

from . import vocabulary
from .models import CheckIn, Outcome, Strategy
from .strategies import visible_strategies

# Strong feelings (intensity 4 or 5) are met first with what asks little of a child's
# thinking; milder ones leave room for games of attention and planning.
STRONG_FEELING_KINDS = frozenset({"presence", "comfort", "environment", "breathing", "modelling"})
MILD_FEELING_KINDS = frozenset({"grounding", "mindfulness", "routine", "movement"})


@dataclass(frozen=True)
class StrategyHistory:
    """How a strategy went for one child: ``helped`` of ``tried`` follow-ups were better."""

    used: int = 0
    tried: int = 0
    helped: int = 0
    last_used_at: datetime | None = None


@dataclass(frozen=True)
class Suggestion:
    strategy: Strategy
    reason: str
    fit: int  # 2: fits the feeling, 1: fits its energy and pleasantness quadrant
    helped: int
    tried: int
    pinned: bool = False


def child_strategy_history(family: Family, child: Child | None) -> dict[int, StrategyHistory]:
    """Per strategy id, how it went for ``child`` (one aggregate query; {} without a child)."""
    if child is None:
        return {}
    rows = (
        CheckIn.objects.filter(family=family, child=child, strategy__isnull=False)
        .values("strategy_id")
        .annotate(
            used=Count("id"),
            tried=Count("id", filter=Q(outcome__isnull=False)),
            helped=Count("id", filter=Q(outcome=Outcome.BETTER)),
            last_used_at=Max("occurred_at"),
        )
    )
    return {
        row["strategy_id"]: StrategyHistory(
            used=row["used"],
            tried=row["tried"],
            helped=row["helped"],
            last_used_at=row["last_used_at"],
        )
        for row in rows
    }


def strategy_fit(strategy: Strategy, emotion: vocabulary.Emotion) -> int:
    """2 when the strategy lists the feeling, 1 when it suits the feeling's quadrant, else 0."""
    if emotion.key in (strategy.fits or []):
        return 2
    if emotion.quadrant in (strategy.energy_fit or []):
        return 1
    return 0


def _intensity_suits(strategy: Strategy, intensity: int) -> int:
    if intensity >= 4:
        return int(strategy.kind in STRONG_FEELING_KINDS)
    if intensity <= 2:
        return int(strategy.kind in MILD_FEELING_KINDS)
    return 0


def rank_strategies(
    strategies: Iterable[Strategy],
    *,
    emotion: str,
    intensity: int = 3,
    history: dict[int, StrategyHistory] | None = None,
    child_name: str | None = None,
    caregiver_emotion: str | None = None,
    caregiver_intensity: int | None = None,
    limit: int = 5,
) -> list[Suggestion]:
    """Order strategies for a feeling; return the best ``limit`` with a reason for each.

    1. Fit to the feeling first: strategies that name the feeling beat those that only
       suit its energy and pleasantness quadrant; strategies that fit neither are left out.
    2. Then what helped this child before: follow-ups answered "better" over those
       answered, smoothed so an untried strategy (1/2) beats one that never helped.
    3. Then whether the strategy suits the intensity (see ``STRONG_FEELING_KINDS``).
    4. Then variety: never or least recently used first.

    Caregiver-first strategies are instructions for the adult. They are offered, on top,
    only when the caregiver's own feeling is high-energy and unpleasant.
    """
    feeling = vocabulary.get_emotion(emotion)
    history = history or {}
    carer = vocabulary.EMOTIONS_BY_KEY.get(caregiver_emotion or "")
    carer_upset = carer is not None and carer.quadrant == "high_unpleasant"

    pinned: list[Suggestion] = []
    ranked: list[tuple[tuple, Suggestion]] = []
    for strategy in strategies:
        if strategy.caregiver_first:
            if carer_upset and carer is not None:  # (carer_upset implies a carer)
                feeling_word = vocabulary.emotion_label(carer.key).lower()
                reason = (
                    _("you're feeling really %(feeling)s: steady yourself first")
                    if (caregiver_intensity or 0) >= 4
                    else _("you're feeling %(feeling)s: steady yourself first")
                ) % {"feeling": feeling_word}
                pinned.append(Suggestion(strategy, reason, 0, 0, 0, pinned=True))
            continue
        fit = strategy_fit(strategy, feeling)
        if fit == 0:
            continue
        past = history.get(strategy.pk, StrategyHistory())
        parts = []
        if past.tried:
            counts = {"child": child_name, "helped": past.helped, "tried": past.tried}
            parts.append(
                (
                    ngettext(
                        "helped %(child)s %(helped)s of %(tried)s time",
                        "helped %(child)s %(helped)s of %(tried)s times",
                        past.tried,
                    )
                    if child_name
                    else ngettext(
                        "helped %(helped)s of %(tried)s time",
                        "helped %(helped)s of %(tried)s times",
                        past.tried,
                    )
                )
                % counts
            )
        if fit == 2:
            parts.append(
                _("fits feeling %(feeling)s")
                % {"feeling": vocabulary.emotion_label(feeling.key).lower()}
            )
        else:
            quadrant = _(vocabulary.QUADRANT_LABELS[feeling.quadrant]).lower()
            parts.append(_("fits %(quadrant)s feelings") % {"quadrant": quadrant})
        last = past.last_used_at.timestamp() if past.last_used_at else float("-inf")
        sort_key = (
            -fit,
            -(past.helped + 1) / (past.tried + 2),
            -_intensity_suits(strategy, intensity),
            last,
            strategy.family_id is not None,  # built-ins before custom on a full tie
            strategy.position,
            strategy.title,
        )
        ranked.append(
            (sort_key, Suggestion(strategy, " · ".join(parts), fit, past.helped, past.tried))
        )
    ranked.sort(key=lambda item: item[0])
    pinned.sort(key=lambda s: (s.strategy.family_id is not None, s.strategy.position))
    return (pinned[:1] + [suggestion for _key, suggestion in ranked])[:limit]


def suggest(
    *,
    family: Family,
    emotion: str,
    intensity: int = 3,
    child: Child | None = None,
    caregiver_emotion: str | None = None,
    caregiver_intensity: int | None = None,
    limit: int = 5,
) -> list[Suggestion]:
    """Suggestions for ``child`` feeling ``emotion``: two queries however long the history."""
    return rank_strategies(
        list(visible_strategies(family)),
        emotion=emotion,
        intensity=intensity,
        history=child_strategy_history(family, child),
        child_name=child.name if child else None,
        caregiver_emotion=caregiver_emotion,
        caregiver_intensity=caregiver_intensity,
        limit=limit,
    )
