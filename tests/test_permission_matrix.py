"""Every endpoint × method × persona, from the URL configuration.

A new endpoint without an entry in ``ACCESS`` fails ``test_every_endpoint_has_an_expectation``,
so nobody ships a route without deciding who may call it.

Access levels:
- ``public``: anyone, signed in or not;
- ``user``: any signed-in user (anonymous → 403);
- ``member``: members of the family in the URL (anonymous → 403, other family → 404);
- ``owner``: owners of that family (caregivers → 403, other family → 404, anonymous → 403).
Allowed callers may still get 400/409/405-free answers about their input; never 401/403/404.
"""

from __future__ import annotations

import pytest

from testing.urlmap import api_endpoints

from .conftest import client_for
from .support.victims import build_kwargs

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
    F: {"GET": "member", "PATCH": "owner", "DELETE": "owner"},
    F + "members/": {"GET": "member"},
    F + "members/<pk>/": {"GET": "member", "PATCH": "owner", "DELETE": "owner"},
    F + "invitations/": {"GET": "member", "POST": "member"},
    F + "invitations/<pk>/": {"GET": "member", "DELETE": "owner"},
    F + "children/": {"GET": "member", "POST": "member"},
    F + "children/<pk>/": {"GET": "member", "PATCH": "member", "DELETE": "member"},
    F + "export/": {"GET": "member"},
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
}

ENDPOINTS = api_endpoints()
CASES = [(e, m) for e in ENDPOINTS for m in e.methods]
PERSONAS = ["anonymous", "outsider", "caregiver", "owner"]


def test_every_endpoint_has_an_expectation():
    missing = [f"{m} {e.route}" for e, m in CASES if m not in ACCESS.get(e.route, {})]
    assert not missing, "add these to ACCESS in tests/test_permission_matrix.py: " + ", ".join(
        missing
    )


def expected_denial(access: str, persona: str, in_family: bool) -> int | None:
    """The status a persona must get, or None when it must be let through."""
    if access == "public":
        return None
    if persona == "anonymous":
        return 403
    if access == "user":
        return None
    if persona == "outsider":
        return 404
    if access == "owner" and persona == "caregiver":
        return 403
    return None


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("endpoint", "method"), CASES, ids=[f"{m} {e.route.removeprefix('api/v1/')}" for e, m in CASES]
)
def test_permission_matrix(endpoint, method, persona, family, owner, caregiver, outsider):
    access = ACCESS.get(endpoint.route, {}).get(method)
    if access is None:
        pytest.fail(f"no expectation for {method} {endpoint.route}")
    # Objects in the URL belong to the family (a member URL names the owner's membership,
    # so a caregiver's DELETE is "remove someone else", not "leave").
    kwargs = build_kwargs(endpoint, family, owner) if "family_id" in endpoint.kwargs else {}
    user = {"anonymous": None, "outsider": outsider, "caregiver": caregiver, "owner": owner}[
        persona
    ]
    response = client_for(user).generic(
        method, endpoint.url(kwargs), "{}", content_type="application/json"
    )
    denial = expected_denial(access, persona, "family_id" in endpoint.kwargs)
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
