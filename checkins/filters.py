"""Filters for the check-in list: by child, member and a range of family-local dates."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend

from core.filters import BoundedDateFilter, IdFilter
from core.timeutils import family_day_bounds

from .models import CheckIn


class FamilyFilterBackend(DjangoFilterBackend):
    """Hands the family in the URL to the filter set, which needs its time zone."""

    def get_filterset_kwargs(self, request: Any, queryset: QuerySet, view: Any) -> dict:
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["family"] = None if getattr(view, "swagger_fake_view", False) else view.family
        return kwargs


class CheckInFilter(django_filters.FilterSet):
    """``child``/``member`` ids; ``from``/``to`` are family-local dates, both inclusive
    (ids in range and dates within a few years of today: ``core.filters``)."""

    child = IdFilter(field_name="child_id", help_text="A child's id.")
    member = IdFilter(field_name="member_id", help_text="A member's id: their own check-ins.")

    class Meta:
        model = CheckIn
        fields: list[str] = []

    def __init__(self, *args: Any, family: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.family = family

    def filter_from(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(occurred_at__gte=family_day_bounds(self.family, value)[0])

    def filter_to(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(occurred_at__lt=family_day_bounds(self.family, value)[1])


# "from" is a Python keyword, so these two are added by name rather than as attributes.
CheckInFilter.base_filters["from"] = BoundedDateFilter(
    method="filter_from", help_text="First family-local day (YYYY-MM-DD), inclusive."
)
CheckInFilter.base_filters["to"] = BoundedDateFilter(
    method="filter_to", help_text="Last family-local day (YYYY-MM-DD), inclusive."
)
