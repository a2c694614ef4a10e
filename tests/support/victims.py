"""Builders of one real object per URL keyword, inside a given family (matrix tests).

Routes name their object ids ``pk`` (DRF routers) or by a keyword such as ``run``. For
``pk`` the model comes from the view's queryset. Apps add builders here as they add
endpoints; a route with an unknown keyword or model fails the matrix tests loudly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from calendars import feeds
from calendars.models import CalendarFeed
from checkins.models import CheckIn, Strategy
from families import away, devices, pin, sitters
from families.models import (
    Child,
    ChildAway,
    ChildDevice,
    Invitation,
    Media,
    Membership,
    SitterPass,
)
from families.services import create_invitation
from reports.models import Report, Share
from routines.models import Routine

from .factories import (
    CheckInFactory,
    ChildFactory,
    RoutineFactory,
    RoutineRunFactory,
    StrategyFactory,
)
from .media import make_media

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


def _report(family):
    """A rendered report of one child (the PDF bytes stand in for a real file)."""
    day = timezone.now().date()
    report = Report.objects.create(
        family=family, first=day, last=day, status="done", progress=100, pdf=b"%PDF-1.7 test"
    )
    report.children.set([ChildFactory(family=family)])
    return report


def _share(family):
    share = Share.objects.create(
        family=family,
        first=timezone.now().date(),
        last=timezone.now().date(),
        token_hash=f"{family.pk}-{Share.objects.count()}",
        expires_at=timezone.now() + timedelta(days=1),
    )
    share.children.set([ChildFactory(family=family)])
    return share


def _media(family, owner, built):
    """A photo of a child of the family (so a member limited to another child gets 404)."""
    child = ChildFactory(family=family)
    child.photo = make_media(family, user=owner)
    child.save()
    return child.photo


MODEL_BUILDERS: dict[type, Builder] = {
    Media: _media,
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
    Report: lambda family, owner, built: _report(family),
    Share: lambda family, owner, built: _share(family),
    # Of a child who is not Sam (the matrix's limited personas see only Sam).
    ChildAway: lambda family, owner, built: away.add_away(
        child=ChildFactory(family=family),
        first=timezone.now().date(),
        last=timezone.now().date(),
    ),
    CalendarFeed: lambda family, owner, built: (
        feeds.create_feed(
            membership=Membership.objects.get(family=family, user=owner), scope="family"
        ).feed
    ),
    SitterPass: lambda family, owner, built: (
        sitters.create_pass(
            membership=Membership.objects.get(family=family, user=owner),
            children=[ChildFactory(family=family)],
            starts_at=timezone.now() - timedelta(hours=1),
            ends_at=timezone.now() + timedelta(hours=3),
        ).sitter_pass
    ),
    ChildDevice: lambda family, owner, built: (
        devices.create_device(
            membership=Membership.objects.get(family=family, user=owner),
            name="Tablet",
            children=[ChildFactory(family=family)],
        ).device
    ),
}

KEYWORD_BUILDERS: dict[str, Builder] = {
    "routine": MODEL_BUILDERS[Routine],
    "child": _child,
    "child_id": _child,
    "run": lambda family, owner, built: RoutineRunFactory(routine__family=family),
    "step": _step,
    # A stored file of the media built for ``pk`` (its content-hashed name).
    "name": lambda family, owner, built: SimpleNamespace(pk=built["pk"].file.rsplit("/", 1)[-1]),
    # Not an object: a day in the URL (``.pk`` is what lands in the path).
    "date": lambda family, owner, built: SimpleNamespace(pk="2026-06-01"),
}


# Routes whose object is a state of the family itself rather than a row in the URL: the
# victim is made here (a PIN to clear or guess), so a denied call has something to spoil.
ROUTE_VICTIMS: dict[str, Callable[[object], None]] = {
    "api/v1/families/<family_id>/pin/": lambda family: pin.set_pin(family, "2468"),
    "api/v1/families/<family_id>/pin/check/": lambda family: pin.set_pin(family, "2468"),
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
    if endpoint.route in ROUTE_VICTIMS:
        ROUTE_VICTIMS[endpoint.route](family)
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


def _feed_token(family, owner) -> str:
    membership = Membership.objects.get(family=family, user=owner)
    return feeds.create_feed(membership=membership, scope="family").token


# Routes without a family whose keyword is a secret: a live one, so the route is reached.
PUBLIC_BUILDERS: dict[str, Callable[[object, object], dict[str, object]]] = {
    "api/v1/cal/<token>.ics": lambda family, owner: {"token": _feed_token(family, owner)},
}


def build_public_kwargs(endpoint, family, owner) -> dict[str, object]:
    """URL keyword → value for routes outside a family (a live calendar feed's token)."""
    builder = PUBLIC_BUILDERS.get(endpoint.route)
    return builder(family, owner) if builder is not None else {}
