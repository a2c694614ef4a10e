"""The OpenAPI schema says what the server does: every operation documents its errors in
the one ``Error`` shape, and types are as precise as the server's rules.

Real answers are checked against the schema by ``test_fuzz_api.py`` (every status
documented, every body conforming) and ``test_generated_client.py`` (a generated client
reads a family's day); these tests pin the points where the two used to disagree.
"""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

F = "/api/v1/families/{family_id}/"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def component(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"][name]


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def test_the_error_shape_is_a_component(schema):
    error = component(schema, "Error")
    assert set(error["required"]) == {"detail", "code", "errors"}
    assert error["properties"]["errors"]["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }


def test_every_operation_documents_its_errors_in_that_shape(schema):
    missing = []
    for method, path, operation in operations(schema):
        responses = operation["responses"]
        expected = {"503"}
        if method != "GET" or any(p["in"] == "query" for p in operation.get("parameters", [])):
            expected.add("400")
        if {} not in operation.get("security", [{}]) or method != "GET":
            expected.add("403")
        if "{" in path:
            expected.add("404")
        if "requestBody" in operation:
            expected.add("413")
        missing += [f"{method} {path}: {code}" for code in sorted(expected - set(responses))]
        for code, response in responses.items():
            if code[0] in "45":
                assert response["content"]["application/json"]["schema"] == ref("Error"), (
                    f"{method} {path} {code}"
                )
    assert not missing


def test_conflicts_and_throttles_are_documented(schema):
    paths = schema["paths"]
    assert "409" in paths[F + "checkins/"]["post"]["responses"]
    for path, method in [
        ("/api/v1/auth/login/", "post"),
        ("/api/v1/auth/signup/", "post"),
        ("/api/v1/invitations/accept/", "post"),
        (F + "export/", "get"),
        ("/api/v1/push/test/", "post"),
    ]:
        assert "429" in paths[path][method]["responses"], path
    assert "429" not in paths[F + "invitations/"]["get"]["responses"]  # only create is
    assert "404" in paths["/api/v1/families/"]["get"]["responses"]  # a page past the last


def test_undoing_a_step_answers_the_run(schema):
    for path in [
        F + "runs/{run}/steps/{step}/completion/",
        F + "routines/{routine}/children/{child}/days/{date}/steps/{step}/completion/",
    ]:
        responses = schema["paths"][path]["delete"]["responses"]
        assert "204" not in responses
        assert responses["200"]["content"]["application/json"]["schema"] == ref("Run")


def test_unsubscribing_has_a_describable_form(schema):
    post = schema["paths"]["/api/v1/push/subscriptions/unsubscribe/"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == ref("UnsubscribeRequest")
    assert "204" in post["responses"]
    assert schema["paths"]["/api/v1/push/subscriptions/"]["delete"]["deprecated"] is True


def test_parameters_have_their_real_types(schema):
    def parameter(path: str, name: str) -> dict:
        params = schema["paths"][path]["get"]["parameters"]
        return next(p["schema"] for p in params if p["name"] == name)

    assert parameter(F + "checkins/", "child") == {"type": "integer"}
    assert parameter(F + "checkins/", "member") == {"type": "integer"}
    assert parameter(F + "today/", "date") == {"type": "string", "format": "date"}


def test_fields_carry_the_server_rules(schema):
    colour = component(schema, "ChildRequest")["properties"]["colour"]
    patterns = [colour.get("pattern")] + [c.get("pattern") for c in colour.get("oneOf", [])]
    assert "^(#[0-9a-fA-F]{6})?$" in patterns
    energy_fit = component(schema, "StrategyRequest")["properties"]["energy_fit"]
    assert ref("QuadrantEnum") in energy_fit["items"]["allOf"]
    assert component(schema, "QuadrantEnum")["enum"] == [
        "high_unpleasant",
        "high_pleasant",
        "low_unpleasant",
        "low_pleasant",
    ]
    steps = component(schema, "RoutineRequest")["properties"]["steps"]
    assert (steps["minItems"], steps["maxItems"]) == (1, 50)


def test_no_object_is_left_untyped(schema):
    """Every object says its properties, or what its values are (a map)."""
    untyped = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            values = node.get("additionalProperties", {})
            if node.get("type") == "object" and "properties" not in node and values in ({}, True):
                untyped.append(where)
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]")

    walk(schema["components"]["schemas"], "components")
    walk(schema["paths"], "paths")
    assert not untyped
    family = component(schema, "AcceptedInvitation")["properties"]["family"]
    assert family == ref("FamilyRef")
    deliveries = component(schema, "FamilyExport")["properties"]["deliveries"]
    assert deliveries["items"] == ref("ExportDelivery")
    assert "lease" not in component(schema, "ExportDelivery")["properties"]
