"""Days away: mark a child away (``children/{cid}/away/``), list and delete ranges
(``away/``). Members who see the child; sitters cannot (403)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.timeutils import family_today

from . import away
from .models import Child, ChildAway
from .scoping import FamilyScopedMixin
from .serializers_away import AwayQuerySerializer, AwaySerializer
from .users import request_user


class ChildAwayView(FamilyScopedMixin, GenericAPIView):
    """``POST``: the child is away from ``from`` to ``to`` (inclusive) with a short note."""

    queryset = Child.objects.all()  # the child in the URL
    serializer_class = AwaySerializer

    @extend_schema(request=AwaySerializer, responses={201: AwaySerializer})
    def post(self, request: Request, **kwargs: Any) -> Response:
        child = get_object_or_404(self.visible_children(), pk=self.kwargs["child_id"])
        body = AwaySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        made = away.add_away(
            child=child,
            first=data["starts_on"],
            last=data["ends_on"],
            note=data.get("note", ""),
            user=request_user(request),
        )
        return Response(AwaySerializer(made).data, status=status.HTTP_201_CREATED)


class AwayViewSet(
    FamilyScopedMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The family's days away (of the children the caller sees), oldest first; ``DELETE``
    removes a range."""

    queryset = ChildAway.objects.all()
    serializer_class = AwaySerializer
    family_field = "child__family"
    child_field = "child"

    def get_queryset(self) -> QuerySet[ChildAway]:
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        query = AwayQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        first = query.validated_data.get("from") or family_today(self.family)
        last = query.validated_data.get("to")
        queryset = queryset.filter(ends_on__gte=first)
        if last is not None:
            queryset = queryset.filter(starts_on__lte=last)
        return queryset.order_by("starts_on", "id")

    @extend_schema(parameters=[AwayQuerySerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_destroy(self, instance: ChildAway) -> None:
        away.remove_away(instance)
