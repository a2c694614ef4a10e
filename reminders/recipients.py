"""Who receives a reminder, with the preferences that decide whether and when."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch

from families.models import Child, Membership
from routines.models import Routine


@dataclass(frozen=True)
class Recipient:
    """A member who wants this reminder; quiet hours are checked when it is dispatched."""

    user_id: int
    zone: ZoneInfo | None = None
    quiet_start: time | None = None
    quiet_end: time | None = None
    language: str = "en"


@dataclass
class Plan:
    """What the dispatcher should do with one due reminder.

    ``cancel`` names why the reminder no longer applies (its routine changed, the check-in
    was answered); otherwise ``payload`` is the notification and ``recipients`` the
    members who want it (reminders disabled or opted out are already left out).
    ``skip`` names why every recipient's devices get a ``skipped`` delivery instead of a
    push (``"away"``: every child of the routine is away that day); ``skip_note`` says it
    in words on the deliveries.
    """

    payload: dict[str, Any] = field(default_factory=dict)
    recipients: list[Recipient] = field(default_factory=list)
    cancel: str = ""
    skip: str = ""
    skip_note: str = ""


@dataclass(frozen=True)
class MemberPrefs:
    """A membership's reminder settings, or the defaults when it has none.

    ``child_ids``: the children the member sees (None: all); ``active``: False for a
    sitter outside the pass's window; ``weekly_digest``: opted in to the Sunday digest.
    """

    user_id: int
    enabled: bool
    quiet_start: time | None
    quiet_end: time | None
    opted_out: frozenset[int]
    membership_id: int = 0
    child_ids: frozenset[int] | None = None
    active: bool = True
    weekly_digest: bool = False
    language: str = "en"

    def recipient(self, zone: ZoneInfo) -> Recipient:
        return Recipient(self.user_id, zone, self.quiet_start, self.quiet_end, self.language)

    def sees(self, child_ids: Iterable[int]) -> bool:
        """Whether the member may see every one of these children (a notification names
        them all)."""
        return self.child_ids is None or set(child_ids) <= self.child_ids


def route(
    prefs: Iterable[MemberPrefs], child_ids: Iterable[int], on_duty: Mapping[int, set[int]]
) -> list[MemberPrefs]:
    """Who gets a reminder about these children: the adults on duty for any of them, or,
    when nobody is (or none of them can get it), every member who wants reminders —
    only members who see all of the children, and sitters only within their window."""
    children = set(child_ids)
    eligible = [p for p in prefs if p.enabled and p.active and p.sees(children)]
    duty = set().union(*(on_duty.get(c, set()) for c in children)) if children else set()
    chosen = [p for p in eligible if p.membership_id in duty]
    return chosen or eligible


def member_prefs(family_ids: Iterable[int]) -> dict[int, list[MemberPrefs]]:
    """Every member of the given families with their reminder settings (few queries)."""
    memberships = (
        Membership.objects.filter(family_id__in=set(family_ids))
        .select_related("reminder_settings", "sitter_pass", "user")
        .prefetch_related(
            Prefetch("reminder_settings__opted_out_routines", queryset=Routine.objects.only("id")),
            Prefetch("children", queryset=Child.objects.only("id")),
        )
    )
    result: dict[int, list[MemberPrefs]] = defaultdict(list)
    for m in memberships:
        settings = getattr(m, "reminder_settings", None)
        result[m.family_id].append(
            MemberPrefs(
                user_id=m.user_id,
                enabled=settings.enabled if settings else True,
                quiet_start=settings.quiet_start if settings else None,
                quiet_end=settings.quiet_end if settings else None,
                opted_out=(
                    frozenset(r.pk for r in settings.opted_out_routines.all())
                    if settings
                    else frozenset()
                ),
                membership_id=m.pk,
                child_ids=frozenset(c.pk for c in m.children.all()) if m.limited else None,
                # A child's tablet is never told anything; a sitter only in the window.
                active=not m.is_device
                and (m.sitter_pass is None or m.sitter_pass.status() == "active"),
                weekly_digest=settings.weekly_digest if settings else False,
                language=m.user.language,
            )
        )
    return result
