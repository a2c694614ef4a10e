"""A family with some of everything, over several days (export and deletion tests).

``fill_family`` writes what a family accumulates: children, a routine with steps, a run
per child and day with steps ticked by the caregivers, a custom strategy, child check-ins
(some coregulation pairs with a caregiver's own), invitations issued and accepted, and —
when the reminders app has its models — push subscriptions and deliveries.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.utils import timezone

from checkins.models import CheckIn, Strategy
from families.models import Child, Family, Invitation, Membership, User, hash_token
from reminders.models import Delivery, PushSubscription, ScheduledReminder
from reports.models import Report, Share, ShareVisit
from routines.models import Routine, RoutineRun, StepCompletion

from .factories import ChildFactory, RoutineFactory, StrategyFactory

START = dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.UTC)


@dataclass
class Filled:
    family: Family
    children: list[Child]
    routine: Routine
    strategy: Strategy
    runs: list[RoutineRun] = field(default_factory=list)
    checkins: list[CheckIn] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)


def fill_family(family: Family, users: list[User], *, days: int = 3) -> Filled:
    """Give ``family`` (whose members are ``users``) ``days`` days of history."""
    memberships = {m.user_id: m for m in Membership.objects.filter(family=family)}
    children = [
        ChildFactory(family=family, name="Sam", birth_year=2019),
        ChildFactory(family=family, name="Ana"),
    ]
    routine = RoutineFactory(family=family, name="Bedtime", children=children, steps=4)
    steps = list(routine.steps.order_by("position"))
    strategy = StrategyFactory(family=family, created_by=users[0])
    filled = Filled(family=family, children=children, routine=routine, strategy=strategy)

    for day in range(days):
        at = START + dt.timedelta(days=day)
        for n, child in enumerate(children):
            run = RoutineRun.objects.create(
                routine=routine, child=child, date=at.date(), started_at=at
            )
            filled.runs.append(run)
            StepCompletion.objects.bulk_create(
                StepCompletion(
                    run=run,
                    step=step,
                    completed_by=users[(n + i) % len(users)],
                    completed_at=at + dt.timedelta(minutes=i),
                )
                for i, step in enumerate(steps[: 2 + n])
            )
        author = users[day % len(users)]
        child_checkin = CheckIn.objects.create(
            family=family,
            child=children[day % 2],
            emotion="angry",
            intensity=4,
            body_areas=["chest"],
            note=f"Day {day}: lost the game",
            strategy=strategy,
            created_by=author,
            occurred_at=at,
            follow_up_at=at + dt.timedelta(minutes=10),
        )
        own = CheckIn.objects.create(
            family=family,
            member=memberships[author.pk],
            emotion="frustrated",
            intensity=3,
            created_by=author,
            occurred_at=at,
            pair=child_checkin.pk,
        )
        child_checkin.pair = child_checkin.pk
        child_checkin.save(update_fields=["pair"])
        filled.checkins += [child_checkin, own]

    now = timezone.now()
    filled.invitations = [
        Invitation.objects.create(
            family=family,
            token_hash=hash_token(uuid.uuid4().hex),
            created_by=users[0],
            expires_at=now + dt.timedelta(days=7),
            accepted_by=users[-1],
            accepted_at=now,
        ),
        Invitation.objects.create(
            family=family,
            token_hash=hash_token(uuid.uuid4().hex),
            created_by=users[-1],
            expires_at=now + dt.timedelta(days=7),
        ),
    ]
    _fill_reminders(family, users)
    _fill_reports(family, users, children)
    return filled


def _fill_reports(family: Family, users: list[User], children: list[Child]) -> None:
    first, last = START.date(), START.date() + dt.timedelta(days=1)
    report = Report.objects.create(
        family=family, created_by=users[0], first=first, last=last, sections=["checkins"],
        status="done", progress=100, pdf=b"%PDF-1.7", finished_at=timezone.now(),
    )  # fmt: skip
    report.children.set(children)
    share = Share.objects.create(
        family=family, created_by=users[-1], label="Dr Lee", first=first, last=last,
        sections=["routines", "checkins"], token_hash=hash_token(uuid.uuid4().hex),
        expires_at=timezone.now() + dt.timedelta(days=30),
    )  # fmt: skip
    share.children.set(children[:1])
    ShareVisit.objects.create(share=share, user_agent="Mozilla/5.0", what="page")


def _fill_reminders(family: Family, users: list[User]) -> None:
    for user in users:
        subscription, _ = PushSubscription.objects.get_or_create(
            endpoint=f"https://fcm.googleapis.com/fcm/send/{user.pk}-secret-path",
            defaults={"user": user, "p256dh": "p" * 87, "auth": "a" * 22},
        )
        reminder = ScheduledReminder.objects.create(
            kind="test", family=family, user=user, fire_at=START, state="done"
        )
        Delivery.objects.create(
            reminder=reminder, subscription=subscription, user=user, state="sent"
        )
