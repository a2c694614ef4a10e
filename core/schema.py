"""The OpenAPI schema's side of the API conventions: every operation documents the error
answers it can give, all in the one shape ``core.api.exception_handler`` writes (``Error``).

``AutoSchema`` is the project's schema class (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``).
A generated client can then read every answer, errors included, through its types. The
rules follow the request's life (docs/api.md, "Errors"):

- ``400`` ``invalid``: anything with a body or query parameters, and every write;
- ``403``: ``not_authenticated`` / ``permission_denied`` on signed-in operations, and a
  missing CSRF token on every write (sessions never answer 401: there is no
  ``WWW-Authenticate`` scheme to name);
- ``404`` ``not_found``: operations with path parameters (an outsider's family, an id)
  and paginated lists (a page past the last);
- ``409`` ``conflict``: writes that store something (POST, PUT, PATCH);
- ``413``: operations with a body (``DATA_UPLOAD_MAX_MEMORY_SIZE``);
- ``429`` ``throttled``: operations with throttle classes (a view that throttles in its
  own code declares its 429 in ``extend_schema``);
- ``503`` ``service_unavailable``: every operation (``core.middleware``).

A view's own ``extend_schema(responses={...})`` entry for one of these codes wins; an
error it documents with only a description gets the ``Error`` body.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import ComponentRegistry
from rest_framework import serializers

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STORES = frozenset({"POST", "PUT", "PATCH"})

DESCRIPTIONS = {
    "400": "Invalid input (`invalid`); `errors` names each offending field.",
    "403": "Not signed in (`not_authenticated`), no CSRF token, or not allowed "
    "(`permission_denied`).",
    "404": "Not found (`not_found`), also for a family the caller is not a member of.",
    "409": "Clashes with stored data (`conflict`); `errors` names the field.",
    "413": "The request body is too large.",
    "429": "Too many requests (`throttled`); try again after `Retry-After` seconds.",
    "503": "The database is briefly unavailable (`service_unavailable`); the write was "
    "not made, try again after `Retry-After` seconds.",
}


class ErrorSerializer(serializers.Serializer):
    """Every error answer: ``{"detail", "code", "errors"}`` (``core.api.exception_handler``)."""

    detail = serializers.CharField(help_text="A sentence a person can read.")
    code = serializers.CharField(
        help_text="Stable for programs: invalid, not_authenticated, permission_denied, "
        "not_found, conflict, throttled, service_unavailable, …"
    )
    # (A declared field named like Serializer.errors: the metaclass moves it out of the class.)
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field, dotted for nested ones (`steps.2.title`); "
        "`non_field_errors` for the whole body; empty when no field is concerned.",
    )

    class Meta:
        ref_name = "Error"


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the error answers each operation can give."""

    def get_operation(
        self,
        path: str,
        path_regex: str,
        path_prefix: str,
        method: str,
        registry: ComponentRegistry,
    ) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(
            path, path_regex, path_prefix, method, registry
        )
        if operation is None:
            return None
        error = {
            "application/json": {"schema": self.resolve_serializer(ErrorSerializer, "response").ref}
        }
        responses: dict[str, Any] = operation.setdefault("responses", {})
        for code in self._error_codes(operation):
            responses.setdefault(code, {"description": DESCRIPTIONS[code]})
        for code, response in responses.items():
            # An error a view documents with only a description has the one shape too.
            if code[0] in "45" and "content" not in response:
                response["content"] = error
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> Any:
        """A nested list (``many=True``) with its bounds, which drf-spectacular leaves out:
        ``allow_empty=False`` / ``min_length`` as ``minItems``, ``max_length`` as
        ``maxItems`` (rules of the input only, so on request bodies)."""
        schema = super()._map_serializer_field(  # type: ignore[no-untyped-call]  # untyped upstream
            field, direction, bypass_extensions
        )
        if (
            direction == "request"
            and isinstance(field, serializers.ListSerializer)
            and isinstance(schema, dict)
            and schema.get("type") == "array"
        ):
            # (min_length and max_length: DRF 3.15's, missing from the stubs.)
            min_length, max_length = (getattr(field, n, None) for n in ("min_length", "max_length"))
            min_items = max(min_length or 0, 0 if field.allow_empty else 1)
            if min_items:
                schema.setdefault("minItems", min_items)
            if max_length is not None:
                schema.setdefault("maxItems", max_length)
        return schema

    def _error_codes(self, operation: dict[str, Any]) -> list[str]:
        parameters = operation.get("parameters", [])
        has_body = "requestBody" in operation
        in_query = any(parameter.get("in") == "query" for parameter in parameters)
        in_path = any(parameter.get("in") == "path" for parameter in parameters)
        # A page past the last one is a 404 too.
        page = getattr(getattr(self.view, "pagination_class", None), "page_query_param", None)
        paged = any(p.get("in") == "query" and p.get("name") == page for p in parameters)
        # ``{}`` among the requirements: anonymous callers are let in too.
        signed_in = {} not in operation.get("security", [{}])
        codes = ["503"]
        if has_body or in_query or self.method in WRITES:
            codes.append("400")
        if signed_in or self.method in WRITES:
            codes.append("403")
        if in_path or paged:
            codes.append("404")
        if self.method in STORES:
            codes.append("409")
        if has_body:
            codes.append("413")
        if self._throttled():
            codes.append("429")
        return codes

    def _throttled(self) -> bool:
        # (A view that throttles in its own code documents its 429 with extend_schema.)
        return bool(self.view.get_throttles())
