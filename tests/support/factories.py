"""factory_boy factories for the test suite."""

from __future__ import annotations

import datetime as _dt
import uuid

import factory
from django.utils import timezone

from checkins.models import CheckIn, Strategy
from families.models import Child, Family, Membership, Role, User
from routines.models import Routine, RoutineRun, RoutineStep, StepCompletion
from testing.pushservice import BrowserKeys

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Faker("first_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    name = factory.Sequence(lambda n: f"Family {n}")
    timezone = "Europe/Madrid"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    family = factory.SubFactory(FamilyFactory)
    role = Role.CAREGIVER


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    family = factory.SubFactory(FamilyFactory)
    name = factory.Faker("first_name")
    avatar = "🦊"


# --- routines ---------------------------------------------------------------------------


class RoutineFactory(factory.django.DjangoModelFactory):
    """A daily 19:30 routine; pass ``children=[...]`` and ``steps=N`` (default 3)."""

    class Meta:
        model = Routine
        skip_postgeneration_save = True

    family = factory.SubFactory(FamilyFactory)
    name = factory.Sequence(lambda n: f"Routine {n}")
    icon = "🌙"
    days_of_week = factory.LazyFunction(lambda: [1, 2, 3, 4, 5, 6, 7])
    start_time = _dt.time(19, 30)
    reminder_offsets = factory.LazyFunction(lambda: [10])

    @factory.post_generation
    def children(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.children.set(extracted)

    @factory.post_generation
    def steps(obj, create, extracted, **kwargs):
        if create:
            count = 3 if extracted is None else extracted
            RoutineStep.objects.bulk_create(
                RoutineStep(routine=obj, position=i, title=f"Step {i + 1}", icon="⭐")
                for i in range(count)
            )


class RoutineStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutineStep

    routine = factory.SubFactory(RoutineFactory, steps=0)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Step {n}")
    icon = "⭐"


class RoutineRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutineRun

    routine = factory.SubFactory(RoutineFactory)
    child = factory.SubFactory(ChildFactory, family=factory.SelfAttribute("..routine.family"))
    date = _dt.date(2026, 6, 1)


class StepCompletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StepCompletion

    run = factory.SubFactory(RoutineRunFactory)
    step = factory.LazyAttribute(lambda o: o.run.routine.steps.first())


# --- check-ins ---------------------------------------------------------------------------


class StrategyFactory(factory.django.DjangoModelFactory):
    """A family's own strategy (built-ins come from the catalogue)."""

    class Meta:
        model = Strategy

    family = factory.SubFactory(FamilyFactory)
    key = factory.Sequence(lambda n: f"custom-{n}")
    title = factory.Sequence(lambda n: f"Our strategy {n}")
    kind = "comfort"
    summary = "Something that works for us."
    steps = ["Do the thing.", "Do it again."]
    fits = ["sad"]
    energy_fit = ["low_unpleasant"]


class CheckInFactory(factory.django.DjangoModelFactory):
    """A child's check-in; pass ``member=…, child=None`` for a caregiver's own."""

    class Meta:
        model = CheckIn

    id = factory.LazyFunction(uuid.uuid4)
    family = factory.SubFactory(FamilyFactory)
    child = factory.SubFactory(ChildFactory, family=factory.SelfAttribute("..family"))
    emotion = "worried"
    intensity = 3


# --- reminders ---------------------------------------------------------------------------


class PushSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reminders.PushSubscription"

    user = factory.SubFactory(UserFactory)
    endpoint = factory.Sequence(lambda n: f"https://fcm.googleapis.com/fcm/send/device-{n}")
    p256dh = factory.LazyFunction(lambda: BrowserKeys().p256dh)
    auth = "AAAAAAAAAAAAAAAAAAAAAA"
    user_agent = "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36"


class ScheduledReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reminders.ScheduledReminder"

    kind = "test"
    family = factory.SubFactory(FamilyFactory)
    fire_at = factory.LazyFunction(timezone.now)
    state = "done"
    payload = factory.LazyAttribute(
        lambda o: {
            "title": "Bedtime for Sam in 10 minutes",
            "body": "Starts at 19:30.",
            "url": "/",
            "tag": "t",
            "topic": "t",
        }
    )


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reminders.Delivery"

    reminder = factory.SubFactory(ScheduledReminderFactory)
    subscription = factory.SubFactory(PushSubscriptionFactory)
    user = factory.SelfAttribute("subscription.user")
    device = "Chrome on Android"
    state = "sent"
