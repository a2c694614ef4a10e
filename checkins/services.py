"""Check-in rules: idempotent recording, coregulation pairs, follow-ups, suggestions.

Plain functions over models and data so the API, the admin, Celery tasks and management
commands share one set of rules. Views and serializers only translate HTTP to these calls.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.text import slugify

from config.api import Conflict
from families.models import Child, Family, Membership

from . import strategy_catalogue, vocabulary
from .models import CheckIn, Outcome, Strategy

# --- built-in strategies ---------------------------------------------------------------

# The content fields of a strategy, shared by the catalogue sync and the API serializer.
CATALOGUE_FIELDS = (
    "title",
    "kind",
    "summary",
    "steps",
    "fits",
    "energy_fit",
    "age_note",
    "guided",
    "caregiver_first",
)


def sync_builtin_strategies(model: Any = Strategy) -> int:
    """Make the built-in rows (``family`` null) match ``strategy_catalogue``; return rows written.

    ``model`` may be a migration's historical model. Keys are stable, so rows are matched by
    key; a built-in dropped from the catalogue is kept (check-ins still point at it).
    Writes nothing when everything already matches, so it is cheap to run after every migrate.
    """
    existing = {s.key: s for s in model.objects.filter(family__isnull=True)}
    model_fields = {f.name for f in model._meta.get_fields()}
    written = [name for name in (*CATALOGUE_FIELDS, "position") if name in model_fields]
    to_create, to_update = [], []
    for position, entry in enumerate(strategy_catalogue.BUILTIN_STRATEGIES):
        source = {**entry, "position": position}
        values = {name: source[name] for name in written}
        row = existing.get(entry["key"])
        if row is None:
            to_create.append(model(family=None, key=entry["key"], **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
    if to_create:
        model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(to_update, written)
    return len(to_create) + len(to_update)


def visible_strategies(family: Family) -> Any:
    """The strategies a family can use: the built-ins and its own."""
    return Strategy.objects.filter(Q(family__isnull=True) | Q(family=family))


def create_strategy(*, family: Family, title: str, **fields: Any) -> Strategy:
    """A family's own strategy, keyed by its title as a slug (numbered when taken).

    Two caregivers adding the same title at once would pick the same key: the unique
    constraint refuses the second, which then takes the next number.
    """
    base = slugify(title)[:50] or "strategy"
    for _ in range(5):
        taken = set(
            Strategy.objects.filter(family=family, key__startswith=base).values_list(
                "key", flat=True
            )
        )
        key, n = base, 2
        while key in taken:
            key, n = f"{base}-{n}", n + 1
        try:
            with transaction.atomic():
                return Strategy.objects.create(family=family, title=title, key=key, **fields)
        except IntegrityError:
            if not Strategy.objects.filter(family=family, key=key).exists():
                raise  # another constraint: not a race for the key
    raise Conflict("title", "Too many strategies are being added with this title; try again.")


# --- check-ins -------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInData:
    """What a caller asks to record; ``child`` xor ``member`` is the subject."""

    id: uuid.UUID
    emotion: str
    intensity: int
    child: Child | None = None
    member: Membership | None = None
    body_areas: list[str] = field(default_factory=list)
    note: str = ""
    strategy: Strategy | None = None
    occurred_at: datetime | None = None  # None: now, and a retry need not repeat it


class CheckInConflict(Conflict):
    """The client's id is already taken by a different check-in (or another family's)."""


def follow_up_time(
    family: Family, occurred_at: datetime, strategy: Strategy | None
) -> datetime | None:
    """When to ask "How is Sam now?": ``family.follow_up_minutes`` after a check-in that
    used a strategy; never for one without a strategy (there is nothing to evaluate)."""
    if strategy is None:
        return None
    return occurred_at + timedelta(minutes=family.follow_up_minutes)


def record_checkin(
    *,
    family: Family,
    user: Any,
    data: CheckInData,
    caregiver: CheckInData | None = None,
) -> tuple[CheckIn, CheckIn | None, bool]:
    """Store a check-in (and, for coregulation, the caregiver's own one) exactly once.

    Returns ``(checkin, caregiver_checkin, created)``. If ``data.id`` is already stored with
    the same content, nothing is written and ``created`` is False: this is what makes the
    offline outbox's retries safe. A reused id with other content, or another family's,
    raises :class:`CheckInConflict`. Two identical requests racing each other are settled
    by the primary key: the loser re-reads the winner's row.
    """
    # Insert first: a new check-in (the usual case) costs no look-up; the primary key
    # turns a retry into an IntegrityError, and only then is the stored row read.
    try:
        with transaction.atomic():
            now = timezone.now()  # one instant for both halves of a coregulation check-in
            main = _build(family, user, data, now)
            partner = None
            if caregiver is not None:
                main.pair = data.id
                partner = _build(family, user, caregiver, now)
                partner.pair = data.id
            # force_insert: a reused id must fail on the primary key, never update a row.
            # The caregiver's half goes first so that, newest first, the child's leads.
            if partner is not None:
                partner.save(force_insert=True)
            main.save(force_insert=True)
    except IntegrityError:
        stored = CheckIn.objects.filter(pk=data.id).first()
        if stored is not None:
            return _replay(stored, family, data, caregiver)
        if caregiver is not None and CheckIn.objects.filter(pk=caregiver.id).exists():
            raise CheckInConflict(
                "caregiver.id", "This id is already used by another check-in."
            ) from None
        raise
    return main, partner, True


def _build(family: Family, user: Any, data: CheckInData, now: datetime) -> CheckIn:
    occurred_at = data.occurred_at or now
    return CheckIn(
        id=data.id,
        family=family,
        child=data.child,
        member=data.member,
        emotion=data.emotion,
        intensity=data.intensity,
        body_areas=list(data.body_areas),
        note=data.note,
        strategy=data.strategy,
        created_by=user if getattr(user, "pk", None) else None,
        occurred_at=occurred_at,
        follow_up_at=follow_up_time(family, occurred_at, data.strategy),
    )


def _same(stored: CheckIn, data: CheckInData) -> bool:
    return (
        stored.child_id == (data.child.pk if data.child else None)
        and stored.member_id == (data.member.pk if data.member else None)
        and stored.emotion == data.emotion
        and stored.intensity == data.intensity
        and list(stored.body_areas) == list(data.body_areas)
        and stored.note == data.note
        and stored.strategy_id == (data.strategy.pk if data.strategy else None)
        and (data.occurred_at is None or stored.occurred_at == data.occurred_at)
    )


def _replay(
    stored: CheckIn, family: Family, data: CheckInData, caregiver: CheckInData | None
) -> tuple[CheckIn, CheckIn | None, bool]:
    """A retry: hand back what is stored if it is the same check-in, else refuse."""
    if stored.family_id != family.pk:
        raise CheckInConflict("id", "This id is already used by another check-in.")
    if not _same(stored, data):
        raise CheckInConflict(
            "id",
            "A different check-in with this id already exists. "
            "Use a new id for a new check-in; a retry must repeat the same content.",
        )
    partner = partner_of(stored)
    if caregiver is not None and (
        partner is None or partner.pk != caregiver.id or not _same(partner, caregiver)
    ):
        raise CheckInConflict(
            "caregiver", "This check-in was stored without this caregiver check-in."
        )
    return stored, partner, False


def partner_of(checkin: CheckIn) -> CheckIn | None:
    """The caregiver's check-in made together with a child's one (coregulation), if any."""
    if checkin.pair is None or checkin.child_id is None:
        return None
    return (
        CheckIn.objects.filter(pair=checkin.pair, member__isnull=False)
        .exclude(pk=checkin.pk)
        .first()
    )


def attach_partners(checkins: Sequence[CheckIn]) -> None:
    """Set ``caregiver_checkin`` on each child check-in of a page, in one query."""
    children = [c for c in checkins if c.child_id is not None]
    # A pair is the child check-in's id, so asking by id as well keeps this one query
    # for every page with a child's check-in, coregulation or not (a constant budget).
    pairs = {c.pair or c.pk for c in children}
    partners: dict[uuid.UUID, CheckIn] = {}
    if pairs:
        for other in CheckIn.objects.filter(pair__in=pairs, member__isnull=False):
            partners[other.pair] = other
    for checkin in checkins:
        found = partners.get(checkin.pair) if checkin.child_id is not None else None
        checkin.caregiver_checkin = found


def record_outcome(checkin: CheckIn, *, outcome: str, outcome_emotion: str = "") -> CheckIn:
    """Record how the child (or caregiver) is after the follow-up: better, same or worse.

    Answering again replaces the earlier answer (a caregiver may tap the wrong button).
    """
    if outcome not in Outcome.values:
        raise ValueError(f"Unknown outcome {outcome!r}.")
    if outcome_emotion and outcome_emotion not in vocabulary.EMOTION_KEYS:
        raise ValueError(f"Unknown feeling {outcome_emotion!r}.")
    checkin.outcome = outcome
    checkin.outcome_emotion = outcome_emotion
    checkin.outcome_at = timezone.now()
    checkin.save(update_fields=["outcome", "outcome_emotion", "outcome_at"])
    return checkin


# --- suggestions -----------------------------------------------------------------------

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


def _times(n: int) -> str:
    return "time" if n == 1 else "times"


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
            if carer_upset:
                how = "really " if (caregiver_intensity or 0) >= 4 else ""
                reason = f"you're feeling {how}{carer.label.lower()}: steady yourself first"
                pinned.append(Suggestion(strategy, reason, 0, 0, 0, pinned=True))
            continue
        fit = strategy_fit(strategy, feeling)
        if fit == 0:
            continue
        past = history.get(strategy.pk, StrategyHistory())
        parts = []
        if past.tried:
            who = f"{child_name} " if child_name else ""
            parts.append(f"helped {who}{past.helped} of {past.tried} {_times(past.tried)}")
        if fit == 2:
            parts.append(f"fits feeling {feeling.label.lower()}")
        else:
            quadrant = vocabulary.QUADRANT_LABELS[feeling.quadrant].lower()
            parts.append(f"fits {quadrant} feelings")
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
    return (pinned[:1] + [suggestion for _, suggestion in ranked])[:limit]


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
