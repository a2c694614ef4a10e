"""Schemathesis fuzzes every operation of the OpenAPI schema, signed in as a family owner
whose family has data: no 5xx, every status is documented, and every response conforms
to the schema.

Examples per operation are bounded (``FUZZ_EXAMPLES``, default 12) to keep the suite fast;
raise it locally for a deeper run. Regressions it finds are kept as ordinary tests.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings

from config.wsgi import application

from .support.fuzz_data import seed_family_with_data

# Logging out or deleting the account would end the session under test; both have their
# own tests in test_auth_api.py.
schema = (
    schemathesis.openapi.from_wsgi("/api/schema/", application)
    .exclude(method="POST", path="/api/v1/auth/logout/")
    .exclude(method="DELETE", path="/api/v1/auth/me/")
)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))


@pytest.fixture
def signed_in(db):
    """Session and CSRF cookies of an owner whose family has children, routines, check-ins."""
    family, owner = seed_family_with_data()
    client = Client()
    client.force_login(owner)
    client.get("/api/v1/auth/csrf/")
    return family, {
        "cookies": {k: v.value for k, v in client.cookies.items()},
        "token": client.cookies["csrftoken"].value,
    }


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db(transaction=True)
def test_api_never_fails_and_conforms(case, signed_in):
    family, auth = signed_in
    if case.path_parameters and "family_id" in case.path_parameters:
        case.path_parameters["family_id"] = family.pk
    case.call_and_validate(
        headers={"X-CSRFToken": auth["token"]},
        cookies=auth["cookies"],
        checks=[
            schemathesis.checks.not_a_server_error,
            # Every answer's status is documented (errors too: core.schema), and its
            # body has the documented shape.
            schemathesis.checks.status_code_conformance,
            schemathesis.checks.response_schema_conformance,
            schemathesis.checks.content_type_conformance,
        ],
    )
