"""Nothing under /api/v1/families/{id}/ leaks across families.

The endpoints come from the URL configuration, so a new endpoint is covered without
anyone remembering to add it. Object ids are filled with real objects of the victim
family, built by ``tests.support.victims`` (a new URL keyword needs a builder there, or this
test fails and says so).
"""

import pytest

from testing.urlmap import family_endpoints

from .conftest import client_for
from .support.victims import build_kwargs

pytestmark = pytest.mark.django_db

ENDPOINTS = family_endpoints()
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def test_the_enumeration_finds_the_family_endpoints():
    routes = {e.route for e in ENDPOINTS}
    assert "api/v1/families/<family_id>/children/" in routes
    assert "api/v1/families/<family_id>/members/<pk>/" in routes


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.route.removeprefix("api/v1/"))
@pytest.mark.parametrize("method", METHODS)
def test_another_family_gets_404_for_every_method(endpoint, method, family, owner, outsider):
    """The outsider, member of another family, asks for our family's URL and objects."""
    kwargs = build_kwargs(endpoint, family, owner)
    url = endpoint.url(kwargs)
    response = client_for(outsider).generic(method, url, "{}", content_type="application/json")
    assert response.status_code == 404, (method, url, response.status_code)


@pytest.mark.parametrize(
    "endpoint",
    [e for e in ENDPOINTS if len(e.kwargs) > 1],
    ids=lambda e: e.route.removeprefix("api/v1/"),
)
@pytest.mark.parametrize("method", METHODS)
def test_our_objects_are_404_through_their_own_family(endpoint, method, family, owner, outsider):
    """The outsider puts our object ids under their own family id: still nothing."""
    kwargs = build_kwargs(endpoint, family, owner)
    url = endpoint.url({**kwargs, "family_id": outsider.memberships.get().family_id})
    response = client_for(outsider).generic(method, url, "{}", content_type="application/json")
    assert response.status_code in (404, 405), (method, url, response.status_code)
    if method in endpoint.methods:
        assert response.status_code == 404, (method, url, response.status_code)
