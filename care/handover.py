"""Duty and handover: who has a child now, what happened since they took over, passing
care on with a note, a sitter's pass ending, and the care log of a child's day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from checkins import vocabulary
from checkins.models import CheckIn, Outcome
from core.api import validation_error
from core.timeutils import family_day_bounds, family_local
from families.models import Child, Family, Membership, Role
from routines.models import RoutineRun, StepCompletion

from .models import CareEvent, Duty, Handover, LogKind

# Sent after a handover is stored, with ``handover`` and ``recipients`` (memberships): the
# reminders app pushes "Handover from …" to their devices.
handover_created = Signal()

# Without a duty start to go by, a summary covers this much of the day.
DEFAULT_SUMMARY_SPAN = timedelta(hours=12)


def _name(membership: Membership) -> str:
    user = membership.user
    return (user.display_name or user.email.split("@")[0])[:60]


def _active(membership: Membership, now: datetime) -> bool:
    # A sitter's duty lasts as long as the pass's window.
    sitter_pass = membership.sitter_pass
    return sitter_pass is None or sitter_pass.status(now) == "active"


def on_duty(family: Family, child_ids: Sequence[int] | None = None) -> dict[int, list[Duty]]:
    """Per child id, the duties in force now (one query)."""
    now = timezone.now()
    duties = Duty.objects.filter(family=family).select_related(
        "membership__user", "membership__sitter_pass"
    )
    if child_ids is not None:
        duties = duties.filter(child_id__in=child_ids)
    result: dict[int, list[Duty]] = defaultdict(list)
    for duty in duties:
        if _active(duty.membership, now):
            result[duty.child_id].append(duty)
    return result


def duty_by_child(family_ids: Iterable[int]) -> dict[int, set[int]]:
    """Per child id, the membership ids on duty for it now, across families (one query):
    what the reminders route by."""
    now = timezone.now()
    result: dict[int, set[int]] = defaultdict(set)
    for duty in Duty.objects.filter(family_id__in=set(family_ids)).select_related(
        "membership__sitter_pass"
    ):
        if _active(duty.membership, now):
            result[duty.child_id].add(duty.membership_id)
    return result


def _log(family: Family, child: Child, kind: str, actor: str, text: str) -> None:
    CareEvent.objects.create(family=family, child=child, kind=kind, actor=actor, text=text)


def start_duty(membership: Membership, child: Child) -> Duty:
    """``membership`` has ``child`` now (idempotent: a repeat keeps the first ``since``)."""
    with transaction.atomic():
        duty, created = Duty.objects.get_or_create(
            family_id=membership.family_id, child=child, membership=membership
        )
        if created:
            _log(
                membership.family,
                child,
                LogKind.DUTY_START,
                _name(membership),
                log_sentence(
                    membership.family,
                    gettext_noop("%(who)s has %(child)s now."),
                    who=_name(membership),
                    child=child.name,
                ),
            )
    return duty


def end_duty(membership: Membership, child: Child) -> None:
    """``membership`` no longer has ``child`` (idempotent)."""
    with transaction.atomic():
        if Duty.objects.filter(child=child, membership=membership).delete()[0]:
            _log(
                membership.family,
                child,
                LogKind.DUTY_END,
                _name(membership),
                log_sentence(
                    membership.family,
                    gettext_noop("%(who)s handed %(child)s on."),
                    who=_name(membership),
                    child=child.name,
                ),
            )


def log_sentence(family: Family, message: str, **values: str) -> str:
    """A care-log sentence, stored once for every member: in the family's language."""
    with translation.override(family.language):
        return gettext(message) % values


def _handed_over(family: Family, who: str, child: str, to: Membership | None, note: str) -> str:
    values = {"who": who, "child": child, "to": _name(to) if to is not None else "", "note": note}
    if to is not None and note:
        return log_sentence(
            family, gettext_noop("%(who)s handed %(child)s over to %(to)s: %(note)s"), **values
        )
    if to is not None:
        return log_sentence(
            family, gettext_noop("%(who)s handed %(child)s over to %(to)s."), **values
        )
    if note:
        return log_sentence(
            family, gettext_noop("%(who)s handed %(child)s over: %(note)s"), **values
        )
    return log_sentence(family, gettext_noop("%(who)s handed %(child)s over."), **values)


def _checkin_text(emotion: str, intensity: int, strategy: str | None, outcome: str | None) -> str:
    values = {
        "feeling": vocabulary.emotion_label(emotion),
        "intensity": intensity,
        "strategy": strategy or "",
        "outcome": Outcome(outcome).label if outcome in Outcome.values else (outcome or ""),
    }
    if strategy and outcome:
        return gettext("%(feeling)s, %(intensity)s of 5, tried %(strategy)s: %(outcome)s") % values
    if strategy:
        return gettext("%(feeling)s, %(intensity)s of 5, tried %(strategy)s") % values
    if outcome:
        return gettext("%(feeling)s, %(intensity)s of 5: %(outcome)s") % values
    return gettext("%(feeling)s, %(intensity)s of 5") % values


def _kid_label(emotion: str) -> str:
    known = vocabulary.EMOTIONS_BY_KEY.get(emotion)
    return known.kid_label if known else emotion


def summaries(
    membership: Membership, children: Sequence[Child], now: datetime
) -> list[dict[str, Any]]:
    """What happened to each child since ``membership`` took over (their duty's start, a
    sitter's pass start, else the last 12 hours): steps and routines done, check-ins with
    strategy and outcome, and whether a follow-up is still open. Three queries."""
    duties = {
        d.child_id: d.since for d in Duty.objects.filter(membership=membership, child__in=children)
    }
    default_since = now - DEFAULT_SUMMARY_SPAN
    if membership.sitter_pass is not None:
        default_since = membership.sitter_pass.starts_at
    since = {c.pk: min(duties.get(c.pk, default_since), default_since) for c in children}
    earliest = min(since.values(), default=default_since)
    ticks = defaultdict(list)
    for child_id, title, at in (
        StepCompletion.objects.filter(run__child__in=children, completed_at__gte=earliest)
        .order_by("completed_at")
        .values_list("run__child_id", "step__title", "completed_at")
    ):
        if at >= since[child_id]:
            ticks[child_id].append(title)
    done = defaultdict(list)
    for child_id, name, completed_at in (
        RoutineRun.objects.filter(child__in=children, completed_at__gte=earliest)
        .order_by("completed_at")
        .values_list("child_id", "routine__name", "completed_at")
    ):
        if completed_at is not None and completed_at >= since[child_id]:
            done[child_id].append(name)
    checkins = defaultdict(list)
    open_follow_up: set[int] = set()
    for row in (
        CheckIn.objects.filter(child__in=children)
        .filter(
            Q(occurred_at__gte=earliest)
            | Q(follow_up_at__isnull=False, outcome__isnull=True, strategy__isnull=False)
        )
        .order_by("occurred_at")
        .values("child_id", "emotion", "intensity", "strategy__title", "outcome", "occurred_at")
    ):
        if row["outcome"] is None and row["strategy__title"]:
            open_follow_up.add(row["child_id"])
        if row["occurred_at"] >= since[row["child_id"]]:
            checkins[row["child_id"]].append(
                {
                    "emotion": row["emotion"],
                    "label": vocabulary.emotion_label(row["emotion"]),
                    "intensity": row["intensity"],
                    "strategy": row["strategy__title"],
                    "outcome": row["outcome"],
                    "at": row["occurred_at"].isoformat(),
                }
            )
    return [
        {
            "child": child.pk,
            "name": child.name,
            "since": since[child.pk].isoformat(),
            "steps_done": ticks[child.pk],
            "routines_done": done[child.pk],
            "checkins": checkins[child.pk],
            "open_follow_up": child.pk in open_follow_up,
        }
        for child in children
    ]


def _owners(family: Family) -> list[Membership]:
    return list(Membership.objects.filter(family=family, role=Role.OWNER).select_related("user"))


@transaction.atomic
def hand_over(
    *,
    membership: Membership,
    children: Sequence[Child],
    note: str = "",
    to: Membership | None = None,
    automatic: bool = False,
) -> Handover:
    """Pass ``children`` on: a handover with the summary and ``note``, the outgoing adult
    off duty, the next adult (``to``) on duty; they (or the owners, when nobody is chosen
    or a sitter leaves) are told by push."""
    if not children:
        raise validation_error("children", _("Choose the children you are handing over."))
    if to is not None and to.pk == membership.pk:
        raise validation_error("to", _("Hand over to someone else."))
    if to is not None and to.is_sitter:
        raise validation_error("to", _("Hand over to a member of the family."))
    now = timezone.now()
    handover = Handover.objects.create(
        family_id=membership.family_id,
        from_membership=membership,
        from_name=_name(membership),
        to_membership=to,
        note=note.strip(),
        summary={"children": summaries(membership, children, now)},
        automatic=automatic,
        created_at=now,
    )
    handover.children.set(children)
    who = _name(membership)
    for child in children:
        Duty.objects.filter(child=child, membership=membership).delete()
        _log(
            membership.family,
            child,
            LogKind.HANDOVER,
            who,
            _handed_over(membership.family, who, child.name, to, note.strip()[:120]),
        )
        if to is not None:
            start_duty(to, child)
    recipients = [to] if to is not None else [m for m in _owners(membership.family)]
    recipients = [m for m in recipients if m.pk != membership.pk]
    # In this transaction: the push is scheduled exactly when the handover is stored.
    handover_created.send(sender=Handover, handover=handover, recipients=recipients)
    return handover


def close_ended_passes(now: datetime | None = None) -> int:
    """Hand over, to the owners, every child a sitter still had when the pass ended (or was
    revoked): even when a sitter writes nothing, the parents get the summary. Returns how
    many handovers were made."""
    now = now or timezone.now()
    ended = (
        Duty.objects.filter(membership__sitter_pass__isnull=False)
        .filter(
            Q(membership__sitter_pass__ends_at__lte=now)
            | Q(membership__sitter_pass__revoked_at__isnull=False)
        )
        .select_related("membership__user", "membership__family", "membership__sitter_pass")
    )
    by_membership: dict[int, list[Duty]] = defaultdict(list)
    for duty in ended:
        by_membership[duty.membership_id].append(duty)
    for duties in by_membership.values():
        membership = duties[0].membership
        children = list(Child.objects.filter(pk__in=[d.child_id for d in duties]))
        hand_over(membership=membership, children=children, automatic=True)
    return len(by_membership)


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    kind: str
    actor: str
    text: str


def care_log(family: Family, child: Child, day: date) -> list[LogEntry]:
    """Who did what for ``child`` on the family-local ``day``, in order (three queries)."""
    start, end = family_day_bounds(family, day)
    entries = [
        LogEntry(at, LogKind.TICK, actor or "", f"{title} ({routine})")
        for at, actor, title, routine in StepCompletion.objects.filter(
            run__child=child, completed_at__gte=start, completed_at__lt=end
        ).values_list(
            "completed_at", "completed_by__display_name", "step__title", "run__routine__name"
        )
    ]
    entries += [
        LogEntry(
            at,
            LogKind.CHECKIN,
            actor or "",
            _checkin_text(emotion, intensity, strategy, outcome),
        )
        if not by_child
        else LogEntry(  # the child's own, on their tablet: in the child's words
            at,
            LogKind.CHECKIN,
            child.name,
            _("%(child)s said: %(feeling)s, %(size)s of 5")
            % {"child": child.name, "feeling": _kid_label(emotion), "size": intensity},
        )
        for at, actor, emotion, intensity, strategy, outcome, by_child in CheckIn.objects.filter(
            child=child, occurred_at__gte=start, occurred_at__lt=end
        ).values_list(
            "occurred_at",
            "created_by__display_name",
            "emotion",
            "intensity",
            "strategy__title",
            "outcome",
            "by_child",
        )
    ]
    entries += [
        LogEntry(event.at, event.kind, event.actor, event.text)
        for event in CareEvent.objects.filter(child=child, at__gte=start, at__lt=end)
    ]
    entries.sort(key=lambda entry: entry.at)
    return [LogEntry(family_local(family, e.at), e.kind, e.actor, e.text) for e in entries]
