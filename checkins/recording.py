"""Recording check-ins: idempotent by the client's id, coregulation pairs, follow-up times
and outcomes."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api import Conflict, validation_error
from families.models import Child, Family, Membership

from . import vocabulary
from .models import CheckIn, Outcome, Strategy


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
    by_child: bool = False  # the child's own, from their tablet


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
    now = timezone.now()  # one instant for both halves of a coregulation check-in
    main = _build(family, user, data, now)
    partner = None
    if caregiver is not None:
        main.pair = data.id
        partner = _build(family, user, caregiver, now)
        partner.pair = data.id
    # One INSERT alone (no partner; a follow-up's row is made by the next reminder tick)
    # is its own transaction in autocommit: BEGIN and COMMIT would only add two round
    # trips (and on SQLite take the write lock earlier). A child's own check-in also
    # writes the push to a grown-up, which must not be lost between two statements.
    # Inside a caller's transaction a savepoint keeps it usable.
    alone = partner is None and not main.by_child
    atomic = (
        contextlib.nullcontext()
        if alone and not transaction.get_connection().in_atomic_block
        else transaction.atomic()
    )
    try:
        with atomic:
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
                "caregiver.id", _("This id is already used by another check-in.")
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
        by_child=data.by_child,
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
        and stored.by_child == data.by_child
        and (data.occurred_at is None or stored.occurred_at == data.occurred_at)
    )


def _replay(
    stored: CheckIn, family: Family, data: CheckInData, caregiver: CheckInData | None
) -> tuple[CheckIn, CheckIn | None, bool]:
    """A retry: hand back what is stored if it is the same check-in, else refuse."""
    if stored.family_id != family.pk:
        raise CheckInConflict("id", _("This id is already used by another check-in."))
    if not _same(stored, data):
        raise CheckInConflict(
            "id",
            _(
                "A different check-in with this id already exists. "
                "Use a new id for a new check-in; a retry must repeat the same content."
            ),
        )
    partner = partner_of(stored)
    if caregiver is not None and (
        partner is None or partner.pk != caregiver.id or not _same(partner, caregiver)
    ):
        raise CheckInConflict(
            "caregiver", _("This check-in was stored without this caregiver check-in.")
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
    partners: dict[uuid.UUID | None, CheckIn] = {}  # (get(None) finds nothing)
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


# --- corrections -----------------------------------------------------------------------

# No check-in is older than Tandem's oldest user or later than its newest: outside these,
# a date is a typo (0001-01-01) that would break every family-local calculation.
EARLIEST_OCCURRED_AT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_OCCURRED_AT = datetime(2100, 1, 1, tzinfo=UTC)


def check_occurred_at(value: datetime) -> None:
    """A check-in's time is between 1900 and 2100 and not in the future (a phone's clock
    may run a few minutes fast)."""
    if not EARLIEST_OCCURRED_AT <= value < LATEST_OCCURRED_AT:
        raise validation_error("occurred_at", _("Give a time between the years 1900 and 2100."))
    if value > timezone.now() + timedelta(minutes=10):
        raise validation_error("occurred_at", _("A check-in can't be in the future."))


def may_correct(checkin: CheckIn, membership: Membership) -> bool:
    """Who recorded a check-in may correct or delete it, and so may the family's owners."""
    return membership.is_owner or checkin.created_by_id == membership.user_id


def _with_partner(checkin: CheckIn) -> list[CheckIn]:
    # A coregulation pair was recorded as one moment: it is moved or removed as one.
    rows = CheckIn.objects.select_related("family", "strategy").filter(pk=checkin.pk)
    if checkin.pair is not None:
        rows = CheckIn.objects.select_related("family", "strategy").filter(
            family_id=checkin.family_id, pair=checkin.pair
        )
    return list(rows)


@transaction.atomic
def correct_occurred_at(checkin: CheckIn, occurred_at: datetime) -> CheckIn:
    """Move a check-in (and its coregulation partner) to when it really happened; a
    follow-up not yet answered moves with it."""
    check_occurred_at(occurred_at)
    for row in _with_partner(checkin):
        row.occurred_at = occurred_at
        if not row.outcome and row.follow_up_at is not None:
            row.follow_up_at = follow_up_time(row.family, occurred_at, row.strategy)
        row.save(update_fields=["occurred_at", "follow_up_at"])
        if row.pk == checkin.pk:
            checkin = row
    return checkin


@transaction.atomic
def delete_checkin(checkin: CheckIn) -> None:
    """Delete a mistaken check-in with its coregulation partner (and pending follow-up)."""
    for row in _with_partner(checkin):
        row.delete()
