"""The weekly digest: an opt-in push on Sunday evening summing up each child's week.

Every member who turned ``ReminderSettings.weekly_digest`` on has one pending
``ScheduledReminder`` of kind ``digest`` (``family``, ``user``), due at the next Sunday
``DIGEST_LOCAL_TIME`` (19:00) in the family's time zone, resolved like a routine time
(``scheduling.next_routine_fire``: exact across DST). ``occurrence_date`` is that Sunday;
the week it sums up is the Monday before it to that Sunday. Database constraints keep
one pending digest per member and each week's digest materialised (so sent) once.

The rows follow the settings (``sync_families``: opting in creates the row, opting out
deletes it), the family's time zone (the wall-clock time stays, the UTC instant moves)
and the dispatch (the next Sunday's row is materialised in the same transaction). The
dispatcher re-checks each due row: still opted in, still a member, still at the right
instant; then the member's reminder switch, sitter window and quiet hours apply as for
every reminder.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from checkins.insight_figures import child_summaries
from families.models import Child, Family

from . import messages
from .models import ReminderKind, ReminderSettings, ReminderState, ScheduledReminder
from .recipients import MemberPrefs, Plan, member_prefs
from .scheduling import next_routine_fire, resolve_local

SUNDAY = 7


def digest_time() -> time:
    """``DIGEST_LOCAL_TIME`` ("HH:MM", checked by the settings) as a wall-clock time."""
    hour, minute = (int(part) for part in settings.DIGEST_LOCAL_TIME.split(":"))
    return time(hour, minute)


def next_digest(zone: ZoneInfo, after: datetime) -> tuple[datetime, date]:
    """The UTC instant of the first Sunday ``DIGEST_LOCAL_TIME`` in ``zone`` strictly after
    ``after``, and that Sunday's date."""
    found = next_routine_fire(
        tz=zone, weekdays=[SUNDAY], start_time=digest_time(), offset_minutes=0, after=after
    )
    assert found is not None  # a weekday was given
    return found


def week_of(sunday: date) -> tuple[date, date]:
    """The Monday … Sunday a digest sent on ``sunday`` sums up."""
    return sunday - timedelta(days=6), sunday


def mismatch(row: ScheduledReminder, zone: ZoneInfo) -> str:
    """Why ``row`` is no longer at its Sunday's digest time in ``zone`` ('' if it is)."""
    day = row.occurrence_date
    if day is None or day.isoweekday() != SUNDAY:
        return "Not a Sunday digest."
    if resolve_local(day, digest_time(), zone) != row.fire_at:
        return "The family's time zone or the digest time changed."
    return ""


def sync_families(
    family_ids: Iterable[int], *, users: Iterable[int] | None = None, now: datetime | None = None
) -> None:
    """Make the pending digests of these families (only of ``users``, when given) match
    who opted in: keep a row still at the right instant, replace a stale one, create the
    missing ones (next Sunday after ``now``), delete those of members who opted out.

    Joins the caller's transaction; ``ignore_conflicts`` makes a concurrent second insert
    of the same week a no-op, never a duplicate.
    """
    family_ids = set(family_ids)
    if not family_ids:
        return
    user_ids = set(users) if users is not None else None
    now = now or timezone.now()
    with transaction.atomic():
        opted = ReminderSettings.objects.filter(
            membership__family_id__in=family_ids, weekly_digest=True
        ).values_list(
            "membership__family_id", "membership__user_id", "membership__family__timezone"
        )
        if user_ids is not None:
            opted = opted.filter(membership__user_id__in=user_ids)
        wanted = {(f, u): ZoneInfo(tz) for f, u, tz in opted}
        pending = ScheduledReminder.objects.filter(
            kind=ReminderKind.DIGEST, state=ReminderState.PENDING, family_id__in=family_ids
        )
        if user_ids is not None:
            pending = pending.filter(user_id__in=user_ids)
        if connection.features.has_select_for_update:
            # Waits for a dispatcher holding one of these rows; it never waits for us.
            pending = pending.select_for_update(of=("self",))
        stale: list[int] = []
        kept: set[tuple[int, int]] = set()
        for row in pending:
            key = (row.family_id or 0, row.user_id or 0)  # both set on digests
            zone = wanted.get(key)
            if zone is None or key in kept or mismatch(row, zone):
                stale.append(row.pk)
            else:
                kept.add(key)
        if stale:
            ScheduledReminder.objects.filter(pk__in=stale, state=ReminderState.PENDING).delete()
        create = []
        for (family_id, user_id), zone in wanted.items():
            if (family_id, user_id) in kept:
                continue
            fire_at, sunday = next_digest(zone, now)
            create.append(
                ScheduledReminder(
                    kind=ReminderKind.DIGEST,
                    family_id=family_id,
                    user_id=user_id,
                    occurrence_at=fire_at,
                    occurrence_date=sunday,
                    fire_at=fire_at,
                )
            )
        if create:
            ScheduledReminder.objects.bulk_create(create, batch_size=500, ignore_conflicts=True)


def plan(rows: Sequence[ScheduledReminder], now: datetime) -> dict[int, Plan]:
    """Payload and recipient of due digests: a few queries per family in the batch.

    The member gets one line per child they see (a member limited to some children gets
    only those); reminders off or a sitter outside the window: done, nothing sent.
    """
    if not rows:
        return {}
    family_ids = {r.family_id for r in rows if r.family_id is not None}
    families = {f.pk: f for f in Family.objects.filter(pk__in=family_ids)}
    prefs: dict[int, list[MemberPrefs]] = member_prefs(family_ids)
    children: dict[int, list[Child]] = defaultdict(list)
    for child in Child.objects.filter(family_id__in=family_ids):
        children[child.family_id].append(child)
    summaries: dict[tuple[int, date], list[dict[str, Any]]] = {}
    plans: dict[int, Plan] = {}
    for row in rows:
        family = families.get(row.family_id) if row.family_id is not None else None
        if family is None or row.occurrence_date is None:
            plans[row.pk] = Plan(cancel="The family is gone.")
            continue
        reason = mismatch(row, family.zone)
        if reason:
            plans[row.pk] = Plan(cancel=reason)
            continue
        member = next((p for p in prefs.get(family.pk, []) if p.user_id == row.user_id), None)
        if member is None:
            plans[row.pk] = Plan(cancel="No longer a member of the family.")
            continue
        if not member.weekly_digest:
            plans[row.pk] = Plan(cancel="The weekly digest was turned off.")
            continue
        first, last = week_of(row.occurrence_date)
        key = (family.pk, first)
        if key not in summaries:
            summaries[key] = child_summaries(family, children[family.pk], first, last)
        with translation.override(member.language):  # one member's digest, in theirs
            lines = [
                (
                    s["child"].name,
                    messages.digest_line(
                        child_name=s["child"].name,
                        checkin_days=s["checkin_days"],
                        calm_days=s["calm_days"],
                        helped=s["helped"],
                        routine=s["routine"],
                    ),
                )
                for s in summaries[key]
                if member.sees([s["child"].pk])
            ]
            if not lines:  # no children this member sees: nothing to sum up
                plans[row.pk] = Plan(payload={"note": "No children to sum up."})
                continue
            payload = messages.digest_payload(family_id=family.pk, week_start=first, lines=lines)
        wants = member.enabled and member.active
        plans[row.pk] = Plan(
            payload=payload, recipients=[member.recipient(family.zone)] if wants else []
        )
    return plans


def after_dispatch(rows: Sequence[ScheduledReminder], *, now: datetime) -> None:
    """Materialise next Sunday's digest of the members whose digest was just handled (a
    few queries for the batch; other members of those families that are synced with them
    keep their rows: the sync is idempotent)."""
    rows = [r for r in rows if r.family_id is not None and r.user_id is not None]
    if rows:
        sync_families(
            {r.family_id for r in rows if r.family_id is not None},
            users={r.user_id for r in rows if r.user_id is not None},
            now=now,
        )
