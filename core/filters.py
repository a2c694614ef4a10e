"""Typed query-string filters (django-filter) with ranges: ids and dates a database and a
calendar can hold, else a 400 naming the parameter (``core.api.exception_handler``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .api import date_bounds
from .ids import MAX_ID


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An id (``?child=3``): a whole number from 1 to 2^63 - 1 (``1.5``, ``1e20``,
    ``9223372036854775808`` are 400s, as the schema's ``integer`` says)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class BoundedDateFormField(forms.DateField):
    """``YYYY-MM-DD`` within ``core.api.date_bounds()``."""

    input_formats = ["%Y-%m-%d"]

    def validate(self, value: Any) -> None:
        super().validate(value)
        if isinstance(value, date):
            first, last = date_bounds()
            if not first <= value <= last:
                raise forms.ValidationError(
                    _("Give a date between %(first)s and %(last)s.")
                    % {"first": first.isoformat(), "last": last.isoformat()},
                    code="out_of_range",
                )


@extend_schema_field(OpenApiTypes.DATE)
class BoundedDateFilter(django_filters.DateFilter):
    """A family-local day (``?from=2026-03-01``) within a few years of today."""

    field_class = BoundedDateFormField
