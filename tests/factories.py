"""factory_boy factories for the test suite."""

from __future__ import annotations

import factory
from django.utils import timezone

from families.models import Child, Family, Membership, Role, User

from .pushservice import BrowserKeys

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
