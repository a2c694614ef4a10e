"""A family with some of everything, for fuzzing and permission matrices."""

from __future__ import annotations

from families.models import Role

from .factories import ChildFactory, FamilyFactory, MembershipFactory


def seed_family_with_data():
    """Create a family with an owner, a caregiver and two children; return (family, owner)."""
    family = FamilyFactory(name="Fuzzed", timezone="Europe/Madrid")
    owner = MembershipFactory(family=family, role=Role.OWNER).user
    MembershipFactory(family=family, role=Role.CAREGIVER)
    ChildFactory.create_batch(2, family=family)
    return family, owner
