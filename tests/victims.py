"""Builders of one real object per URL keyword, inside a given family (matrix tests).

Routes name their object ids ``pk`` (DRF routers) or by a keyword such as ``run``. For
``pk`` the model comes from the view's queryset. Apps add builders here as they add
endpoints; a route with an unknown keyword or model fails the matrix tests loudly.
"""

from __future__ import annotations

from collections.abc import Callable

from checkins.models import CheckIn, Strategy
from families.models import Child, Invitation, Membership
from families.services import create_invitation

from .factories import CheckInFactory, ChildFactory, StrategyFactory

Builder = Callable[[object, object], object]  # (family, owner) -> object with .pk

MODEL_BUILDERS: dict[type, Builder] = {
    Child: lambda family, owner: ChildFactory(family=family),
    Membership: lambda family, owner: Membership.objects.get(family=family, user=owner),
    Invitation: lambda family, owner: (
        create_invitation(membership=Membership.objects.get(family=family, user=owner)).invitation
    ),
    Strategy: lambda family, owner: StrategyFactory(family=family),
    CheckIn: lambda family, owner: CheckInFactory(family=family),
}

KEYWORD_BUILDERS: dict[str, Builder] = {}


def _model_of(endpoint) -> type:
    cls = endpoint.view_class
    queryset = getattr(cls, "queryset", None)
    if queryset is None:
        raise AssertionError(f"{endpoint.route}: view has no queryset; add a KEYWORD_BUILDER")
    return queryset.model


def build_kwargs(endpoint, family, owner) -> dict[str, object]:
    """URL keyword → value, with real objects of ``family`` for every object id."""
    values: dict[str, object] = {"family_id": family.pk}
    for key in endpoint.kwargs:
        if key == "family_id":
            continue
        if key in KEYWORD_BUILDERS:
            values[key] = KEYWORD_BUILDERS[key](family, owner).pk
            continue
        model = _model_of(endpoint)
        if model not in MODEL_BUILDERS:
            raise AssertionError(
                f"{endpoint.route}: add a builder for {model.__name__} in tests/victims.py"
            )
        values[key] = MODEL_BUILDERS[model](family, owner).pk
    return values
