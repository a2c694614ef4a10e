"""Builders of one real object per URL keyword, inside a given family (matrix tests).

Routes name their object ids ``pk`` (DRF routers) or by a keyword such as ``run``. For
``pk`` the model comes from the view's queryset. Apps add builders here as they add
endpoints; a route with an unknown keyword or model fails the matrix tests loudly.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from checkins.models import CheckIn, Strategy
from families.models import Child, Invitation, Membership
from families.services import create_invitation
from routines.models import Routine

from .factories import (
    CheckInFactory,
    ChildFactory,
    RoutineFactory,
    RoutineRunFactory,
    StrategyFactory,
)

# (family, owner, built) -> object with .pk; ``built`` holds the objects already made for
# earlier keywords of the same route, so a step belongs to the run's routine, etc.
Builder = Callable[[object, object, dict], object]


def _child(family, owner, built):
    routine = built.get("routine")
    if routine is not None:
        return routine.children.first()
    return ChildFactory(family=family)


def _step(family, owner, built):
    routine = built["run"].routine if "run" in built else built.get("routine")
    return (routine or RoutineFactory(family=family)).steps.first()


MODEL_BUILDERS: dict[type, Builder] = {
    Child: _child,
    Membership: lambda family, owner, built: Membership.objects.get(family=family, user=owner),
    Invitation: lambda family, owner, built: (
        create_invitation(membership=Membership.objects.get(family=family, user=owner)).invitation
    ),
    Routine: lambda family, owner, built: RoutineFactory(
        family=family, children=[ChildFactory(family=family)]
    ),
    Strategy: lambda family, owner, built: StrategyFactory(family=family),
    CheckIn: lambda family, owner, built: CheckInFactory(family=family, created_by=owner),
}

KEYWORD_BUILDERS: dict[str, Builder] = {
    "routine": MODEL_BUILDERS[Routine],
    "child": _child,
    "run": lambda family, owner, built: RoutineRunFactory(routine__family=family),
    "step": _step,
    # Not an object: a day in the URL (``.pk`` is what lands in the path).
    "date": lambda family, owner, built: SimpleNamespace(pk="2026-06-01"),
}


def _model_of(endpoint) -> type:
    cls = endpoint.view_class
    queryset = getattr(cls, "queryset", None)
    if queryset is None:
        raise AssertionError(f"{endpoint.route}: view has no queryset; add a KEYWORD_BUILDER")
    return queryset.model


def build_kwargs(endpoint, family, owner) -> dict[str, object]:
    """URL keyword → value, with real objects of ``family`` for every object id."""
    built: dict[str, object] = {}
    for key in endpoint.kwargs:
        if key == "family_id":
            continue
        if key in KEYWORD_BUILDERS:
            built[key] = KEYWORD_BUILDERS[key](family, owner, built)
            continue
        model = _model_of(endpoint)
        if model not in MODEL_BUILDERS:
            raise AssertionError(
                f"{endpoint.route}: add a builder for {model.__name__} in tests/victims.py"
            )
        built[key] = MODEL_BUILDERS[model](family, owner, built)
    return {"family_id": family.pk, **{key: obj.pk for key, obj in built.items()}}
