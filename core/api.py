"""API conventions shared by every app: one error shape, one pagination style, shared fields."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, pagination, serializers
from rest_framework.exceptions import ValidationError as ApiValidationError  # noqa: TID251
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .parsers import PayloadTooLarge

# (DRF's ValidationError is built only here: everything else raises Django's, through
# validation_error, or a serializer's own.)

_DATETIME = serializers.DateTimeField()


def datetime_text(value: datetime | None) -> str | None:
    """An instant as a ``DateTimeField`` writes it, for answers built without a serializer."""
    return None if value is None else _DATETIME.to_representation(value)


# Field options of an id that may be missing or null (export shapes).
NULLABLE: dict[str, Any] = {"allow_null": True, "required": False}


class Pagination(pagination.PageNumberPagination):
    """Page-number pagination; clients may ask for up to 200 items a page."""

    page_size_query_param = "page_size"
    max_page_size = 200


class FieldTemplateMixin:
    """Build a serializer's fields once per class and copy them for each instance.

    DRF builds a ``ModelSerializer``'s fields from the model every time one is created,
    which was a sixth of a check-in's cost. Use it only on serializers whose fields do not
    depend on the instance, request or context (the context is read at validation time).
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        template = cls.__dict__.get("_field_template")
        if template is None:
            template = super().get_fields()  # type: ignore[misc]
            cls._field_template = template  # type: ignore[attr-defined]
        return {name: _copy_field(field) for name, field in template.items()}

    def get_validators(self) -> list[Any]:
        # A ModelSerializer works out its unique-together validators from the model each
        # time; they hold no state of their own (each call is given the serializer).
        cls = type(self)
        validators = cls.__dict__.get("_validators_template")
        if validators is None:
            validators = super().get_validators()  # type: ignore[misc]
            cls._validators_template = validators  # type: ignore[attr-defined]
        return list(validators)


_F = TypeVar("_F")


def _copy_field(field: serializers.Field) -> serializers.Field:
    """A fresh copy of an unbound template field, for one serializer to bind.

    DRF's deepcopy builds each field again from its arguments, which was most of what
    copying the template cost. Binding only sets attributes on the copy, so a leaf field
    is copied shallowly and a list's leaf child is copied and given the new list as its
    parent; anything deeper (nested serializers) is deep-copied as DRF does.
    """
    child = getattr(field, "child", None)
    if (
        isinstance(field, serializers.BaseSerializer)
        or _has_children(child)
        or hasattr(field, "child_relation")
    ):
        return copy.deepcopy(field)
    new = _shallow(field)
    if child is not None:
        with_child: Any = new  # a list or dict field: ``child`` is not a Field attribute
        with_child.child = _shallow(child)
        with_child.child.parent = new  # the rest of the child's binding is the same
    return new


def _shallow(field: _F) -> _F:
    # What copy.copy does for a field (no __copy__, no slots), without its generic
    # reduce protocol, which cost as much as the rest of building a serializer.
    new = object.__new__(type(field))
    new.__dict__.update(field.__dict__)
    return new


def _has_children(field: serializers.Field | None) -> bool:
    # Serializers, lists and dicts (child), and many=True relations (child_relation).
    return isinstance(field, serializers.BaseSerializer) or any(
        hasattr(field, name) for name in ("child", "child_relation")
    )


def _flatten(detail: Any) -> dict[str, list[str]]:
    """Turn DRF's nested error detail into ``{"field": [messages]}`` with dotted names."""
    errors: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                name = "non_field_errors" if key == "non_field_errors" and not prefix else key
                walk(f"{prefix}.{name}" if prefix else str(name), sub)
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                errors.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
            else:
                for index, sub in enumerate(value):
                    if sub:
                        walk(f"{prefix}.{index}" if prefix else str(index), sub)
        else:
            errors.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return errors


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Answer every API error as ``{"detail": message, "code": code, "errors": {field: [...]}}``.

    ``errors`` names each offending field (dotted for nested ones, e.g. ``steps.2.title``),
    so a 400 always says which field was wrong.
    """
    if isinstance(exc, DjangoValidationError):
        exc = ApiValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiValidationError):
        errors = _flatten(exc.detail)
        first_field, first_messages = next(iter(errors.items()), ("", [_("Invalid input.")]))
        message = (
            first_messages[0]
            if first_field == "non_field_errors"
            else (f"{first_field}: {first_messages[0]}")
        )
        response.data = {"detail": message, "code": "invalid", "errors": errors}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {
            "detail": str(detail),
            "code": code if isinstance(code, str) else "error",
            "errors": {exc.field: [str(detail)]} if isinstance(exc, Conflict) else {},
        }
    return response


class Conflict(exceptions.APIException):
    """A 409 naming ``field``: the request clashes with something already stored."""

    status_code = 409
    default_code = "conflict"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, self.default_code)
        self.field = field


def check_date_range(
    first: date, last: date, *, max_days: int, too_long_field: str = "from"
) -> None:
    """``from`` ≤ ``to`` and at most ``max_days`` days (both included), else a 400 naming
    the field."""
    if first > last:
        raise validation_error("from", _("The start of the range is after its end."))
    if (last - first).days + 1 > max_days:
        raise validation_error(
            too_long_field, _("Ask for at most %(n)s days at a time.") % {"n": max_days}
        )


def validation_error(field: str, message: str) -> DjangoValidationError:
    """A rule broken by ``field``: ``raise validation_error("date", "Use YYYY-MM-DD.")``.

    Django's own error, so services, models and the admin need no HTTP type; the API
    answers it as a 400 naming the field (``exception_handler``), and inside a
    serializer's ``validate()`` DRF reports it under the same name.
    """
    return DjangoValidationError({field: [message]})


@extend_schema_field(
    {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "example": "19:30"}
)
class WallClockTimeField(serializers.TimeField):
    """A family-local wall-clock time, written and read as ``HH:MM`` (no seconds, no zone)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


# Dates a request may name: within this many years of today. Far enough for any real use,
# near enough that no day-bound arithmetic (time zones, "the next day") leaves the calendar.
DATE_BOUND_YEARS = 5


def date_bounds() -> tuple[date, date]:
    """The first and last day a request may name (``DATE_BOUND_YEARS`` around today)."""
    today = timezone.now().date()
    margin = timedelta(days=366 * DATE_BOUND_YEARS)
    return today - margin, today + margin


def date_in_bounds(day: date) -> bool:
    first, last = date_bounds()
    return first <= day <= last


class BoundedDateField(serializers.DateField):
    """A ``YYYY-MM-DD`` date within a few years of today (else a 400 naming the field).

    Every date a request names (query strings, bodies) is one, so no computation on it
    can overflow (``date.max + 1 day``, UTC bounds of 0001-01-01) into a 500.
    """

    default_error_messages = {"out_of_range": "Give a date between {first} and {last}."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%d")
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> date:
        day = super().to_internal_value(value)
        first, last = date_bounds()
        if not first <= day <= last:
            self.fail("out_of_range", first=first.isoformat(), last=last.isoformat())
        return day
