"""A family with some of everything, for fuzzing and permission matrices."""

from __future__ import annotations

from families.models import Role

from .factories import (
    CheckInFactory,
    ChildFactory,
    FamilyFactory,
    MembershipFactory,
    RoutineFactory,
    RoutineRunFactory,
    StepCompletionFactory,
    StrategyFactory,
)


def seed_family_with_data():
    """A family with an owner, a caregiver, two children, a routine with a run and a
    completion, a custom strategy and check-ins; returns (family, owner)."""
    family = FamilyFactory(name="Fuzzed", timezone="Europe/Madrid")
    owner = MembershipFactory(family=family, role=Role.OWNER).user
    MembershipFactory(family=family, role=Role.CAREGIVER)
    sam, ana = ChildFactory.create_batch(2, family=family)
    routine = RoutineFactory(family=family, children=[sam, ana])
    StepCompletionFactory(run=RoutineRunFactory(routine=routine, child=sam))
    strategy = StrategyFactory(family=family)
    CheckInFactory(family=family, child=sam, created_by=owner)
    CheckInFactory(family=family, child=ana, created_by=owner, strategy=strategy)
    return family, owner
