"""Every endpoint × method × persona, from the URL configuration.

A new endpoint without an entry in ``ACCESS`` fails ``test_every_endpoint_has_an_expectation``,
so nobody ships a route without deciding who may call it.

Access levels:
- ``public``: anyone, signed in or not;
- ``user``: any signed-in user (anonymous → 403);
- ``member``: members of the family in the URL (anonymous → 403, other family → 404);
- ``owner``: owners of that family (caregivers → 403, other family → 404, anonymous → 403);
- ``own``: the member who made the object (the owner, in these tests); other members → 404,
  as if it did not exist (a calendar feed is one member's).

Per child: ``caregiver_for_sam`` sees only Sam, ``sitter`` holds an open pass for Sam;
the objects in the URLs belong to another child of the family, so a route in
``CHILD_OBJECT_ROUTES`` is 404 for both, exactly as another family's is. A sitter may use
only what ``SITTER`` lists (403 elsewhere); ``WHOLE_FAMILY`` routes (the export) are 403
to both. ``device`` is a child's tablet paired for Sam: only what ``DEVICE`` lists
(Sam's objects only), 403 everywhere else. Allowed callers may still get 400/409 about
their input; never 401/403/404/405.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from families import devices, sitters
from families.models import Membership, Role
from families.services import set_member_children
from testing.urlmap import api_endpoints

from .conftest import client_for
from .support.factories import ChildFactory, MembershipFactory
from .support.victims import build_kwargs, build_public_kwargs

pytestmark = pytest.mark.django_db

F = "api/v1/families/<family_id>/"

ACCESS: dict[str, dict[str, str]] = {
    "api/v1/auth/signup/": {"POST": "public"},
    "api/v1/auth/login/": {"POST": "public"},
    "api/v1/auth/logout/": {"POST": "public"},
    "api/v1/auth/me/": {"GET": "user", "PATCH": "user", "DELETE": "user"},
    "api/v1/auth/csrf/": {"GET": "public"},
    "api/v1/auth/password/change/": {"POST": "user"},
    "api/v1/auth/password/reset/": {"POST": "public"},
    "api/v1/auth/password/reset/confirm/": {"POST": "public"},
    "api/v1/families/": {"GET": "user", "POST": "user"},
    "api/v1/invitations/accept/": {"POST": "user"},
    "api/v1/invitations/preview/": {"GET": "public"},
    "api/v1/sitter-passes/redeem/": {"POST": "public"},
    F: {"GET": "member", "PATCH": "owner", "DELETE": "owner"},
    F + "members/": {"GET": "member"},
    F + "members/<pk>/": {"GET": "member", "PATCH": "owner", "DELETE": "owner"},
    F + "invitations/": {"GET": "member", "POST": "member"},
    F + "invitations/<pk>/": {"GET": "member", "DELETE": "owner"},
    F + "children/": {"GET": "member", "POST": "member"},
    F + "children/<pk>/": {"GET": "member", "PATCH": "member", "DELETE": "member"},
    F + "export/": {"GET": "member"},
    F + "pin/": {"PUT": "owner", "DELETE": "owner"},
    F + "pin/check/": {"POST": "member"},
    F + "media/": {"POST": "member"},
    F + "media/<pk>/": {"GET": "member", "DELETE": "member"},
    F + "media/<pk>/<name>": {"GET": "member"},
    F + "export/checkins.csv": {"GET": "member"},
    "api/v1/emotions/": {"GET": "user"},
    F + "strategies/": {"GET": "member", "POST": "member"},
    F + "strategies/<pk>/": {"GET": "member", "PATCH": "member", "DELETE": "member"},
    F + "checkins/": {"GET": "member", "POST": "member"},
    # DELETE: who recorded it (the owner, in these tests) or an owner.
    F + "checkins/<pk>/": {"GET": "member", "PATCH": "member", "DELETE": "owner"},
    F + "suggestions/": {"GET": "member"},
    F + "insights/": {"GET": "member"},
    F + "routines/": {"GET": "member", "POST": "member"},
    F + "routines/<pk>/": {"GET": "member", "PATCH": "member", "DELETE": "member"},
    F + "routines/<pk>/history/": {"GET": "member"},
    F + "routines/<pk>/runs/": {"POST": "member"},
    F + "today/": {"GET": "member"},
    F + "runs/<run>/steps/<step>/completion/": {"PUT": "member", "DELETE": "member"},
    F + "routines/<routine>/children/<child>/days/<date>/steps/<step>/completion/": {
        "PUT": "member",
        "DELETE": "member",
    },
    "api/v1/push/vapid-public-key/": {"GET": "public"},
    "api/v1/push/subscriptions/": {"POST": "user", "DELETE": "user"},
    "api/v1/push/subscriptions/unsubscribe/": {"POST": "user"},
    "api/v1/push/test/": {"POST": "user"},
    F + "reminder-settings/me/": {"GET": "member", "PATCH": "member"},
    F + "deliveries/": {"GET": "member"},
    F + "sitter-passes/": {"GET": "owner", "POST": "owner"},
    F + "sitter-passes/<pk>/": {"GET": "owner", "DELETE": "owner"},
    F + "sitter-passes/<pk>/visits/": {"GET": "owner"},
    F + "child-devices/": {"GET": "owner", "POST": "owner"},
    F + "child-devices/<pk>/": {"DELETE": "owner"},
    # A wrong code is a 400 naming it; the call itself needs no account.
    "api/v1/child-devices/pair/": {"POST": "public"},
    F + "duty/": {"GET": "member"},
    F + "children/<child_id>/duty/": {"PUT": "member", "DELETE": "member"},
    F + "children/<child_id>/log/": {"GET": "member"},
    F + "handovers/": {"GET": "member", "POST": "member"},
    "api/v1/families/import/": {"POST": "user"},
    F + "reports/": {"GET": "member", "POST": "member"},
    F + "reports/<pk>/": {"GET": "member"},
    F + "reports/<pk>/pdf/": {"GET": "member"},
    F + "shares/": {"GET": "member", "POST": "member"},
    F + "shares/<pk>/": {"GET": "member", "DELETE": "member"},
    F + "shares/<pk>/visits/": {"GET": "member"},
    # The link itself needs no account (an unknown token is a 410, as an expired one).
    "api/v1/share/<token>/": {"GET": "public"},
    "api/v1/share/<token>/report.pdf": {"GET": "public"},
    # Days away: members who see the child; not sitters.
    F + "children/<child_id>/away/": {"POST": "member"},
    F + "away/": {"GET": "member"},
    F + "away/<pk>/": {"DELETE": "member"},
    # Calendar feeds are each member's own; sitters get none (403).
    F + "calendar-feeds/": {"GET": "member", "POST": "member"},
    F + "calendar-feeds/<pk>/": {"DELETE": "own"},
    F + "calendar-feeds/<pk>/regenerate/": {"POST": "own"},
    # The feed needs no account: the token is the secret (an unknown one is a 404).
    "api/v1/cal/<token>.ics": {"GET": "public"},
}

# Routes whose URL names an object of one child (here: not Sam).
CHILD_OBJECT_ROUTES = {
    F + "children/<pk>/",
    F + "routines/<pk>/",
    F + "routines/<pk>/history/",
    F + "routines/<pk>/runs/",
    F + "checkins/<pk>/",
    F + "runs/<run>/steps/<step>/completion/",
    F + "routines/<routine>/children/<child>/days/<date>/steps/<step>/completion/",
    F + "children/<child_id>/duty/",
    F + "children/<child_id>/log/",
    F + "children/<child_id>/away/",
    F + "away/<pk>/",
    F + "media/<pk>/",
    F + "media/<pk>/<name>",
}
# What a sitter may call: Today, ticks, check-ins, strategies, hand over, notifications.
SITTER = {
    (F, "GET"),
    (F + "children/", "GET"),
    (F + "children/<pk>/", "GET"),
    (F + "strategies/", "GET"),
    (F + "strategies/<pk>/", "GET"),
    (F + "checkins/", "GET"),
    (F + "checkins/", "POST"),
    (F + "checkins/<pk>/", "GET"),
    (F + "checkins/<pk>/", "PATCH"),
    (F + "suggestions/", "GET"),
    (F + "routines/", "GET"),
    (F + "routines/<pk>/", "GET"),
    (F + "routines/<pk>/runs/", "POST"),
    (F + "today/", "GET"),
    (F + "runs/<run>/steps/<step>/completion/", "PUT"),
    (F + "runs/<run>/steps/<step>/completion/", "DELETE"),
    (F + "routines/<routine>/children/<child>/days/<date>/steps/<step>/completion/", "PUT"),
    (F + "routines/<routine>/children/<child>/days/<date>/steps/<step>/completion/", "DELETE"),
    (F + "reminder-settings/me/", "GET"),
    (F + "reminder-settings/me/", "PATCH"),
    (F + "deliveries/", "GET"),
    (F + "duty/", "GET"),
    (F + "children/<child_id>/duty/", "PUT"),
    (F + "children/<child_id>/duty/", "DELETE"),
    (F + "handovers/", "GET"),
    (F + "handovers/", "POST"),
    (F + "pin/check/", "POST"),  # a sitter hands the phone to the child too
    (F + "media/<pk>/", "GET"),
    (F + "media/<pk>/<name>", "GET"),
}
# What a child's tablet (paired for Sam) may call: what it is, the faces, Sam's board and
# ticks, and Sam's own check-in. Everything else is 403 to it.
DEVICE = {
    ("api/v1/auth/me/", "GET"),
    ("api/v1/emotions/", "GET"),
    (F + "today/", "GET"),
    (F + "runs/<run>/steps/<step>/completion/", "PUT"),
    (F + "runs/<run>/steps/<step>/completion/", "DELETE"),
    (F + "routines/<routine>/children/<child>/days/<date>/steps/<step>/completion/", "PUT"),
    (F + "routines/<routine>/children/<child>/days/<date>/steps/<step>/completion/", "DELETE"),
    (F + "checkins/", "POST"),
    (F + "pin/check/", "POST"),  # the grown-up leaving the child view
    (F + "media/<pk>/", "GET"),  # Sam's pictures and voices
    (F + "media/<pk>/<name>", "GET"),
}
WHOLE_FAMILY = {F + "export/", F + "export/checkins.csv"}
# Reports and shares may hold any child: only for members who see every child.
WHOLE_FAMILY |= {F + r for r in ("reports/", "reports/<pk>/", "reports/<pk>/pdf/", "shares/",
                                 "shares/<pk>/", "shares/<pk>/visits/")}  # fmt: skip

ENDPOINTS = api_endpoints()
CASES = [(e, m) for e in ENDPOINTS for m in e.methods]
PERSONAS = [
    "anonymous",
    "outsider",
    "device",
    "sitter",
    "caregiver_for_sam",
    "caregiver",
    "owner",
]


def test_every_endpoint_has_an_expectation():
    missing = [f"{m} {e.route}" for e, m in CASES if m not in ACCESS.get(e.route, {})]
    assert not missing, "add these to ACCESS in tests/test_permission_matrix.py: " + ", ".join(
        missing
    )


def _only_listed(allowed: set[tuple[str, str]], route: str, method: str) -> int | None:
    """403 off the list; on it, another child's objects are 404."""
    if (route, method) not in allowed:
        return 403
    return 404 if route in CHILD_OBJECT_ROUTES else None


def expected_denial(access: str, persona: str, route: str, method: str) -> int | None:
    """The status a persona must get, or None when it must be let through."""
    if access == "public":
        return None
    if persona == "anonymous":
        return 403
    if persona == "device":  # even on routes for any signed-in user
        return _only_listed(DEVICE, route, method)
    if access == "user":
        return None
    if persona == "outsider":
        return 404
    if persona == "sitter":
        return _only_listed(SITTER, route, method)
    if persona == "caregiver_for_sam":
        if route in WHOLE_FAMILY:
            return 403
        if route in CHILD_OBJECT_ROUTES:
            return 404
    if access == "owner" and persona in ("caregiver", "caregiver_for_sam"):
        return 403
    if access == "own" and persona in ("caregiver", "caregiver_for_sam"):
        return 404
    return None


@pytest.fixture
def sam(family):
    return ChildFactory(family=family, name="Sam")


@pytest.fixture
def caregiver_for_sam(family, sam):
    membership = MembershipFactory(family=family, role=Role.CAREGIVER)
    set_member_children(membership, [sam])
    return membership.user


@pytest.fixture
def sitter(family, owner, sam):
    issued = sitters.create_pass(
        membership=Membership.objects.get(family=family, user=owner),
        children=[sam],
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=3),
    )
    return sitters.redeem(token=issued.token, name="Grandma").user


@pytest.fixture
def device(family, owner, sam):
    issued = devices.create_device(
        membership=Membership.objects.get(family=family, user=owner), name="Tablet", children=[sam]
    )
    return devices.pair(code=issued.code).user


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("endpoint", "method"), CASES, ids=[f"{m} {e.route.removeprefix('api/v1/')}" for e, m in CASES]
)
def test_permission_matrix(
    endpoint, method, persona, family, owner, caregiver, outsider, caregiver_for_sam, sitter, device
):
    access = ACCESS.get(endpoint.route, {}).get(method)
    if access is None:
        pytest.fail(f"no expectation for {method} {endpoint.route}")
    # Objects in the URL belong to the family (a member URL names the owner's membership,
    # so a caregiver's DELETE is "remove someone else", not "leave").
    kwargs = (
        build_kwargs(endpoint, family, owner)
        if "family_id" in endpoint.kwargs
        else build_public_kwargs(endpoint, family, owner)
    )
    user = {
        "anonymous": None,
        "outsider": outsider,
        "device": device,
        "sitter": sitter,
        "caregiver_for_sam": caregiver_for_sam,
        "caregiver": caregiver,
        "owner": owner,
    }[persona]
    response = client_for(user).generic(
        method, endpoint.url(kwargs), "{}", content_type="application/json"
    )
    denial = expected_denial(access, persona, endpoint.route, method)
    if denial is None:
        assert response.status_code not in (401, 403, 404, 405), (
            persona,
            method,
            endpoint.route,
            response.status_code,
            response.content[:200],
        )
        assert response.status_code < 500
    else:
        assert response.status_code == denial, (
            persona,
            method,
            endpoint.route,
            response.status_code,
        )
