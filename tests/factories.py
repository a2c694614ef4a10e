"""factory_boy factories for the test suite."""

from __future__ import annotations

import factory

from families.models import Child, Family, Membership, Role, User

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


# --- check-ins ---------------------------------------------------------------------------

import uuid  # noqa: E402

from checkins.models import CheckIn, Strategy  # noqa: E402


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
